"""Generic resource lists: what ``az resource list -g`` and the SDK's ``resources.list`` send."""

from __future__ import annotations

from typing import Any

import pytest
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.profiles import KnownProfiles
from helpers import unique_name

RG = "2019-10-01"
STORAGE = "2019-06-01"


def _account(arm: Any, group: str, tags: dict[str, str] | None = None) -> str:
    name = unique_name("st", 12)
    body = {"location": arm.info.location, "sku": {"name": "Standard_LRS"}, "kind": "Storage"}
    if tags:
        body["tags"] = tags
    path = f"{{sub}}/resourceGroups/{group}/providers/Microsoft.Storage/storageAccounts/{name}"
    arm.wait(arm.put(path, STORAGE, json=body))
    return name


def _all_pages(arm: Any, path: str, **params: str) -> tuple[list[dict[str, Any]], int]:
    url: str | None = arm.url(path)
    items: list[dict[str, Any]] = []
    pages = 0
    first = True
    while url:
        body = arm.get(url, RG, params=params).json() if first else arm.get(url).json()
        first = False
        items += body["value"]
        url = body.get("nextLink")
        pages += 1
    return items, pages


@pytest.fixture
def two_groups(arm: Any) -> tuple[tuple[str, list[str]], tuple[str, list[str]]]:
    made = []
    for _ in range(2):
        group = unique_name("rg-", 10)
        assert arm.put(f"{{sub}}/resourceGroups/{group}", RG, json={"location": "local"}).status_code == 201
        made.append((group, [_account(arm, group) for _ in range(3)]))
    return made[0], made[1]


def test_subscription_list_filtered_by_resource_group(arm: Any, two_groups: Any) -> None:
    (group, names), _ = two_groups
    # az resource list -g sends the group as given; ARM compares it case-insensitively.
    items, pages = _all_pages(arm, "{sub}/resources", **{"$filter": f"resourceGroup eq '{group.upper()}'"})
    assert sorted(i["name"] for i in items) == sorted(names)
    assert pages == 2  # three items at the emulator's page size of 2: the nextLink keeps the filter
    assert all(f"/resourceGroups/{group}/" in i["id"] for i in items)
    assert {"id", "name", "type", "location", "sku", "kind"} <= set(items[0])


def test_resource_group_and_type_and_name_combine(arm: Any, two_groups: Any) -> None:
    (group, names), _ = two_groups
    storage = "microsoft.storage/storageaccounts"
    text = f"resourceGroup eq '{group}' and resourceType eq '{storage}' and name eq '{names[1]}'"
    items, _ = _all_pages(arm, "{sub}/resources", **{"$filter": text})
    assert [i["name"] for i in items] == [names[1]]
    items, _ = _all_pages(
        arm,
        "{sub}/resources",
        **{"$filter": f"resourceGroup eq '{group}' and resourceType eq 'Microsoft.Network/virtualNetworks'"},
    )
    assert items == []


def test_the_group_scoped_list_pages_and_filters(arm: Any, two_groups: Any) -> None:
    (group, names), _ = two_groups
    items, pages = _all_pages(arm, f"{{sub}}/resourceGroups/{group}/resources")
    assert sorted(i["name"] for i in items) == sorted(names) and pages == 2
    items, _ = _all_pages(
        arm, f"{{sub}}/resourceGroups/{group}/resources", **{"$filter": f"name eq '{names[0]}'"}
    )
    assert [i["name"] for i in items] == [names[0]]


def test_tag_filters_still_work_and_quotes_double(arm: Any, resource_group: str) -> None:
    name = _account(arm, resource_group, tags={"owner": "o'brien"})
    _account(arm, resource_group)
    text = "tagName eq 'owner' and tagValue eq 'o''brien'"
    items, _ = _all_pages(arm, f"{{sub}}/resourceGroups/{resource_group}/resources", **{"$filter": text})
    assert [i["name"] for i in items] == [name]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("{sub}/resources", "resourceGroup ne 'x'"),
        ("{sub}/resources", "tagValue eq 'v'"),
        ("{sub}/resources", "name eq 'a' and name eq 'b'"),
        # A group's own list has no resourceGroup field: the path says it.
        ("{sub}/resourceGroups/{rg}/resources", "resourceGroup eq 'x'"),
        ("{sub}/resourcegroups", "name eq 'x'"),
    ],
)
def test_unsupported_filters_are_400(arm: Any, resource_group: str, path: str, text: str) -> None:
    response = arm.get(path.replace("{rg}", resource_group), RG, params={"$filter": text})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "InvalidFilterInQueryString" and text in error["message"]


def test_the_sdk_lists_a_group_through_the_subscription_filter(
    sdk_client: Any, arm: Any, two_groups: Any
) -> None:
    (group, names), _ = two_groups
    client = sdk_client(ResourceManagementClient, KnownProfiles.v2020_09_01_hybrid)
    listed = [r.name for r in client.resources.list(filter=f"resourceGroup eq '{group}'")]
    assert sorted(listed) == sorted(names)
