"""Compute state without HTTP: catalog, sizes, password rules, VHD rules, operation callbacks."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.store import Store
from pytest_azurestack.emulator.providers import storage
from pytest_azurestack.emulator.providers.compute.images import ImageCatalog, ImageSpec
from pytest_azurestack.emulator.providers.compute.models import Compute
from pytest_azurestack.emulator.providers.compute.osprofile import password_problem
from pytest_azurestack.emulator.providers.compute.sizes import find_size

SUB, RG = "00000000-0000-0000-0000-000000000001", "rg"
NIC = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/networkInterfaces/nic"
ACCOUNT = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Storage/storageAccounts/sa"
BLOB = "https://sa.blob.local.azurestack.external/"


@pytest.fixture
def compute() -> Compute:
    store = Store()
    store.put(
        NIC, {"id": NIC, "name": "nic", "type": "Microsoft.Network/networkInterfaces", "properties": {}}
    )
    store.put(
        ACCOUNT,
        {
            "id": ACCOUNT,
            "name": "sa",
            "type": "Microsoft.Storage/storageAccounts",
            "properties": {"creationTime": "t1", "primaryEndpoints": {"blob": BLOB}},
        },
    )
    return Compute(store, ImageCatalog(), "local")


def vhd_vm(name: str = "vm", uri: str = BLOB + "vhds/os.vhd") -> dict[str, Any]:
    return {
        "location": "local",
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_A1"},
            "storageProfile": {
                "imageReference": {"publisher": "canonical", "offer": "ubuntuserver", "sku": "16.04-lts"},
                "osDisk": {"name": "os", "createOption": "FromImage", "vhd": {"uri": uri}},
            },
            "osProfile": {
                "computerName": name,
                "adminUsername": "azureuser",
                "adminPassword": "Sup3r-secret",
            },
            "networkProfile": {"networkInterfaces": [{"id": NIC}]},
        },
    }


def test_catalog_is_case_insensitive_and_resolves_latest() -> None:
    catalog = ImageCatalog(
        [
            ImageSpec("P", "O", "S", "1.2.10", "Linux", 30),
            ImageSpec("P", "O", "S", "1.2.9", "Linux", 31),
        ]
    )
    latest = catalog.resolve("p", "o", "s", "latest")
    assert latest is not None and latest.version == "1.2.10"  # numeric, not string, order
    assert catalog.resolve("P", "O", "S", "9.9") is None
    assert [i.version for i in catalog.versions("P", "O", "S")] == ["1.2.9", "1.2.10"]


def test_catalog_from_config_validates() -> None:
    class Config:
        images = [
            {"publisher": "P", "offer": "O", "sku": "S", "version": "1", "os_type": "Linux", "size_gb": 8}
        ]

    assert ImageCatalog.from_config(Config()).publishers() == ["P"]
    Config.images = [{"publisher": "P"}]
    with pytest.raises(ValueError, match="lacks"):
        ImageCatalog.from_config(Config())


def test_sizes_premium_flag() -> None:
    assert find_size("standard_ds1_v2").premium  # type: ignore[union-attr]
    assert find_size("Standard_F2s_v2").premium  # type: ignore[union-attr]
    assert not find_size("Standard_D1_v2").premium  # type: ignore[union-attr]
    assert find_size("Standard_Nope") is None


@pytest.mark.parametrize(
    ("password", "os_type", "ok"),
    [
        ("Sup3r-secret", "Linux", True),
        ("abc", "Linux", False),  # too short
        ("alllowercase", "Linux", False),  # one class
        ("lower1upper", "Windows", False),  # two classes
        ("Lower1Upper", "Windows", True),
        ("P@ssw0rd", "Windows", False),  # on the disallowed list
        ("Aa1!" * 20, "Linux", False),  # over 72
    ],
)
def test_password_rules(password: str, os_type: str, ok: bool) -> None:
    assert (password_problem(password, os_type) is None) is ok


def test_unmanaged_vm_lifecycle(compute: Compute) -> None:
    change = compute.put_vm(SUB, RG, "vm", vhd_vm(), "2016-03-30")
    assert change.created and change.resource["properties"]["provisioningState"] == "Creating"
    change.complete()
    vm = compute.store.get(change.resource["id"])
    assert vm is not None and vm["_compute"]["power"] == "running"
    assert vm["properties"]["storageProfile"]["osDisk"]["diskSizeGB"] == 30
    assert storage.find_blob(compute.store, SUB, BLOB + "vhds/os.vhd")["attachedTo"] == vm["id"]  # type: ignore[index]

    # Growing the OS disk needs a deallocated VM.
    grow = {"properties": {"storageProfile": {"osDisk": {"diskSizeGB": 40}}}}
    with pytest.raises(ArmError) as info:
        compute.put_vm(SUB, RG, "vm", grow, "2016-03-30")
    assert info.value.status == 409
    compute.power(vm["id"], "deallocate").complete()
    compute.put_vm(SUB, RG, "vm", grow, "2016-03-30").complete()
    assert vm["properties"]["storageProfile"]["osDisk"]["diskSizeGB"] == 40
    with pytest.raises(ArmError) as info:
        compute.put_vm(
            SUB, RG, "vm", {"properties": {"storageProfile": {"osDisk": {"diskSizeGB": 35}}}}, "2016-03-30"
        )
    assert info.value.status == 400

    # The VHD outlives the VM: a new VM cannot write over it, but can attach it.
    deleted = compute.delete_vm(vm["id"])
    assert deleted is not None
    deleted.complete()
    assert compute.store.get(vm["id"]) is None
    assert compute.store.get(NIC)["properties"].get("virtualMachine") is None  # type: ignore[index]
    with pytest.raises(ArmError) as info:
        compute.put_vm(SUB, RG, "vm2", vhd_vm("vm2"), "2016-03-30")
    assert info.value.code == "VHDBlobAlreadyExists"
    attach = vhd_vm("vm2")
    attach["properties"]["storageProfile"] = {
        "osDisk": {
            "name": "os",
            "osType": "Linux",
            "createOption": "Attach",
            "vhd": {"uri": BLOB + "vhds/os.vhd"},
        }
    }
    del attach["properties"]["osProfile"]
    compute.put_vm(SUB, RG, "vm2", attach, "2016-03-30").complete()
    assert (
        compute.store.get(Compute.vm_id(SUB, RG, "vm2"))["properties"]["storageProfile"]["osDisk"][  # type: ignore[index]
            "diskSizeGB"
        ]
        == 40
    )


def test_blobs_go_with_their_storage_account(compute: Compute) -> None:
    compute.put_vm(SUB, RG, "vm", vhd_vm(), "2016-03-30").complete()
    compute.delete_vm(Compute.vm_id(SUB, RG, "vm")).complete()  # type: ignore[union-attr]
    account = compute.store.get(ACCOUNT)
    assert account is not None
    account["properties"]["creationTime"] = "t2"  # deleted and created again under the same name
    compute.put_vm(SUB, RG, "vm", vhd_vm(), "2016-03-30").complete()  # no stale blob in the way


def test_failed_operation_restores_power(compute: Compute) -> None:
    compute.put_vm(SUB, RG, "vm", vhd_vm(), "2016-03-30").complete()
    vm_id = Compute.vm_id(SUB, RG, "vm")
    change = compute.power(vm_id, "powerOff")
    assert change.resource["_compute"]["power"] == "stopping"
    change.on_failure("Failed")
    vm = compute.store.get(vm_id)
    assert vm is not None
    assert vm["_compute"]["power"] == "running" and vm["properties"]["provisioningState"] == "Failed"
    assert vm["_compute"]["busy"] is None
