"""Read-only Resource Manager GETs for the preflight: the run's transport, credential and CA.

Plain azure-core pipeline requests, not a management SDK: the preflight asks for documents whose
shape every api-version shares (provider documents, usages, sizes), so it works whatever SDK
generation the team installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azure.core import PipelineClient
from azure.core.exceptions import AzureError
from azure.core.pipeline.policies import BearerTokenCredentialPolicy, HeadersPolicy, RetryPolicy
from azure.core.rest import HttpRequest, HttpResponse

from ..credentials import LiveTarget
from ..errors import AzureStackError, EndpointError, one_line
from ..transport import AzureStackTransport


@dataclass(frozen=True)
class Answer:
    """One GET's answer: status, JSON body (``{}`` if none) and ARM's error code and message."""

    status: int
    body: Any
    code: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def detail(self) -> str:
        """``404 Code: message`` on one line, for a problem's text."""
        text = " ".join(f"{self.code}: {self.message}".split()).strip(": ")
        return f"{self.status} {text[:240]}".strip()


class ArmReader:
    """GET JSON documents from the stamp's Resource Manager as the run's principal."""

    def __init__(self, live: LiveTarget, ca_bundle: Path | None, retries: int = 3) -> None:
        self.endpoint = live.cloud.arm_endpoint
        self.subscription_id = live.env.subscription_id
        transport = AzureStackTransport(
            ca_bundle=ca_bundle, principal=live.env.client_id, subscription_id=live.env.subscription_id
        )
        policies: list[Any] = [
            HeadersPolicy({"Accept": "application/json"}),
            RetryPolicy(retry_total=retries),
            BearerTokenCredentialPolicy(live.credential, live.cloud.scope),
        ]
        self._client: PipelineClient[HttpRequest, HttpResponse] = PipelineClient(
            base_url=self.endpoint, policies=policies, transport=transport
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ArmReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def subscription_path(self, rest: str = "") -> str:
        return f"/subscriptions/{self.subscription_id}{rest}"

    def get(self, path: str, api_version: str) -> Answer:
        """GET ``path``; a transport failure is one ``EndpointError`` line (401/403 the transport's)."""
        request = HttpRequest("GET", f"{self.endpoint}{path}", params={"api-version": api_version})
        try:
            response = self._client.send_request(request)
        except AzureStackError:
            raise
        except AzureError as exc:
            raise EndpointError(
                f"GET {path} on {self.endpoint} failed ({one_line(exc)})",
                "check that this machine can reach the stamp (VPN, DNS, firewall)",
            ) from None
        try:
            body: Any = response.json() if response.content else {}
        except ValueError:
            body = {}
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            return Answer(
                response.status_code, body, str(error.get("code") or ""), str(error.get("message") or "")
            )
        return Answer(response.status_code, body)
