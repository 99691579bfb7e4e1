"""Long-running operations and fault injection over raw HTTP and the admin API."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from azure.core.exceptions import HttpResponseError
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient
from azure.profiles import KnownProfiles

from pytest_azurestack.emulator.arm.faults import FaultRule
from pytest_azurestack.emulator.arm.lro import Transition

RG = "2019-10-01"
SA = "2019-06-01"
ACCOUNT = {"sku": {"name": "Standard_LRS"}, "kind": "Storage", "location": "local"}


def _account_path(group: str, name: str) -> str:
    return f"{{sub}}/resourceGroups/{group}/providers/Microsoft.Storage/storageAccounts/{name}"


NET = "2018-11-01"
VNET = {
    "location": "local",
    "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}},
}


def _vnet_path(group: str) -> str:
    return f"{{sub}}/resourceGroups/{group}/providers/Microsoft.Network/virtualNetworks/vnet"


def _delete_vnet(arm: Any, group: str) -> requests.Response:
    """Start a plain provider DELETE (a virtual network's): 202, Location and Azure-AsyncOperation."""
    arm.wait(arm.put(_vnet_path(group), NET, json=VNET))
    return arm.delete(_vnet_path(group), NET)  # type: ignore[no-any-return]


def test_delete_is_202_with_location_async_operation_and_retry_after(arm: Any, resource_group: str) -> None:
    response = _delete_vnet(arm, resource_group)
    assert response.status_code == 202 and response.content == b""
    location, status_url = response.headers["Location"], response.headers["Azure-AsyncOperation"]
    assert location.startswith(
        arm.info.arm_endpoint + arm.sub + "/providers/Microsoft.Network/locations/local/"
    )
    assert "monitor=true" in location and f"api-version={NET}" in status_url
    assert response.headers["Retry-After"] == "0"
    # The vnet shows Deleting to a GET (which counts as the one InProgress poll).
    vnet = arm.get(_vnet_path(resource_group), NET)
    assert vnet.json()["properties"]["provisioningState"] == "Deleting"
    done = arm.get(status_url).json()
    assert done["status"] == "Succeeded"
    assert list(done) == ["startTime", "endTime", "status", "name"]
    assert status_url.split("?")[0].endswith(done["name"])
    monitor = arm.get(location)
    assert monitor.status_code == 200 and monitor.content == b""
    assert arm.get(_vnet_path(resource_group), NET).status_code == 404


def test_group_delete_is_202_with_only_a_subscription_operationresults_location(
    arm: Any, resource_group: str
) -> None:
    response = arm.delete(f"{{sub}}/resourcegroups/{resource_group}", RG)
    assert response.status_code == 202 and response.content == b""
    assert "Azure-AsyncOperation" not in response.headers
    location = response.headers["Location"]
    assert location.startswith(f"{arm.info.arm_endpoint}{arm.sub}/operationresults/")
    assert location.endswith(f"?api-version={RG}") and response.headers["Retry-After"] == "0"
    group = arm.get(f"{{sub}}/resourcegroups/{resource_group}", RG)
    assert group.json()["properties"]["provisioningState"] == "Deleting"  # the one InProgress poll
    done = arm.get(location)
    assert done.status_code == 200 and done.content == b""
    assert arm.get(f"{{sub}}/resourcegroups/{resource_group}", RG).status_code == 404


def test_group_delete_monitor_is_202_while_running(arm: Any, resource_group: str, lro: Any) -> None:
    lro.set_transition("Microsoft.Resources/resourceGroups:delete", Transition(polls=2))
    location = arm.delete(f"{{sub}}/resourcegroups/{resource_group}", RG).headers["Location"]
    assert [arm.get(location).status_code for _ in range(3)] == [202, 202, 200]


def test_status_resource_is_in_progress_for_lro_polls(arm: Any, resource_group: str, lro: Any) -> None:
    lro.set_transition("delete", Transition(polls=3))
    response = _delete_vnet(arm, resource_group)
    url = response.headers["Azure-AsyncOperation"]
    states = [arm.get(url).json()["status"] for _ in range(4)]
    assert states == ["InProgress", "InProgress", "InProgress", "Succeeded"]
    first = arm.get(response.headers["Location"])
    assert first.status_code == 200


def test_monitor_url_is_202_while_running(arm: Any, resource_group: str, lro: Any) -> None:
    lro.set_transition("delete", Transition(polls=1))
    response = _delete_vnet(arm, resource_group)
    running = arm.get(response.headers["Location"])
    assert (
        running.status_code == 202 and running.headers["Location"] and running.headers["Retry-After"] == "0"
    )
    assert arm.get(response.headers["Location"]).status_code == 200


def test_seconds_transition(arm: Any, resource_group: str, lro: Any) -> None:
    lro.set_transition("Microsoft.Network/virtualNetworks:delete", Transition(seconds=0.3))
    response = _delete_vnet(arm, resource_group)
    url = response.headers["Azure-AsyncOperation"]
    assert arm.get(url).json()["status"] == "InProgress"
    time.sleep(0.35)
    assert arm.get(url).json()["status"] == "Succeeded"


def test_manual_transition_through_the_admin_api(arm: Any, resource_group: str, lro: Any) -> None:
    put = arm.session.put(arm.url("/_emulator/transitions"), json={"delete": {"manual": True}})
    assert put.status_code == 200 and put.json()["delete"]["manual"] is True
    response = _delete_vnet(arm, resource_group)
    url = response.headers["Azure-AsyncOperation"]
    for _ in range(5):
        assert arm.get(url).json()["status"] == "InProgress"
    op_id = arm.get(url).json()["name"]
    listed = arm.session.get(arm.url("/_emulator/operations")).json()["value"]
    assert any(o["id"] == op_id and o["status"] == "InProgress" for o in listed)
    finished = arm.session.post(arm.url(f"/_emulator/operations/{op_id}/finish"), json={})
    assert finished.status_code == 200 and finished.json()["value"][0]["status"] == "Succeeded"
    assert arm.get(url).json()["status"] == "Succeeded"


def test_admin_api_rejects_bad_input(arm: Any) -> None:
    assert arm.session.put(arm.url("/_emulator/transitions"), json={"x": {"pols": 1}}).status_code == 400
    assert arm.session.post(arm.url("/_emulator/faults"), json={"kind": "explode"}).status_code == 400
    assert arm.session.post(arm.url("/_emulator/operations/nope/finish")).status_code == 404


def test_sdk_polls_to_the_end_with_retry_after_zero(sdk_client: Any, resource_group: str) -> None:
    client = sdk_client(StorageManagementClient, KnownProfiles.v2020_09_01_hybrid)
    started = time.monotonic()
    account = client.storage_accounts.begin_create(resource_group, "lropollsacct", ACCOUNT).result()
    assert account.provisioning_state == "Succeeded"
    assert time.monotonic() - started < 5  # never the SDK's 30 s default


@pytest.mark.parametrize("status", [429, 500, 503])
def test_status_faults_per_provider_and_method(
    arm: Any, faults: Any, resource_group: str, status: int
) -> None:
    faults.add(FaultRule(kind="status", status=status, provider="Microsoft.Storage", method="PUT", times=1))
    path = _account_path(resource_group, f"faultacct{status}")
    hit = arm.put(path, SA, json=ACCOUNT)
    assert hit.status_code == status and hit.json()["error"]["code"]
    if status in (429, 503):
        assert hit.headers["Retry-After"] == "1"
    # Other methods and providers are untouched, and times=1 lets the retry through.
    assert arm.get(f"{{sub}}/resourcegroups/{resource_group}", RG).status_code == 200
    assert arm.put(path, SA, json=ACCOUNT).status_code == 202


def test_fault_by_name_only_hits_that_name(arm: Any, faults: Any, resource_group: str) -> None:
    faults.add(FaultRule(kind="status", status=500, resource_type="storageAccounts", name="badone"))
    assert arm.get(_account_path(resource_group, "badone"), SA).status_code == 500
    assert arm.get(_account_path(resource_group, "goodone"), SA).status_code == 404


def test_sdk_retries_through_a_429(sdk_client: Any, faults: Any, resource_group: str) -> None:
    rule = faults.add(
        FaultRule(kind="status", status=429, retry_after=0, method="GET", name=resource_group, times=1)
    )
    client = sdk_client(ResourceManagementClient, KnownProfiles.v2020_09_01_hybrid)
    assert client.resource_groups.get(resource_group).name == resource_group
    assert rule.fired == 1


@pytest.mark.parametrize("final", ["Failed", "Canceled"])
def test_lro_fault_ends_the_operation(arm: Any, faults: Any, resource_group: str, final: str) -> None:
    faults.add(FaultRule(kind="lro", lro_status=final, provider="Microsoft.Network", method="DELETE"))
    response = _delete_vnet(arm, resource_group)
    status = arm.wait(response).json()
    assert status["status"] == final and status["error"]["code"]
    vnet = arm.get(_vnet_path(resource_group), NET)
    assert vnet.status_code == 200 and vnet.json()["properties"]["provisioningState"] == final
    monitor = arm.get(response.headers["Location"])
    assert monitor.status_code >= 400 and monitor.json()["error"]["code"]


def test_sdk_reports_a_failed_lro(sdk_client: Any, faults: Any, resource_group: str) -> None:
    faults.add(
        FaultRule(
            kind="lro",
            lro_status="Failed",
            status=400,
            provider="Microsoft.Storage",
            code="StorageFault",
            message="the disk array is on fire",
        )
    )
    client = sdk_client(StorageManagementClient, KnownProfiles.v2020_09_01_hybrid)
    with pytest.raises(HttpResponseError, match="the disk array is on fire"):
        client.storage_accounts.begin_create(resource_group, "failedacct", ACCOUNT).result()
    assert client.storage_accounts.get_properties(resource_group, "failedacct").provisioning_state == "Failed"


def test_slow_fault_delays_only_the_matching_request(arm: Any, faults: Any, resource_group: str) -> None:
    faults.add(FaultRule(kind="slow", delay=0.4, method="GET", resource_type="resourceGroups", times=1))
    started = time.monotonic()
    assert arm.get(f"{{sub}}/resourcegroups/{resource_group}", RG).status_code == 200
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    arm.get(f"{{sub}}/resourcegroups/{resource_group}", RG)
    assert time.monotonic() - started < 0.4


def test_faults_via_admin_api_and_config(arm: Any, faults: Any, fresh_emulator: Any, arm_client: Any) -> None:
    added = arm.session.post(
        arm.url("/_emulator/faults"),
        json={"kind": "status", "status": 503, "method": "GET", "resource_type": "resourceGroups"},
    )
    assert added.status_code == 201
    assert arm.get("{sub}/resourcegroups", RG).status_code == 503
    assert arm.session.delete(arm.url(f"/_emulator/faults/{added.json()['id']}")).status_code == 204
    assert arm.get("{sub}/resourcegroups", RG).status_code == 200
    server = fresh_emulator(
        providers=("resources",), faults=[FaultRule(kind="status", status=500, method="GET")]
    )
    assert arm_client(server).get("{sub}/resourcegroups", RG).status_code == 500


def test_operation_urls_need_a_token_too(arm: Any, resource_group: str) -> None:
    response = _delete_vnet(arm, resource_group)
    bare = requests.get(response.headers["Azure-AsyncOperation"], verify=str(arm.info.ca_bundle), timeout=10)
    assert bare.status_code == 401
    location = arm.delete(f"{{sub}}/resourcegroups/{resource_group}", RG).headers["Location"]
    assert requests.get(location, verify=str(arm.info.ca_bundle), timeout=10).status_code == 401
