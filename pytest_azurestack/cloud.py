"""Cloud discovery: what a stamp's Resource Manager says about its identity provider.

``GET {ARM_ENDPOINT}/metadata/endpoints?api-version=2015-01-01`` answers with the login endpoint
and the token audiences (AAD or ADFS). Every failure becomes one ``EndpointError`` line that names
the problem and the fix; nothing of requests' or urllib3's tracebacks reaches the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from .environment import ZERO_GUID
from .errors import ConfigurationError, EndpointError, one_line

METADATA_PATH = "/metadata/endpoints"
METADATA_API_VERSION = "2015-01-01"
# (connect, read) seconds: an unreachable stamp fails fast, a slow one still answers.
DISCOVERY_TIMEOUT = (10.0, 30.0)
CA_BUNDLE_FIX = (
    "pass the stamp's root CA certificate (PEM) with --azurestack-ca-bundle PATH "
    "(or AZURESTACK_CA_BUNDLE); certifi's bundle is never edited"
)
# What OpenSSL says when the far end answers a TLS hello in plain HTTP (1.1, 3.0, 3.2+).
PLAIN_HTTP_SIGNS = (
    "WRONG_VERSION_NUMBER",
    "wrong version number",
    "record layer failure",
    "packet length too long",
)


def tls_failure(base: str, exc: BaseException) -> EndpointError:
    """One line for a failed TLS handshake with ``base``: an endpoint that does not speak TLS at
    all is not a CA problem, and must not be reported as one."""
    detail = one_line(exc, 200)
    if any(sign in str(exc) or sign in detail for sign in PLAIN_HTTP_SIGNS):
        return EndpointError(
            f"{base} does not speak TLS: the server answered the TLS handshake in plain HTTP ({detail})",
            "check the port and scheme of ARM_ENDPOINT (the stamp's ARM endpoint is https on 443; a plain "
            "HTTP server on that address is something else)",
        )
    return EndpointError(f"TLS verification of {base} failed ({detail})", CA_BUNDLE_FIX)


# Authorities MSAL knows; anywhere else (every offline stamp) instance discovery must be off.
PUBLIC_AUTHORITY_HOSTS = frozenset(
    {
        "login.microsoftonline.com",
        "login.windows.net",
        "login.microsoft.com",
        "login.chinacloudapi.cn",
        "login.microsoftonline.us",
    }
)


@dataclass(frozen=True)
class Cloud:
    """A discovered cloud: where Resource Manager is, and how to get a token for it."""

    arm_endpoint: str  # no trailing slash
    login_endpoint: str
    audiences: tuple[str, ...]
    is_adfs: bool
    portal_endpoint: str | None = None
    gallery_endpoint: str | None = None
    graph_endpoint: str | None = None

    @property
    def audience(self) -> str:
        return self.audiences[0]

    @property
    def scope(self) -> str:
        """The token scope for Resource Manager: the first audience + ``/.default``."""
        return self.audience + "/.default"

    @property
    def authority(self) -> str:
        """The identity authority host for azure-identity (it appends the tenant itself).

        An ADFS login endpoint ends in ``/adfs/``; azure-identity adds ``/adfs`` back as the tenant.
        """
        base = self.login_endpoint.rstrip("/")
        return base.removesuffix("/adfs") if self.is_adfs else base

    @property
    def needs_instance_discovery_off(self) -> bool:
        """True unless the authority is a public Microsoft cloud (MSAL would phone home otherwise)."""
        return self.is_adfs or urlsplit(self.login_endpoint).hostname not in PUBLIC_AUTHORITY_HOSTS


# The hosts the recorder scrubs a stamp's to (an ASDK's own names); the single definition, which
# recording imports. Playback never touches the network: its fixed cloud points at them.
FAKE_ARM_HOST = "management.local.azurestack.external"
FAKE_LOGIN_HOST = "login.local.azurestack.external"
PLAYBACK_ARM_ENDPOINT = f"https://{FAKE_ARM_HOST}"
PLAYBACK_CLOUD = Cloud(
    arm_endpoint=PLAYBACK_ARM_ENDPOINT,
    login_endpoint=f"https://{FAKE_LOGIN_HOST}/",
    audiences=(f"https://{FAKE_ARM_HOST}/{ZERO_GUID}",),
    is_adfs=False,
)


def normalize_arm_endpoint(value: str) -> str:
    """``https://host[:port][/path]`` without a trailing slash, or a ``ConfigurationError``."""
    text = value.strip()
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError on a malformed port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme.lower() != "https" or not parts.hostname or parts.query:
        raise ConfigurationError(
            f"ARM_ENDPOINT {value!r} is not an https URL of Resource Manager",
            "set it like https://management.local.azurestack.external (an ASDK) or "
            "https://management.<region>.<fqdn> (an integrated system)",
        )
    del port
    return text.rstrip("/")


def discover(
    arm_endpoint: str, ca_bundle: Path | None = None, session: requests.Session | None = None
) -> Cloud:
    """Ask Resource Manager for its metadata and return the ``Cloud`` it describes."""
    base = normalize_arm_endpoint(arm_endpoint)
    url = f"{base}{METADATA_PATH}?api-version={METADATA_API_VERSION}"
    http = session or requests.Session()
    try:
        response = http.get(
            url,
            verify=str(ca_bundle) if ca_bundle else True,
            timeout=DISCOVERY_TIMEOUT,
            headers={"Accept": "application/json"},
            allow_redirects=False,
        )
    except requests.exceptions.SSLError as exc:
        raise tls_failure(base, exc) from None
    except requests.exceptions.RequestException as exc:
        raise EndpointError(
            f"cannot reach ARM_ENDPOINT {base} ({one_line(exc, 200)})",
            "check the URL and that this machine can reach the stamp (VPN, DNS, firewall)",
        ) from None
    finally:
        if session is None:
            http.close()
    return _parse_metadata(base, response)


def _parse_metadata(base: str, response: requests.Response) -> Cloud:
    not_arm_fix = (
        "set ARM_ENDPOINT to the stamp's Resource Manager endpoint (https://management.<region>.<fqdn>), "
        "not the portal, a storage or an identity endpoint"
    )
    kind = response.headers.get("Content-Type", "no content type").split(";")[0]
    if response.status_code != 200:
        raise EndpointError(
            f"{base} is not Azure Resource Manager: {METADATA_PATH} answered {response.status_code} ({kind})",
            not_arm_fix,
        )
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    auth = body.get("authentication") if isinstance(body, dict) else None
    login = auth.get("loginEndpoint") if isinstance(auth, dict) else None
    audiences = auth.get("audiences") if isinstance(auth, dict) else None
    if not isinstance(login, str) or not login or not isinstance(audiences, list) or not audiences:
        raise EndpointError(
            f"{base} is not Azure Resource Manager: {METADATA_PATH} did not return cloud metadata "
            f"with authentication.loginEndpoint and audiences ({kind})",
            not_arm_fix,
        )
    assert isinstance(body, dict)
    return Cloud(
        arm_endpoint=base,
        login_endpoint=login,
        audiences=tuple(str(a) for a in audiences),
        is_adfs=urlsplit(login).path.rstrip("/").lower().endswith("/adfs"),
        portal_endpoint=body.get("portalEndpoint"),
        gallery_endpoint=body.get("galleryEndpoint"),
        graph_endpoint=body.get("graphEndpoint"),
    )
