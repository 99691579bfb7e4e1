"""A VM's data disks: LUNs, managed or VHD, attached, created empty, detached, resized."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.ids import same_id
from pytest_azurestack.emulator.providers import storage
from pytest_azurestack.emulator.providers.compute import body as b
from pytest_azurestack.emulator.providers.compute.disks import check_size, create_option
from pytest_azurestack.emulator.providers.compute.errors import conflict
from pytest_azurestack.emulator.providers.compute.sizes import VmSize
from pytest_azurestack.emulator.providers.compute.storage_profile import (
    DiskPlan,
    StorageProfiles,
    caching_of,
    check_blob_free,
)


@dataclass(frozen=True)
class DiskScope:
    """The VM a dataDisks list belongs to, and what its write may do to disks."""

    subscription: str
    group: str
    vm_name: str
    vm_id: str
    size: VmSize
    unmanaged: bool
    plan: DiskPlan
    deallocated: bool  # only a deallocated VM's disks may grow


class DataDisks(StorageProfiles):
    def _data_disks(
        self, scope: DiskScope, storage: dict[str, Any], previous: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """The new dataDisks list; fills ``scope.plan`` with the disks to create, attach and release."""
        items = b.objects(
            b.arr(storage, "dataDisks", "storageProfile.dataDisks") or [], "storageProfile.dataDisks"
        )
        result: list[dict[str, Any]] = []
        luns: dict[int, str] = {}
        keys: dict[str, int] = {}  # disk id or VHD URI -> the LUN that uses it
        for index, item in enumerate(items):
            found = self._data_disk(scope, item, f"storageProfile.dataDisks[{index}]", previous, index)
            if found is None:
                continue
            lun, entry, key = found
            _check_unique(lun, entry, key, luns, keys, scope.unmanaged)
            luns[lun] = entry["name"]
            keys[key] = lun
            result.append(entry)
        size = scope.size
        if len(result) > size.max_data_disks:
            raise conflict(
                f"The maximum number of data disks allowed to be attached to a VM of this size is "
                f"{size.max_data_disks}; detach some or resize the VM ({size.name})."
            )
        _plan_releases(previous, keys, scope)
        return result

    def _data_disk(
        self, scope: DiskScope, item: dict[str, Any], path: str, previous: list[dict[str, Any]], ordinal: int
    ) -> tuple[int, dict[str, Any], str] | None:
        """One item's LUN, entry and what it uses (disk id or VHD URI); None when it is detached."""
        lun = b.integer(item, "lun", f"{path}.lun", required=True)
        assert lun is not None
        if not 0 <= lun <= 63:
            raise b.invalid(
                f"{path}.lun", f"The value {lun} of parameter 'dataDisk.lun' is out of range: use 0-63."
            )
        if b.boolean(item, "toBeDetached", f"{path}.toBeDetached"):
            return None
        option = create_option(item, f"{path}.createOption", default=None)
        prev = next((p for p in previous if p["lun"] == lun), None)
        if scope.unmanaged:
            entry = self._unmanaged_data_disk(scope, item, path, option, prev)
            return lun, entry, entry["vhd"]["uri"].lower()
        entry = self._managed_data_disk(scope, item, path, option, lun, prev, ordinal)
        return lun, entry, (entry["managedDisk"].get("id") or f"new:{entry['name']}").lower()

    def _managed_data_disk(
        self,
        scope: DiskScope,
        item: dict[str, Any],
        path: str,
        option: str | None,
        lun: int,
        prev: dict[str, Any] | None,
        ordinal: int,
    ) -> dict[str, Any]:
        subscription, group, vm_id, plan = scope.subscription, scope.group, scope.vm_id, scope.plan
        if item.get("vhd") is not None:
            raise b.invalid(
                f"{path}.vhd", "A VM with a managed OS disk cannot use unmanaged (vhd) data disks."
            )
        managed = b.obj(item, "managedDisk", f"{path}.managedDisk") or {}
        caching = caching_of(item, path, "None")
        given_id = b.text(managed, "id", f"{path}.managedDisk.id")
        if given_id and prev is not None and same_id(prev["managedDisk"].get("id"), given_id):
            entry = copy.deepcopy(prev)  # the same disk round-tripped from a GET: keep it
            entry["caching"] = caching
            self._resize_in_place(entry, item, path, plan, scope.deallocated)
            return entry
        if option == "Attach" or (given_id and option in ("Empty", None)):
            disk = self._attachable_disk(managed, path, vm_id)
            return {"lun": lun, **self._attach(disk, vm_id, caching)}
        if option == "Empty":
            size_gb = b.integer(item, "diskSizeGB", f"{path}.diskSizeGB", required=True)
            size_gb = check_size(size_gb, f"{path}.diskSizeGB")
            # The platform numbers a VM's disks from 1 (the OS disk, {vm}_OsDisk_1_...), so an
            # unnamed data disk is {vm}_disk2_..., the next {vm}_disk3_..., by its place in the list.
            name = (
                b.text(item, "name", f"{path}.name")
                or f"{scope.vm_name}_disk{ordinal + 2}_{uuid.uuid4().hex}"
            )
            self._check_disk_name_free(subscription, group, name, f"{path}.name")
            storage_type = self._storage_type(managed, path, scope.size)
            plan.create.append(
                {"role": "data", "lun": lun, "name": name, "sizeGB": size_gb, "sku": storage_type}
            )
            return {
                "lun": lun,
                "name": name,
                "createOption": "Empty",
                "caching": caching,
                "managedDisk": {"storageAccountType": storage_type},
                "diskSizeGB": size_gb,
            }
        raise b.invalid(
            f"{path}.createOption",
            f"The value '{option}' of parameter 'dataDisk.createOption' is not allowed here; use "
            "Attach (with "
            "managedDisk.id) or Empty (with diskSizeGB).",
        )

    def _unmanaged_data_disk(
        self,
        scope: DiskScope,
        item: dict[str, Any],
        path: str,
        option: str | None,
        prev: dict[str, Any] | None,
    ) -> dict[str, Any]:
        subscription, vm_id, plan = scope.subscription, scope.vm_id, scope.plan
        if item.get("managedDisk") is not None:
            raise b.invalid(
                f"{path}.managedDisk", "A VM with an unmanaged (vhd) OS disk cannot use managed data disks."
            )
        name = b.text(item, "name", f"{path}.name", required=True)
        vhd = b.obj(item, "vhd", f"{path}.vhd", required=True) or {}
        uri = b.text(vhd, "uri", f"{path}.vhd.uri", required=True) or ""
        caching = caching_of(item, path, "None")
        if prev is not None and prev["vhd"]["uri"].lower() == uri.lower():
            entry = copy.deepcopy(prev)
            entry["caching"] = caching
            self._resize_in_place(entry, item, path, plan, scope.deallocated)
            return entry
        account = storage.check_vhd_uri(self.store, subscription, uri, f"{path}.vhd.uri")
        blob = storage.find_blob(self.store, subscription, uri)
        if option == "Attach":
            if blob is None:
                raise ArmError(
                    404, "BlobNotFound", f"The VHD blob '{uri}' does not exist; attach an existing VHD."
                )
            check_blob_free(blob, vm_id, uri)
            size_gb = int(blob["sizeGB"])
        elif option == "Empty":
            if blob is not None and not same_id(blob.get("attachedTo"), vm_id):
                raise conflict(
                    f"Blob {uri} already exists. Please provide a different blob URI to create a new "
                    "blank data "
                    f"disk '{name}', or attach it with createOption Attach.",
                    code="VHDBlobAlreadyExists",
                )
            size_gb = check_size(
                b.integer(item, "diskSizeGB", f"{path}.diskSizeGB", required=True), f"{path}.diskSizeGB"
            )
        else:
            raise b.invalid(
                f"{path}.createOption",
                f"The value '{option}' of parameter 'dataDisk.createOption' is not allowed here; use "
                "Empty (with "
                "diskSizeGB) or Attach.",
            )
        plan.claim_vhds.append((account, uri, size_gb))
        return {
            "lun": item["lun"],
            "name": name,
            "createOption": option,
            "vhd": {"uri": uri},
            "caching": caching,
            "diskSizeGB": size_gb,
        }


