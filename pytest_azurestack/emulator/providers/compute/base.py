"""What every Compute resource shares: types, limits, lookups, the clock.

Values in the Store are the newest shape (what 2020-06-01/2019-07-01 return); virtual machines
also carry a private ``_compute`` dict (power state, pending work). shapes.py renders them per
api-version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_azurestack.emulator.arm.clock import arm_timestamp
from pytest_azurestack.emulator.arm.errors import resource_not_found
from pytest_azurestack.emulator.arm.ids import parse_resource_id, resource_id
from pytest_azurestack.emulator.arm.store import Store
from pytest_azurestack.emulator.providers.compute.images import ImageCatalog

NAMESPACE = "Microsoft.Compute"
VM_TYPE = "Microsoft.Compute/virtualMachines"
DISK_TYPE = "Microsoft.Compute/disks"
MAX_DISK_GB = 1023  # Azure Stack Hub's largest disk
STORAGE_TYPES = ("Standard_LRS", "Premium_LRS")
UNMANAGED_ONLY_VERSIONS = ("2016-03-30",)
ZERO_TENANT = "00000000-0000-0000-0000-000000000000"


def now() -> str:
    return arm_timestamp()


class ComputeBase:
    def __init__(
        self,
        store: Store,
        catalog: ImageCatalog,
        location: str,
        quotas: Mapping[str, int] | None = None,
        *,
        tenant_id: str = ZERO_TENANT,
        os_provisioning_seconds: float = 0.0,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.location = location
        self.quotas = quotas  # compute quota limits that differ from the defaults (usages.py)
        self.tenant_id = tenant_id  # the directory a system-assigned identity belongs to
        # How long a new VM's guest still reports OS provisioning after its create succeeded.
        self.os_provisioning_seconds = os_provisioning_seconds

    @staticmethod
    def vm_id(subscription: str, group: str, name: str) -> str:
        return resource_id(subscription, group, NAMESPACE, "virtualMachines", name)

    @staticmethod
    def disk_id(subscription: str, group: str, name: str) -> str:
        return resource_id(subscription, group, NAMESPACE, "disks", name)

    def get(self, rid: str, full_type: str) -> dict[str, Any]:
        found = self.store.get(rid)
        if found is None or str(found.get("type", "")).lower() != full_type.lower():
            parsed = parse_resource_id(rid)
            raise resource_not_found(full_type, parsed.name, parsed.resource_group)
        return found

    def list_of(self, subscription: str, full_type: str, group: str | None = None) -> list[dict[str, Any]]:
        return self.store.list(subscription, full_type, group)

    def vm_of_disk(self, disk: dict[str, Any]) -> dict[str, Any] | None:
        owner = disk.get("managedBy")
        return self.store.get(owner) if owner else None
