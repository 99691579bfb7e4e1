"""Scrubbing on record: no secret, real id or stamp host name of the run reaches a cassette.

Every value is replaced the same way in URLs, headers (``Location``, ``Azure-AsyncOperation``
included) and bodies, so recorded interactions stay consistent with each other, and the live
request of a later playback, scrubbed the same way, matches what was recorded.

The run's values come from one place, :meth:`RunValues.from_environment`: the six standard
variables of Microsoft's Azure Stack Python instructions (tenant, client, secret, subscription,
ARM endpoint, location) plus the run id and whatever endpoints the run discovered.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit

from vcr.request import Request

# One definition each, shared with playback's fixed cloud: what a stamp's hosts and ids become.
from ..cloud import FAKE_ARM_HOST, FAKE_LOGIN_HOST
from ..environment import ZERO_GUID

# Same length and alphabet as a generated run id, so it stays a valid part of any name.
RUN_ID_PLACEHOLDER = "recordedrun0"
REDACTED = "REDACTED"
# Run ids shorter than this would be replaced inside unrelated words.
MIN_RUN_ID_LENGTH = 6

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
JWT_RE = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")

# JSON and form keys whose values are secrets wherever they appear (compared lower-cased).
SECRET_KEYS = frozenset(
    {
        "adminpassword",
        "password",
        "client_secret",
        "clientsecret",
        "client_assertion",
        "assertion",
        "access_token",
        "refresh_token",
        "id_token",
        "accesstoken",
        "refreshtoken",
    }
)
# Request headers that carry credentials or vary per machine and mean nothing in playback.
DROPPED_REQUEST_HEADERS = frozenset(
    {"authorization", "cookie", "user-agent", "x-ms-client-request-id", "x-ms-authorization-auxiliary"}
)
# Response headers that carry nothing playback needs and change on every recording (request ids,
# throttling counters) or could carry session state (cookies). Date stays: it says when.
DROPPED_RESPONSE_HEADERS = frozenset(
    {
        "set-cookie",
        "x-ms-request-id",
        "x-ms-correlation-request-id",
        "x-ms-routing-request-id",
        "x-ms-client-request-id",
        "strict-transport-security",
        "x-content-type-options",
        "cache-control",
        "pragma",
        "expires",
    }
)
DROPPED_RESPONSE_HEADER_PREFIXES = ("x-ms-ratelimit-",)
# Path roots of Resource Manager; anything else (token endpoints, /metadata, /adfs) is identity
# or discovery traffic that is never recorded.
ARM_PATH_ROOTS = ("/subscriptions", "/providers", "/tenants")


def _netloc(url: str | None) -> str | None:
    """``host:port`` of an absolute URL (lower case), or None for an empty/relative one."""
    if not url:
        return None
    parts = urlsplit(url.strip() if "://" in url else "https://" + url.strip())
    return parts.netloc.lower() or None


def _host_port(url: str) -> tuple[str, int]:
    """(host, port) with the scheme's default port filled in, for comparing endpoints."""
    parts = urlsplit(url if "://" in url else "https://" + url)
    return (parts.hostname or "", parts.port or (80 if parts.scheme == "http" else 443))


