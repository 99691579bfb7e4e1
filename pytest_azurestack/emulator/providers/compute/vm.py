"""Virtual machines: create, update, power actions and delete.

State changes that Azure makes during an operation (disks created, attached, released, resized,
the final power state) run in the returned ``Change``'s ``complete`` when the operation ends."""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError, resource_not_found
from pytest_azurestack.emulator.arm.ids import parse_resource_id, same_id
from pytest_azurestack.emulator.arm.lro import Change
from pytest_azurestack.emulator.arm.validation import resolve_location
from pytest_azurestack.emulator.providers import storage
from pytest_azurestack.emulator.providers.compute import body as b
from pytest_azurestack.emulator.providers.compute import usages
from pytest_azurestack.emulator.providers.compute.base import UNMANAGED_ONLY_VERSIONS, VM_TYPE, now
from pytest_azurestack.emulator.providers.compute.data_disks import DataDisks, DiskScope
from pytest_azurestack.emulator.providers.compute.disks import create_option
from pytest_azurestack.emulator.providers.compute.errors import conflict, not_allowed_change
from pytest_azurestack.emulator.providers.compute.images import ImageSpec
from pytest_azurestack.emulator.providers.compute.names import check_vm_name
from pytest_azurestack.emulator.providers.compute.network_profile import NetworkProfiles
from pytest_azurestack.emulator.providers.compute.osprofile import validate_os_profile
from pytest_azurestack.emulator.providers.compute.sizes import AZURE_STACK_SIZES, VmSize, find_size
from pytest_azurestack.emulator.providers.compute.storage_profile import DiskPlan

IDENTITY_SINCE = "2017-03-30"  # the first Compute api-version with VM identities


def _disk_key(entry: dict[str, Any]) -> str:
    """What a data disk entry uses: its managed disk id, VHD URI or (not yet created) name."""
    managed = (entry.get("managedDisk") or {}).get("id")
    return str(managed or (entry.get("vhd") or {}).get("uri") or f"new:{entry['name']}").lower()


POWER_ACTIONS = {
    # action: (state while in progress, final state)
    "start": ("starting", "running"),
    "powerOff": ("stopping", "stopped"),
    "restart": ("starting", "running"),
    "deallocate": ("deallocating", "deallocated"),
}


@dataclass(frozen=True)
class _OsSource:
    """A new VM's OS: its type, and the image and OS profile when it is built from an image."""

    os_type: str
    image: ImageSpec | None = None
    image_ref: dict[str, Any] | None = None
    os_profile: dict[str, Any] | None = None


