"""The azure-core transport every client of a run sends through.

One place sees every request on the wire, after the SDK has built it and before it leaves, so this
is where the plugin enforces the profile (the api-version guard), rewrites versions on request (pin
mode), keeps playback from sleeping, trusts the run's CA bundle, and turns TLS, 401 and 403 into one
actionable line. It raises ``AzureStackError`` subclasses: they are not ``AzureError``, so azure-core's
retry policy does not swallow or retry them.
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from azure.core.exceptions import ServiceRequestError
from azure.core.pipeline._tools import is_rest
from azure.core.pipeline.transport import RequestsTransport
from azure.core.pipeline.transport._requests_basic import RequestsTransportResponse
from azure.core.rest._requests_basic import RestRequestsTransportResponse
from requests.structures import CaseInsensitiveDict
from vcr.errors import CannotOverwriteExistingCassetteException, UnhandledHTTPRequestError
from vcr.request import Request as VcrRequest

from .cloud import CA_BUNDLE_FIX
from .errors import ApiVersionError, AuthenticationError, CassetteError, EndpointError
from .profiles import RESOURCES, Profile, resource_type_of, supported_versions
from .recording.playback import play_nearest, play_response
from .recording.wire import WireChange, compare

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
    ``offline=True`` (playback) makes ``sleep`` a no-op and serves every request from ``cassette``
    (the test's vcrpy cassette) directly, through vcrpy's own matching and play counts but without
    the requests/urllib3 stack vcrpy would otherwise fake a socket under; with no cassette it
    refuses to send at all.

    In playback nothing of a changed request is lost: a guard violation is kept and the request
    answered at the profile's version; a request that differs from its recording in query, body or
    headers is answered with the first unplayed recording of its method and path, and every
    difference is kept in ``changes``. The test goes on, and fails at the end with all of them.
    """

    def __init__(
        self,
        *,
        profile: Profile | None = None,
        guard: bool = True,
        pin: bool = False,
        offline: bool = False,
        ca_bundle: Path | None = None,
        principal: str = "the service principal",
        subscription_id: str | None = None,
        cassette: Any = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("connection_verify", str(ca_bundle) if ca_bundle else True)
        super().__init__(**kwargs)
        self.profile = profile
        pins = profile is not None and profile.hybrid
        self.guard = guard and pins
        self.pin = pin and pins
        self.offline = offline
        self.principal = principal
        self.subscription_id = subscription_id
        self.cassette = cassette
        self._lock = threading.Lock()  # LRO pollers send from their own threads
        self.pinned: list[PinnedRequest] = []
        self.violations: list[ApiVersionError] = []
        self.changes: list[WireChange] = []

    def sleep(self, duration: float) -> None:
        # azure-core's retry and LRO polling wait through here; a replayed run never waits.
        if not self.offline:
            super().sleep(duration)

    def send(self, request: Any, **kwargs: Any) -> Any:
        if self.guard or self.pin:
            self._apply_profile(request)
        response = self._replay(request, **kwargs) if self.offline else None
        if response is not None:
            return response
        try:
            response = super().send(request, **kwargs)
        except ServiceRequestError as exc:
            if isinstance(exc.inner_exception, requests.exceptions.SSLError):
                host = urlsplit(request.url).netloc
                raise EndpointError(f"TLS verification of https://{host} failed", CA_BUNDLE_FIX) from None
            raise
        if response.status_code in (401, 403) and resource_type_of(urlsplit(request.url).path) is not None:
            self._raise_auth(request, response)
        return response

    def _replay(self, request: Any, **kwargs: Any) -> Any:
        """The cassette's response to ``request``, or None to send it the ordinary way."""
        if self.cassette is None:
            raise CassetteError(
                f"playback: {request.method} {urlsplit(request.url).path} was sent with no cassette active",
                "use the azurestack client fixtures (they run inside the test's cassette)",
            )
        body = getattr(request, "data", None)
        if getattr(request, "files", None) or not isinstance(body, (bytes, str, type(None))):
            return None  # not a plain body: let vcrpy's patched socket see exactly what requests sends
        vcr_request = _LiveRequest(request.method, request.url, body, dict(request.headers))
        scrubbed = self.cassette.filter_request(vcr_request)
        if scrubbed is None:
            return None  # a request the recorder ignores: vcrpy lets it through, so do we
        try:
            # Scrubbed once, found through the cassette's index (vcrpy's own stub scrubs and scans
            # the whole cassette twice: can_play, then play).
            recorded = play_response(self.cassette, vcr_request, scrubbed)
        except UnhandledHTTPRequestError:
            nearest = play_nearest(self.cassette, scrubbed)
            if nearest is None:
                # The same miss vcrpy raises: the recorder's report explains it (closest request, diff).
                raise CannotOverwriteExistingCassetteException(
                    cassette=self.cassette, failed_request=vcr_request
                ) from None
            recorded_request, recorded = nearest
            with self._lock:
                self.changes.extend(compare(scrubbed, recorded_request))
        return self._response(request, recorded, kwargs.get("stream", False))

    def _response(self, request: Any, recorded: dict[str, Any], stream: bool) -> Any:
        """An azure-core response built in memory from a recorded one (vcrpy's cassette format)."""
        raw = requests.Response()
        raw.status_code = int(recorded["status"]["code"])
        raw.reason = recorded["status"].get("message", "")
        headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
        for name, values in recorded.get("headers", {}).items():
            headers[name] = ", ".join(values) if isinstance(values, list) else str(values)
        raw.headers = headers
        body = recorded.get("body", {}).get("string", b"")
        raw.raw = io.BytesIO(body.encode() if isinstance(body, str) else body or b"")
        raw.url = request.url
        block = self.connection_config.data_block_size
        if not is_rest(request):  # azure-core's legacy HttpRequest
            return RequestsTransportResponse(request, raw, block)
        response = RestRequestsTransportResponse(request=request, internal_response=raw, block_size=block)
        if not stream:
            response.read()
            response.close()
        return response

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
        if self.offline and required is not None:
            # Playback can go on: answer at the profile's version; the test fails with every change.
            request.url = with_api_version(request.url, required)
            with self._lock:
                self.changes.append(
                    WireChange("api-version", request.method, path, required, sent, error.problem)
                )
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


class _LiveRequest(VcrRequest):
    """A request as vcrpy sees it, built by ``_replay`` from the request about to be sent.

    vcrpy deep-copies a request before scrubbing it; this one's method, URL and body are immutable
    (``_replay`` passes only bytes, str or None) and its headers a plain dict of strings, so a new
    request from the same values is that copy, made without ``copy.deepcopy``'s generic walk.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> VcrRequest:
        return VcrRequest(self.method, self.uri, self.body, dict(self.headers))


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
