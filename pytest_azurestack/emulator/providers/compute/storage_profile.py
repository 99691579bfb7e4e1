"""A VM's storage profile: its OS disk (managed or an unmanaged VHD), and the disk work it plans.

A VM write only decides; the disks it creates, attaches, releases and resizes are listed in a
``DiskPlan`` that ``_apply_plan`` carries out when the VM's operation completes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.ids import parse_resource_id, same_id
from pytest_azurestack.emulator.providers import storage
from pytest_azurestack.emulator.providers.compute import body as b
from pytest_azurestack.emulator.providers.compute.base import DISK_TYPE, STORAGE_TYPES
from pytest_azurestack.emulator.providers.compute.disks import Disks, check_max, set_disk_size
from pytest_azurestack.emulator.providers.compute.errors import (
    conflict,
    not_allowed_change,
    resize_while_running,
    shrink_error,
)
from pytest_azurestack.emulator.providers.compute.images import ImageSpec
from pytest_azurestack.emulator.providers.compute.sizes import VmSize


@dataclass
class DiskPlan:
    """Disk work a VM write does when its operation completes."""

    create: list[dict[str, Any]] = field(default_factory=list)  # new managed disks
    resize: list[tuple[str, int]] = field(default_factory=list)  # (disk id, size)
    release: list[str] = field(default_factory=list)  # managed disk ids to detach
    release_vhds: list[str] = field(default_factory=list)
    claim_vhds: list[tuple[dict[str, Any], str, int]] = field(default_factory=list)  # (account, uri, size)


class StorageProfiles(Disks):
    def _storage_type(self, managed: dict[str, Any], path: str, size: VmSize) -> str:
        wanted = b.text(managed, "storageAccountType", f"{path}.managedDisk.storageAccountType")
        if wanted is None:
            return "Premium_LRS" if size.premium else "Standard_LRS"
        match = next((t for t in STORAGE_TYPES if t.lower() == wanted.lower()), None)
        if match is None:
            raise b.invalid(
                f"{path}.managedDisk.storageAccountType",
                f"Storage account type '{wanted}' is not supported on this stamp; use "
                f"{' or '.join(STORAGE_TYPES)}.",
            )
        if match == "Premium_LRS" and not size.premium:
            raise b.invalid(
                f"{path}.managedDisk.storageAccountType",
                f"Requested operation cannot be performed because the VM size {size.name} does not "
                "support the "
                "storage account type Premium_LRS; use Standard_LRS or a DS-series size.",
            )
        return match

    def _managed_os_disk(
        self,
        subscription: str,
        group: str,
        vm_name: str,
        vm_id: str,
        os_in: dict[str, Any],
        option: str,
        image: ImageSpec | None,
        os_type: str,
        size: VmSize,
        plan: DiskPlan,
    ) -> dict[str, Any]:
        path = "storageProfile.osDisk"
        managed = b.obj(os_in, "managedDisk", f"{path}.managedDisk") or {}
        caching = caching_of(os_in, path, "ReadWrite")
        if option == "Attach":
            disk = self._attachable_disk(managed, path, vm_id)
            os_type = os_type or str(disk["properties"].get("osType") or "")
            if not os_type:
                raise b.missing(f"{path}.osType")
            return {"osType": os_type, **self._attach(disk, vm_id, caching)}
        assert image is not None
        storage_type = self._storage_type(managed, path, size)
        size_gb = b.integer(os_in, "diskSizeGB", f"{path}.diskSizeGB")
        if size_gb is not None and size_gb < image.size_gb:
            raise b.invalid(
                f"{path}.diskSizeGB",
                f"The specified disk size {size_gb} GB is smaller than the size of the corresponding "
                "disk in the VM "
                f"image: {image.size_gb} GB. This is not allowed. Please choose equal or greater size "
                "or do not "
                "specify an explicit size.",
            )
        size_gb = check_max(size_gb or image.size_gb, f"{path}.diskSizeGB")
        name = b.text(os_in, "name", f"{path}.name") or f"{vm_name}_OsDisk_1_{uuid.uuid4().hex}"
        self._check_disk_name_free(subscription, group, name, f"{path}.name")
        plan.create.append(
            {
                "role": "os",
                "name": name,
                "sizeGB": size_gb,
                "sku": storage_type,
                "osType": os_type,
                "image": image,
            }
        )
        return {
            "osType": os_type,
            "name": name,
            "createOption": "FromImage",
            "caching": caching,
            "managedDisk": {"storageAccountType": storage_type},
            "diskSizeGB": size_gb,
        }

    def _unmanaged_os_disk(
        self,
        subscription: str,
        vm_id: str,
        os_in: dict[str, Any],
        option: str,
        image: ImageSpec | None,
        os_type: str,
        plan: DiskPlan,
    ) -> dict[str, Any]:
        path = "storageProfile.osDisk"
        name = b.text(os_in, "name", f"{path}.name", required=True)
        vhd = b.obj(os_in, "vhd", f"{path}.vhd", required=True) or {}
        uri = b.text(vhd, "uri", f"{path}.vhd.uri", required=True) or ""
        account = storage.check_vhd_uri(self.store, subscription, uri, f"{path}.vhd.uri")
        blob = storage.find_blob(self.store, subscription, uri)
        size_gb = b.integer(os_in, "diskSizeGB", f"{path}.diskSizeGB")
        if option == "Attach":
            if blob is None:
                raise ArmError(
                    404,
                    "BlobNotFound",
                    f"The VHD blob '{uri}' does not exist; create it first or use FromImage.",
                )
            check_blob_free(blob, vm_id, uri)
            size_gb = max(size_gb or 0, int(blob["sizeGB"]))
        else:
            assert image is not None
            if blob is not None:
                raise conflict(
                    f"Blob {uri} already exists. Please provide a different blob URI to create a new "
                    f"OS disk '{name}', "
                    "or use createOption Attach.",
                    code="VHDBlobAlreadyExists",
                )
            if size_gb is not None and size_gb < image.size_gb:
                raise b.invalid(
                    f"{path}.diskSizeGB",
                    f"The specified disk size {size_gb} GB is smaller than the size of the "
                    "corresponding disk in the "
                    f"VM image: {image.size_gb} GB. Please choose equal or greater size or do not "
                    "specify one.",
                )
            size_gb = size_gb or image.size_gb
        size_gb = check_max(size_gb, f"{path}.diskSizeGB")
        plan.claim_vhds.append((account, uri, size_gb))
        return {
            "osType": os_type or b.text(os_in, "osType", f"{path}.osType") or "Linux",
            "name": name,
            "createOption": option,
            "vhd": {"uri": uri},
            "caching": caching_of(os_in, path, "ReadWrite"),
            "diskSizeGB": size_gb,
        }

    def _check_disk_name_free(self, subscription: str, group: str, name: str, target: str) -> None:
        if self.store.get(self.disk_id(subscription, group, name)) is not None:
            raise conflict(
                f"A disk named '{name}' already exists in resource group '{group}'; attach it with "
                "createOption "
                "Attach and its managedDisk.id, or choose another name.",
                code="Conflict",
            )

    @staticmethod
    def _attach(disk: dict[str, Any], vm_id: str, caching: str) -> dict[str, Any]:
        """The disk belongs to the VM now; the storage profile entry that says so."""
        disk["managedBy"] = vm_id
        return {
            "name": disk["name"],
            "createOption": "Attach",
            "caching": caching,
            "managedDisk": {"storageAccountType": disk["sku"]["name"], "id": disk["id"]},
            "diskSizeGB": disk["properties"]["diskSizeGB"],
        }

    def _attachable_disk(self, managed: dict[str, Any], path: str, vm_id: str) -> dict[str, Any]:
        disk_id = b.text(managed, "id", f"{path}.managedDisk.id", required=True) or ""
        disk = self.store.get(disk_id)
        if disk is None or str(disk.get("type", "")).lower() != DISK_TYPE.lower():
            raise ArmError(
                404,
                "NotFound",
                f"Disk {disk_id} was not found; create it first.",
                target=f"{path}.managedDisk.id",
            )
        owner = disk.get("managedBy")
        if owner and not same_id(owner, vm_id):
            raise conflict(
                f"Disk '{disk['name']}' is already attached to VM '{owner}'; a managed disk attaches "
                "to one VM at a "
                "time: detach it from that VM first."
            )
        if disk["properties"].get("provisioningState") not in ("Succeeded", None):
            raise conflict(f"Disk '{disk['name']}' is still being created; wait for its operation to finish.")
        return disk

    def _resize_in_place(
        self, entry: dict[str, Any], item: dict[str, Any], path: str, plan: DiskPlan, deallocated: bool
    ) -> None:
        """A bigger diskSizeGB on a disk the VM already has: Azure resizes it only while deallocated."""
        wanted = b.integer(item, "diskSizeGB", f"{path}.diskSizeGB")
        current = int(entry.get("diskSizeGB") or 0)
        if wanted is None or wanted == current:
            return
        if wanted < current:
            raise shrink_error(entry["name"], current, wanted)
        check_max(wanted, f"{path}.diskSizeGB")
        if not deallocated:
            raise resize_while_running(entry["name"])
        entry["diskSizeGB"] = wanted
        if entry.get("managedDisk", {}).get("id"):
            plan.resize.append((entry["managedDisk"]["id"], wanted))

    def _update_os_disk(
        self, current: dict[str, Any], os_in: dict[str, Any], plan: DiskPlan, deallocated: bool
    ) -> None:
        path = "storageProfile.osDisk"
        name = b.text(os_in, "name", f"{path}.name")
        if name is not None and name.lower() != current["name"].lower():
            raise not_allowed_change("osDisk.name")
        managed = b.obj(os_in, "managedDisk", f"{path}.managedDisk") or {}
        given_id = b.text(managed, "id", f"{path}.managedDisk.id")
        if given_id and not same_id(given_id, current.get("managedDisk", {}).get("id")):
            raise not_allowed_change("osDisk.managedDisk.id")
        vhd = b.obj(os_in, "vhd", f"{path}.vhd") or {}
        uri = b.text(vhd, "uri", f"{path}.vhd.uri")
        if uri and uri.lower() != current.get("vhd", {}).get("uri", "").lower():
            raise not_allowed_change("osDisk.vhd.uri")
        current["caching"] = caching_of(os_in, path, current.get("caching", "ReadWrite"))
        self._resize_in_place(current, os_in, path, plan, deallocated)

    def _apply_plan(self, vm: dict[str, Any], plan: DiskPlan) -> None:
        """The disk work of a finished VM operation."""
        vm_id = vm["id"]
        parsed = parse_resource_id(vm_id)
        sp = vm["properties"]["storageProfile"]
        for spec in plan.create:
            disk = self._new_disk_resource(
                parsed.subscription,
                parsed.resource_group or "",
                spec["name"],
                vm["location"],
                spec["sizeGB"],
                spec["sku"],
                spec.get("osType"),
                spec.get("image"),
            )
            disk["managedBy"] = vm_id
            self.store.put(disk["id"], disk)
            if spec["role"] == "os":
                target = sp["osDisk"]
            else:
                target = next(d for d in sp["dataDisks"] if d["lun"] == spec["lun"])
            target["managedDisk"]["id"] = disk["id"]
        for disk_id, size_gb in plan.resize:
            resized = self.store.get(disk_id)
            if resized is not None:
                set_disk_size(resized, size_gb)
        for disk_id in plan.release:
            released = self.store.get(disk_id)
            if released is not None and same_id(released.get("managedBy"), vm_id):
                released.pop("managedBy", None)
        for uri in plan.release_vhds:
            storage.release_blob(self.store, uri)
        for entry in [sp["osDisk"], *sp["dataDisks"]]:
            if entry.get("vhd"):
                storage.hold_blob(self.store, entry["vhd"]["uri"], vm_id, entry.get("diskSizeGB"))


_CACHING = ("None", "ReadOnly", "ReadWrite")


def caching_of(parent: dict[str, Any], path: str, default: str) -> str:
    raw = b.text(parent, "caching", f"{path}.caching")
    if raw is None:
        return default
    match = next((c for c in _CACHING if c.lower() == raw.lower()), None)
    if match is None:
        raise b.invalid(
            f"{path}.caching",
            f"The value '{raw}' of parameter 'caching' is invalid; use None, ReadOnly or ReadWrite.",
        )
    return match


def check_blob_free(blob: dict[str, Any], vm_id: str, uri: str) -> None:
    owner = blob.get("attachedTo")
    if owner and not same_id(owner, vm_id):
        raise conflict(
            f"The VHD '{uri}' is in use by VM {owner}: it holds a lease on the blob; detach it there first."
        )
