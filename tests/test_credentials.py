"""Credentials: the six variables, secret and certificate principals against the discovered authority."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import pytest
import trustme
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pytest_azurestack.cloud import Cloud
from pytest_azurestack.credentials import PlaybackCredential, connect, make_credential
from pytest_azurestack.environment import LiveEnvironment, read_live_environment
from pytest_azurestack.errors import AuthenticationError, ConfigurationError
from pytest_azurestack.targets import check_access, check_subscription

if TYPE_CHECKING:
    from pytest_azurestack.emulator import EmulatorInfo

AUDIENCE = "https://management.local.azurestack.external/6f3b6a0e-1d0e-4c2e-9d34-5e2b1f0c8a11"
TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def _cloud(server: HTTPServer, adfs: bool = False) -> Cloud:
    login = server.url_for("/adfs/" if adfs else "/")
    return Cloud(
        arm_endpoint=server.url_for("").rstrip("/"), login_endpoint=login, audiences=(AUDIENCE,), is_adfs=adfs
    )


def _env(server: HTTPServer, **extra: str) -> LiveEnvironment:
    values = dict(tenant_id=TENANT, client_id=CLIENT, subscription_id="sub", arm_endpoint=server.url_for(""))
    values.update(extra)
    return LiveEnvironment(**values)  # type: ignore[arg-type]


def _serve_identity(server: HTTPServer, tenant: str = TENANT) -> str:
    """OpenID discovery (MSAL asks for it first) for ``tenant``; returns the token path."""
    base = server.url_for(f"/{tenant}").rstrip("/")
    token_path = f"/{tenant}/oauth2/v2.0/token"
    discovery = (
        "/adfs/.well-known/openid-configuration"
        if tenant == "adfs"
        else f"/{tenant}/v2.0/.well-known/openid-configuration"
    )
    server.expect_request(discovery).respond_with_json(
        {
            "token_endpoint": base + "/oauth2/v2.0/token",
            "authorization_endpoint": base + "/oauth2/v2.0/authorize",
            "issuer": base + "/v2.0",
        }
    )
    return token_path


def _token(request: Request) -> Response:
    return Response(
        '{"access_token": "tok", "expires_in": 3600, "token_type": "Bearer"}',
        200,
        content_type="application/json",
    )


def test_missing_variables_are_listed_in_one_error() -> None:
    with pytest.raises(ConfigurationError) as info:
        read_live_environment({"AZURE_TENANT_ID": TENANT, "ARM_ENDPOINT": "https://x"})
    message = str(info.value)
    for name in (
        "AZURE_CLIENT_ID",
        "AZURE_SUBSCRIPTION_ID",
        "AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH)",
    ):
        assert name in message
    assert "AZURE_TENANT_ID" not in message.split(";")[0]
    assert "--azurestack-target emulator" in message
    assert "\n" not in message


def test_certificate_path_replaces_the_secret() -> None:
    env = read_live_environment(
        {
            "AZURE_TENANT_ID": "t",
            "AZURE_CLIENT_ID": "c",
            "AZURE_SUBSCRIPTION_ID": "s",
            "ARM_ENDPOINT": "https://x",
            "AZURE_CLIENT_CERTIFICATE_PATH": "/p.pem",
        }
    )
    assert env.certificate_path == "/p.pem" and env.client_secret is None
    assert "secret" not in repr(_env_with_secret())


def _env_with_secret() -> LiveEnvironment:
    return LiveEnvironment("t", "c", "s", "https://x", client_secret="hunter2")


def test_repr_hides_the_secret() -> None:
    assert "hunter2" not in repr(_env_with_secret())


def test_secret_principal_gets_audience_scope_from_discovered_authority(
    https_server: HTTPServer, tls
) -> None:
    https_server.expect_request(_serve_identity(https_server), method="POST").respond_with_handler(_token)
    credential = make_credential(_cloud(https_server), _env(https_server, client_secret="s3cret"), tls.ca_pem)
    assert credential.get_token(AUDIENCE + "/.default").token == "tok"
    request = next(r for r, _ in https_server.log if r.method == "POST")
    form = parse_qs(request.get_data(as_text=True))
    assert form["scope"] == [AUDIENCE + "/.default"]
    assert form["client_id"] == [CLIENT] and form["client_secret"] == ["s3cret"]
    assert form["grant_type"] == ["client_credentials"]


def test_adfs_uses_the_adfs_tenant(https_server: HTTPServer, tls) -> None:
    https_server.expect_request(_serve_identity(https_server, "adfs"), method="POST").respond_with_handler(
        _token
    )
    credential = make_credential(
        _cloud(https_server, adfs=True), _env(https_server, client_secret="x"), tls.ca_pem
    )
    assert credential.get_token(AUDIENCE + "/.default").token == "tok"


def test_certificate_principal_signs_an_assertion(https_server: HTTPServer, tls, tmp_path) -> None:
    pem = tmp_path / "sp.pem"
    rsa = trustme.KeyType.RSA  # azure-identity signs assertions with RS256
    leaf = trustme.CA(key_type=rsa).issue_cert("principal.example", key_type=rsa)
    leaf.private_key_and_cert_chain_pem.write_to_path(str(pem))
    https_server.expect_request(_serve_identity(https_server), method="POST").respond_with_handler(_token)
    credential = make_credential(
        _cloud(https_server), _env(https_server, certificate_path=str(pem)), tls.ca_pem
    )
    assert credential.get_token(AUDIENCE + "/.default").token == "tok"
    request = next(r for r, _ in https_server.log if r.method == "POST")
    form = parse_qs(request.get_data(as_text=True))
    assert "client_secret" not in form
    assert form["client_assertion_type"] == ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]


def test_missing_certificate_file(https_server: HTTPServer, tmp_path) -> None:
    env = _env(https_server, certificate_path=str(tmp_path / "absent.pem"))
    with pytest.raises(ConfigurationError, match=r"AZURE_CLIENT_CERTIFICATE_PATH .* is not a file"):
        make_credential(_cloud(https_server), env, None)


def test_refused_sign_in_names_the_principal(https_server: HTTPServer, tls) -> None:
    https_server.expect_request(_serve_identity(https_server), method="POST").respond_with_json(
        {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."},
        status=401,
    )
    credential = make_credential(_cloud(https_server), _env(https_server, client_secret="wrong"), tls.ca_pem)
    with pytest.raises(AuthenticationError) as info:
        credential.get_token(AUDIENCE + "/.default")
    message = str(info.value)
    assert f"refused service principal {CLIENT}" in message
    assert "AADSTS7000215" in message
    assert "check AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_TENANT_ID" in message
    assert "\n" not in message


def test_identity_tls_failure_points_at_ca_bundle(https_server: HTTPServer) -> None:
    https_server.expect_request(_serve_identity(https_server), method="POST").respond_with_handler(_token)
    credential = make_credential(_cloud(https_server), _env(https_server, client_secret="s"), ca_bundle=None)
    with pytest.raises(Exception) as info:
        credential.get_token(AUDIENCE + "/.default")
    assert "--azurestack-ca-bundle" in str(info.value)


def test_connect_reads_discovers_and_builds(https_server: HTTPServer, tls) -> None:
    https_server.expect_request("/metadata/endpoints").respond_with_json(
        {"authentication": {"loginEndpoint": https_server.url_for("/"), "audiences": [AUDIENCE]}}
    )
    https_server.expect_request(_serve_identity(https_server), method="POST").respond_with_handler(_token)
    target = connect(
        tls.ca_pem,
        {
            "AZURE_TENANT_ID": TENANT,
            "AZURE_CLIENT_ID": CLIENT,
            "AZURE_CLIENT_SECRET": "s",
            "AZURE_SUBSCRIPTION_ID": "sub",
            "ARM_ENDPOINT": https_server.url_for("/"),
        },
    )
    target.check_sign_in()
    assert target.cloud.needs_instance_discovery_off  # a private authority: no call to the public cloud
    assert target.credential.principal == CLIENT


def test_playback_credential_never_calls_out() -> None:
    token = PlaybackCredential().get_token("https://x/.default")
    assert token.token == "playback-token" and token.expires_on > 0


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorInfo]:
    from pytest_azurestack.emulator import EmulatorConfig, EmulatorServer

    with EmulatorServer(EmulatorConfig()) as info:
        yield info


def test_access_check_passes_for_the_emulators_own_subscription(emulator: EmulatorInfo) -> None:
    live = connect(emulator.ca_bundle, environ=emulator.env())
    check_access(live, emulator.ca_bundle)  # signs in and reads the subscription: no error


def test_unknown_subscription_fails_at_the_start_in_one_line(emulator: EmulatorInfo) -> None:
    """The emulator answers 404 SubscriptionNotFound for a subscription it does not have, as ARM does."""
    wrong = "99999999-8888-7777-6666-555555555555"
    live = connect(emulator.ca_bundle, environ={**emulator.env(), "AZURE_SUBSCRIPTION_ID": wrong})
    with pytest.raises(ConfigurationError) as caught:
        check_subscription(live, emulator.ca_bundle)
    message = str(caught.value)
    assert message.startswith(
        f"subscription {wrong} was not found or is not visible to service principal {emulator.client_id} "
        "(404 SubscriptionNotFound: "
    )
    assert "check AZURE_SUBSCRIPTION_ID" in message and "\n" not in message
