"""Resource Manager protocol details over raw HTTP: headers, errors, api-versions, routing, paging."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_azurestack import profiles

RG = "2019-10-01"


def test_every_arm_response_carries_the_arm_headers(arm: Any) -> None:
    response = arm.get("{sub}/resourcegroups", RG, headers={"x-ms-client-request-id": "abc-123"})
    assert response.status_code == 200
    h = response.headers
    assert h["cache-control"] == "no-cache" and h["pragma"] == "no-cache" and h["expires"] == "-1"
    assert h["content-type"] == "application/json; charset=utf-8"
    assert h["x-content-type-options"] == "nosniff" and "strict-transport-security" in h
    assert h["x-ms-correlation-request-id"] == "abc-123"
    assert h["x-ms-routing-request-id"].endswith(h["x-ms-request-id"])
    assert "x-ms-ratelimit-remaining-subscription-reads" in h


def test_correlation_id_is_new_per_request_without_one(arm: Any) -> None:
    a = arm.get("{sub}/resourcegroups", RG).headers["x-ms-correlation-request-id"]
    b = arm.get("{sub}/resourcegroups", RG).headers["x-ms-correlation-request-id"]
    assert a != b


def test_literal_segments_are_case_insensitive_and_ids_canonical(arm: Any, resource_group: str) -> None:
    for spelling in ("resourcegroups", "resourceGroups", "RESOURCEGROUPS"):
        response = arm.get(f"{{sub}}/{spelling}/{resource_group}", RG)
        assert response.status_code == 200
        assert response.json()["id"] == f"{arm.sub}/resourceGroups/{resource_group}"


def test_missing_api_version(arm: Any) -> None:
    response = arm.get("{sub}/resourcegroups")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MissingApiVersionParameter"


def test_latest_resources_version_is_refused_like_arm(arm: Any) -> None:
    latest = profiles.LATEST.api_version(profiles.RESOURCES, "resourceGroups")
    response = arm.get("{sub}/resourcegroups", latest)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "InvalidApiVersionParameter"
    assert f"The api-version '{latest}' is invalid." in error["message"] and "2019-10-01" in error["message"]


def test_latest_storage_version_is_no_registered_provider(arm: Any) -> None:
    latest = profiles.LATEST.api_version(profiles.STORAGE)
    response = arm.get("{sub}/providers/Microsoft.Storage/storageAccounts", latest)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "NoRegisteredProviderFound"
    assert error["message"].startswith(
        f"No registered resource provider found for location 'local' and API version '{latest}' for type "
        "'storageAccounts'. The supported api-versions are '"
    )
    assert "2019-06-01" in error["message"] and error["message"].endswith(
        "The supported locations are 'local'."
    )


@pytest.mark.parametrize("profile", profiles.HYBRID_PROFILES, ids=str)
def test_every_hybrid_profile_version_is_served_by_2102(arm: Any, profile: profiles.Profile) -> None:
    assert arm.get("{sub}/resourcegroups", profile.api_version(profiles.RESOURCES)).status_code == 200
    storage = profile.api_version(profiles.STORAGE)
    assert arm.get("{sub}/providers/Microsoft.Storage/storageAccounts", storage).status_code == 200


def test_an_older_build_refuses_newer_profiles(fresh_emulator: Any, arm_client: Any) -> None:
    server = fresh_emulator(build="1808", providers=("resources", "storage"))
    client = arm_client(server)
    assert client.get("{sub}/resourcegroups", "2018-02-01").status_code == 200
    refused = client.get("{sub}/resourcegroups", "2019-10-01")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "InvalidApiVersionParameter"


def test_unknown_routes_answer_like_arm(arm: Any, resource_group: str) -> None:
    ns = arm.get(f"{{sub}}/resourceGroups/{resource_group}/providers/Microsoft.Nope/things/x", RG)
    assert ns.status_code == 404 and ns.json()["error"]["code"] == "InvalidResourceNamespace"
    rtype = arm.get(
        f"{{sub}}/resourceGroups/{resource_group}/providers/Microsoft.Storage/nopes/x", "2019-06-01"
    )
    assert rtype.status_code == 404 and rtype.json()["error"]["code"] == "InvalidResourceType"
    other = arm.get("/nothing/here", RG)
    assert other.status_code == 404 and other.json()["error"]["code"] == "NotFound"
    method = arm.post(f"{{sub}}/resourcegroups/{resource_group}", RG)
    assert method.status_code == 405


def test_wrong_subscription_is_subscription_not_found(arm: Any) -> None:
    response = arm.get("/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups", RG)
    assert response.status_code == 404 and response.json()["error"]["code"] == "SubscriptionNotFound"


def test_missing_group_is_checked_before_the_provider(arm: Any) -> None:
    path = "{sub}/resourceGroups/nosuchgroup/providers/Microsoft.Storage/storageAccounts/abc"
    response = arm.get(path, "2019-06-01")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "ResourceGroupNotFound",
        "message": "Resource group 'nosuchgroup' could not be found.",
    }


@pytest.mark.parametrize(
    "data",
    [
        b"{not json",
        b"[1, 2]",
        b'"text"',
        b"",
        b"\xff\xfe",
        b"null",
        b'{"location": 12}',
        b'{"location": null}',
        b'{"location": "local", "tags": [1]}',
        b'{"location": "local", "tags": {"a": 1}}',
    ],
)
def test_bad_bodies_are_4xx_never_500(arm: Any, data: bytes) -> None:
    response = arm.put(
        "{sub}/resourcegroups/badbody", RG, data=data, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["code"]


@pytest.mark.parametrize(
    "data",
    [
        b'{"sku": [], "kind": "Storage", "location": "local"}',
        b'{"sku": {"name": 7}, "kind": "Storage", "location": "local"}',
        b'{"sku": {"name": "Standard_LRS"}, "kind": ["Storage"], "location": "local"}',
        b'{"sku": {"name": "Standard_LRS"}, "kind": "Storage", "location": "local", "properties": 3}',
        b'{"sku": {"name": "Standard_LRS"}, "kind": "Storage", "location": "local",'
        b' "properties": {"supportsHttpsTrafficOnly": "yes"}}',
    ],
)
def test_wrong_types_in_storage_bodies_are_400(arm: Any, resource_group: str, data: bytes) -> None:
    path = f"{{sub}}/resourceGroups/{resource_group}/providers/Microsoft.Storage/storageAccounts/typesacct"
    response = arm.put(path, "2019-06-01", data=data, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text


def test_a_handler_bug_becomes_an_arm_500(emulator: Any, arm: Any) -> None:
    from pytest_azurestack.emulator.arm.routing import Route

    def broken(request: Any) -> Any:
        raise KeyError("boom")

    route = Route(
        "GET",
        "/subscriptions/{subscription}/providers/Microsoft.Storage/brokenThings",
        broken,
        "Microsoft.Storage",
        "storageAccounts",
    )
    emulator.router.add([route])
    try:
        response = arm.get("{sub}/providers/Microsoft.Storage/brokenThings", "2019-06-01")
    finally:
        emulator.router.routes.remove(route)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "InternalServerError" and "boom" not in response.text


def test_paging_follows_next_link_to_the_end(arm: Any) -> None:
    names = {f"page-{i}-{arm.info.port}" for i in range(5)}
    for name in names:
        arm.put(f"{{sub}}/resourcegroups/{name}", RG, json={"location": "local", "tags": {"paging": "yes"}})
    seen: list[str] = []
    url: str | None = arm.url("{sub}/resourcegroups") + f"?api-version={RG}&$filter=tagName eq 'paging'"
    pages = 0
    while url:
        body = arm.get(url).json()
        assert len(body["value"]) <= 2
        seen += [g["name"] for g in body["value"]]
        url = body.get("nextLink")
        pages += 1
    assert set(seen) == names and len(seen) == len(names) and pages == 3


def test_bad_skiptoken_is_400(arm: Any) -> None:
    response = arm.get("{sub}/resourcegroups", RG, params={"$skiptoken": "abc"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "InvalidSkipToken"


def test_metadata_endpoint_points_at_the_adfs_login(arm: Any, emulator_info: Any) -> None:
    body = arm.get("/metadata/endpoints", "2015-01-01").json()
    assert body["authentication"]["loginEndpoint"] == f"{emulator_info.arm_endpoint}/adfs/"
    assert body["authentication"]["audiences"] == [emulator_info.audience]
    assert {"galleryEndpoint", "graphEndpoint", "portalEndpoint"} <= set(body)


def test_request_log_on_the_admin_api(arm: Any) -> None:
    assert arm.session.delete(arm.url("/_emulator/requests")).status_code == 204
    arm.get("{sub}/resourcegroups", RG)
    arm.get("{sub}/resourcegroups", profiles.LATEST.api_version(profiles.RESOURCES, "resourceGroups"))
    log = arm.session.get(arm.url("/_emulator/requests")).json()["value"]
    assert [(e["method"], e["apiVersion"], e["status"], e["code"]) for e in log] == [
        ("GET", RG, 200, None),
        (
            "GET",
            profiles.LATEST.api_version(profiles.RESOURCES, "resourceGroups"),
            400,
            "InvalidApiVersionParameter",
        ),
    ]
