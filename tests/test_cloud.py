"""Cloud discovery against a loopback HTTPS server: AAD, ADFS, and every way it can go wrong."""

from __future__ import annotations

import socket

import pytest
from pytest_httpserver import HTTPServer

from pytest_azurestack.cloud import (
    FAKE_ARM_HOST,
    FAKE_LOGIN_HOST,
    PLAYBACK_CLOUD,
    discover,
    normalize_arm_endpoint,
)
from pytest_azurestack.environment import ZERO_GUID
from pytest_azurestack.errors import ConfigurationError, EndpointError

AAD_METADATA = {
    "galleryEndpoint": "https://portal.local.azurestack.external:30015/",
    "graphEndpoint": "https://graph.windows.net/",
    "portalEndpoint": "https://portal.local.azurestack.external/",
    "authentication": {
        "loginEndpoint": "https://login.microsoftonline.com/",
        "audiences": ["https://management.contoso.onmicrosoft.com/81d6f8a6-0a4f-4a21-b8d3-6a2fc3c8e4f1"],
    },
}
ADFS_METADATA = {
    "authentication": {
        "loginEndpoint": "https://adfs.local.azurestack.external/adfs/",
        "audiences": ["https://management.adfs.azurestack.local/2a9a8d73-9ff8-4a7a-9a5f-1d3b0b1b4f2e"],
    }
}


def _serve_metadata(server: HTTPServer, body: object) -> None:
    server.expect_request("/metadata/endpoints", query_string="api-version=2015-01-01").respond_with_json(
        body
    )


def test_aad_metadata(https_server: HTTPServer, tls) -> None:
    _serve_metadata(https_server, AAD_METADATA)
    cloud = discover(https_server.url_for("/"), tls.ca_pem)  # trailing slash tolerated
    assert cloud.arm_endpoint == https_server.url_for("").rstrip("/")
    assert not cloud.is_adfs
    assert cloud.login_endpoint == "https://login.microsoftonline.com/"
    assert cloud.authority == "https://login.microsoftonline.com"
    assert cloud.scope == AAD_METADATA["authentication"]["audiences"][0] + "/.default"  # type: ignore[index]
    assert cloud.portal_endpoint == "https://portal.local.azurestack.external/"
    assert not cloud.needs_instance_discovery_off  # a public authority: MSAL may validate it


def test_adfs_metadata(https_server: HTTPServer, tls) -> None:
    _serve_metadata(https_server, ADFS_METADATA)
    cloud = discover(https_server.url_for(""), tls.ca_pem)
    assert cloud.is_adfs
    assert cloud.authority == "https://adfs.local.azurestack.external"  # azure-identity appends /adfs
    assert cloud.needs_instance_discovery_off
    assert cloud.audience.startswith("https://management.adfs.azurestack.local/")


def test_playback_cloud_is_fixed() -> None:
    assert PLAYBACK_CLOUD.arm_endpoint == "https://management.local.azurestack.external"
    assert PLAYBACK_CLOUD.needs_instance_discovery_off


def test_fake_hosts_are_the_ones_recordings_are_scrubbed_to() -> None:
    """The single definitions the recorder imports: playback must send to the host it scrubbed to."""
    assert FAKE_ARM_HOST == "management.local.azurestack.external"
    assert FAKE_LOGIN_HOST == "login.local.azurestack.external"
    assert ZERO_GUID == "00000000-0000-0000-0000-000000000000"
    assert PLAYBACK_CLOUD.arm_endpoint == f"https://{FAKE_ARM_HOST}"
    assert PLAYBACK_CLOUD.login_endpoint == f"https://{FAKE_LOGIN_HOST}/"
    assert PLAYBACK_CLOUD.audience.endswith(ZERO_GUID)


@pytest.mark.parametrize(
    "value", ["http://management.local", "management.local", "https://", "https://h:99999", ""]
)
def test_malformed_endpoint(value: str) -> None:
    with pytest.raises(
        ConfigurationError, match=r"ARM_ENDPOINT .* is not an https URL.*set it like https://"
    ):
        normalize_arm_endpoint(value)


def test_not_resource_manager_404_html(https_server: HTTPServer, tls) -> None:
    https_server.expect_request("/metadata/endpoints").respond_with_data(
        "<html>not found</html>", status=404, content_type="text/html"
    )
    with pytest.raises(EndpointError, match=r"is not Azure Resource Manager: .*answered 404 \(text/html\)"):
        discover(https_server.url_for(""), tls.ca_pem)


@pytest.mark.parametrize("body", ["<html>portal</html>", '{"value": []}', "[]"])
def test_not_resource_manager_200_without_metadata(https_server: HTTPServer, tls, body: str) -> None:
    https_server.expect_request("/metadata/endpoints").respond_with_data(body, content_type="text/html")
    with pytest.raises(EndpointError, match=r"did not return cloud metadata.*set ARM_ENDPOINT"):
        discover(https_server.url_for(""), tls.ca_pem)


def test_tls_failure_points_at_ca_bundle_option(https_server: HTTPServer) -> None:
    _serve_metadata(https_server, AAD_METADATA)
    with pytest.raises(EndpointError) as info:
        discover(https_server.url_for(""), ca_bundle=None)  # certifi does not know the test CA
    message = str(info.value)
    assert "TLS verification of https://127.0.0.1" in message
    assert "--azurestack-ca-bundle" in message
    assert "\n" not in message


def test_unreachable_endpoint() -> None:
    with socket.socket() as sock:  # a loopback port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(
        EndpointError, match=rf"cannot reach ARM_ENDPOINT https://127.0.0.1:{port} \(.*refused"
    ):
        discover(f"https://127.0.0.1:{port}")
