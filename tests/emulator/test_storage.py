"""Microsoft.Storage: storage accounts through the real SDK at each hybrid profile, and raw HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.storage import StorageManagementClient
from azure.profiles import KnownProfiles
from helpers import unique_name

from pytest_azurestack.profiles import HYBRID_PROFILES

PROFILES = [pytest.param(getattr(KnownProfiles, p.sdk_name), p, id=p.name) for p in HYBRID_PROFILES]


@pytest.mark.parametrize(("sdk_profile", "profile"), PROFILES)
def test_account_lifecycle_through_the_sdk(
    sdk_client: Any, resource_group: str, sdk_profile: Any, profile: Any
) -> None:
    client = sdk_client(StorageManagementClient, sdk_profile)
    name = unique_name("sa", 12)
    assert client.storage_accounts.check_name_availability(
        {"name": name, "type": "Microsoft.Storage/storageAccounts"}
    ).name_available
    poller = client.storage_accounts.begin_create(
        resource_group,
        name,
        {"sku": {"name": "standard_lrs"}, "kind": "Storage", "location": "local", "tags": {"t": "1"}},
    )
    account = poller.result()
    assert account.name == name
    assert account.provisioning_state == "Succeeded"
    assert account.sku.name == "Standard_LRS"
    assert account.primary_endpoints.blob == f"https://{name}.blob.local.azurestack.external/"
    got = client.storage_accounts.get_properties(resource_group, name)
    assert got.id == account.id and got.tags == {"t": "1"}
    taken = client.storage_accounts.check_name_availability(
        {"name": name, "type": "Microsoft.Storage/storageAccounts"}
    )
    assert not taken.name_available and taken.reason == "AlreadyExists"
    keys = client.storage_accounts.list_keys(resource_group, name).keys
    assert [k.key_name for k in keys] == ["key1", "key2"] and all(k.value for k in keys)
    assert name in {a.name for a in client.storage_accounts.list_by_resource_group(resource_group)}
    assert name in {a.name for a in client.storage_accounts.list()}
    client.storage_accounts.delete(resource_group, name)
    with pytest.raises(ResourceNotFoundError):
        client.storage_accounts.get_properties(resource_group, name)


def test_create_is_202_with_location_then_get_shows_creating(arm: Any, resource_group: str) -> None:
    name = unique_name("sa", 12)
    path = f"{{sub}}/resourceGroups/{resource_group}/providers/Microsoft.Storage/storageAccounts/{name}"
    body = {"sku": {"name": "Standard_LRS"}, "kind": "Storage", "location": "local"}
    created = arm.put(path, "2019-06-01", json=body)
    assert created.status_code == 202 and created.content == b""
    assert "/providers/Microsoft.Storage/locations/local/asyncoperations/" in created.headers["Location"]
    assert "Azure-AsyncOperation" not in created.headers
    during = arm.get(path, "2019-06-01")
    assert during.json()["properties"]["provisioningState"] == "Creating"
    monitor = arm.get(created.headers["Location"])
    assert monitor.status_code == 200
    assert monitor.json()["properties"]["provisioningState"] == "Succeeded"


@pytest.mark.parametrize(
    ("version", "present", "absent"),
    [
        ("2016-01-01", set(), {"supportsHttpsTrafficOnly", "networkAcls", "encryption"}),
        ("2017-10-01", {"supportsHttpsTrafficOnly", "networkAcls", "encryption"}, set()),
        ("2019-06-01", {"supportsHttpsTrafficOnly", "networkAcls", "encryption"}, set()),
    ],
)
def test_shape_follows_the_api_version(
    arm: Any, resource_group: str, version: str, present: set[str], absent: set[str]
) -> None:
    name = unique_name("sa", 12)
    path = f"{{sub}}/resourceGroups/{resource_group}/providers/Microsoft.Storage/storageAccounts/{name}"
    arm.wait(
        arm.put(path, version, json={"sku": {"name": "Standard_LRS"}, "kind": "Storage", "location": "local"})
    )
    props = arm.get(path, version).json()["properties"]
    assert present <= set(props) and not (absent & set(props))
    keys = arm.post(path + "/listKeys", version).json()["keys"]
    assert keys[0]["permissions"] == ("FULL" if version == "2016-01-01" else "Full")


@pytest.mark.parametrize(
    ("body", "name", "code"),
    [
        (
            {"sku": {"name": "Standard_LRS"}, "kind": "Storage", "location": "local"},
            "Bad_Name",
            "AccountNameInvalid",
        ),
        (
            {"sku": {"name": "Standard_LRS"}, "kind": "Storage", "location": "local"},
            "ab",
            "AccountNameInvalid",
        ),
        ({"kind": "Storage", "location": "local"}, None, "MissingRequiredProperty"),
        ({"sku": "Standard_LRS", "kind": "Storage", "location": "local"}, None, "InvalidRequestContent"),
        (
            {"sku": {"name": "Standard_RAGRS"}, "kind": "Storage", "location": "local"},
            None,
            "SkuNotSupported",
        ),
        (
            {"sku": {"name": "Standard_LRS"}, "kind": "Nope", "location": "local"},
            None,
            "InvalidRequestPropertyValue",
        ),
        ({"sku": {"name": "Standard_LRS"}, "location": "local"}, None, "MissingRequiredProperty"),
        (
            {"sku": {"name": "Standard_LRS"}, "kind": "Storage", "location": "eastus"},
            None,
            "LocationNotAvailableForResourceType",
        ),
        ({"sku": {"name": "Standard_LRS"}, "kind": "Storage", "location": 5}, None, "LocationRequired"),
        (
            {"sku": {"name": "Standard_LRS"}, "kind": "BlobStorage", "location": "local"},
            None,
            "MissingRequiredProperty",
        ),
    ],
)
def test_validation_is_a_4xx_with_arm_code(
    arm: Any, resource_group: str, body: dict[str, Any], name: str | None, code: str
) -> None:
    name = name or unique_name("sa", 12)
    path = f"{{sub}}/resourceGroups/{resource_group}/providers/Microsoft.Storage/storageAccounts/{name}"
    response = arm.put(path, "2019-06-01", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == code


def test_storagev2_refused_at_2016_01_01(arm: Any, resource_group: str) -> None:
    name = unique_name("sa", 12)
    path = f"{{sub}}/resourceGroups/{resource_group}/providers/Microsoft.Storage/storageAccounts/{name}"
    response = arm.put(
        path, "2016-01-01", json={"sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "location": "local"}
    )
    assert response.status_code == 400 and "StorageV2" in response.json()["error"]["message"]


def test_name_taken_in_another_group(arm: Any, resource_group: str) -> None:
    name = unique_name("sa", 12)
    body = {"sku": {"name": "Standard_LRS"}, "kind": "Storage", "location": "local"}
    first = f"{{sub}}/resourceGroups/{resource_group}/providers/Microsoft.Storage/storageAccounts/{name}"
    arm.wait(arm.put(first, "2019-06-01", json=body))
    other = f"other-{uuid.uuid4().hex[:6]}"
    arm.put(f"{{sub}}/resourcegroups/{other}", "2019-10-01", json={"location": "local"})
    response = arm.put(first.replace(resource_group, other), "2019-06-01", json=body)
    assert response.status_code == 409 and response.json()["error"]["code"] == "StorageAccountAlreadyTaken"
    # The same PUT again in its own group is an update: 200, synchronous.
    again = arm.put(first, "2019-06-01", json={**body, "tags": {"x": "y"}})
    assert again.status_code == 200 and again.json()["tags"] == {"x": "y"}


def test_check_name_availability_reports_invalid_names(arm: Any) -> None:
    path = "{sub}/providers/Microsoft.Storage/checkNameAvailability"
    body = arm.post(
        path, "2017-10-01", json={"name": "UPPER", "type": "Microsoft.Storage/storageAccounts"}
    ).json()
    assert body["nameAvailable"] is False and body["reason"] == "AccountNameInvalid"
    bad = arm.post(path, "2017-10-01", json={"name": "x", "type": "Microsoft.Compute/virtualMachines"})
    assert bad.status_code == 400


def test_list_pages_at_2019_06_01_only(arm: Any, resource_group: str) -> None:
    body = {"sku": {"name": "Standard_LRS"}, "kind": "Storage", "location": "local"}
    for _ in range(3):
        name = unique_name("sa", 12)
        path = f"{{sub}}/resourceGroups/{resource_group}/providers/Microsoft.Storage/storageAccounts/{name}"
        arm.wait(arm.put(path, "2019-06-01", json=body))
    listing = f"{{sub}}/resourceGroups/{resource_group}/providers/Microsoft.Storage/storageAccounts"
    paged = arm.get(listing, "2019-06-01").json()
    assert len(paged["value"]) == 2 and "nextLink" in paged
    assert len(arm.get(paged["nextLink"]).json()["value"]) == 1
    whole = arm.get(listing, "2017-10-01").json()
    assert len(whole["value"]) == 3 and "nextLink" not in whole


def test_missing_account_is_resource_not_found_and_delete_is_204(arm: Any, resource_group: str) -> None:
    path = f"{{sub}}/resourceGroups/{resource_group}/providers/Microsoft.Storage/storageAccounts/nosuchacct"
    got = arm.get(path, "2019-06-01")
    assert got.status_code == 404 and got.json()["error"]["code"] == "ResourceNotFound"
    assert arm.delete(path, "2019-06-01").status_code == 204
