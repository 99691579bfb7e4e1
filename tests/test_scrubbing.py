"""Scrubbing: every value of the run is replaced consistently in URLs, headers and bodies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from vcr.request import Request

from pytest_azurestack.recording.sanitize import (
    FAKE_ARM_HOST,
    FAKE_LOGIN_HOST,
    REDACTED,
    RUN_ID_PLACEHOLDER,
    ZERO_GUID,
    RunValues,
    Scrubber,
)

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "3c5e8a1d-2b7f-4e0a-9c1d-6f8e2a4b7c90"
SUB = "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6"
SECRET = "p@ss/w0rd+&="
RUN = "a1b2c3d4e5f6"
ARM = "https://management.redmond.contoso.com:30024"
ENV = {
    "AZURE_TENANT_ID": TENANT,
    "AZURE_CLIENT_ID": CLIENT,
    "AZURE_CLIENT_SECRET": SECRET,
    "AZURE_SUBSCRIPTION_ID": SUB,
    "ARM_ENDPOINT": ARM,
}


def _scrubber(recording: bool = True, **env: str) -> Scrubber:
    values = RunValues.from_environment(
        RUN, {**ENV, **env}, login_endpoints=["https://login.redmond.contoso.com/"]
    )
    return Scrubber(values, drop_identity_traffic=recording)


def _request(method: str, uri: str, body: Any = None, **headers: str) -> Request:
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    hdrs = {"Authorization": "Bearer eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.sig", "User-Agent": "azsdk-python"}
    hdrs.update(headers)
    if data is not None:
        hdrs["Content-Length"] = str(len(data))
    return Request(method, uri, data, hdrs)


def _response(body: Any, status: int = 200, **headers: str) -> dict[str, Any]:
    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    hdrs = {k.replace("_", "-"): [v] for k, v in headers.items()}
    hdrs["Content-Length"] = [str(len(data))]
    return {"status": {"code": status, "message": "OK"}, "headers": hdrs, "body": {"string": data}}


def test_request_url_headers_and_body_are_scrubbed() -> None:
    vm = {
        "location": "local",
        "tags": {"azurestack-run": RUN},
        "properties": {"osProfile": {"adminUsername": "azs", "adminPassword": "Az1!secret"}},
    }
    request = _request("PUT", f"{ARM}/subscriptions/{SUB}/resourceGroups/rg?api-version=2020-06-01", vm)
    out = _scrubber().request(request)
    assert out is not None
    assert (
        out.uri
        == f"https://{FAKE_ARM_HOST}/subscriptions/{ZERO_GUID}/resourceGroups/rg?api-version=2020-06-01"
    )
    assert "Authorization" not in out.headers and "User-Agent" not in out.headers
    body = json.loads(out.body)
    assert body["properties"]["osProfile"]["adminPassword"] == REDACTED
    assert body["tags"]["azurestack-run"] == RUN_ID_PLACEHOLDER
    assert out.headers["Content-Length"] == str(len(out.body))


def test_a_deployment_parameter_named_as_a_secret_is_scrubbed() -> None:
    deployment = {
        "properties": {
            "mode": "Incremental",
            "template": {"parameters": {"adminPassword": {"type": "securestring"}}},
            "parameters": {"adminPassword": {"value": "Az1!secret"}, "vmName": {"value": "vm"}},
        }
    }
    path = f"{ARM}/subscriptions/{SUB}/resourcegroups/rg/providers/Microsoft.Resources/deployments/d"
    out = _scrubber().request(_request("PUT", f"{path}?api-version=2019-10-01", deployment))
    assert out is not None
    body = json.loads(out.body)
    parameters = body["properties"]["parameters"]
    assert parameters == {"adminPassword": {"value": REDACTED}, "vmName": {"value": "vm"}}
    assert body["properties"]["template"]["parameters"] == {"adminPassword": {"type": "securestring"}}


def test_guids_and_hosts_are_matched_case_insensitively() -> None:
    request = _request("GET", f"{ARM.upper().replace('HTTPS', 'https')}/subscriptions/{SUB.upper()}/x")
    out = _scrubber().request(request)
    assert out is not None and out.uri == f"https://{FAKE_ARM_HOST}/subscriptions/{ZERO_GUID}/x"


def test_response_headers_and_body_are_scrubbed_and_length_fixed() -> None:
    ops = f"{ARM}/subscriptions/{SUB}/providers/Microsoft.Compute/locations/local/operations/1"
    body = {
        "id": f"/subscriptions/{SUB}/resourceGroups/rg",
        "tenantId": TENANT,
        "nextLink": f"{ARM}/subscriptions/{SUB}/resourcegroups?$skiptoken=1",
        "identity": {"principalId": "x", "tenantId": TENANT.upper()},
        "deep": [{"adminPassword": "hunter2"}],
    }
    response = _response(
        body,
        202,
        Location=ops + "?monitor=true",
        Azure_AsyncOperation=ops,
        Set_Cookie="x-ms-gateway-slice=abc",
        x_ms_request_id="1",
        x_ms_ratelimit_remaining_subscription_writes="1199",
        Retry_After="10",
    )
    out = _scrubber().response(response)
    headers = out["headers"]
    assert headers["Location"] == [
        f"https://{FAKE_ARM_HOST}/subscriptions/{ZERO_GUID}/providers/Microsoft.Compute/locations/local/operations/1"
        "?monitor=true"
    ]
    assert headers["Azure-AsyncOperation"][0].startswith(
        f"https://{FAKE_ARM_HOST}/subscriptions/{ZERO_GUID}/"
    )
    assert not {"Set-Cookie", "x-ms-request-id", "x-ms-ratelimit-remaining-subscription-writes"} & set(
        headers
    )
    assert headers["Retry-After"] == ["10"]
    text = out["body"]["string"].decode()
    assert SUB not in text and TENANT not in text.lower() and "contoso" not in text and "hunter2" not in text
    assert (
        json.loads(text)["nextLink"]
        == f"https://{FAKE_ARM_HOST}/subscriptions/{ZERO_GUID}/resourcegroups?$skiptoken=1"
    )
    assert headers["Content-Length"] == [str(len(out["body"]["string"]))]


def test_token_traffic_is_redacted_when_it_is_recorded_at_all() -> None:
    scrubber = _scrubber(recording=False)  # playback keeps every request; the bodies still scrub
    form = f"grant_type=client_credentials&client_id={CLIENT}&client_secret=other-secret&scope=x"
    request = _request(
        "POST",
        f"https://login.redmond.contoso.com/{TENANT}/oauth2/v2.0/token",
        form.encode(),
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    out = scrubber.request(request)
    assert out is not None
    assert out.uri == f"https://{FAKE_LOGIN_HOST}/{ZERO_GUID}/oauth2/v2.0/token"
    assert b"other-secret" not in out.body and CLIENT.encode() not in out.body
    token = {
        "access_token": "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln",
        "refresh_token": "r",
        "expires_in": 3599,
    }
    body = json.loads(scrubber.response(_response(token))["body"]["string"])
    assert (
        body["access_token"] == REDACTED and body["refresh_token"] == REDACTED and body["expires_in"] == 3599
    )


def test_the_client_secret_is_replaced_in_every_encoding() -> None:
    from urllib.parse import quote_plus

    scrubber = _scrubber()
    text = f"a={quote_plus(SECRET)} b={SECRET} c={json.dumps(SECRET)}"
    assert SECRET not in scrubber.text(text) and quote_plus(SECRET) not in scrubber.text(text)


@pytest.mark.parametrize(
    "path",
    ["/metadata/endpoints?api-version=2015-01-01", "/adfs/oauth2/token", f"/{TENANT}/oauth2/v2.0/token"],
)
def test_identity_and_discovery_traffic_is_not_recorded(path: str) -> None:
    assert _scrubber().request(_request("GET", ARM + path)) is None
    # ...but in playback every request must be in the cassette, so nothing is silently let through.
    assert _scrubber(recording=False).request(_request("GET", ARM + path)) is not None


def test_other_hosts_are_not_recorded() -> None:
    assert _scrubber().request(_request("GET", "https://example.invalid/subscriptions/x")) is None
    assert _scrubber().request(_request("GET", f"{ARM}/subscriptions/x")) is not None


def test_an_asdk_host_and_adfs_tenant_are_left_alone() -> None:
    values = RunValues.from_environment(
        RUN, {"ARM_ENDPOINT": f"https://{FAKE_ARM_HOST}", "AZURE_TENANT_ID": "adfs"}
    )
    assert [what for what, _, _ in values.replacements()] == ["run id"]
    scrubber = Scrubber(values, drop_identity_traffic=True)
    assert (
        scrubber.text("https://adfs.local.azurestack.external/adfs/")
        == "https://adfs.local.azurestack.external/adfs/"
    )


def test_storage_keys_and_binary_bodies() -> None:
    keys = {"keys": [{"keyName": "key1", "value": "c2VjcmV0a2V5", "permissions": "FULL"}]}
    body = json.loads(_scrubber().response(_response(keys))["body"]["string"])
    assert body["keys"][0] == {"keyName": "key1", "value": REDACTED, "permissions": "FULL"}
    binary = b"\xff\xfe\x00" + SUB.encode() + b"\x80"
    assert _scrubber().body(binary) == b"\xff\xfe\x00" + ZERO_GUID.encode() + b"\x80"


def test_unchanged_bodies_keep_their_exact_bytes() -> None:
    raw = b'{ "b": 1,   "a": 2 }'
    assert _scrubber().body(raw, "application/json") is raw


def test_placeholders_are_the_single_definitions_playback_uses() -> None:
    from urllib.parse import urlsplit

    from pytest_azurestack import cloud, environment
    from pytest_azurestack.recording import sanitize

    assert sanitize.ZERO_GUID is environment.ZERO_GUID
    assert sanitize.FAKE_ARM_HOST is cloud.FAKE_ARM_HOST
    assert urlsplit(cloud.PLAYBACK_CLOUD.arm_endpoint).netloc == sanitize.FAKE_ARM_HOST
    assert urlsplit(cloud.PLAYBACK_CLOUD.login_endpoint).netloc == sanitize.FAKE_LOGIN_HOST
