"""Issue 2 point 9: every error the user can fix is one line naming the problem and the fix."""

from __future__ import annotations

import fnmatch
import socket
from typing import Any

import pytest
import requests
from pytest_httpserver import HTTPServer

from pytest_azurestack.errors import one_line

PRINCIPAL = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
SUBSCRIPTION = "11111111-2222-3333-4444-555555555555"
RG1 = f"/subscriptions/{SUBSCRIPTION}/resourcegroups/rg1"
AUDIENCE = "https://management.adfs.azurestack.local/6f3b6a0e"


def _live(monkeypatch: pytest.MonkeyPatch, arm_endpoint: str, ca_bundle: Any = None) -> None:
    for name, value in {
        "AZURESTACK_TARGET": "live",
        "AZURE_TENANT_ID": "adfs",
        "AZURE_CLIENT_ID": PRINCIPAL,
        "AZURE_CLIENT_SECRET": "not-a-real-secret",
        "AZURE_SUBSCRIPTION_ID": SUBSCRIPTION,
        "ARM_ENDPOINT": arm_endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    if ca_bundle is not None:
        monkeypatch.setenv("AZURESTACK_CA_BUNDLE", str(ca_bundle))


def _usage_error(pytester: pytest.Pytester, *args: str) -> str:
    """Run a trivial suite; return the single ERROR line it must stop with."""
    pytester.makepyfile("def test_x(azurestack_profile): pass")
    result = pytester.runpytest("--azurestack-profile", "2020-09-01-hybrid", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    output = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in output
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert len(errors) == 1, output
    return errors[0]


pytestmark = pytest.mark.usefixtures("clean_env")


def test_missing_variables_listed_once(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_TEST_RUN_LIVE", "true")
    monkeypatch.setenv("AZURE_CLIENT_ID", PRINCIPAL)
    line = _usage_error(pytester)
    assert line.startswith(
        "ERROR: live target: missing environment variable(s) AZURE_TENANT_ID, AZURE_SUBSCRIPTION_ID, "
        "ARM_ENDPOINT, AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH); export them"
    )


@pytest.mark.parametrize("value", ["http://management.local.azurestack.external", "management.local"])
def test_malformed_arm_endpoint(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    _live(monkeypatch, value)
    assert _usage_error(pytester).startswith(f"ERROR: ARM_ENDPOINT '{value}' is not an https URL")


def test_unreachable_arm_endpoint(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _live(monkeypatch, f"https://127.0.0.1:{port}")
    line = _usage_error(pytester)
    assert line.startswith(f"ERROR: cannot reach ARM_ENDPOINT https://127.0.0.1:{port} (")
    assert "Connection refused" in line and "check the URL" in line


def test_not_resource_manager(pytester: pytest.Pytester, monkeypatch, https_server: HTTPServer, tls) -> None:
    https_server.expect_request("/metadata/endpoints").respond_with_data(
        "<html>Azure Stack portal</html>", status=404, content_type="text/html"
    )
    _live(monkeypatch, https_server.url_for(""), tls.ca_pem)
    line = _usage_error(pytester)
    assert "is not Azure Resource Manager: /metadata/endpoints answered 404 (text/html)" in line
    assert "set ARM_ENDPOINT to the stamp's Resource Manager endpoint" in line


def test_tls_failure_points_at_the_ca_option(
    pytester: pytest.Pytester, monkeypatch, https_server: HTTPServer
) -> None:
    _live(monkeypatch, https_server.url_for(""))  # no CA bundle: the loopback CA is unknown
    line = _usage_error(pytester)
    assert line.startswith("ERROR: TLS verification of https://127.0.0.1:")
    assert "--azurestack-ca-bundle" in line


def test_plain_http_behind_an_https_url_is_not_a_ca_problem(
    pytester: pytest.Pytester, monkeypatch, httpserver: HTTPServer
) -> None:
    """An https:// ARM_ENDPOINT answered by a plain-HTTP server: say it does not speak TLS."""
    _live(monkeypatch, httpserver.url_for("").replace("http://", "https://"))
    line = _usage_error(pytester)
    assert line.startswith("ERROR: https://localhost:") or line.startswith("ERROR: https://127.0.0.1:"), line
    assert "does not speak TLS" in line and "check the port and scheme of ARM_ENDPOINT" in line
    assert "--azurestack-ca-bundle" not in line


def test_refused_sign_in_names_the_principal(
    pytester: pytest.Pytester, monkeypatch, https_server: HTTPServer, tls
) -> None:
    base = https_server.url_for("").rstrip("/")
    https_server.expect_request("/metadata/endpoints").respond_with_json(
        {"authentication": {"loginEndpoint": f"{base}/adfs/", "audiences": [AUDIENCE]}}
    )
    https_server.expect_request("/adfs/.well-known/openid-configuration").respond_with_json(
        {
            "token_endpoint": f"{base}/adfs/oauth2/v2.0/token",
            "issuer": f"{base}/adfs",
            "authorization_endpoint": f"{base}/adfs/oauth2/v2.0/authorize",
        }
    )
    https_server.expect_request("/adfs/oauth2/v2.0/token", method="POST").respond_with_json(
        {"error": "invalid_client", "error_description": "MSIS9607: The client credentials are invalid."},
        status=401,
    )
    _live(monkeypatch, base, tls.ca_pem)
    line = _usage_error(pytester)
    assert f"refused service principal {PRINCIPAL}" in line
    assert "check AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_TENANT_ID" in line


def test_unknown_profile(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(azurestack_profile): pass")
    result = pytester.runpytest("--azurestack-profile", "2016-01-01-hybrid")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: --azurestack-profile: unknown API version profile '2016-01-01-hybrid'; known profiles: "
            "2020-09-01-hybrid, 2019-03-01-hybrid, 2018-03-01-hybrid, 2017-03-09-profile, latest"
        ]
    )


ARM_TEST = """
def test_create(resource_client):
    resource_client.resource_groups.create_or_update("rg1", {"location": "local"})
"""


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (
            403,
            "AuthorizationFailed",
            f"AuthenticationError: service principal {PRINCIPAL} is not allowed to PUT {RG1} "
            "(403 AuthorizationFailed: no access); grant it the Contributor role on subscription "
            f"{SUBSCRIPTION} *",
        ),
        (
            401,
            "InvalidAuthenticationToken",
            f"AuthenticationError: Resource Manager refused the token of service principal {PRINCIPAL} "
            f"on PUT {RG1} (401 InvalidAuthenticationToken: no access); check *",
        ),
    ],
)
def test_arm_refusal_is_one_line(
    pytester: pytest.Pytester, fake_stamp: Any, status: int, code: str, expected: str
) -> None:
    fake_stamp.server.expect_request(
        fake_stamp.arm_path("/resourcegroups/rg1"), method="PUT"
    ).respond_with_json({"error": {"code": code, "message": "no access"}}, status=status)
    pytester.makepyfile(ARM_TEST)
    result = pytester.runpytest("--azurestack-profile", "2020-09-01-hybrid")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*_ test_create[[]2020-09-01-hybrid[]] _*", expected, "*short test summary*"]
    )
    assert "Traceback" not in result.stdout.str() and "HttpResponseError" not in result.stdout.str()


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (
            404,
            "SubscriptionNotFound",
            f"ERROR: subscription {SUBSCRIPTION} was not found or is not visible to service "
            f"principal {PRINCIPAL} (404 SubscriptionNotFound: nope); check AZURE_SUBSCRIPTION_ID *",
        ),
        (
            403,
            "AuthorizationFailed",
            f"ERROR: service principal {PRINCIPAL} is not allowed to GET /subscriptions/{SUBSCRIPTION} "
            "(403 AuthorizationFailed: nope); grant it the Contributor role on subscription "
            f"{SUBSCRIPTION} *",
        ),
    ],
)
def test_subscription_is_checked_once_at_the_start(
    pytester: pytest.Pytester, fake_stamp: Any, status: int, code: str, expected: str
) -> None:
    """A wrong AZURE_SUBSCRIPTION_ID or a principal without a role stops the run before any test."""
    fake_stamp.server.expect_oneshot_request(fake_stamp.arm_path(""), method="GET").respond_with_json(
        {"error": {"code": code, "message": "nope"}}, status=status
    )
    line = _usage_error(pytester)
    assert fnmatch.fnmatchcase(line, expected), line


def test_one_line_helper() -> None:
    multi = RuntimeError("(Conflict) the group holds a locked resource\nCode: Conflict\nMessage: long")
    assert one_line(multi) == "(Conflict) the group holds a locked resource"
    wrapped = requests.exceptions.ConnectionError(
        OSError("HTTPSConnection(host='h', port=443): Failed to   resolve 'h'")
    )
    assert one_line(wrapped) == "Failed to resolve 'h'"
    assert one_line(ValueError("")) == "ValueError"
    assert len(one_line(ValueError("x" * 500), 50)) == 50
