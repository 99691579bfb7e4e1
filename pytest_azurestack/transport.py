"""The azure-core transport every client of a run sends through.

One place sees every request on the wire, after the SDK has built it and before it leaves, so this
is where the plugin enforces the profile (the api-version guard), rewrites versions on request (pin
mode), hands playback's requests to the test's ``Replayer`` and keeps playback from sleeping,
trusts the run's CA bundle, and turns TLS, 401 and 403 into one actionable line. It raises
``AzureStackError`` subclasses: they are not ``AzureError``, so azure-core's retry policy does not
swallow or retry them.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from azure.core.exceptions import ServiceRequestError, ServiceRequestTimeoutError, ServiceResponseTimeoutError
from azure.core.pipeline.transport import RequestsTransport

from . import masking
from .cloud import tls_failure
from .errors import ApiVersionError, AuthenticationError
from .profiles import RESOURCES, Profile, resource_type_of, supported_versions
from .recording.replay import Replayer
from .recording.wire import WireChange
from .timeouts import DEFAULT_OPERATION_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, OperationClock

_API_VERSION = re.compile(r"(?:(?<=[?&])|^)api-version=([^&#]*)", re.IGNORECASE)
# Types whose api-version comes from another request: provider registration (azure-mgmt-core's
# auto-registration policy) and operation-status URLs (ARM echoes the version of the operation's request).
_FOLLOW_UP_TYPES = ("locations", "register", "unregister", "providers")


@dataclass(frozen=True)
class PinnedRequest:
    """A request whose api-version pin mode rewrote."""

    method: str
    path: str
    sent: str
    pinned: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}: api-version {self.sent} -> {self.pinned}"


def api_version_of(url: str) -> str | None:
    match = _API_VERSION.search(urlsplit(url).query)
    return unquote(match.group(1)) if match else None


def with_api_version(url: str, version: str) -> str:
    """``url`` with its api-version query value replaced; everything else byte-identical."""
    parts = urlsplit(url)
    query = _API_VERSION.sub(f"api-version={version}", parts.query, count=1)
    return parts._replace(query=query).geturl()


def profile_versions(profile: Profile, path: str) -> tuple[str, str, str | None, frozenset[str]] | None:
    """(provider, type, the profile's version, versions accepted) for an ARM path, or None.

    None means the guard has nothing to say: not a Resource Manager path, or a provider the profile
    does not cover. Follow-up URLs (operation status, registration) accept any version the profile
    uses for that provider, since ARM echoes the version of the request that started them.
    """
    found = resource_type_of(path)
    if found is None:
        return None
    provider, resource_type = found
    if provider not in profile.versions:
        return None
    required = profile.api_version(provider, resource_type)
    top = resource_type.split("/", 1)[0].lower()
    if top in _FOLLOW_UP_TYPES or resource_type.lower().endswith(("/register", "/unregister")):
        if top == "providers":
            provider = RESOURCES
        used = set().union(*(v for (p, _), v in supported_versions((profile,)).items() if p == provider))
        return provider, resource_type, required, frozenset(used)
    return provider, resource_type, required, frozenset({required} if required else ())


class AzureStackTransport(RequestsTransport):
    """``RequestsTransport`` plus the guard, pin mode, no-sleep playback and one-line failures.

    ``profile=None`` (discovery, the sweeper) turns guard and pin off, and so does a profile that
    is not hybrid (``latest`` pins nothing: its versions are whatever the installed SDK sends).
    ``replay`` (playback) makes ``sleep`` a no-op and answers every request from the test's
    cassette (``recording.replay``); a ``Replayer`` without a cassette refuses to send at all.

    In playback a guard violation does not end the test: it is kept in ``replay.changes`` and the
    request answered at the profile's version, so the test goes on and fails at the end with every
    change (``recording.gate``).
    """

    def __init__(
        self,
        *,
        profile: Profile | None = None,
        guard: bool = True,
        pin: bool = False,
        replay: Replayer | None = None,
        ca_bundle: Path | None = None,
        principal: str = "the service principal",
        subscription_id: str | None = None,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        operation_timeout: float = DEFAULT_OPERATION_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("connection_verify", str(ca_bundle) if ca_bundle else True)
        # Connect and read, per request: a server that does not answer fails that request in time.
        kwargs.setdefault("connection_timeout", request_timeout)
        kwargs.setdefault("read_timeout", request_timeout)
        super().__init__(**kwargs)
        self.clock = OperationClock(request_timeout, operation_timeout)
        self.profile = profile
        pins = profile is not None and profile.hybrid
        self.guard = guard and pins
        self.pin = pin and pins
        self.replay = replay
        self.principal = principal
        self.subscription_id = subscription_id
        self._lock = threading.Lock()  # LRO pollers send from their own threads
        self.pinned: list[PinnedRequest] = []
        self.violations: list[ApiVersionError] = []
        # Called after every attempt with (request, response or None, stream, started, finished):
        # the per-test timings (metrics.meter) watch the wire here.
        self.observers: list[Callable[[Any, Any, bool, float, float], None]] = []

    @property
    def offline(self) -> bool:
        """True in playback: nothing leaves this process."""
        return self.replay is not None

    def sleep(self, duration: float) -> None:
        # azure-core's retry and LRO polling wait through here; a replayed run never waits.
        if not self.offline:
            super().sleep(self.clock.sleeping(duration))

    def send(self, request: Any, **kwargs: Any) -> Any:
        if not self.observers:
            return self._send(request, **kwargs)
        started, response = time.time(), None
        try:
            response = self._send(request, **kwargs)
            return response
        finally:
            finished = time.time()
            for observe in self.observers:
                observe(request, response, bool(kwargs.get("stream", False)), started, finished)

    def _send(self, request: Any, **kwargs: Any) -> Any:
        if self.guard or self.pin:
            self._apply_profile(request)
        if self.replay is not None:
            block = self.connection_config.data_block_size
            response = self.replay.respond(request, stream=kwargs.get("stream", False), block_size=block)
            if response is not None:
                return response
        self._register_secrets(request)
        operation = self.clock.begin(request.method, request.url)
        started = time.monotonic()
        try:
            response = super().send(request, **kwargs)
        except (ServiceRequestTimeoutError, ServiceResponseTimeoutError) as exc:
            connect = isinstance(exc, ServiceRequestTimeoutError)
            self.clock.failed(operation, request.method, request.url, "timed out")
            waited = time.monotonic() - started
            raise self.clock.request_timed_out(request.method, request.url, waited, connect) from None
        except ServiceRequestError as exc:
            if isinstance(exc.inner_exception, requests.exceptions.SSLError):
                raise tls_failure(f"https://{urlsplit(request.url).netloc}", exc.inner_exception) from None
            self.clock.failed(operation, request.method, request.url, type(exc).__name__)
            raise
        self.clock.answered(operation, request.method, request.url, response)
        if not kwargs.get("stream", False):
            body = response.body() or b""
            if b"keyName" in body or b"assword" in body:  # listKeys, a returned password
                masking.register_json_secrets(body)
        if response.status_code in (401, 403) and resource_type_of(urlsplit(request.url).path) is not None:
            self._raise_auth(request, response)
        return response

    @staticmethod
    def _register_secrets(request: Any) -> None:
        """Whatever secret this request carries (its token, an admin password) is masked in reports."""
        masking.register_authorization(request.headers)
        masking.register_json_secrets(getattr(request, "content", None) or getattr(request, "data", None))

    def _apply_profile(self, request: Any) -> None:
        assert self.profile is not None and self.profile.hybrid
        sent = api_version_of(request.url)
        path = urlsplit(request.url).path
        if sent is None:
            return
        versions = profile_versions(self.profile, path)
        if versions is None:
            return
        provider, resource_type, required, accepted = versions
        if sent in accepted:
            return
        if self.pin and required is not None:
            request.url = with_api_version(request.url, required)
            with self._lock:
                self.pinned.append(PinnedRequest(request.method, path, sent, required))
            return
        if not self.guard:
            return
        wanted = f"requires {required}" if required else "has no API"
        error = ApiVersionError(
            f"api-version guard: {request.method} {path} sent api-version={sent}, "
            f"profile {self.profile.name} {wanted} for {provider}/{resource_type}",
            "the SDK sends a version outside the profile: build the client for this profile (the azurestack "
            "client fixtures do) or opt in to --azurestack-pin-api-versions",
        )
        if self.replay is not None and required is not None:
            # Playback can go on: answer at the profile's version; the test fails with every change.
            request.url = with_api_version(request.url, required)
            self.replay.keep(WireChange("api-version", request.method, path, required, sent, error.problem))
            return
        with self._lock:
            self.violations.append(error)
        raise error

    def _raise_auth(self, request: Any, response: Any) -> None:
        path = urlsplit(request.url).path
        detail = arm_error(response)
        if response.status_code == 401:
            if "insufficient_claims" in response.headers.get("WWW-Authenticate", ""):
                return  # a claims challenge: azure-core's bearer policy answers it
            raise AuthenticationError(
                f"Resource Manager refused the token of service principal {self.principal} "
                f"on {request.method} {path} (401{detail})",
                "check that AZURE_TENANT_ID and the principal belong to the stamp's directory and that "
                "ARM_ENDPOINT is the stamp the token was issued for",
            )
        where = f"subscription {self.subscription_id}" if self.subscription_id else "the subscription"
        raise AuthenticationError(
            f"service principal {self.principal} is not allowed to {request.method} {path} (403{detail})",
            f"grant it the Contributor role on {where} (the user portal's Access control (IAM))",
        )


def arm_error(response: Any) -> str:
    """`` Code: message`` from an ARM error body, on one line, or ''."""
    try:
        body = response.internal_response.json()
        error = body.get("error", body) if isinstance(body, dict) else {}
        code, message = error.get("code", ""), error.get("message", "")
    except (ValueError, AttributeError):
        return ""
    text = " ".join(f"{code}: {message}".split()).strip(": ")
    return f" {text[:240]}" if text else ""
