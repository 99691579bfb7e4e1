"""The stamp's identity provider (ADFS by default) and ARM's bearer-token check.

Tokens are RS256 JWTs signed with a key made at start; the OpenID discovery document and the
token endpoint answer under any authority prefix real clients build (``/adfs``, the sample's
``/adfs/adfs``, or ``/{tenant}`` and ``/{tenant}/v2.0`` in AAD mode).
"""

from __future__ import annotations

import hmac
import time
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.config import EmulatorConfig


class OAuthError(Exception):
    """An OAuth error answer: ``{"error": code, "error_description": ...}`` with a status."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "error_description": self.description, "timestamp": _utc()}


def _utc(ts: float | None = None) -> str:
    return datetime.fromtimestamp(ts or time.time(), timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


class Identity:
    def __init__(self, config: EmulatorConfig) -> None:
        assert config.client_id and config.client_secret and config.tenant_id, "config must be resolved"
        self.config = config
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex

    @property
    def audiences(self) -> tuple[str, ...]:
        aud = self.config.audience.rstrip("/")
        return (aud, aud + "/")

    # --- the identity provider -----------------------------------------------------------------
    def discovery(self, base_url: str, prefix: str) -> dict[str, Any]:
        prefix = prefix.strip("/")
        root = prefix[: -len("/v2.0")] if prefix.lower().endswith("/v2.0") else prefix
        authority = f"{base_url}/{root}"
        return {
            "issuer": authority,
            "authorization_endpoint": f"{authority}/oauth2/authorize",
            "token_endpoint": f"{authority}/oauth2/token",
            "jwks_uri": f"{authority}/discovery/keys",
            "response_types_supported": ["code", "id_token", "token"],
            "grant_types_supported": ["client_credentials"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "scopes_supported": ["openid", "profile", "offline_access"],
            "access_token_issuer": authority,
        }

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def token(
        self, form: Mapping[str, str], issuer: str, basic: tuple[str, str] | None = None
    ) -> dict[str, Any]:
        """Answer a client-credentials token request, or raise OAuthError."""
        grant = form.get("grant_type", "")
        if grant != "client_credentials":
            raise OAuthError(
                400,
                "unsupported_grant_type",
                f"MSIS9611: The grant type '{grant}' is not supported; use client_credentials.",
            )
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if not hmac.compare_digest(client_id, self.config.client_id or ""):
            raise OAuthError(
                401,
                "invalid_client",
                f"MSIS9607: The 'client_id' parameter in the request is invalid. "
                f"No registered client is found with identifier '{client_id}'.",
            )
        if not hmac.compare_digest(secret, self.config.client_secret or ""):
            raise OAuthError(
                401,
                "invalid_client",
                "MSIS9622: Client authentication failed. "
                "Please verify the credential provided for client authentication is valid.",
            )
        audience = self._requested_audience(form)
        lifetime = self.config.token_lifetime
        return {
            "access_token": self.issue(audience, issuer=issuer, lifetime=lifetime),
            "token_type": "bearer",
            "expires_in": lifetime,
            "resource": audience,
        }

    def _requested_audience(self, form: Mapping[str, str]) -> str:
        wanted = [s for s in form.get("scope", "").split() if s.lower().endswith("/.default")]
        candidates = [s[: -len("/.default")] for s in wanted] or (
            [form["resource"]] if form.get("resource") else []
        )
        if not candidates:
            raise OAuthError(
                400,
                "invalid_scope",
                f"MSIS9602: No resource requested; ask for scope '{self.config.audience}/.default'.",
            )
        for audience in candidates:
            if audience.rstrip("/") in self.audiences:
                return audience
        raise OAuthError(
            400,
            "invalid_scope",
            f"MSIS9602: The resource '{candidates[0]}' is not registered; "
            f"ask for '{self.config.audience}/.default'.",
        )

    def issue(
        self,
        audience: str | None = None,
        *,
        issuer: str = "emulator",
        lifetime: int | None = None,
        expires_at: float | None = None,
    ) -> str:
        """A signed access token (tests may mint expired or wrong-audience ones)."""
        now = int(time.time())
        exp = int(expires_at) if expires_at is not None else now + (lifetime or self.config.token_lifetime)
        claims = {
            "aud": audience or self.config.audience,
            "iss": issuer,
            "iat": min(now, exp - 1),
            "nbf": min(now, exp - 1) - 300,
            "exp": exp,
            "appid": self.config.client_id,
            "appidacr": "1",
            "oid": self.config.client_id,
            "sub": self.config.client_id,
            "tid": self.config.tenant_id,
            "ver": "1.0",
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    # --- Resource Manager's check --------------------------------------------------------------
    def verify(self, authorization: str | None, login_endpoint: str) -> dict[str, Any]:
        """The claims of a valid bearer token, else ARM's 401 with WWW-Authenticate."""

        def fail(code: str, message: str, description: str) -> ArmError:
            header = (
                f'Bearer authorization_uri="{login_endpoint}", error="invalid_token", '
                f'error_description="{description}"'
            )
            return ArmError(401, code, message, headers={"WWW-Authenticate": header})

        if not authorization:
            raise fail(
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
                "The authentication failed because of missing 'Authorization' header.",
            )
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise fail(
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is provided in an invalid format.",
                "The access token is missing or not a bearer token.",
            )
        try:
            return jwt.decode(
                token.strip(),
                self._key.public_key(),
                algorithms=["RS256"],
                audience=list(self.audiences),
                options={"verify_iss": False},
            )
        except jwt.ExpiredSignatureError:
            exp = jwt.decode(token.strip(), options={"verify_signature": False}).get("exp", 0)
            raise fail(
                "ExpiredAuthenticationToken",
                f"The access token expiry UTC time '{_utc(exp)}' is earlier than "
                f"current UTC time '{_utc()}'.",
                "The access token has expired.",
            ) from None
        except jwt.InvalidAudienceError:
            got = jwt.decode(token.strip(), options={"verify_signature": False}).get("aud")
            raise fail(
                "InvalidAuthenticationTokenAudience",
                f"The access token has been obtained for wrong audience or resource '{got}'. "
                f"It should exactly match with one of the allowed audiences '{self.config.audience}'.",
                "The access token audience is invalid.",
            ) from None
        except jwt.PyJWTError:
            raise fail(
                "InvalidAuthenticationToken",
                "The access token is invalid.",
                "The access token is not a token this stamp issued or it is malformed.",
            ) from None
