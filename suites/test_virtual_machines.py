"""Conformance: every operation of Microsoft's Azure Stack Python VM sample, under each profile.

One test per operation, in the sample's order; later tests build on earlier ones through the
profile's ``vm_lab``. Each test checks the state the operation should leave (power states in the
instance view, disk sizes, ``managedBy``, tags, list contents, 404 after delete), not status codes.
Under 2017-03-09-profile there are no managed disks: the disk operations use unmanaged VHDs in
the lab's storage account, as the sample's unmanaged-disks variant does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from azure.core.exceptions import ResourceNotFoundError
from vm_lab import (
    DATA_DISK_GB,
    DATA_DISK_LUN,
    LINUX_IMAGE,
    OS_DISK_GROWTH_GB,
    WINDOWS_IMAGE,
    VmLab,
    power_state,
    provisioning_time,
)

from pytest_azurestack.sdk import request_models

if TYPE_CHECKING:  # the SDK release under test; azure.mgmt.resource.resources has the client in all
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.storage import StorageManagementClient

conformance = pytest.mark.conformance
# Request bodies are model objects with exactly the fields the sample's dicts carry, built from the
# models of the operation group that sends them: every SDK generation serializes those to the same
# wire. A raw dict does not (the single-API generation sends it as it is):
# tests/test_sdk_generations.py keeps that regression in view.


def _get_vm(compute_client: ComputeManagementClient, lab: VmLab) -> Any:
    # Always with the instance view: the multi-API generation's default, the single-API's opt-in.
    return compute_client.virtual_machines.get(lab.resource_group, lab.vm, expand="instanceView")


def _assert_power_state(compute_client: ComputeManagementClient, lab: VmLab, expected: str) -> Any:
    vm = _get_vm(compute_client, lab)
    assert vm.provisioning_state == "Succeeded"
    assert power_state(vm.instance_view) == expected
    return vm


@conformance(
    "AZS-VM-RG-CREATE", "A resource group is created in the stamp's location, carrying the run's tags."
)
def test_create_resource_group(resource_client: ResourceManagementClient, vm_lab: VmLab) -> None:
    models = request_models(resource_client.resource_groups)
    created = resource_client.resource_groups.create_or_update(
        vm_lab.resource_group, models.ResourceGroup(location=vm_lab.location, tags=vm_lab.tags)
    )
    assert created.name == vm_lab.resource_group
    group = resource_client.resource_groups.get(vm_lab.resource_group)
    assert group.location == vm_lab.location
    assert group.properties.provisioning_state == "Succeeded"
    assert group.tags == vm_lab.tags


@conformance(
    "AZS-VM-STORAGE-CREATE",
    "A standard_lrs storage account of kind Storage is created and exposes a blob endpoint.",
    requires=("AZS-VM-RG-CREATE",),
)
def test_create_storage_account(storage_client: StorageManagementClient, vm_lab: VmLab) -> None:
    models = request_models(storage_client.storage_accounts)
    storage_client.storage_accounts.begin_create(
        vm_lab.resource_group,
        vm_lab.storage_account,
        models.StorageAccountCreateParameters(
            sku=models.Sku(name="standard_lrs"), kind="storage", location=vm_lab.location, tags=vm_lab.tags
        ),
    ).result()
    account = storage_client.storage_accounts.get_properties(vm_lab.resource_group, vm_lab.storage_account)
    assert account.provisioning_state == "Succeeded"
    assert account.primary_endpoints.blob
    vm_lab.blob_endpoint = account.primary_endpoints.blob


@conformance(
    "AZS-VM-VNET-CREATE",
    "A virtual network with address space 10.0.0.0/16 is created.",
    requires=("AZS-VM-RG-CREATE",),
)
def test_create_virtual_network(network_client: NetworkManagementClient, vm_lab: VmLab) -> None:
    models = request_models(network_client.virtual_networks)
    network_client.virtual_networks.begin_create_or_update(
        vm_lab.resource_group,
        vm_lab.vnet,
        models.VirtualNetwork(
            location=vm_lab.location,
            tags=vm_lab.tags,
            address_space=models.AddressSpace(address_prefixes=["10.0.0.0/16"]),
        ),
    ).result()
    vnet = network_client.virtual_networks.get(vm_lab.resource_group, vm_lab.vnet)
    assert vnet.provisioning_state == "Succeeded"
    assert vnet.address_space.address_prefixes == ["10.0.0.0/16"]


@conformance(
    "AZS-VM-SUBNET-CREATE",
    "A subnet 10.0.0.0/24 is created inside the virtual network.",
    requires=("AZS-VM-VNET-CREATE",),
)
def test_create_subnet(network_client: NetworkManagementClient, vm_lab: VmLab) -> None:
    models = request_models(network_client.subnets)
    subnet = network_client.subnets.begin_create_or_update(
        vm_lab.resource_group, vm_lab.vnet, vm_lab.subnet, models.Subnet(address_prefix="10.0.0.0/24")
    ).result()
    assert subnet.address_prefix == "10.0.0.0/24"
    vnet = network_client.virtual_networks.get(vm_lab.resource_group, vm_lab.vnet)
    assert [s.name for s in vnet.subnets] == [vm_lab.subnet]
    vm_lab.subnet_id = subnet.id


@conformance(
    "AZS-VM-NIC-CREATE",
    "A network interface with one IP configuration on the subnet gets a private address in 10.0.0.0/24.",
    requires=("AZS-VM-SUBNET-CREATE",),
)
def test_create_network_interface(network_client: NetworkManagementClient, vm_lab: VmLab) -> None:
    models = request_models(network_client.network_interfaces)
    ip_config = models.NetworkInterfaceIPConfiguration(
        name=f"{vm_lab.nic}-ipconfig", subnet=models.Subnet(id=vm_lab.subnet_id)
    )
    nic = network_client.network_interfaces.begin_create_or_update(
        vm_lab.resource_group,
        vm_lab.nic,
        models.NetworkInterface(location=vm_lab.location, tags=vm_lab.tags, ip_configurations=[ip_config]),
    ).result()
    assert nic.provisioning_state == "Succeeded"
    (ip_config,) = nic.ip_configurations
    assert ip_config.subnet.id.lower() == vm_lab.subnet_id.lower()
    assert ip_config.private_ip_address.startswith("10.0.0.")
    vm_lab.nic_id = nic.id


@pytest.mark.linux
@pytest.mark.slow
@conformance(
    "AZS-VM-CREATE-LINUX",
    "A Linux VM (Canonical UbuntuServer 16.04-LTS, password auth) is created, running, with its OS disk.",
    requires=("AZS-VM-NIC-CREATE", "AZS-VM-STORAGE-CREATE"),
)
def test_create_linux_vm(
    compute_client: ComputeManagementClient, network_client: NetworkManagementClient, vm_lab: VmLab
) -> None:
    models = request_models(compute_client.virtual_machines)
    parameters = vm_lab.vm_parameters(models, LINUX_IMAGE, os_disk_name=f"{vm_lab.vm}-osdisk")
    created = compute_client.virtual_machines.begin_create_or_update(
        vm_lab.resource_group, vm_lab.vm, parameters
    ).result()
    assert created.provisioning_state == "Succeeded"
    assert created.os_profile.admin_password is None, "the admin password must never come back"
    vm = _assert_power_state(compute_client, vm_lab, "PowerState/running")
    os_disk = vm.storage_profile.os_disk
    assert os_disk.os_type.lower() == "linux"
    vm_lab.vm_id = vm.id
    vm_lab.os_disk_name = os_disk.name
    if vm_lab.managed_disks:
        disk = compute_client.disks.get(vm_lab.resource_group, os_disk.name)
        assert disk.managed_by.lower() == vm.id.lower()
        vm_lab.os_disk_size_gb = disk.disk_size_gb
    else:
        assert os_disk.vhd.uri == vm_lab.vhd_uri(f"{vm_lab.vm}-osdisk")
        vm_lab.os_disk_size_gb = os_disk.disk_size_gb
    nic = network_client.network_interfaces.get(vm_lab.resource_group, vm_lab.nic)
    assert nic.virtual_machine.id.lower() == vm.id.lower()


@pytest.mark.linux
@conformance(
    "AZS-VM-TAG",
    "A PUT with only location and tags tags the VM and keeps its storage profile.",
    requires=("AZS-VM-CREATE-LINUX",),
)
def test_tag_vm(compute_client: ComputeManagementClient, vm_lab: VmLab) -> None:
    tags = {**vm_lab.tags, "who-rocks": "python", "where": "on azure stack"}
    models = request_models(compute_client.virtual_machines)
    compute_client.virtual_machines.begin_create_or_update(
        vm_lab.resource_group, vm_lab.vm, models.VirtualMachine(location=vm_lab.location, tags=tags)
    ).result()
    vm = _get_vm(compute_client, vm_lab)
    assert vm.tags == tags
    assert vm.storage_profile.os_disk.name == vm_lab.os_disk_name
    assert vm.storage_profile.image_reference.offer == LINUX_IMAGE["offer"]


@pytest.mark.linux
@conformance(
    "AZS-VM-CREATE-DATA-DISK",
    "An empty 1 GB data disk is created: a managed disk, or an empty VHD in the storage account.",
    requires=("AZS-VM-CREATE-LINUX",),
    after=("AZS-VM-TAG",),
)
def test_create_data_disk(compute_client: ComputeManagementClient, vm_lab: VmLab) -> None:
    if vm_lab.managed_disks:
        disk_models = request_models(compute_client.disks)
        disk = compute_client.disks.begin_create_or_update(
            vm_lab.resource_group,
            vm_lab.data_disk,
            disk_models.Disk(
                location=vm_lab.location,
                tags=vm_lab.tags,
                disk_size_gb=DATA_DISK_GB,
                creation_data=disk_models.CreationData(create_option="Empty"),
            ),
        ).result()
        assert disk.disk_size_gb == DATA_DISK_GB
        assert disk.managed_by is None
        vm_lab.data_disk_id = disk.id
        return
    # Unmanaged disks have no API of their own: a VM creates the empty VHD, which outlives detaching.
    models = request_models(compute_client.virtual_machines)
    vm = _get_vm(compute_client, vm_lab)
    vm.storage_profile.data_disks.append(
        models.DataDisk(
            lun=DATA_DISK_LUN,
            name=vm_lab.data_disk,
            create_option="Empty",
            disk_size_gb=DATA_DISK_GB,
            vhd=models.VirtualHardDisk(uri=vm_lab.vhd_uri(vm_lab.data_disk)),
        )
    )
    vm = compute_client.virtual_machines.begin_create_or_update(vm_lab.resource_group, vm_lab.vm, vm).result()
    (data_disk,) = vm.storage_profile.data_disks
    assert data_disk.vhd.uri == vm_lab.vhd_uri(vm_lab.data_disk)
    assert data_disk.disk_size_gb == DATA_DISK_GB
    vm.storage_profile.data_disks = []
    vm = compute_client.virtual_machines.begin_create_or_update(vm_lab.resource_group, vm_lab.vm, vm).result()
    assert vm.storage_profile.data_disks == []


@pytest.mark.linux
@conformance(
    "AZS-VM-GET",
    "GET with $expand=instanceView returns the VM with provisioning and power statuses.",
    requires=("AZS-VM-CREATE-LINUX",),
)
def test_get_vm(compute_client: ComputeManagementClient, vm_lab: VmLab) -> None:
    vm = _get_vm(compute_client, vm_lab)
    assert vm.name == vm_lab.vm
    assert vm.hardware_profile.vm_size == vm_lab.vm_size
    codes = [s.code for s in vm.instance_view.statuses]
    assert "ProvisioningState/succeeded" in codes
    assert power_state(vm.instance_view) == "PowerState/running"
    assert [n.id.lower() for n in vm.network_profile.network_interfaces] == [vm_lab.nic_id.lower()]


@pytest.mark.linux
@conformance(
    "AZS-VM-ATTACH-DISK",
    "The data disk is attached at LUN 12 by a PUT of the whole VM; the disk names the VM as its owner.",
    requires=("AZS-VM-CREATE-DATA-DISK",),
)
def test_attach_data_disk(compute_client: ComputeManagementClient, vm_lab: VmLab) -> None:
    models = request_models(compute_client.virtual_machines)
    vm = _get_vm(compute_client, vm_lab)
    disk: dict[str, Any] = {"lun": DATA_DISK_LUN, "name": vm_lab.data_disk, "create_option": "Attach"}
    if vm_lab.managed_disks:
        disk["managed_disk"] = models.ManagedDiskParameters(id=vm_lab.data_disk_id)
    else:
        disk["vhd"] = models.VirtualHardDisk(uri=vm_lab.vhd_uri(vm_lab.data_disk))
        disk["disk_size_gb"] = DATA_DISK_GB
    vm.storage_profile.data_disks.append(models.DataDisk(**disk))
    compute_client.virtual_machines.begin_create_or_update(vm_lab.resource_group, vm_lab.vm, vm).result()
    vm = _get_vm(compute_client, vm_lab)
    (attached,) = vm.storage_profile.data_disks
    assert attached.lun == DATA_DISK_LUN
    assert attached.name == vm_lab.data_disk
    if vm_lab.managed_disks:
        assert attached.managed_disk.id.lower() == vm_lab.data_disk_id.lower()
        disk = compute_client.disks.get(vm_lab.resource_group, vm_lab.data_disk)
        assert disk.managed_by.lower() == vm.id.lower()
    else:
        assert attached.vhd.uri == vm_lab.vhd_uri(vm_lab.data_disk)


@pytest.mark.linux
@conformance(
    "AZS-VM-DETACH-DISK",
    "A PUT without the data disk detaches it; the disk is left unowned.",
    requires=("AZS-VM-ATTACH-DISK",),
)
def test_detach_data_disk(compute_client: ComputeManagementClient, vm_lab: VmLab) -> None:
    vm = _get_vm(compute_client, vm_lab)
    vm.storage_profile.data_disks = [d for d in vm.storage_profile.data_disks if d.name != vm_lab.data_disk]
    updated = compute_client.virtual_machines.begin_create_or_update(
        vm_lab.resource_group, vm_lab.vm, vm
    ).result()
    assert updated.storage_profile.data_disks == []
    vm = _get_vm(compute_client, vm_lab)
    assert vm.storage_profile.data_disks == []
    if vm_lab.managed_disks:
        disk = compute_client.disks.get(vm_lab.resource_group, vm_lab.data_disk)
        assert disk.managed_by is None


@pytest.mark.linux
@conformance(
    "AZS-VM-DEALLOCATE",
    "Deallocate leaves the VM in PowerState/deallocated.",
    requires=("AZS-VM-CREATE-LINUX",),
    after=("AZS-VM-GET", "AZS-VM-DETACH-DISK"),
)
def test_deallocate_vm(compute_client: ComputeManagementClient, vm_lab: VmLab) -> None:
    compute_client.virtual_machines.begin_deallocate(vm_lab.resource_group, vm_lab.vm).result()
    _assert_power_state(compute_client, vm_lab, "PowerState/deallocated")


@pytest.mark.linux
@conformance(
    "AZS-VM-GET-OS-DISK",
    "The OS disk is readable: a managed disk owned by the VM, or the VM's VHD with its size.",
    requires=("AZS-VM-CREATE-LINUX",),
)
def test_get_os_disk(compute_client: ComputeManagementClient, vm_lab: VmLab) -> None:
    if vm_lab.managed_disks:
        disk = compute_client.disks.get(vm_lab.resource_group, vm_lab.os_disk_name)
        assert disk.name == vm_lab.os_disk_name
        assert disk.disk_size_gb == vm_lab.os_disk_size_gb
        assert disk.managed_by is not None and disk.managed_by.lower() == vm_lab.vm_id.lower()
    else:
        os_disk = _get_vm(compute_client, vm_lab).storage_profile.os_disk
        assert os_disk.name == vm_lab.os_disk_name
        assert os_disk.vhd.uri.startswith(vm_lab.blob_endpoint)
        assert os_disk.disk_size_gb == vm_lab.os_disk_size_gb


@pytest.mark.linux
@conformance(
    "AZS-VM-EXPAND-OS-DISK",
    "While deallocated, the OS disk grows by 10 GB.",
    requires=("AZS-VM-DEALLOCATE",),
    after=("AZS-VM-GET-OS-DISK",),
)
def test_expand_os_disk(compute_client: ComputeManagementClient, vm_lab: VmLab) -> None:
    assert vm_lab.os_disk_size_gb, "the OS disk size is known from the VM's creation"
    wanted = vm_lab.os_disk_size_gb + OS_DISK_GROWTH_GB
    if vm_lab.managed_disks:
        disk = compute_client.disks.get(vm_lab.resource_group, vm_lab.os_disk_name)
        disk.disk_size_gb = wanted
        compute_client.disks.begin_create_or_update(vm_lab.resource_group, vm_lab.os_disk_name, disk).result()
        size = compute_client.disks.get(vm_lab.resource_group, vm_lab.os_disk_name).disk_size_gb
    else:
        vm = _get_vm(compute_client, vm_lab)
        vm.storage_profile.os_disk.disk_size_gb = wanted
        compute_client.virtual_machines.begin_create_or_update(vm_lab.resource_group, vm_lab.vm, vm).result()
        vm = _get_vm(compute_client, vm_lab)
        size = vm.storage_profile.os_disk.disk_size_gb
    assert size == wanted
    vm_lab.os_disk_size_gb = size


@pytest.mark.linux
@conformance(
    "AZS-VM-START",
    "Start brings the VM to PowerState/running.",
    requires=("AZS-VM-DEALLOCATE",),
    after=("AZS-VM-EXPAND-OS-DISK",),
)
def test_start_vm(compute_client: ComputeManagementClient, vm_lab: VmLab) -> None:
    compute_client.virtual_machines.begin_start(vm_lab.resource_group, vm_lab.vm).result()
    _assert_power_state(compute_client, vm_lab, "PowerState/running")


@pytest.mark.linux
@conformance(
    "AZS-VM-RESTART",
    "Restart completes, the VM's provisioning status is renewed, and it is running again.",
    requires=("AZS-VM-START",),
)
def test_restart_vm(compute_client: ComputeManagementClient, vm_lab: VmLab) -> None:
    before = provisioning_time(_get_vm(compute_client, vm_lab).instance_view)
    compute_client.virtual_machines.begin_restart(vm_lab.resource_group, vm_lab.vm).result()
    vm = _assert_power_state(compute_client, vm_lab, "PowerState/running")
    # Running before and after: only the provisioning status' time shows the restart happened.
    after = provisioning_time(vm.instance_view)
    assert before is not None and after is not None and after > before


@pytest.mark.linux
@conformance(
    "AZS-VM-STOP",
    "Power off (with a graceful shutdown) leaves the VM in PowerState/stopped, still provisioned.",
    requires=("AZS-VM-START",),
    after=("AZS-VM-RESTART",),
)
def test_stop_vm(compute_client: ComputeManagementClient, vm_lab: VmLab) -> None:
    # skipShutdown exists from compute 2019-03-01 on; older api-versions always shut down first.
    kwargs = {"skip_shutdown": False} if vm_lab.compute_version >= "2019-03-01" else {}
    compute_client.virtual_machines.begin_power_off(vm_lab.resource_group, vm_lab.vm, **kwargs).result()
    _assert_power_state(compute_client, vm_lab, "PowerState/stopped")


@pytest.mark.linux
@conformance(
    "AZS-VM-LIST-SUBSCRIPTION",
    "Listing all VMs of the subscription (following nextLink) includes the VM.",
    requires=("AZS-VM-CREATE-LINUX",),
    after=("AZS-VM-STOP",),
)
def test_list_vms_in_subscription(compute_client: ComputeManagementClient, vm_lab: VmLab) -> None:
    ids = [vm.id.lower() for vm in compute_client.virtual_machines.list_all()]
    assert len(ids) == len(set(ids)), "paging must not repeat a VM"
    assert any(
        i.endswith(
            f"/resourcegroups/{vm_lab.resource_group.lower()}/providers/microsoft.compute/"
            f"virtualmachines/{vm_lab.vm.lower()}"
        )
        for i in ids
    )


@pytest.mark.linux
@conformance(
    "AZS-VM-LIST-RESOURCE-GROUP",
    "Listing the VMs of the resource group returns exactly the lab's VM.",
    requires=("AZS-VM-CREATE-LINUX",),
    after=("AZS-VM-STOP",),
)
def test_list_vms_in_resource_group(compute_client: ComputeManagementClient, vm_lab: VmLab) -> None:
    names = [vm.name for vm in compute_client.virtual_machines.list(vm_lab.resource_group)]
    assert names == [vm_lab.vm]


@pytest.mark.linux
@pytest.mark.slow
@conformance(
    "AZS-VM-DELETE",
    "Deleting the VM makes GET answer 404 and leaves its NIC (and managed OS disk) behind, unowned.",
    requires=("AZS-VM-CREATE-LINUX",),
    after=(
        "AZS-VM-TAG",
        "AZS-VM-CREATE-DATA-DISK",
        "AZS-VM-GET",
        "AZS-VM-ATTACH-DISK",
        "AZS-VM-DETACH-DISK",
        "AZS-VM-GET-OS-DISK",
        "AZS-VM-EXPAND-OS-DISK",
        "AZS-VM-RESTART",
        "AZS-VM-STOP",
        "AZS-VM-LIST-SUBSCRIPTION",
        "AZS-VM-LIST-RESOURCE-GROUP",
    ),
)
def test_delete_vm(
    azurestack_may_delete: None,
    compute_client: ComputeManagementClient,
    network_client: NetworkManagementClient,
    vm_lab: VmLab,
) -> None:
    compute_client.virtual_machines.begin_delete(vm_lab.resource_group, vm_lab.vm).result()
    with pytest.raises(ResourceNotFoundError):
        _get_vm(compute_client, vm_lab)
    nic = network_client.network_interfaces.get(vm_lab.resource_group, vm_lab.nic)
    assert nic.virtual_machine is None
    if vm_lab.managed_disks:
        disk = compute_client.disks.get(vm_lab.resource_group, vm_lab.os_disk_name)
        assert disk.managed_by is None


@pytest.mark.windows
@pytest.mark.slow
@conformance(
    "AZS-VM-CREATE-WINDOWS",
    "A Windows Server 2012 R2 Datacenter VM is created on the NIC the Linux VM left, and runs.",
    requires=("AZS-VM-DELETE",),
)
def test_create_windows_vm(
    compute_client: ComputeManagementClient, network_client: NetworkManagementClient, vm_lab: VmLab
) -> None:
    models = request_models(compute_client.virtual_machines)
    parameters = vm_lab.vm_parameters(models, WINDOWS_IMAGE, os_disk_name=f"{vm_lab.vm}-winosdisk")
    compute_client.virtual_machines.begin_create_or_update(
        vm_lab.resource_group, vm_lab.vm, parameters
    ).result()
    vm = _assert_power_state(compute_client, vm_lab, "PowerState/running")
    assert vm.storage_profile.os_disk.os_type.lower() == "windows"
    assert vm.storage_profile.image_reference.offer == WINDOWS_IMAGE["offer"]
    assert [n.id.lower() for n in vm.network_profile.network_interfaces] == [vm_lab.nic_id.lower()]
    nic = network_client.network_interfaces.get(vm_lab.resource_group, vm_lab.nic)
    assert nic.virtual_machine.id.lower() == vm.id.lower()


@pytest.mark.slow
@conformance(
    "AZS-VM-RG-DELETE",
    "Deleting the resource group removes it and everything in it (VMs, disks, NICs, networks, storage).",
    requires=("AZS-VM-RG-CREATE",),
    after=(
        "AZS-VM-STORAGE-CREATE",
        "AZS-VM-VNET-CREATE",
        "AZS-VM-SUBNET-CREATE",
        "AZS-VM-NIC-CREATE",
        "AZS-VM-CREATE-LINUX",
        "AZS-VM-TAG",
        "AZS-VM-CREATE-DATA-DISK",
        "AZS-VM-GET",
        "AZS-VM-ATTACH-DISK",
        "AZS-VM-DETACH-DISK",
        "AZS-VM-DEALLOCATE",
        "AZS-VM-GET-OS-DISK",
        "AZS-VM-EXPAND-OS-DISK",
        "AZS-VM-START",
        "AZS-VM-RESTART",
        "AZS-VM-STOP",
        "AZS-VM-LIST-SUBSCRIPTION",
        "AZS-VM-LIST-RESOURCE-GROUP",
        "AZS-VM-DELETE",
        "AZS-VM-CREATE-WINDOWS",
    ),
)
def test_delete_resource_group(
    azurestack_may_delete: None,
    resource_client: ResourceManagementClient,
    compute_client: ComputeManagementClient,
    network_client: NetworkManagementClient,
    storage_client: StorageManagementClient,
    vm_lab: VmLab,
) -> None:
    resource_client.resource_groups.begin_delete(vm_lab.resource_group).result()
    assert resource_client.resource_groups.check_existence(vm_lab.resource_group) is False
    # Its contents went with it: nothing of the group is left in the subscription-wide lists.
    in_group = f"/resourcegroups/{vm_lab.resource_group.lower()}/"
    leftovers = [
        *compute_client.virtual_machines.list_all(),
        *network_client.network_interfaces.list_all(),
        *network_client.virtual_networks.list_all(),
        *storage_client.storage_accounts.list(),
        *(compute_client.disks.list() if vm_lab.managed_disks else []),
    ]
    assert [r.id for r in leftovers if in_group in r.id.lower()] == []
