"""The run's token credential: a service principal against the discovered authority, or a fake.

A secret or, by azure-identity's ``AZURE_CLIENT_CERTIFICATE_PATH`` convention, a certificate. The
authority and token scope come from cloud discovery; instance discovery is off wherever the
authority is not a public Microsoft cloud (offline stamps, ADFS). Identity calls trust the run's
CA bundle. A refused sign-in becomes one ``AuthenticationError`` line naming the principal.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azure.core.credentials import AccessToken, TokenCredential
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CertificateCredential, ClientSecretCredential

from .cloud import Cloud, discover
from .environment import LiveEnvironment, read_live_environment
from .errors import AuthenticationError, ConfigurationError, one_line
from .transport import AzureStackTransport

PLAYBACK_TOKEN = "playback-token"  # not a secret: replayed requests carry no real token


class PlaybackCredential:
    """A ``TokenCredential`` for playback: a constant token, never an identity call."""

    principal = "playback"

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(PLAYBACK_TOKEN, int(time.time()) + 24 * 3600)

    def close(self) -> None:
        pass


class ServicePrincipalCredential:
    """Wraps azure-identity's credential so a refused sign-in is one line with the fix."""

    def __init__(
        self, inner: TokenCredential, principal: str, authority: str, uses_certificate: bool
    ) -> None:
        self._inner = inner
        self.principal = principal
        self.authority = authority
        self._secret_name = "AZURE_CLIENT_CERTIFICATE_PATH" if uses_certificate else "AZURE_CLIENT_SECRET"

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        try:
            return self._inner.get_token(*scopes, **kwargs)
        except ClientAuthenticationError as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            code = f"{status}: " if status else ""
            raise AuthenticationError(
                f"the identity provider {self.authority} refused service principal {self.principal} "
                f"({code}{one_line(exc)})",
                f"check AZURE_CLIENT_ID, {self._secret_name} and AZURE_TENANT_ID ('adfs' on an ADFS stamp) "
                "for this stamp's directory",
            ) from None

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


def make_credential(cloud: Cloud, env: LiveEnvironment, ca_bundle: Path | None) -> ServicePrincipalCredential:
    """A service principal credential for ``cloud`` (secret, else certificate)."""
    tenant = "adfs" if cloud.is_adfs else env.tenant_id
    options: dict[str, Any] = {
        "authority": cloud.authority,
        "disable_instance_discovery": cloud.needs_instance_discovery_off,
        # The identity pipeline gets the run's transport: CA bundle and the one-line TLS error.
        "transport": AzureStackTransport(ca_bundle=ca_bundle, principal=env.client_id),
    }
    credential: TokenCredential
    try:
        if env.client_secret:
            credential = ClientSecretCredential(tenant, env.client_id, env.client_secret, **options)
        else:
            assert env.certificate_path is not None
            if not Path(env.certificate_path).is_file():
                raise ConfigurationError(
                    f"AZURE_CLIENT_CERTIFICATE_PATH {env.certificate_path} is not a file",
                    "point it at the service principal's certificate (PEM or PKCS12 with its private key)",
                )
            credential = CertificateCredential(
                tenant, env.client_id, env.certificate_path, password=env.certificate_password, **options
            )
    except ValueError as exc:  # azure-identity validates the authority and the certificate up front
        raise ConfigurationError(
            f"cannot build the credential for service principal {env.client_id}: {one_line(exc)}",
            "check AZURE_CLIENT_CERTIFICATE_PATH/_PASSWORD and the stamp's login endpoint",
        ) from None
    return ServicePrincipalCredential(credential, env.client_id, cloud.authority, env.client_secret is None)


@dataclass(frozen=True)
class LiveTarget:
    """A live target, connected: its variables, its discovered cloud and a credential for it."""

    env: LiveEnvironment
    cloud: Cloud
    credential: ServicePrincipalCredential

    def check_sign_in(self) -> None:
        """Get one token now, so a refused principal fails the run at its start, in one line."""
        self.credential.get_token(self.cloud.scope)


def connect(ca_bundle: Path | None, environ: Mapping[str, str] | None = None) -> LiveTarget:
    """Read the variables, discover the cloud, build the credential (no token yet)."""
    env = read_live_environment(environ)
    cloud = discover(env.arm_endpoint, ca_bundle)
    return LiveTarget(env, cloud, make_credential(cloud, env, ca_bundle))
