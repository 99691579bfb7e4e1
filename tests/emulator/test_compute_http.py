"""Compute over raw HTTP: response shapes per api-version, in-progress states, validation errors."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from helpers import (
    PASSWORD,
    V2016,
    V2017_03,
    V2017_12,
    V2020,
    create,
    disk_path,
    error_of,
    linux_vm,
    make_nic,
    rg_path,
    vm_path,
)

from pytest_azurestack.emulator.arm.lro import LroManager, Transition


def statuses(vm: dict[str, Any]) -> list[str]:
    return [s["code"] for s in vm["properties"]["instanceView"]["statuses"]]


def test_create_shape_2020_06_01(arm: Any, resource_group: str) -> None:
    rg = resource_group
    nic = make_nic(arm, rg)
    response = arm.put(vm_path(rg), V2020, json=linux_vm(arm, nic))
    assert response.status_code == 201
    assert "Azure-AsyncOperation" in response.headers
    assert "/providers/Microsoft.Compute/locations/" in response.headers["Azure-AsyncOperation"]
    assert response.json()["properties"]["provisioningState"] == "Creating"
    assert PASSWORD not in response.text
    arm.wait(response)
    vm = arm.get(vm_path(rg), V2020, params={"$expand": "instanceView"}).json()
    assert list(vm) == ["name", "id", "type", "location", "tags", "properties"]
    props = vm["properties"]
    assert props["storageProfile"]["imageReference"]["exactVersion"]
    os_disk = props["storageProfile"]["osDisk"]
    assert list(os_disk) == ["osType", "name", "createOption", "caching", "managedDisk", "diskSizeGB"]
    assert os_disk["createOption"] == "FromImage"  # sent as fromImage
    assert re.fullmatch(r"vm_OsDisk_1_[0-9a-f]{32}", os_disk["name"])
    assert os_disk["managedDisk"]["id"].endswith(f"/disks/{os_disk['name']}")
    assert props["osProfile"]["linuxConfiguration"]["provisionVMAgent"] is True
    assert "adminPassword" not in props["osProfile"]
    view = props["instanceView"]
    assert view["hyperVGeneration"] == "V1" and view["computerName"] == "vm"
    assert statuses(vm) == ["ProvisioningState/succeeded", "PowerState/running"]
    assert "time" in view["statuses"][0] and "time" not in view["statuses"][1]
    assert [d["name"] for d in view["disks"]] == [os_disk["name"]]
    disk = arm.get(disk_path(rg, os_disk["name"]), "2019-07-01").json()
    assert disk["managedBy"] == vm["id"]
    assert disk["properties"]["diskState"] == "Attached"
    assert disk["properties"]["creationData"]["createOption"] == "FromImage"


def test_older_versions_drop_newer_fields(arm: Any, resource_group: str) -> None:
    rg = resource_group
    vm = create(arm, rg, linux_vm(arm, make_nic(arm, rg)))
    at_2017 = arm.get(vm_path(rg), V2017_12, params={"$expand": "instanceView"}).json()
    assert next(iter(at_2017)) == "properties"
    props = at_2017["properties"]
    assert "exactVersion" not in props["storageProfile"]["imageReference"]
    assert "provisionVMAgent" not in props["osProfile"]["linuxConfiguration"]
    assert "hyperVGeneration" not in props["instanceView"]
    assert props["instanceView"]["computerName"] == "vm"
    at_2017_03 = arm.get(vm_path(rg), V2017_03, params={"$expand": "instanceView"}).json()
    assert "computerName" not in at_2017_03["properties"]["instanceView"]
    assert at_2017_03["properties"]["storageProfile"]["osDisk"]["managedDisk"]["id"]
    assert at_2017_03["id"] == vm["id"]
    disk = arm.get(disk_path(rg, vm["properties"]["storageProfile"]["osDisk"]["name"]), V2017_03).json()
    assert "diskState" not in disk["properties"] and disk["managedBy"] == vm["id"]


def test_disks_refused_at_2016_03_30(arm: Any, resource_group: str) -> None:
    response = arm.get(disk_path(resource_group, "d"), V2016)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "NoRegisteredProviderFound"


def test_power_states_in_progress(arm: Any, resource_group: str, lro: LroManager) -> None:
    rg = resource_group
    create(arm, rg, linux_vm(arm, make_nic(arm, rg)))
    for action, during, after in [
        ("powerOff", "PowerState/stopping", "PowerState/stopped"),
        ("start", "PowerState/starting", "PowerState/running"),
        ("restart", "PowerState/starting", "PowerState/running"),
        ("deallocate", "PowerState/deallocating", "PowerState/deallocated"),
    ]:
        lro.set_transition(f"Microsoft.Compute/virtualMachines:{action}", Transition(manual=True))
        response = arm.post(f"{vm_path(rg)}/{action}", V2020)
        assert response.status_code == 202 and not response.content
        assert "Location" in response.headers and "Azure-AsyncOperation" in response.headers
        view = arm.get(f"{vm_path(rg)}/instanceView", V2020).json()
        assert [s["code"] for s in view["statuses"]] == ["ProvisioningState/updating", during]
        assert arm.get(vm_path(rg), V2020).json()["properties"]["provisioningState"] == "Updating"
        busy = arm.post(f"{vm_path(rg)}/start", V2020)
        assert busy.status_code == 409  # one operation at a time
        lro.finish_all()
        view = arm.get(f"{vm_path(rg)}/instanceView", V2020).json()
        assert [s["code"] for s in view["statuses"]] == ["ProvisioningState/succeeded", after]
    assert "vmAgent" not in view  # deallocated: no guest agent
    refused = arm.post(f"{vm_path(rg)}/restart", V2020)
    assert refused.status_code == 409 and "deallocated" in refused.json()["error"]["message"]


def test_attach_put_answers_200_updating(arm: Any, resource_group: str, lro: LroManager) -> None:
    rg = resource_group
    vm = create(arm, rg, linux_vm(arm, make_nic(arm, rg)))
    lro.set_transition("Microsoft.Compute/virtualMachines:update", Transition(manual=True))
    vm["properties"]["storageProfile"]["dataDisks"] = [
        {"lun": 0, "name": "d1", "createOption": "Empty", "diskSizeGB": 1}
    ]
    response = arm.put(vm_path(rg), V2020, json=vm)
    assert response.status_code == 200
    assert "Azure-AsyncOperation" in response.headers and "Location" not in response.headers
    entry = response.json()["properties"]["storageProfile"]["dataDisks"][0]
    assert response.json()["properties"]["provisioningState"] == "Updating"
    assert "id" not in entry["managedDisk"]
    lro.finish_all()
    entry = arm.get(vm_path(rg), V2020).json()["properties"]["storageProfile"]["dataDisks"][0]
    assert list(entry) == [
        "lun",
        "name",
        "createOption",
        "caching",
        "managedDisk",
        "diskSizeGB",
        "toBeDetached",
    ]
    assert entry["managedDisk"]["id"].endswith("/disks/d1")
    assert arm.get(disk_path(rg, "d1"), "2019-07-01").json()["managedBy"].endswith("/virtualMachines/vm")


@pytest.mark.parametrize(
    ("mutate", "status", "code", "fragment"),
    [
        (lambda b: b.pop("location"), 400, "LocationRequired", "location"),
        (
            lambda b: b["properties"].update(hardwareProfile="big"),
            400,
            "InvalidRequestContent",
            "hardwareProfile",
        ),
        (
            lambda b: b["properties"]["hardwareProfile"].update(vmSize="Standard_Huge"),
            400,
            "InvalidParameter",
            "Standard_Huge",
        ),
        (
            lambda b: b["properties"]["storageProfile"]["imageReference"].update(sku="99.04"),
            404,
            "PlatformImageNotFound",
            "Canonical:UbuntuServer:99.04:latest",
        ),
        (
            lambda b: b["properties"]["osProfile"].update(adminPassword="password"),
            400,
            "InvalidParameter",
            "complexity",
        ),
        (
            lambda b: b["properties"]["osProfile"].update(adminUsername="admin"),
            400,
            "InvalidParameter",
            "Admin",
        ),
        (
            lambda b: b["properties"]["osProfile"].pop("adminPassword"),
            400,
            "InvalidParameter",
            "adminPassword",
        ),
        (lambda b: b["properties"].pop("networkProfile"), 400, "InvalidParameter", "networkProfile"),
        (
            lambda b: b["properties"]["networkProfile"]["networkInterfaces"][0].update(id=b["nic"] + "x"),
            404,
            "NotFound",
            "networkInterfaces/nicx",
        ),
        (
            lambda b: b["properties"]["storageProfile"]["osDisk"].update(diskSizeGB=10),
            400,
            "InvalidParameter",
            "smaller",
        ),
        (
            lambda b: b["properties"]["storageProfile"].update(
                dataDisks=[{"lun": "x", "createOption": "Empty"}]
            ),
            400,
            "InvalidRequestContent",
            "lun",
        ),
    ],
)
def test_validation(
    arm: Any, resource_group: str, mutate: Any, status: int, code: str, fragment: str
) -> None:
    rg = resource_group
    nic = make_nic(arm, rg)
    body = linux_vm(arm, nic)
    body["nic"] = nic
    mutate(body)
    body.pop("nic")
    got = error_of(arm.put(vm_path(rg), V2020, json=body))
    assert got[:2] == (status, code), got
    assert fragment in got[2]
    assert arm.get(vm_path(rg), V2020).status_code == 404  # nothing was created


def test_bad_json_never_500(arm: Any, resource_group: str) -> None:
    for raw in (b"{", b"[]", b'"x"', b""):
        response = arm.put(
            vm_path(resource_group), V2020, data=raw, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, raw


def test_nic_in_use(arm: Any, resource_group: str) -> None:
    rg = resource_group
    nic = make_nic(arm, rg)
    create(arm, rg, linux_vm(arm, nic))
    body = copy.deepcopy(linux_vm(arm, nic))
    got = error_of(arm.put(vm_path(rg, "other"), V2020, json=body))
    assert got[:2] == (400, "NicInUse")


def test_unmanaged_vhd_needs_storage_account(arm: Any, resource_group: str) -> None:
    rg = resource_group
    body = linux_vm(arm, make_nic(arm, rg))
    body["properties"]["storageProfile"]["osDisk"] = {
        "name": "os",
        "createOption": "FromImage",
        "vhd": {"uri": "https://nosuchaccount.blob.local.azurestack.external/vhds/os.vhd"},
    }
    got = error_of(arm.put(vm_path(rg), V2016, json=body))
    assert got[:2] == (404, "StorageAccountNotFound")
    del body["properties"]["storageProfile"]["osDisk"]["vhd"]
    got = error_of(arm.put(vm_path(rg), V2016, json=body))
    assert got[:2] == (400, "InvalidParameter") and "vhd" in got[2]


def test_list_pages(arm: Any, resource_group: str) -> None:
    rg = resource_group
    for index in range(3):
        create(
            arm,
            rg,
            linux_vm(
                arm,
                make_nic(arm, rg, f"nic{index}"),
            ),
            name=f"vm{index}",
        )
    first = arm.get(f"{rg_path(rg)}/providers/Microsoft.Compute/virtualMachines", V2020).json()
    assert "nextLink" in first
    names = [v["name"] for v in first["value"]]
    page = first
    while "nextLink" in page:
        page = arm.get(page["nextLink"]).json()
        names += [v["name"] for v in page["value"]]
    assert names == ["vm0", "vm1", "vm2"]
