"""Operations and bodies shaped like real recordings (docs/emulator.md, "Real shapes")."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from azure.mgmt.compute import ComputeManagementClient
from azure.profiles import KnownProfiles
from helpers import V2017_12, V2020, create, disk_path, linux_vm, make_nic, rg_path, vm_path

from pytest_azurestack.emulator.arm import lro as lro_module
from pytest_azurestack.emulator.arm.lro import Transition

DISKS = "2019-07-01"
ARM_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$")


def _disk_body(size: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "location": "local",
        "sku": {"name": "Standard_LRS"},
        "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": size},
        **extra,
    }


# --- managed disks: the echo, DiskOperations and properties.output --------------------------------
def test_a_disk_put_echoes_the_request_in_updating(arm: Any, resource_group: str) -> None:
    response = arm.put(disk_path(resource_group, "d1"), DISKS, json=_disk_body(tags={"t": "1"}))
    assert response.status_code == 202
    body = response.json()
    assert list(body) == ["name", "id", "type", "location", "tags", "sku", "properties"]
    assert body["sku"] == {"name": "Standard_LRS"}  # as sent: no tier yet
    assert body["properties"] == {
        "creationData": {"createOption": "Empty"},
        "diskSizeGB": 1,
        "provisioningState": "Updating",
    }
    assert body["tags"] == {"t": "1"} and body["id"].endswith("/providers/Microsoft.Compute/disks/d1")


def test_a_disk_operation_polls_disk_operations_and_ends_with_the_disk(arm: Any, resource_group: str) -> None:
    response = arm.put(disk_path(resource_group, "d2"), DISKS, json=_disk_body())
    status_url, location = response.headers["Azure-AsyncOperation"], response.headers["Location"]
    prefix = f"{arm.info.arm_endpoint}{arm.sub}/providers/Microsoft.Compute/locations/local/DiskOperations/"
    assert status_url.startswith(prefix) and location.startswith(prefix)
    assert "monitor=true" in location and "monitor=true" not in status_url
    running = arm.get(status_url).json()
    assert running["status"] == "InProgress" and "properties" not in running
    done = arm.get(status_url).json()
    assert list(done) == ["startTime", "endTime", "status", "properties", "name"]
    output = done["properties"]["output"]
    assert output == arm.get(disk_path(resource_group, "d2"), DISKS).json()
    assert output["sku"] == {"name": "Standard_LRS", "tier": "Standard"}
    assert output["properties"]["provisioningState"] == "Succeeded"
    assert ARM_TIME.match(done["startTime"]) and ARM_TIME.match(done["endTime"])
    assert ARM_TIME.match(output["properties"]["timeCreated"])


def test_the_sdk_creates_and_resizes_a_disk_through_disk_operations(
    sdk_client: Any, resource_group: str
) -> None:
    client = sdk_client(ComputeManagementClient, KnownProfiles.v2020_09_01_hybrid)
    disk = client.disks.begin_create_or_update(resource_group, "sdkdisk", _disk_body()).result()
    assert disk.provisioning_state == "Succeeded" and disk.disk_size_gb == 1
    grown = client.disks.begin_update(resource_group, "sdkdisk", {"disk_size_gb": 4}).result()
    assert grown.disk_size_gb == 4


# --- timestamps -------------------------------------------------------------------------------------
def test_timestamps_have_seven_fractional_digits_and_an_offset(arm: Any, resource_group: str) -> None:
    vm = create(arm, resource_group, linux_vm(arm, make_nic(arm, resource_group)))
    statuses = vm["properties"]["instanceView"]["statuses"]
    assert ARM_TIME.match(statuses[0]["time"]), statuses[0]
    response = arm.post(vm_path(resource_group) + "/powerOff", V2020)
    status = arm.get(response.headers["Azure-AsyncOperation"]).json()
    assert ARM_TIME.match(status["startTime"])


# --- identity ---------------------------------------------------------------------------------------
def test_a_system_assigned_identity_comes_back_with_its_principal(
    arm: Any, resource_group: str, emulator: Any
) -> None:
    body = linux_vm(arm, make_nic(arm, resource_group), identity={"type": "SystemAssigned"})
    created = arm.put(vm_path(resource_group), V2020, json=body)
    assert created.status_code == 201
    identity = created.json()["identity"]
    assert list(identity) == ["type", "principalId", "tenantId"]
    assert identity["type"] == "SystemAssigned"
    assert re.fullmatch(r"[0-9a-f-]{36}", identity["principalId"])
    assert re.fullmatch(r"[0-9a-f-]{36}", identity["tenantId"])  # a directory GUID, even on ADFS
    arm.wait(created)
    # A later PUT without identity keeps it, with the same principal.
    again = arm.put(vm_path(resource_group), V2020, json={"location": "local", "tags": {"a": "b"}})
    arm.wait(again)
    assert arm.get(vm_path(resource_group), V2020).json()["identity"] == identity
    removed = arm.patch(vm_path(resource_group), V2020, json={"identity": {"type": "None"}})
    arm.wait(removed)
    assert "identity" not in arm.get(vm_path(resource_group), V2020).json()


def test_a_user_assigned_identity_is_refused(arm: Any, resource_group: str) -> None:
    body = linux_vm(arm, make_nic(arm, resource_group), identity={"type": "UserAssigned"})
    response = arm.put(vm_path(resource_group), V2020, json=body)
    assert response.status_code == 400
    assert "UserAssigned" in response.json()["error"]["message"]
    assert arm.get(vm_path(resource_group), V2020).status_code == 404


def test_the_sdk_sees_the_identity(sdk_client: Any, arm: Any, resource_group: str) -> None:
    client = sdk_client(ComputeManagementClient, KnownProfiles.v2020_09_01_hybrid)
    body = linux_vm(arm, make_nic(arm, resource_group), identity={"type": "SystemAssigned"})
    vm = client.virtual_machines.begin_create_or_update(resource_group, "vm", body).result()
    assert vm.identity.type == "SystemAssigned" and vm.identity.principal_id


# --- data disks ---------------------------------------------------------------------------------------
def test_implicit_data_disks_are_numbered_from_disk2(arm: Any, resource_group: str) -> None:
    body = linux_vm(arm, make_nic(arm, resource_group))
    body["properties"]["storageProfile"]["dataDisks"] = [
        {"lun": 0, "createOption": "Empty", "diskSizeGB": 1},
        {"lun": 3, "createOption": "Empty", "diskSizeGB": 1},
    ]
    vm = create(arm, resource_group, body)
    names = [d["name"] for d in vm["properties"]["storageProfile"]["dataDisks"]]
    assert re.fullmatch(r"vm_disk2_[0-9a-f]{32}", names[0]) and re.fullmatch(
        r"vm_disk3_[0-9a-f]{32}", names[1]
    )
    assert re.fullmatch(r"vm_OsDisk_1_[0-9a-f]{32}", vm["properties"]["storageProfile"]["osDisk"]["name"])


def test_a_detach_by_omission_shows_to_be_detached_while_updating(arm: Any, resource_group: str) -> None:
    body = linux_vm(arm, make_nic(arm, resource_group))
    body["properties"]["storageProfile"]["dataDisks"] = [
        {"lun": 0, "name": "keep", "createOption": "Empty", "diskSizeGB": 1},
        {"lun": 1, "name": "drop", "createOption": "Empty", "diskSizeGB": 1},
    ]
    vm = create(arm, resource_group, body)
    kept = [d for d in vm["properties"]["storageProfile"]["dataDisks"] if d["name"] == "keep"]
    update = {"location": "local", "properties": {"storageProfile": {"dataDisks": kept}}}
    response = arm.put(vm_path(resource_group), V2020, json=update)
    assert response.status_code == 200
    listed = response.json()["properties"]["storageProfile"]["dataDisks"]
    assert [(d["name"], d["toBeDetached"]) for d in listed] == [("keep", False), ("drop", True)]
    assert response.json()["properties"]["provisioningState"] == "Updating"
    # At 2017-12-01 there is no toBeDetached: only what stays is listed.
    old = arm.get(vm_path(resource_group), V2017_12).json()["properties"]["storageProfile"]["dataDisks"]
    assert [d["name"] for d in old] == ["keep"] and "toBeDetached" not in old[0]
    arm.wait(response)
    after = arm.get(vm_path(resource_group), V2020).json()["properties"]["storageProfile"]["dataDisks"]
    assert [(d["name"], d["toBeDetached"]) for d in after] == [("keep", False)]
    assert "managedBy" not in arm.get(disk_path(resource_group, "drop"), DISKS).json()


# --- resource-group and network shapes per api-version ------------------------------------------
@pytest.mark.parametrize(("version", "typed"), [("2019-10-01", True), ("2018-05-01", False)])
def test_a_resource_group_has_a_type_from_2019_10_01(
    arm: Any, resource_group: str, version: str, typed: bool
) -> None:
    body = arm.get(rg_path(resource_group), version).json()
    assert ("type" in body) is typed
    listed = arm.get("{sub}/resourcegroups", version).json()["value"]
    assert all(("type" in g) is typed for g in listed)


# --- realistic timing ---------------------------------------------------------------------------
@pytest.fixture
def quick_realism(monkeypatch: pytest.MonkeyPatch) -> None:
    """Realistic headers with durations short enough for a test: a VM create and its OS
    provisioning take 0.3 s, everything else finishes on its first poll."""
    for key in list(lro_module.REALISTIC_SECONDS):
        monkeypatch.setitem(lro_module.REALISTIC_SECONDS, key, 0)
    for key in (
        "microsoft.compute/virtualmachines:create",
        "microsoft.compute/virtualmachines:osprovisioning",
    ):
        monkeypatch.setitem(lro_module.REALISTIC_SECONDS, key, 0.3)


def test_realistic_sends_retry_after_as_each_service_does(
    quick_realism: None, fresh_emulator: Any, arm_client: Any
) -> None:
    server = fresh_emulator(realistic=True, retry_after=1)
    arm = arm_client(server)
    rg = "rg-real"
    arm.put(rg_path(rg), "2019-10-01", json={"location": "local"})
    nic = make_nic(arm, rg)
    # Network: Retry-After 10 on the write and on running polls (kept running by hand here).
    server.emulator.lro.set_transition("Microsoft.Network/virtualNetworks:create", Transition(manual=True))
    vnet = arm.put(
        f"{rg_path(rg)}/providers/Microsoft.Network/virtualNetworks/v2",
        "2018-11-01",
        json={"location": "local", "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}}},
    )
    assert vnet.headers["Retry-After"] == "10"
    assert arm.get(vnet.headers["Azure-AsyncOperation"]).headers["Retry-After"] == "10"
    # Compute: none on a VM create, a power action or a disk write.
    created = arm.put(vm_path(rg), V2020, json=linux_vm(arm, nic))
    assert "Retry-After" not in created.headers
    assert arm.get(created.headers["Azure-AsyncOperation"]).json()["status"] == "InProgress"
    assert "Retry-After" not in arm.get(created.headers["Azure-AsyncOperation"]).headers
    time.sleep(0.35)
    assert arm.get(created.headers["Azure-AsyncOperation"]).json()["status"] == "Succeeded"
    # Right after the create, the guest still reports OS provisioning; then plain succeeded.
    view = arm.get(vm_path(rg) + "/instanceView", V2020).json()
    assert view["statuses"][0]["code"] == "ProvisioningState/succeeded/osProvisioningInProgress"
    time.sleep(0.35)
    view = arm.get(vm_path(rg) + "/instanceView", V2020).json()
    assert view["statuses"][0]["code"] == "ProvisioningState/succeeded"
    power = arm.post(vm_path(rg) + "/powerOff", V2020)
    assert power.status_code == 202 and "Retry-After" not in power.headers
    disk = arm.put(disk_path(rg, "d"), DISKS, json=_disk_body())
    assert "Retry-After" not in disk.headers
    # Storage: 17 on an account create; Resource Manager: 15 on a group delete.
    account = arm.put(
        f"{rg_path(rg)}/providers/Microsoft.Storage/storageAccounts/realacct1",
        "2019-06-01",
        json={"location": "local", "sku": {"name": "Standard_LRS"}, "kind": "Storage"},
    )
    assert account.headers["Retry-After"] == "17"
    time.sleep(0.35)
    deleted = arm.delete(rg_path(rg), "2019-10-01")
    assert deleted.headers["Retry-After"] == "15"


def test_the_default_stays_fast_and_the_admin_api_switches(fresh_emulator: Any, arm_client: Any) -> None:
    from pytest_azurestack.emulator.admin_client import EmulatorAdmin

    server = fresh_emulator(retry_after=0)
    arm = arm_client(server)
    arm.put(rg_path("rg-fast"), "2019-10-01", json={"location": "local"})
    created = arm.put(vm_path("rg-fast"), V2020, json=linux_vm(arm, make_nic(arm, "rg-fast")))
    assert created.headers["Retry-After"] == "0"  # the configured value, Compute or not
    arm.wait(created)
    view = arm.get(vm_path("rg-fast") + "/instanceView", V2020).json()
    assert view["statuses"][0]["code"] == "ProvisioningState/succeeded"  # no OS-provisioning wait
    with EmulatorAdmin(server.info.arm_endpoint, server.info.ca_bundle) as admin:
        assert admin.set_realistic(True)["realistic"] is True and admin.info()["realistic"] is True
        power = arm.post(vm_path("rg-fast") + "/powerOff", V2020)
        assert "Retry-After" not in power.headers
        admin.set_realistic(False)
        admin.finish_all()  # the operation started realistic keeps its real duration (15 s)
        assert arm.get(power.headers["Azure-AsyncOperation"]).json()["status"] == "Succeeded"
        assert "Retry-After" in arm.post(vm_path("rg-fast") + "/start", V2020).headers


def test_realistic_from_the_command_line() -> None:
    from pytest_azurestack.emulator.cli import config_from, parser

    assert config_from(parser().parse_args(["--realistic"])).realistic is True
    assert config_from(parser().parse_args([])).realistic is False


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"realistic": "yes"}, "realistic must be true or false, not 'yes'"),
        ({"bogus": 1}, "unknown settings ['bogus']"),
        ([True], "send a JSON object"),
    ],
)
def test_the_settings_api_refuses_bad_input(arm: Any, body: Any, message: str) -> None:
    response = arm.session.put(arm.url("/_emulator/settings"), json=body)
    assert response.status_code == 400 and message in response.json()["error"]["message"]
    assert arm.session.get(arm.url("/_emulator/settings")).json()["realistic"] is False
