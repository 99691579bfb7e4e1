"""Microsoft.Resources through the real SDK at each hybrid profile, plus raw HTTP shapes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.subscriptions import SubscriptionClient
from azure.mgmt.storage import StorageManagementClient
from azure.profiles import KnownProfiles
from helpers import unique_name

from pytest_azurestack.profiles import HYBRID_PROFILES

PROFILES = [pytest.param(getattr(KnownProfiles, p.sdk_name), id=p.name) for p in HYBRID_PROFILES]
RG = "2019-10-01"


@pytest.mark.parametrize("profile", PROFILES)
def test_resource_groups_through_the_sdk(sdk_client: Any, profile: Any) -> None:
    client = sdk_client(ResourceManagementClient, profile)
    name, run = unique_name("rg-", 10), uuid.uuid4().hex
    created = client.resource_groups.create_or_update(name, {"location": "local", "tags": {"run": run}})
    assert (
        created.id.endswith(f"/resourceGroups/{name}")
        and created.properties.provisioning_state == "Succeeded"
    )
    again = client.resource_groups.create_or_update(
        name, {"location": "local", "tags": {"run": run, "b": "2"}}
    )
    assert again.tags == {"run": run, "b": "2"}
    assert client.resource_groups.get(name).tags == {"run": run, "b": "2"}
    # 2016-02-01 calls the PATCH operation "patch", later versions "update".
    update = getattr(client.resource_groups, "update", None) or client.resource_groups.patch
    patched = update(name, {"tags": {"run": run}})
    assert patched.tags == {"run": run}
    listed = [g.name for g in client.resource_groups.list(filter=f"tagName eq 'run' and tagValue eq '{run}'")]
    assert listed == [name]
    assert client.resource_groups.check_existence(name)
    client.resource_groups.begin_delete(name).result()
    with pytest.raises(ResourceNotFoundError) as caught:
        client.resource_groups.get(name)
    assert caught.value.error is not None and caught.value.error.code == "ResourceGroupNotFound"


def test_group_delete_removes_its_contents(sdk_client: Any) -> None:
    resources = sdk_client(ResourceManagementClient, KnownProfiles.v2020_09_01_hybrid)
    storage = sdk_client(StorageManagementClient, KnownProfiles.v2020_09_01_hybrid)
    name = unique_name("rg-", 10)
    resources.resource_groups.create_or_update(name, {"location": "local"})
    account = "del" + uuid.uuid4().hex[:10]
    storage.storage_accounts.begin_create(
        name, account, {"sku": {"name": "Standard_LRS"}, "kind": "Storage", "location": "local"}
    ).result()
    contents = list(resources.resources.list_by_resource_group(name))
    assert [(r.name, r.type) for r in contents] == [(account, "Microsoft.Storage/storageAccounts")]
    resources.resource_groups.begin_delete(name).result()
    assert account not in {a.name for a in storage.storage_accounts.list()}
    # The same names are free again.
    resources.resource_groups.create_or_update(name, {"location": "local"})
    assert list(resources.resources.list_by_resource_group(name)) == []


def test_group_errors(arm: Any, resource_group: str) -> None:
    wrong_location = arm.put(
        f"{{sub}}/resourcegroups/{unique_name('rg-', 10)}", RG, json={"location": "eastus"}
    )
    assert wrong_location.status_code == 400
    assert wrong_location.json()["error"]["code"] == "LocationNotAvailableForResourceGroup"
    no_location = arm.put(f"{{sub}}/resourcegroups/{unique_name('rg-', 10)}", RG, json={})
    assert no_location.status_code == 400 and no_location.json()["error"]["code"] == "LocationRequired"
    bad_name = arm.put("{sub}/resourcegroups/bad%20name.", RG, json={"location": "local"})
    assert bad_name.status_code == 400 and bad_name.json()["error"]["code"] == "InvalidResourceGroup"
    moved = arm.patch(f"{{sub}}/resourcegroups/{resource_group}", RG, json={"location": "west"})
    assert moved.status_code == 400
    assert arm.delete(f"{{sub}}/resourcegroups/{unique_name('rg-', 10)}", RG).status_code == 404
    assert arm.head(f"{{sub}}/resourcegroups/{unique_name('rg-', 10)}", RG).status_code == 404
    assert arm.head(f"{{sub}}/resourcegroups/{resource_group}", RG).status_code == 204


def test_group_body_shape(arm: Any) -> None:
    name = unique_name("rg-", 10)
    created = arm.put(f"{{sub}}/resourcegroups/{name}", RG, json={"location": "Local", "tags": {"a": "b"}})
    assert created.status_code == 201
    assert created.json() == {
        "id": f"{arm.sub}/resourceGroups/{name}",
        "name": name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": "local",
        "tags": {"a": "b"},
        "properties": {"provisioningState": "Succeeded"},
    }
    assert arm.put(f"{{sub}}/resourceGroups/{name}", RG, json={"location": "local"}).status_code == 200


def test_unsupported_filter_is_400(arm: Any) -> None:
    response = arm.get("{sub}/resourcegroups", RG, params={"$filter": "name eq 'x'"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "InvalidFilterInQueryString"


@pytest.mark.parametrize("profile", PROFILES)
def test_subscription_and_locations(sdk_client: Any, emulator_info: Any, profile: Any) -> None:
    client = sdk_client(SubscriptionClient, profile)
    sub = client.subscriptions.get(emulator_info.subscription_id)
    assert sub.subscription_id == emulator_info.subscription_id and sub.state == "Enabled"
    assert [s.subscription_id for s in client.subscriptions.list()] == [emulator_info.subscription_id]
    locations = list(client.subscriptions.list_locations(emulator_info.subscription_id))
    assert [loc.name for loc in locations] == ["local"]


@pytest.mark.parametrize("profile", PROFILES)
def test_provider_registration_reads(sdk_client: Any, emulator: Any, profile: Any) -> None:
    client = sdk_client(ResourceManagementClient, profile)
    storage = client.providers.get("Microsoft.Storage")
    assert storage.registration_state == "Registered"
    types = {t.resource_type: t for t in storage.resource_types}
    assert "storageAccounts" in types
    assert set(types["storageAccounts"].api_versions) == emulator.versions.served(
        "Microsoft.Storage", "storageAccounts"
    )
    assert {"2016-01-01", "2017-10-01", "2019-06-01"} <= set(types["storageAccounts"].api_versions)
    assert {p.namespace for p in client.providers.list()} >= {"Microsoft.Resources", "Microsoft.Storage"}
    assert client.providers.register("microsoft.storage").registration_state == "Registered"
    with pytest.raises(HttpResponseError) as caught:
        client.providers.get("Microsoft.Nothing")
    assert caught.value.status_code == 404