@dataclass(frozen=True)
class RunValues:
    """The values of this run that must never reach a cassette."""

    run_id: str = ""
    tenant_id: str = ""
    client_id: str = ""
    subscription_id: str = ""
    arm_endpoint: str = ""
    login_endpoints: tuple[str, ...] = ()
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @classmethod
    def from_environment(
        cls,
        run_id: str,
        environ: Mapping[str, str] | None = None,
        *,
        arm_endpoint: str | None = None,
        login_endpoints: Iterable[str] = (),
        subscription_id: str | None = None,
    ) -> RunValues:
        """The one place that reads the run's identity from the environment.

        Explicit arguments (what the run discovered or was configured with) win over variables.
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str:
            return env.get(name, "").strip()

        logins = [e for e in (*login_endpoints, get("AZURE_AUTHORITY_HOST")) if e]
        secrets = tuple(
            s for s in (get("AZURE_CLIENT_SECRET"), get("AZURE_CLIENT_CERTIFICATE_PASSWORD")) if s
        )
        return cls(
            run_id=run_id,
            tenant_id=get("AZURE_TENANT_ID"),
            client_id=get("AZURE_CLIENT_ID"),
            subscription_id=subscription_id or get("AZURE_SUBSCRIPTION_ID"),
            arm_endpoint=arm_endpoint or get("ARM_ENDPOINT"),
            login_endpoints=tuple(dict.fromkeys(logins)),
            secrets=secrets,
        )

    @property
    def arm_host(self) -> str | None:
        return _netloc(self.arm_endpoint)

    def replacements(self) -> list[tuple[str, str, str]]:
        """(what, value, placeholder) for every value that is set, most specific first."""
        out: list[tuple[str, str, str]] = []
        for secret in self.secrets:
            out.append(("client secret", secret, REDACTED))
        arm = self.arm_host
        hosts: list[tuple[str, str, str]] = []
        if arm:
            hosts.append(("ARM host", arm, FAKE_ARM_HOST))
        for login in self.login_endpoints:
            host = _netloc(login)
            if host and host != arm:
                hosts.append(("login host", host, FAKE_LOGIN_HOST))
        # host:port before the bare host name, so the port goes too.
        for what, netloc, fake in list(hosts):
            bare = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
            if bare != netloc:
                hosts.append((what, bare, fake))
        out += hosts
        for what, value in (
            ("subscription id", self.subscription_id),
            ("tenant id", self.tenant_id),
            ("client id", self.client_id),
        ):
            # A non-GUID tenant such as "adfs" is a common word, not an identifier to hide.
            if value and (GUID_RE.match(value) or len(value) >= 8):
                out.append((what, value, ZERO_GUID))
        if self.run_id:
            out.append(("run id", self.run_id, RUN_ID_PLACEHOLDER))
        # Never "replace" a value by itself (an ASDK's host is the fake host's name).
        return [(w, v, p) for w, v, p in out if v.lower() != p.lower()]


class Scrubber:
    """Applies :class:`RunValues` to vcrpy requests and responses."""

    def __init__(self, values: RunValues, *, drop_identity_traffic: bool) -> None:
        self.values = values
        self.drop_identity_traffic = drop_identity_traffic
        self._arm_host = values.arm_host
        patterns: list[tuple[re.Pattern[str], str]] = []
        for _what, value, placeholder in values.replacements():
            forms = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
            for form in sorted(forms, key=len, reverse=True):
                patterns.append((re.compile(re.escape(form), re.IGNORECASE), placeholder))
        self._patterns = patterns

    # -- text ---------------------------------------------------------------------------------
    def text(self, text: str) -> str:
        for pattern, placeholder in self._patterns:
            text = pattern.sub(placeholder, text)
        return JWT_RE.sub(REDACTED, text)

    def body(self, body: bytes | str | None, content_type: str = "") -> bytes | str | None:
        """The body with every value replaced and secret JSON/form fields redacted."""
        if not body:
            return body
        if isinstance(body, bytes):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                # Binary (a VHD page, say): latin-1 maps bytes 1:1, so only the values change.
                scrubbed_bytes = self.text(body.decode("latin-1")).encode("latin-1")
                return body if scrubbed_bytes == body else scrubbed_bytes
        else:
            text = body
        scrubbed = self.text(text)
        stripped = scrubbed.lstrip()
        if stripped[:1] in ("{", "["):
            try:
                data = json.loads(scrubbed)
            except ValueError:
                pass
            else:
                if _redact_json(data):
                    scrubbed = json.dumps(data)
        elif "x-www-form-urlencoded" in content_type.lower():
            pairs = parse_qsl(scrubbed, keep_blank_values=True)
            if any(k.lower() in SECRET_KEYS for k, _ in pairs):
                scrubbed = urlencode([(k, REDACTED if k.lower() in SECRET_KEYS else v) for k, v in pairs])
        if scrubbed == text:
            return body
        return scrubbed.encode("utf-8") if isinstance(body, bytes) else scrubbed

    # -- vcrpy hooks --------------------------------------------------------------------------
    def is_arm_request(self, request: Request) -> bool:
        """True for Resource Manager traffic; False for token, discovery and other hosts."""
        if self._arm_host and _host_port(request.uri) not in (
            _host_port(self._arm_host),
            _host_port(FAKE_ARM_HOST),
        ):
            return False
        path = (request.path or "/").lower()
        return any(path == root or path.startswith(root + "/") for root in ARM_PATH_ROOTS)

    def request(self, request: Request) -> Request | None:
        """vcrpy ``before_record_request``: vcrpy hands a copy, so it is changed in place."""
        if self.drop_identity_traffic and not self.is_arm_request(request):
            return None
        request.uri = self.text(request.uri)
        headers = request.headers
        for name in list(headers.keys()):
            if name.lower() in DROPPED_REQUEST_HEADERS:
                del headers[name]
            elif isinstance(headers[name], str):
                headers[name] = self.text(headers[name])
        body = self.body(request.body, str(headers.get("Content-Type", "")))
        if body is not request.body:
            request.body = body
            if "Content-Length" in headers:
                headers["Content-Length"] = str(len(request.body or b""))
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """vcrpy ``before_record_response`` (it hands a deep copy): scrub, keep Content-Length right."""
        headers: dict[str, list[str]] = response.get("headers", {})
        kept: dict[str, list[str]] = {}
        for name, values in headers.items():
            lower = name.lower()
            if lower in DROPPED_RESPONSE_HEADERS or lower.startswith(DROPPED_RESPONSE_HEADER_PREFIXES):
                continue
            kept[name] = [self.text(v) if isinstance(v, str) else v for v in values]
        content_type = next((v[0] for k, v in kept.items() if k.lower() == "content-type" and v), "")
        body = response.get("body", {}).get("string")
        scrubbed = self.body(body, content_type)
        if scrubbed is not body:
            response["body"]["string"] = scrubbed
            for name in kept:
                if name.lower() == "content-length":
                    kept[name] = [str(len(scrubbed or b""))]
        response["headers"] = kept
        return response


def _is_parameter_value(value: dict[str, Any]) -> bool:
    secret = value.get("value")
    return isinstance(secret, str) and bool(secret) and secret != REDACTED


def _redact_json(data: Any) -> bool:
    """Redact secret keys at any depth, in place; True if anything changed."""
    changed = False
    if isinstance(data, dict):
        # A storage account key: {"keyName": "key1", "value": "<secret>"}.
        if "keyName" in data and isinstance(data.get("value"), str) and data["value"] != REDACTED:
            data["value"] = REDACTED
            changed = True
        for key, value in data.items():
            if key.lower() in SECRET_KEYS and isinstance(value, str) and value and value != REDACTED:
                data[key] = REDACTED
                changed = True
            elif key.lower() in SECRET_KEYS and isinstance(value, dict) and _is_parameter_value(value):
                # A template deployment's parameter: {"adminPassword": {"value": "<secret>"}}.
                value["value"] = REDACTED
                changed = True
            elif isinstance(value, (dict, list)):
                changed = _redact_json(value) or changed
    elif isinstance(data, list):
        for item in data:
            changed = _redact_json(item) or changed
    return changed