class VirtualMachines(DataDisks, NetworkProfiles):
    def put_vm(
        self,
        subscription: str,
        group: str,
        name: str,
        body: dict[str, Any],
        api_version: str,
        patch: bool = False,
    ) -> Change:
        vm_id = self.vm_id(subscription, group, name)
        existing = self.store.get(vm_id)
        check_vm_name(name)
        if existing is not None:
            self._check_idle(existing)
        elif patch:
            raise resource_not_found(VM_TYPE, name, group)
        tags = b.tags(body)
        location = resolve_location(b.text(body, "location", "location"), existing, self.location, VM_TYPE)
        props = b.obj(body, "properties", "properties") or {}
        plan = DiskPlan()
        identity = self._identity(body, existing, api_version)
        self._check_quota(subscription, vm_id, existing, props)
        if existing is None:
            vm = self._new_vm(subscription, group, name, vm_id, location, props, api_version, plan)
            vm["tags"] = tags or {}
            created = True
        else:
            vm = existing
            old_disks = vm["properties"]["storageProfile"]["dataDisks"]
            new_props = self._updated_props(subscription, vm, props, api_version, plan)
            # A data disk left out (or sent with toBeDetached) still shows, toBeDetached, until
            # the update finishes.
            kept = {_disk_key(d) for d in new_props["storageProfile"]["dataDisks"]}
            vm["_compute"]["detaching"] = [copy.deepcopy(d) for d in old_disks if _disk_key(d) not in kept]
            vm["properties"] = new_props
            if tags is not None:
                vm["tags"] = tags
            created = False
        if identity is not None:  # left out (or null): kept, as any property a PUT leaves out
            vm["identity"] = identity
        if isinstance(vm.get("identity"), dict) and vm["identity"].get("type") == "None":
            vm.pop("identity")
        vm["properties"]["provisioningState"] = "Creating" if created else "Updating"
        state = vm["_compute"]
        state["busy"] = "create" if created else "update"
        self.store.put(vm_id, vm)
        for account, uri, size in plan.claim_vhds:
            storage.claim_blob(self.store, account, uri, size, vm_id)

        def complete() -> None:
            current = self.store.get(vm_id)
            if current is None:
                return
            self._apply_plan(current, plan)
            current["properties"]["provisioningState"] = "Succeeded"
            current["_compute"].update(busy=None, statusTime=now(), detaching=[])
            if created:
                current["_compute"]["power"] = "running"
                if self.os_provisioning_seconds > 0:
                    current["_compute"]["osProvisioningUntil"] = time.time() + self.os_provisioning_seconds

        return Change(vm, created, "create" if created else "update", complete, self._failer(vm_id))

    def _identity(
        self, body: dict[str, Any], existing: dict[str, Any] | None, api_version: str
    ) -> dict[str, Any] | None:
        """The VM's identity after this write: a system-assigned one gets its principal (kept
        across updates); ``None`` removes it; user-assigned identities are refused."""
        given = b.obj(body, "identity", "identity")
        if given is None:
            return None
        if api_version < IDENTITY_SINCE:
            raise b.invalid(
                "identity",
                f"Managed identities are not available at api-version {api_version}; use "
                f"{IDENTITY_SINCE} or later.",
            )
        kind = b.text(given, "type", "identity.type", required=True) or ""
        if kind.lower() == "none":
            return {"type": "None"}
        if kind.lower() != "systemassigned":
            raise b.invalid(
                "identity.type",
                f"Identity type '{kind}' is not served by this Azure Stack emulator; use SystemAssigned "
                "or None (user-assigned identities need Microsoft.ManagedIdentity, which it does not serve).",
            )
        before = (existing or {}).get("identity") or {}
        return {
            "type": "SystemAssigned",
            "principalId": before.get("principalId") or str(uuid.uuid4()),
            "tenantId": self.tenant_id,
        }

    def _check_quota(
        self, subscription: str, vm_id: str, existing: dict[str, Any] | None, props: dict[str, Any]
    ) -> None:
        """A new VM, or a running one resized, must fit the location's compute quota."""
        hardware = b.obj(props, "hardwareProfile", "hardwareProfile", required=existing is None) or {}
        if existing is not None and (
            hardware.get("vmSize") is None or existing["_compute"].get("power") == "deallocated"
        ):
            return  # no resize, or a resize of a VM that holds no hardware
        usages.check_room(self.store, subscription, self.location, self.quotas, vm_id, self._size(hardware))

    def _failer(self, vm_id: str, restore_power: str | None = None) -> Callable[[str], None]:
        def on_failure(status: str) -> None:
            current = self.store.get(vm_id)
            if current is None:
                return
            current["properties"]["provisioningState"] = status
            current["_compute"].update(busy=None, statusTime=now(), failed=status, detaching=[])
            if restore_power is not None:
                current["_compute"]["power"] = restore_power

        return on_failure

    def _check_idle(self, vm: dict[str, Any]) -> None:
        busy = vm["_compute"].get("busy")
        if busy:
            raise conflict(
                f"Operation cannot be performed on VM '{vm['name']}' while the '{busy}' operation is "
                "in progress; "
                "wait for it to finish (poll its Azure-AsyncOperation URL).",
                code="Conflict",
            )

    def _new_vm(
        self,
        subscription: str,
        group: str,
        name: str,
        vm_id: str,
        location: str,
        props: dict[str, Any],
        api_version: str,
        plan: DiskPlan,
    ) -> dict[str, Any]:
        size = self._size(b.obj(props, "hardwareProfile", "hardwareProfile", required=True) or {})
        storage = b.obj(props, "storageProfile", "storageProfile", required=True) or {}
        os_in = b.obj(storage, "osDisk", "storageProfile.osDisk") or {}
        unmanaged = api_version in UNMANAGED_ONLY_VERSIONS or os_in.get("vhd") is not None
        if unmanaged and api_version in UNMANAGED_ONLY_VERSIONS:
            # Before managed disks the OS disk had to name its VHD.
            b.obj(os_in, "vhd", "storageProfile.osDisk.vhd", required=True)
            b.text(os_in, "name", "storageProfile.osDisk.name", required=True)
        option = create_option(os_in, "storageProfile.osDisk.createOption", default="FromImage")
        source = self._os_source(props, storage, os_in, option)
        nics = self._nics(props, vm_id, required=True)
        scope = DiskScope(subscription, group, name, vm_id, size, unmanaged, plan, deallocated=True)
        properties: dict[str, Any] = {
            "vmId": str(uuid.uuid4()),
            "hardwareProfile": {"vmSize": size.name},
            "storageProfile": self._new_storage_profile(scope, storage, os_in, option, source),
        }
        if source.os_profile is not None:
            properties["osProfile"] = source.os_profile
        properties["networkProfile"] = {"networkInterfaces": nics}
        diagnostics = b.obj(props, "diagnosticsProfile", "diagnosticsProfile")
        if diagnostics is not None:
            properties["diagnosticsProfile"] = diagnostics
        properties["provisioningState"] = "Creating"
        properties["priority"] = "Regular"
        self._claim_nics(nics, vm_id)
        return {
            "name": name,
            "id": vm_id,
            "type": VM_TYPE,
            "location": location,
            "tags": {},
            "properties": properties,
            "_compute": {
                "power": None,
                "busy": None,
                "statusTime": now(),
                "osType": source.os_type,
                "osName": source.image.os_name if source.image else "",
                "osVersion": source.image.os_version if source.image else "",
                "unmanaged": unmanaged,
            },
        }

    def _new_storage_profile(
        self, scope: DiskScope, storage: dict[str, Any], os_in: dict[str, Any], option: str, source: _OsSource
    ) -> dict[str, Any]:
        """A new VM's storageProfile: image reference, OS disk, data disks (to create in ``scope.plan``)."""
        if scope.unmanaged:
            os_disk = self._unmanaged_os_disk(
                scope.subscription, scope.vm_id, os_in, option, source.image, source.os_type, scope.plan
            )
        else:
            os_disk = self._managed_os_disk(
                scope.subscription,
                scope.group,
                scope.vm_name,
                scope.vm_id,
                os_in,
                option,
                source.image,
                source.os_type,
                scope.size,
                scope.plan,
            )
        data_disks = self._data_disks(scope, storage, [])
        storage_out: dict[str, Any] = {}
        if source.image_ref is not None:
            storage_out["imageReference"] = source.image_ref
        storage_out["osDisk"] = os_disk
        storage_out["dataDisks"] = data_disks
        return storage_out

    def _os_source(
        self, props: dict[str, Any], storage: dict[str, Any], os_in: dict[str, Any], option: str
    ) -> _OsSource:
        """Where a new VM's OS comes from: a platform image (with an OS profile) or an attached disk."""
        if option == "FromImage":
            image, image_ref = self._image(storage)
            raw_profile = b.obj(props, "osProfile", "osProfile", required=True) or {}
            return _OsSource(image.os_type, image, image_ref, validate_os_profile(raw_profile, image.os_type))
        if option == "Attach":
            if props.get("osProfile") is not None:
                raise b.invalid(
                    "osProfile", "Parameter 'osProfile' is not allowed when the OS disk is attached."
                )
            return _OsSource(b.text(os_in, "osType", "storageProfile.osDisk.osType") or "")
        raise b.invalid(
            "storageProfile.osDisk.createOption",
            f"The value '{option}' of parameter 'osDisk.createOption' is not allowed; use "
            "FromImage or Attach.",
        )

    def _size(self, hardware: dict[str, Any]) -> VmSize:
        name = b.text(hardware, "vmSize", "hardwareProfile.vmSize", required=True) or ""
        size = find_size(name)
        if size is None:
            valid = ",".join(s.name for s in AZURE_STACK_SIZES)
            raise b.invalid(
                "hardwareProfile.vmSize",
                f"The value {name} provided for the VM size is not valid. The valid sizes in the "
                "current region "
                f"are: {valid}.",
            )
        return size

    def _image(self, storage: dict[str, Any]) -> tuple[ImageSpec, dict[str, Any]]:
        ref = b.obj(storage, "imageReference", "storageProfile.imageReference", required=True) or {}
        if ref.get("id") and not ref.get("publisher"):
            raise b.invalid(
                "imageReference.id",
                "Custom and gallery images (imageReference.id) are not served by this Azure Stack "
                "emulator; use a "
                "marketplace image by publisher, offer, sku and version.",
            )
        fields = {}
        for key in ("publisher", "offer", "sku", "version"):
            fields[key] = (
                b.text(ref, key, f"storageProfile.imageReference.{key}", required=key != "version") or ""
            )
        fields["version"] = fields["version"] or "latest"
        image = self.catalog.resolve(fields["publisher"], fields["offer"], fields["sku"], fields["version"])
        if image is None:
            urn = ":".join(fields[k] for k in ("publisher", "offer", "sku", "version"))
            raise ArmError(
                404,
                "PlatformImageNotFound",
                f"The platform image '{urn}' is not available. Verify that all fields in the storage "
                "profile are "
                "correct. List the images this stamp offers with GET "
                f".../locations/{self.location}/publishers.",
                target="imageReference",
            )
        out = dict(fields)
        out["exactVersion"] = image.version
        return image, out

    def _updated_props(
        self, subscription: str, vm: dict[str, Any], props: dict[str, Any], api_version: str, plan: DiskPlan
    ) -> dict[str, Any]:
        """A full PUT or a PATCH: what the body names changes, everything else is kept."""
        state = vm["_compute"]
        vm_id, group = vm["id"], parse_resource_id(vm["id"]).resource_group or ""
        new = copy.deepcopy(vm["properties"])
        deallocated = state.get("power") == "deallocated"
        hardware = b.obj(props, "hardwareProfile", "hardwareProfile")
        size = find_size(new["hardwareProfile"]["vmSize"]) or AZURE_STACK_SIZES[0]
        if hardware is not None and hardware.get("vmSize") is not None:
            size = self._size(hardware)
            new["hardwareProfile"]["vmSize"] = size.name
        storage = b.obj(props, "storageProfile", "storageProfile")
        if storage is not None:
            sp = new["storageProfile"]
            ref = b.obj(storage, "imageReference", "storageProfile.imageReference")
            if ref is not None and "imageReference" in sp:
                for key in ("publisher", "offer", "sku", "version"):
                    if (
                        ref.get(key) is not None
                        and str(ref[key]).lower() != str(sp["imageReference"][key]).lower()
                    ):
                        raise not_allowed_change(f"imageReference.{key}")
            os_in = b.obj(storage, "osDisk", "storageProfile.osDisk")
            if os_in is not None:
                self._update_os_disk(sp["osDisk"], os_in, plan, deallocated)
            if storage.get("dataDisks") is not None:
                unmanaged = bool(state.get("unmanaged"))
                scope = DiskScope(subscription, group, vm["name"], vm_id, size, unmanaged, plan, deallocated)
                sp["dataDisks"] = self._data_disks(scope, storage, sp["dataDisks"])
        os_profile = b.obj(props, "osProfile", "osProfile")
        if os_profile is not None and "osProfile" in new:
            for key in ("computerName", "adminUsername"):
                if os_profile.get(key) is not None and os_profile[key] != new["osProfile"].get(key):
                    raise not_allowed_change(f"osProfile.{key}")
            if os_profile.get("adminPassword") is not None:
                raise not_allowed_change("osProfile.adminPassword")
        if props.get("networkProfile") is not None:
            nics = self._nics(props, vm_id, required=True)
            old = [n["id"] for n in new["networkProfile"]["networkInterfaces"]]
            self._release_nics([i for i in old if not any(same_id(i, n["id"]) for n in nics)], vm_id)
            self._claim_nics(nics, vm_id)
            new["networkProfile"] = {"networkInterfaces": nics}
        diagnostics = b.obj(props, "diagnosticsProfile", "diagnosticsProfile")
        if diagnostics is not None:
            new["diagnosticsProfile"] = diagnostics
        return new

    def power(self, vm_id: str, action: str) -> Change:
        vm = self.get(vm_id, VM_TYPE)
        self._check_idle(vm)
        state = vm["_compute"]
        before = state.get("power")
        if action == "restart" and before != "running":
            raise conflict(
                f"Operation 'restart' is not allowed on VM '{vm['name']}' since the VM is "
                f"{before or 'not running'}; "
                "start it instead."
            )
        during, final = POWER_ACTIONS[action]
        if action == "start" and before == "deallocated":
            size = find_size(vm["properties"]["hardwareProfile"]["vmSize"]) or AZURE_STACK_SIZES[0]
            subscription = parse_resource_id(vm_id).subscription
            usages.check_room(self.store, subscription, self.location, self.quotas, vm_id, size)
        if action == "powerOff" and before == "deallocated":
            during = final = "deallocated"  # nothing is running: stays deallocated
        state.update(power=during, busy=action, statusTime=now())
        vm["properties"]["provisioningState"] = "Updating"

        def complete() -> None:
            current = self.store.get(vm_id)
            if current is None:
                return
            current["_compute"].update(power=final, busy=None, statusTime=now())
            current["properties"]["provisioningState"] = "Succeeded"

        return Change(vm, False, action, complete, self._failer(vm_id, restore_power=before))

    def delete_vm(self, vm_id: str) -> Change | None:
        vm = self.store.get(vm_id)
        if vm is None or str(vm.get("type", "")).lower() != VM_TYPE.lower():
            return None
        vm["properties"]["provisioningState"] = "Deleting"
        vm["_compute"].update(busy="delete", statusTime=now())

        def complete() -> None:
            current = self.store.delete(vm_id)
            if current is None:
                return
            props = current["properties"]
            self._release_nics([n["id"] for n in props["networkProfile"]["networkInterfaces"]], vm_id)
            sp = props["storageProfile"]
            for entry in [sp["osDisk"], *sp["dataDisks"]]:
                disk_id = (entry.get("managedDisk") or {}).get("id")
                disk = self.store.get(disk_id) if disk_id else None
                if disk is not None and same_id(disk.get("managedBy"), vm_id):
                    disk.pop("managedBy", None)
                if entry.get("vhd"):
                    storage.release_blob(self.store, entry["vhd"]["uri"])

        return Change(vm, False, "delete", complete, self._failer(vm_id))
