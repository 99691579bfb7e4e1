"""The Compute provider driven through the real multi-API SDK under every hybrid profile.

The VM sample's sequence (as examples/vm_sample.py runs it), checking state rather than status codes: power
states, disk sizes, managedBy, tags surviving, 404 after delete. 2017-03-09-profile has no
managed disks: the same sequence runs there with unmanaged VHDs in a storage account.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.storage import StorageManagementClient
from azure.profiles import KnownProfiles

PROFILES = {
    "2020-09-01-hybrid": KnownProfiles.v2020_09_01_hybrid,
    "2019-03-01-hybrid": KnownProfiles.v2019_03_01_hybrid,
    "2018-03-01-hybrid": KnownProfiles.v2018_03_01_hybrid,
    "2017-03-09-profile": KnownProfiles.v2017_03_09_profile,
}
MANAGED = [p for p in PROFILES if p != "2017-03-09-profile"]
PASSWORD = "Emul@tor-" + uuid.uuid4().hex[:8]
UBUNTU = {"publisher": "Canonical", "offer": "UbuntuServer", "sku": "16.04-LTS", "version": "latest"}
WINDOWS = {
    "publisher": "MicrosoftWindowsServer",
    "offer": "WindowsServer",
    "sku": "2012-R2-Datacenter",
    "version": "latest",
}


class Clients:
    def __init__(self, name: str, sdk_client: Callable[..., Any]) -> None:
        self.name = name
        profile = PROFILES[name]
        self.compute = sdk_client(ComputeManagementClient, profile)
        self.network = sdk_client(NetworkManagementClient, profile)
        self.storage = sdk_client(StorageManagementClient, profile)
        self.managed = name in MANAGED


@pytest.fixture(params=list(PROFILES), ids=list(PROFILES))
def clients(request: pytest.FixtureRequest, sdk_client: Callable[..., Any]) -> Clients:
    return Clients(request.param, sdk_client)


@pytest.fixture(params=MANAGED, ids=MANAGED)
def managed_clients(request: pytest.FixtureRequest, sdk_client: Callable[..., Any]) -> Clients:
    return Clients(request.param, sdk_client)


def make_nic(c: Clients, rg: str, loc: str, name: str = "nic") -> Any:
    net = c.network
    try:
        subnet = net.subnets.get(rg, "vnet", "default")
    except ResourceNotFoundError:  # a vnet PUT without its subnets would try to delete them
        net.virtual_networks.begin_create_or_update(
            rg, "vnet", {"location": loc, "address_space": {"address_prefixes": ["10.0.0.0/16"]}}
        ).result()
        subnet = net.subnets.begin_create_or_update(
            rg, "vnet", "default", {"address_prefix": "10.0.0.0/24"}
        ).result()
    return net.network_interfaces.begin_create_or_update(
        rg, name, {"location": loc, "ip_configurations": [{"name": "ipconfig1", "subnet": {"id": subnet.id}}]}
    ).result()


def make_blob_endpoint(c: Clients, rg: str, loc: str) -> str:
    name = "sa" + uuid.uuid4().hex[:10]
    account = c.storage.storage_accounts.begin_create(
        rg, name, {"sku": {"name": "Standard_LRS"}, "kind": "Storage", "location": loc}
    ).result()
    return str(account.primary_endpoints.blob)


def vm_body(
    loc: str,
    nic_id: str,
    name: str = "vm",
    image: dict[str, str] = UBUNTU,
    size: str = "Standard_A1",
    blob: str | None = None,
) -> dict[str, Any]:
    storage: dict[str, Any] = {"image_reference": image}
    if blob is not None:
        storage["os_disk"] = {
            "name": f"{name}-os",
            "vhd": {"uri": f"{blob}vhds/{name}-os.vhd"},
            "create_option": "FromImage",
            "caching": "ReadWrite",
        }
    return {
        "location": loc,
        "hardware_profile": {"vm_size": size},
        "storage_profile": storage,
        "os_profile": {"computer_name": name, "admin_username": "azureuser", "admin_password": PASSWORD},
        "network_profile": {"network_interfaces": [{"id": nic_id}]},
    }


def power_state(vm: Any) -> str:
    return next(s.code for s in vm.instance_view.statuses if s.code.startswith("PowerState/"))


def test_vm_sample_sequence(clients: Clients, resource_group: str, emulator_info: Any) -> None:
    c, rg, loc = clients, resource_group, emulator_info.location
    vms = c.compute.virtual_machines
    nic = make_nic(c, rg, loc)
    blob = None if c.managed else make_blob_endpoint(c, rg, loc)

    vm = vms.begin_create_or_update(rg, "vm", vm_body(loc, nic.id, blob=blob)).result()
    assert vm.provisioning_state == "Succeeded"
    os_disk = vm.storage_profile.os_disk
    assert os_disk.disk_size_gb == 30
    assert os_disk.create_option == "FromImage"
    assert not hasattr(vm.os_profile, "admin_password") or vm.os_profile.admin_password is None
    if c.managed:
        assert re.fullmatch(r"vm_OsDisk_1_[0-9a-f]{32}", os_disk.name)
        assert os_disk.managed_disk.storage_account_type == "Standard_LRS"
        disk = c.compute.disks.get(rg, os_disk.name)
        assert disk.managed_by.lower() == vm.id.lower()
        assert disk.disk_size_gb == 30
    else:
        assert os_disk.vhd.uri.startswith(blob)
    assert c.network.network_interfaces.get(rg, "nic").virtual_machine.id.lower() == vm.id.lower()

    # Tag with a PUT naming only location and tags: the rest of the model survives.
    tagged = vms.begin_create_or_update(rg, "vm", {"location": loc, "tags": {"who": "emulator"}}).result()
    assert tagged.tags == {"who": "emulator"}
    assert tagged.storage_profile.os_disk.name == os_disk.name
    assert tagged.hardware_profile.vm_size == "Standard_A1"

    # Attach a data disk at LUN 12 by a PUT of the whole model, then detach it.
    vm = vms.get(rg, "vm")
    if c.managed:
        data = c.compute.disks.begin_create_or_update(
            rg, "data1", {"location": loc, "disk_size_gb": 1, "creation_data": {"create_option": "Empty"}}
        ).result()
        assert data.disk_size_gb == 1 and data.managed_by is None
        vm.storage_profile.data_disks.append(
            {"lun": 12, "name": "data1", "create_option": "Attach", "managed_disk": {"id": data.id}}
        )
    else:
        vm.storage_profile.data_disks.append(
            {
                "lun": 12,
                "name": "data1",
                "create_option": "Empty",
                "disk_size_gb": 1,
                "vhd": {"uri": f"{blob}vhds/data1.vhd"},
            }
        )
    vm = vms.begin_create_or_update(rg, "vm", vm).result()
    assert [(d.lun, d.name, d.disk_size_gb) for d in vm.storage_profile.data_disks] == [(12, "data1", 1)]
    if c.managed:
        assert c.compute.disks.get(rg, "data1").managed_by.lower() == vm.id.lower()
    vm.storage_profile.data_disks = []
    vm = vms.begin_create_or_update(rg, "vm", vm).result()
    assert vm.storage_profile.data_disks == []
    if c.managed:
        assert c.compute.disks.get(rg, "data1").managed_by is None

    # Deallocate, then grow the OS disk by 10 GB.
    vms.begin_deallocate(rg, "vm").result()
    assert power_state(vms.get(rg, "vm", expand="instanceView")) == "PowerState/deallocated"
    if c.managed:
        disk = c.compute.disks.get(rg, os_disk.name)
        disk.disk_size_gb += 10
        assert c.compute.disks.begin_create_or_update(rg, os_disk.name, disk).result().disk_size_gb == 40
    else:
        vm = vms.get(rg, "vm")
        vm.storage_profile.os_disk.disk_size_gb = 40
        vms.begin_create_or_update(rg, "vm", vm).result()
    assert vms.get(rg, "vm").storage_profile.os_disk.disk_size_gb == 40

    vms.begin_start(rg, "vm").result()
    assert power_state(vms.get(rg, "vm", expand="instanceView")) == "PowerState/running"
    vms.begin_restart(rg, "vm").result()
    assert power_state(vms.get(rg, "vm", expand="instanceView")) == "PowerState/running"
    vms.begin_power_off(rg, "vm").result()
    # GET .../instanceView exists from 2017-03-30; at 2016-03-30 only $expand does.
    view = (
        vms.instance_view(rg, "vm") if c.managed else vms.get(rg, "vm", expand="instanceView").instance_view
    )
    assert [s.code for s in view.statuses] == ["ProvisioningState/succeeded", "PowerState/stopped"]

    assert "vm" in [v.name for v in vms.list_all()]
    assert [v.name for v in vms.list(rg)] == ["vm"]

    vms.begin_delete(rg, "vm").result()
    with pytest.raises(ResourceNotFoundError):
        vms.get(rg, "vm")
    assert c.network.network_interfaces.get(rg, "nic").virtual_machine is None
    if c.managed:
        assert c.compute.disks.get(rg, os_disk.name).managed_by is None  # the disk outlives the VM

    # A Windows VM on the same NIC.
    win = vms.begin_create_or_update(rg, "win", vm_body(loc, nic.id, "win", WINDOWS, blob=blob)).result()
    assert win.storage_profile.os_disk.disk_size_gb == 127
    assert win.storage_profile.os_disk.os_type == "Windows"
    assert power_state(vms.get(rg, "win", expand="instanceView")) == "PowerState/running"


def test_premium_for_ds_sizes(managed_clients: Clients, resource_group: str, emulator_info: Any) -> None:
    c, rg, loc = managed_clients, resource_group, emulator_info.location
    nic = make_nic(c, rg, loc)
    vm = c.compute.virtual_machines.begin_create_or_update(
        rg, "ds", vm_body(loc, nic.id, "ds", size="Standard_DS1_v2")
    ).result()
    assert vm.storage_profile.os_disk.managed_disk.storage_account_type == "Premium_LRS"
    assert c.compute.disks.get(rg, vm.storage_profile.os_disk.name).sku.name == "Premium_LRS"


def test_disk_rules(managed_clients: Clients, resource_group: str, emulator_info: Any) -> None:
    c, rg, loc = managed_clients, resource_group, emulator_info.location
    vms, disks = c.compute.virtual_machines, c.compute.disks
    nic = make_nic(c, rg, loc)
    vms.begin_create_or_update(rg, "vm", vm_body(loc, nic.id)).result()
    disks.begin_create_or_update(
        rg, "d1", {"location": loc, "disk_size_gb": 2, "creation_data": {"create_option": "Empty"}}
    ).result()
    # Unattached: grows freely, never shrinks.
    assert disks.begin_update(rg, "d1", {"disk_size_gb": 4}).result().disk_size_gb == 4
    with pytest.raises(HttpResponseError) as info:
        disks.begin_update(rg, "d1", {"disk_size_gb": 3}).result()
    assert info.value.status_code == 400 and "reduction" in str(info.value.message)

    vm = vms.get(rg, "vm")
    vm.storage_profile.data_disks.append(
        {"lun": 0, "create_option": "Attach", "managed_disk": {"id": disks.get(rg, "d1").id}}
    )
    vm.storage_profile.data_disks.append(
        {"lun": 1, "name": "fresh", "create_option": "Empty", "disk_size_gb": 3}
    )
    vm = vms.begin_create_or_update(rg, "vm", vm).result()
    assert sorted(d.name for d in vm.storage_profile.data_disks) == ["d1", "fresh"]
    assert disks.get(rg, "fresh").managed_by.lower() == vm.id.lower()

    # Attached to a running VM: no resize, no delete.
    with pytest.raises(HttpResponseError) as info:
        disks.begin_update(rg, "d1", {"disk_size_gb": 8}).result()
    assert info.value.status_code == 409 and "deallocate" in str(info.value.message)
    with pytest.raises(HttpResponseError) as info:
        disks.begin_delete(rg, "d1").result()
    assert info.value.status_code == 409
    assert disks.get(rg, "d1").disk_size_gb == 4

    # A LUN conflict is refused and changes nothing.
    vm = vms.get(rg, "vm")
    vm.storage_profile.data_disks.append(
        {"lun": 0, "name": "other", "create_option": "Empty", "disk_size_gb": 1}
    )
    with pytest.raises(HttpResponseError) as info:
        vms.begin_create_or_update(rg, "vm", vm).result()
    assert info.value.status_code == 400 and "LUN 0" in str(info.value.message)
    with pytest.raises(ResourceNotFoundError):
        disks.get(rg, "other")

    # Attaching a disk another VM holds is refused.
    nic2 = make_nic(c, rg, loc, "nic2")
    vms.begin_create_or_update(rg, "vm2", vm_body(loc, nic2.id, "vm2")).result()
    vm2 = vms.get(rg, "vm2")
    vm2.storage_profile.data_disks.append(
        {"lun": 0, "create_option": "Attach", "managed_disk": {"id": disks.get(rg, "d1").id}}
    )
    with pytest.raises(HttpResponseError) as info:
        vms.begin_create_or_update(rg, "vm2", vm2).result()
    assert info.value.status_code == 409 and "already attached" in str(info.value.message)

    # Deallocated: the attached disk can grow, through the disk API or the VM model.
    vms.begin_deallocate(rg, "vm").result()
    assert disks.begin_update(rg, "d1", {"disk_size_gb": 8}).result().disk_size_gb == 8
    lun0 = next(d for d in vms.get(rg, "vm").storage_profile.data_disks if d.lun == 0)
    assert lun0.disk_size_gb == 8

    vms.begin_delete(rg, "vm").result()
    assert disks.get(rg, "d1").managed_by is None
    disks.begin_delete(rg, "d1").result()
    with pytest.raises(ResourceNotFoundError):
        disks.get(rg, "d1")


def test_disks_api_absent_at_2017_03_09(sdk_client: Callable[..., Any]) -> None:
    client = sdk_client(ComputeManagementClient, KnownProfiles.v2017_03_09_profile)
    with pytest.raises(ValueError):
        client.disks  # noqa: B018 - the SDK itself has no disks API at 2016-03-30


def test_image_catalog_and_sizes(clients: Clients, emulator_info: Any) -> None:
    images, loc = clients.compute.virtual_machine_images, emulator_info.location
    assert {p.name for p in images.list_publishers(loc)} == {"Canonical", "MicrosoftWindowsServer"}
    assert [o.name for o in images.list_offers(loc, "Canonical")] == ["UbuntuServer"]
    assert [s.name for s in images.list_skus(loc, "Canonical", "UbuntuServer")] == ["16.04-LTS"]
    versions = images.list(loc, "Canonical", "UbuntuServer", "16.04-LTS")
    assert len(versions) == 1
    image = images.get(loc, "Canonical", "UbuntuServer", "16.04-LTS", versions[0].name)
    assert image.os_disk_image.operating_system == "Linux"
    with pytest.raises(ResourceNotFoundError):
        images.list_offers(loc, "NoSuchPublisher")
    sizes = {s.name: s for s in clients.compute.virtual_machine_sizes.list(loc)}
    assert {"Standard_DS1_v2", "Standard_A1", "Standard_D1_v2"} <= set(sizes)
    assert sizes["Standard_A1"].number_of_cores == 1


def test_patch_keeps_the_model(
    sdk_client: Callable[..., Any], resource_group: str, emulator_info: Any
) -> None:
    c = Clients("2020-09-01-hybrid", sdk_client)
    rg, loc = resource_group, emulator_info.location
    nic = make_nic(c, rg, loc)
    vms = c.compute.virtual_machines
    vms.begin_create_or_update(rg, "vm", vm_body(loc, nic.id)).result()
    patched = vms.begin_update(rg, "vm", {"tags": {"a": "b"}}).result()
    assert patched.tags == {"a": "b"}
    assert patched.storage_profile.image_reference.offer == "UbuntuServer"
    assert vms.get(rg, "vm").hardware_profile.vm_size == "Standard_A1"
