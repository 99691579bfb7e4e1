"""The VM lab: names and ids one profile's operations hand on to each other.

Creating VMs takes minutes on a real stamp, so the tests of one profile share a resource group,
network and VM, in the order of Microsoft's Azure Stack VM sample. Each test performs one
operation and records its own cassette; the lab only carries names and ids between them.
A test whose prerequisite did not pass is reported as "not run" by the conformance plugin.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from pytest_azurestack.masking import register_secret
from pytest_azurestack.profiles import COMPUTE, Profile
from pytest_azurestack.sdk import RequestModels

LINUX_IMAGE = {"publisher": "Canonical", "offer": "UbuntuServer", "sku": "16.04-LTS", "version": "latest"}
WINDOWS_IMAGE = {
    "publisher": "MicrosoftWindowsServer",
    "offer": "WindowsServer",
    "sku": "2012-R2-Datacenter",
    "version": "latest",
}
# The sample's sizes: a DS size with managed disks, an A size with unmanaged VHDs.
MANAGED_VM_SIZE = "Standard_DS1_v2"
UNMANAGED_VM_SIZE = "Standard_A1"
ADMIN_USERNAME = "azsadmin"
DATA_DISK_LUN = 12
DATA_DISK_GB = 1
OS_DISK_GROWTH_GB = 10


def _admin_password() -> str:
    """A fresh password meeting Azure's complexity rules; scrubbed from every cassette."""
    alphabet = string.ascii_letters + string.digits
    password = "Az1!" + "".join(secrets.choice(alphabet) for _ in range(20))
    register_secret(password)  # and out of every report, traceback and log of the run
    return password


@dataclass
class VmLab:
    """Names and ids the operations of one profile hand on to each other."""

    profile: Profile
    location: str
    resource_group: str
    storage_account: str
    vnet: str
    subnet: str
    nic: str
    vm: str
    data_disk: str
    tags: dict[str, str]
    admin_password: str = field(default_factory=_admin_password, repr=False)
    subnet_id: str | None = None
    nic_id: str | None = None
    blob_endpoint: str | None = None
    vm_id: str | None = None
    data_disk_id: str | None = None
    os_disk_name: str | None = None
    os_disk_size_gb: int | None = None

    @property
    def managed_disks(self) -> bool:
        return self.profile.has_managed_disks

    @property
    def compute_version(self) -> str:
        """The api-version the profile pins for virtual machines ("" if none)."""
        return self.profile.api_version(COMPUTE, "virtualMachines") or ""

    @property
    def vm_size(self) -> str:
        return MANAGED_VM_SIZE if self.managed_disks else UNMANAGED_VM_SIZE

    def vhd_uri(self, disk_name: str) -> str:
        assert self.blob_endpoint, "the storage account's blob endpoint is known once it is created"
        return f"{self.blob_endpoint.rstrip('/')}/vhds/{disk_name}.vhd"

    def vm_parameters(self, models: RequestModels, image: dict[str, str], os_disk_name: str) -> Any:
        """A VM body in the sample's shape, from the VM operations' models: a managed OS disk
        implied, or an unmanaged VHD."""
        storage_profile = models.StorageProfile(image_reference=models.ImageReference(**image))
        if not self.managed_disks:
            storage_profile.os_disk = models.OSDisk(
                name=os_disk_name,
                caching="ReadWrite",
                create_option="FromImage",
                vhd=models.VirtualHardDisk(uri=self.vhd_uri(os_disk_name)),
            )
        return models.VirtualMachine(
            location=self.location,
            tags=dict(self.tags),
            os_profile=models.OSProfile(
                computer_name=self.vm, admin_username=ADMIN_USERNAME, admin_password=self.admin_password
            ),
            hardware_profile=models.HardwareProfile(vm_size=self.vm_size),
            storage_profile=storage_profile,
            network_profile=models.NetworkProfile(
                network_interfaces=[models.NetworkInterfaceReference(id=self.nic_id)]
            ),
        )


def power_state(instance_view: Any) -> str | None:
    """The ``PowerState/...`` code of a VM instance view, or None."""
    for status in instance_view.statuses or []:
        if status.code and status.code.startswith("PowerState/"):
            return str(status.code)
    return None


def provisioning_time(instance_view: Any) -> str | None:
    """When the VM's last operation set its ``ProvisioningState/...`` status (ISO 8601), or None."""
    for status in instance_view.statuses or []:
        if status.code and status.code.startswith("ProvisioningState/") and status.time:
            return str(status.time.isoformat() if hasattr(status.time, "isoformat") else status.time)
    return None
