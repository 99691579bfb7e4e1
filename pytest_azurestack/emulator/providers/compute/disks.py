"""Managed disks: created empty, from a platform image or as a copy; resized, re-SKUed, deleted."""

from __future__ import annotations

import uuid
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError, resource_not_found
from pytest_azurestack.emulator.arm.ids import same_id
from pytest_azurestack.emulator.arm.lro import Change
from pytest_azurestack.emulator.arm.validation import resolve_location
from pytest_azurestack.emulator.providers.compute import body as b
from pytest_azurestack.emulator.providers.compute.base import (
    DISK_TYPE,
    MAX_DISK_GB,
    STORAGE_TYPES,
    ComputeBase,
    now,
)
from pytest_azurestack.emulator.providers.compute.errors import (
    conflict,
    not_allowed_change,
    resize_while_running,
    shrink_error,
)
from pytest_azurestack.emulator.providers.compute.images import ImageSpec
from pytest_azurestack.emulator.providers.compute.names import check_disk_name


class Disks(ComputeBase):
    def _new_disk_resource(
        self,
        subscription: str,
        group: str,
        name: str,
        location: str,
        size_gb: int,
        sku: str,
        os_type: str | None = None,
        image: ImageSpec | None = None,
        creation: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        props: dict[str, Any] = {}
        if os_type:
            props["osType"] = os_type
            props["hyperVGeneration"] = "V1"
        if creation is None:
            creation = {"createOption": "Empty"}
            if image is not None:
                creation = {
                    "createOption": "FromImage",
                    "imageReference": {"id": image_id(subscription, location, image)},
                }
        props["creationData"] = creation
        props["diskSizeGB"] = size_gb
        props["diskIOPSReadWrite"] = 500 if sku == "Standard_LRS" else 120
        props["diskMBpsReadWrite"] = 60 if sku == "Standard_LRS" else 25
        props["encryption"] = {"type": "EncryptionAtRestWithPlatformKey"}
        props["timeCreated"] = now()
        props["provisioningState"] = "Succeeded"
        props["diskSizeBytes"] = size_gb * 1024**3
        props["uniqueId"] = str(uuid.uuid4())
        return {
            "name": name,
            "id": self.disk_id(subscription, group, name),
            "type": DISK_TYPE,
            "location": location,
            "tags": {},
            "sku": {"name": sku, "tier": sku.split("_")[0]},
            "properties": props,
        }

    def put_disk(
        self, subscription: str, group: str, name: str, body: dict[str, Any], patch: bool = False
    ) -> Change:
        disk_id = self.disk_id(subscription, group, name)
        existing = self.store.get(disk_id)
        check_disk_name(name)
        if existing is None and patch:
            raise resource_not_found(DISK_TYPE, name, group)
        tags = b.tags(body)
        location = resolve_location(b.text(body, "location", "location"), existing, self.location, DISK_TYPE)
        props = b.obj(body, "properties", "properties") or {}
        sku_in = b.obj(body, "sku", "sku")
        sku = _disk_sku(sku_in)
        if existing is None:
            disk = self._disk_from_body(subscription, group, name, location, props, sku or "Standard_LRS")
            disk["tags"] = tags or {}
            disk["properties"]["provisioningState"] = "Updating"
            self.store.put(disk_id, disk)
            created = True
            pending_size: int | None = None
        else:
            disk = existing
            pending_size = self._disk_update(disk, props, sku)
            if tags is not None:
                disk["tags"] = tags
            disk["properties"]["provisioningState"] = "Updating"
            created = False

        def complete() -> None:
            current = self.store.get(disk_id)
            if current is None:
                return
            if pending_size is not None:
                set_disk_size(current, pending_size)
                owner = self.store.get(current.get("managedBy") or "")
                if owner is not None:
                    sp = owner["properties"]["storageProfile"]
                    for entry in [sp["osDisk"], *sp["dataDisks"]]:
                        if same_id((entry.get("managedDisk") or {}).get("id"), disk_id):
                            entry["diskSizeGB"] = pending_size
            current["properties"]["provisioningState"] = "Succeeded"

        def on_failure(status: str) -> None:
            current = self.store.get(disk_id)
            if current is not None:
                current["properties"]["provisioningState"] = status

        return Change(disk, created, "create" if created else "update", complete, on_failure)

    def _disk_from_body(
        self, subscription: str, group: str, name: str, location: str, props: dict[str, Any], sku: str
    ) -> dict[str, Any]:
        creation = b.obj(props, "creationData", "properties.creationData", required=True) or {}
        option = create_option(creation, "properties.creationData.createOption", default=None)
        os_type = b.text(props, "osType", "properties.osType")
        if os_type is not None and os_type not in ("Linux", "Windows"):
            raise b.invalid(
                "properties.osType", f"The value '{os_type}' of osType is invalid; use Linux or Windows."
            )
        size_gb = b.integer(props, "diskSizeGB", "properties.diskSizeGB")
        if option == "Empty":
            if size_gb is None:
                raise b.missing("diskSizeGB")
            return self._new_disk_resource(
                subscription,
                group,
                name,
                location,
                check_size(size_gb, "properties.diskSizeGB"),
                sku,
                os_type,
            )
        if option == "FromImage":
            ref = (
                b.obj(creation, "imageReference", "properties.creationData.imageReference", required=True)
                or {}
            )
            image = self._image_from_id(
                b.text(ref, "id", "properties.creationData.imageReference.id", required=True) or ""
            )
            size_gb = max(size_gb or 0, image.size_gb)
            return self._new_disk_resource(
                subscription,
                group,
                name,
                location,
                check_max(size_gb, "properties.diskSizeGB"),
                sku,
                image.os_type,
                image,
            )
        if option == "Copy":
            source_id = b.text(
                creation, "sourceResourceId", "properties.creationData.sourceResourceId", required=True
            )
            source = self.store.get(source_id or "")
            if source is None or str(source.get("type", "")).lower() != DISK_TYPE.lower():
                raise ArmError(404, "NotFound", f"Source disk {source_id} was not found.")
            size_gb = max(size_gb or 0, int(source["properties"]["diskSizeGB"]))
            return self._new_disk_resource(
                subscription,
                group,
                name,
                location,
                size_gb,
                sku,
                os_type or source["properties"].get("osType"),
                creation={
                    "createOption": "Copy",
                    "sourceResourceId": source["id"],
                    "sourceUniqueId": source["properties"]["uniqueId"],
                },
            )
        raise b.invalid(
            "properties.creationData.createOption",
            f"createOption '{option}' is not served by this Azure Stack emulator; use Empty, "
            "FromImage or Copy.",
        )

    def _image_from_id(self, image_ref_id: str) -> ImageSpec:
        parts = [p for p in image_ref_id.split("/") if p]
        lowered = [p.lower() for p in parts]
        try:
            fields = [parts[lowered.index(k) + 1] for k in ("publishers", "offers", "skus", "versions")]
        except (ValueError, IndexError):
            raise b.invalid(
                "properties.creationData.imageReference.id",
                f"'{image_ref_id}' is not a platform image id "
                "(.../Publishers/p/ArtifactTypes/VMImage/Offers/o/Skus/s/"
                "Versions/v).",
            ) from None
        image = self.catalog.resolve(*fields)
        if image is None:
            raise ArmError(
                404, "PlatformImageNotFound", f"The platform image '{':'.join(fields)}' is not available."
            )
        return image

    def _disk_update(self, disk: dict[str, Any], props: dict[str, Any], sku: str | None) -> int | None:
        """Validate an update of an existing disk; return the new size to apply on completion."""
        creation = b.obj(props, "creationData", "properties.creationData")
        if creation is not None and creation.get("createOption") is not None:
            wanted = str(creation["createOption"]).lower()
            if wanted != str(disk["properties"]["creationData"]["createOption"]).lower():
                raise not_allowed_change("creationData.createOption")
        size_gb = b.integer(props, "diskSizeGB", "properties.diskSizeGB")
        current = int(disk["properties"]["diskSizeGB"])
        changing_size = size_gb is not None and size_gb != current
        changing_sku = sku is not None and sku != disk["sku"]["name"]
        if size_gb is not None and size_gb < current:
            raise shrink_error(disk["name"], current, size_gb)
        if changing_size or changing_sku:
            vm = self.vm_of_disk(disk)
            if vm is not None and vm["_compute"].get("power") != "deallocated":
                if changing_size:
                    raise resize_while_running(disk["name"], vm["id"])
                raise conflict(
                    f"Cannot change the SKU of disk '{disk['name']}' while it is attached to running "
                    f"VM {vm['id']}; "
                    "deallocate the VM first."
                )
        if changing_sku and sku is not None:
            disk["sku"] = {"name": sku, "tier": sku.split("_")[0]}
        os_type = b.text(props, "osType", "properties.osType")
        if os_type is not None and os_type in ("Linux", "Windows"):
            disk["properties"]["osType"] = os_type
        return check_max(size_gb, "properties.diskSizeGB") if changing_size and size_gb is not None else None

    def delete_disk(self, disk_id: str) -> Change | None:
        disk = self.store.get(disk_id)
        if disk is None or str(disk.get("type", "")).lower() != DISK_TYPE.lower():
            return None
        if disk.get("managedBy"):
            raise conflict(
                f"Disk {disk['name']} is attached to VM {disk['managedBy']}; detach it (PUT the VM "
                "without it) or "
                "delete the VM first."
            )
        disk["properties"]["provisioningState"] = "Deleting"

        def complete() -> None:
            self.store.delete(disk_id)

        def on_failure(status: str) -> None:
            current = self.store.get(disk_id)
            if current is not None:
                current["properties"]["provisioningState"] = status

        return Change(disk, False, "delete", complete, on_failure)


def image_id(subscription: str, location: str, image: ImageSpec) -> str:
    """The platform image id ARM puts in a disk's creationData (capitalised the way ARM does)."""
    return (
        f"/Subscriptions/{subscription}/Providers/Microsoft.Compute/Locations/{location}/Publishers/"
        f"{image.publisher}/ArtifactTypes/VMImage/Offers/{image.offer}/Skus/{image.sku}/Versions/{image.version}"
    )


def set_disk_size(disk: dict[str, Any], size_gb: int) -> None:
    disk["properties"]["diskSizeGB"] = size_gb
    disk["properties"]["diskSizeBytes"] = size_gb * 1024**3


def check_max(size_gb: int | None, target: str) -> int:
    assert size_gb is not None
    if size_gb > MAX_DISK_GB:
        raise b.invalid(
            target,
            f"The disk size {size_gb} GB is larger than this stamp allows; use at most {MAX_DISK_GB} GB.",
        )
    return size_gb


def check_size(size_gb: int | None, target: str) -> int:
    if size_gb is None:
        raise b.missing(target)
    if size_gb < 1:
        raise b.invalid(target, f"The disk size {size_gb} GB is invalid; use 1 to {MAX_DISK_GB} GB.")
    return check_max(size_gb, target)


_OPTIONS = ("FromImage", "Empty", "Attach", "Copy", "Import", "Restore", "Upload")


def create_option(parent: dict[str, Any], path: str, default: str | None) -> str:
    raw = b.text(parent, "createOption", path, required=default is None)
    if raw is None:
        assert default is not None
        return default
    match = next((o for o in _OPTIONS if o.lower() == raw.lower()), None)
    if match is None:
        raise b.invalid(
            path, f"The value '{raw}' of parameter 'createOption' is invalid; use FromImage, Empty or Attach."
        )
    return match


def _disk_sku(sku: dict[str, Any] | None) -> str | None:
    if sku is None:
        return None
    name = b.text(sku, "name", "sku.name")
    if name is None:
        return None
    match = next((t for t in STORAGE_TYPES if t.lower() == name.lower()), None)
    if match is None:
        raise b.invalid(
            "sku.name", f"Disk SKU '{name}' is not supported on this stamp; use {' or '.join(STORAGE_TYPES)}."
        )
    return match