def _check_unique(
    lun: int, entry: dict[str, Any], key: str, luns: dict[int, str], keys: dict[str, int], unmanaged: bool
) -> None:
    """Each data disk has its own LUN, and each disk or VHD is attached once."""
    if lun in luns:
        raise b.invalid(
            "storageProfile.dataDisks",
            f"Data disks '{luns[lun]}' and '{entry['name']}' both use LUN {lun}; each data "
            "disk needs its own "
            "LUN (0-63).",
        )
    if key in keys:
        what = f"VHD '{entry['vhd']['uri']}'" if unmanaged else f"disk '{entry['name']}'"
        raise b.invalid(
            "storageProfile.dataDisks",
            f"The data disks at LUN {keys[key]} and LUN {lun} both use {what}; attach it once.",
        )


def _plan_releases(previous: list[dict[str, Any]], keys: dict[str, int], scope: DiskScope) -> None:
    """The disks and VHDs the VM had that the new list leaves out are released when it completes."""
    for prev in previous:
        if scope.unmanaged:
            if prev["vhd"]["uri"].lower() not in keys:
                scope.plan.release_vhds.append(prev["vhd"]["uri"])
        elif (prev["managedDisk"].get("id") or "").lower() not in keys and prev["managedDisk"].get("id"):
            scope.plan.release.append(prev["managedDisk"]["id"])
