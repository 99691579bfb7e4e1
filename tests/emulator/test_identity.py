"""The emulator's ADFS identity provider and Resource Manager's bearer-token check."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential


def _post_token(info: Any, path: str, **form: str) -> requests.Response:
    return requests.post(f"{info.arm_endpoint}{path}", data=form, verify=str(info.ca_bundle), timeout=10)


def _credential(info: Any, authority: str, secret: str | None = None) -> ClientSecretCredential:
    return ClientSecretCredential(
        tenant_id=info.tenant_id,
        client_id=info.client_id,
        client_secret=secret or info.client_secret,
        authority=authority,
        disable_instance_discovery=True,
        connection_verify=str(info.ca_bundle),
    )


@pytest.mark.parametrize("form", ["login_endpoint", "host_only"])
def test_real_client_secret_credential_gets_a_token(emulator_info: Any, form: str) -> None:
    # The sample passes the login endpoint (.../adfs/ -> authority .../adfs/adfs); others pass the host.
    authority = emulator_info.login_endpoint if form == "login_endpoint" else emulator_info.arm_endpoint
    credential = _credential(emulator_info, authority)
    scope = f"openid profile offline_access {emulator_info.audience}/.default"
    token = credential.get_token(scope)
    assert token.expires_on > time.time() + 600
    claims = jwt.decode(token.token, options={"verify_signature": False})
    assert claims["aud"] == emulator_info.audience and claims["appid"] == emulator_info.client_id


def test_wrong_secret_is_invalid_client_through_the_sdk(emulator_info: Any) -> None:
    credential = _credential(emulator_info, emulator_info.login_endpoint, secret="not-the-secret")
    with pytest.raises(ClientAuthenticationError, match="MSIS9622: Client authentication failed"):
        credential.get_token(f"{emulator_info.audience}/.default")


@pytest.mark.parametrize("prefix", ["/adfs", "/adfs/adfs"])
def test_discovery_document_under_both_authority_forms(emulator_info: Any, prefix: str) -> None:
    doc = requests.get(
        f"{emulator_info.arm_endpoint}{prefix}/.well-known/openid-configuration",
        verify=str(emulator_info.ca_bundle),
        timeout=10,
    ).json()
    assert doc["token_endpoint"] == f"{emulator_info.arm_endpoint}{prefix}/oauth2/token"
    keys = requests.get(doc["jwks_uri"], verify=str(emulator_info.ca_bundle), timeout=10).json()["keys"]
    assert keys[0]["kty"] == "RSA"


def test_token_endpoint_errors(emulator_info: Any) -> None:
    good = {"client_id": emulator_info.client_id, "client_secret": emulator_info.client_secret}
    scope = f"{emulator_info.audience}/.default"
    wrong_id = _post_token(
        emulator_info,
        "/adfs/oauth2/token",
        grant_type="client_credentials",
        client_id="someone",
        client_secret="x",
        scope=scope,
    )
    assert wrong_id.status_code == 401 and wrong_id.json()["error"] == "invalid_client"
    wrong_secret = _post_token(
        emulator_info,
        "/adfs/oauth2/token",
        grant_type="client_credentials",
        client_id=emulator_info.client_id,
        client_secret="nope",
        scope=scope,
    )
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
    grant = _post_token(emulator_info, "/adfs/oauth2/token", grant_type="password", **good, scope=scope)
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    other = _post_token(
        emulator_info,
        "/adfs/oauth2/token",
        grant_type="client_credentials",
        **good,
        scope="https://graph.example/.default",
    )
    assert other.status_code == 400 and other.json()["error"] == "invalid_scope"
    resource = _post_token(
        emulator_info,
        "/adfs/oauth2/token",
        grant_type="client_credentials",
        **good,
        resource=emulator_info.audience,
    )
    assert resource.status_code == 200 and resource.json()["token_type"] == "bearer"


def _arm_get(info: Any, token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.get(
        f"{info.arm_endpoint}/subscriptions/{info.subscription_id}/resourcegroups?api-version=2019-10-01",
        headers=headers,
        verify=str(info.ca_bundle),
        timeout=10,
    )


def test_arm_accepts_a_token_from_the_token_endpoint(emulator_info: Any) -> None:
    token = _credential(emulator_info, emulator_info.login_endpoint).get_token(
        f"{emulator_info.audience}/.default"
    )
    assert _arm_get(emulator_info, token.token).status_code == 200


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("missing", "AuthenticationFailed"),
        ("expired", "ExpiredAuthenticationToken"),
        ("audience", "InvalidAuthenticationTokenAudience"),
        ("garbage", "InvalidAuthenticationToken"),
        ("foreign", "InvalidAuthenticationToken"),
    ],
)
def test_arm_refuses_bad_tokens_with_401(emulator: Any, emulator_info: Any, kind: str, code: str) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    tokens = {
        "missing": None,
        "expired": emulator.identity.issue(expires_at=time.time() - 60),
        "audience": emulator.identity.issue("https://management.azure.com/"),
        "garbage": "not.a.jwt",
        "foreign": jwt.encode(
            {"aud": emulator_info.audience, "exp": int(time.time()) + 600},
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
            algorithm="RS256",
        ),
    }
    response = _arm_get(emulator_info, tokens[kind])
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert response.headers["WWW-Authenticate"].startswith(
        f'Bearer authorization_uri="{emulator_info.login_endpoint}"'
    )


def test_aad_flavour_serves_a_tenant_authority(fresh_emulator: Any) -> None:
    server = fresh_emulator(identity="aad", providers=("resources",))
    info = server.info
    assert info.tenant_id != "adfs" and info.login_endpoint == info.arm_endpoint + "/"
    credential = _credential(info, info.login_endpoint)
    token = credential.get_token(f"{info.audience}/.default")
    assert _arm_get(info, token.token).status_code == 200
