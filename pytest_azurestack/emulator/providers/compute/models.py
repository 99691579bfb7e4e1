"""Compute state: virtual machines and managed disks in the Store, and how they change.

No HTTP here: handlers (responses.py) call these methods and turn the returned ``Change`` into an
LRO response. Values in the Store are the newest shape (what 2020-06-01/2019-07-01 return) plus a
private ``_compute`` dict (power state, pending work); shapes.py renders per api-version.
State changes that Azure makes during an operation (disks created, attached, released, resized,
the final power state) run in ``Change.complete`` when the LRO finishes.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError, resource_not_found
from pytest_azurestack.emulator.arm.ids import parse_resource_id, resource_id, same_id
from pytest_azurestack.emulator.arm.lro import Change
from pytest_azurestack.emulator.arm.store import Store
from pytest_azurestack.emulator.arm.validation import resolve_location
from pytest_azurestack.emulator.providers.compute import body as b
from pytest_azurestack.emulator.providers.compute import vhds
from pytest_azurestack.emulator.providers.compute.images import ImageCatalog, ImageSpec
from pytest_azurestack.emulator.providers.compute.osprofile import validate_os_profile
from pytest_azurestack.emulator.providers.compute.sizes import AZURE_STACK_SIZES, VmSize, find_size

NAMESPACE = "Microsoft.Compute"
VM_TYPE = "Microsoft.Compute/virtualMachines"
DISK_TYPE = "Microsoft.Compute/disks"
NIC_TYPE = "Microsoft.Network/networkInterfaces"
MAX_DISK_GB = 1023  # Azure Stack Hub's largest disk
STORAGE_TYPES = ("Standard_LRS", "Premium_LRS")
UNMANAGED_ONLY_VERSIONS = ("2016-03-30",)
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def _invalid_name(name: str, rule: str) -> ArmError:
    return ArmError(400, "InvalidResourceName", f"Resource name '{name}' is invalid: {rule}", target="name")


def check_vm_name(name: str) -> None:
    """ARM's rule for virtualMachines resource names (the Windows 15-character limit is the
    computerName's, checked with the OS profile): 1-64 letters, digits, ``_.-``, not starting with
    ``_``, not ending with ``.`` or ``-``."""
    if not (
        0 < len(name) <= 64 and set(name) <= _NAME_CHARS and not name.startswith("_") and name[-1] not in ".-"
    ):
        raise _invalid_name(
            name,
            "a virtual machine name is 1-64 letters, digits, underscores, periods or hyphens, "
            "does not start with an underscore and does not end with a period or hyphen.",
        )


def check_disk_name(name: str) -> None:
    """ARM's rule for disks: 1-80 letters, digits, ``_.-``; starts with a letter or digit, ends
    with a letter, digit or ``_``."""
    if not (0 < len(name) <= 80 and set(name) <= _NAME_CHARS and name[0].isalnum() and name[-1] not in ".-"):
        raise _invalid_name(
            name,
            "a disk name is 1-80 letters, digits, underscores, periods or hyphens, starts with a "
            "letter or digit and ends with a letter, digit or underscore.",
        )


POWER_ACTIONS = {
    # action: (state while in progress, final state)
    "start": ("starting", "running"),
    "powerOff": ("stopping", "stopped"),
    "restart": ("starting", "running"),
    "deallocate": ("deallocating", "deallocated"),
}


def now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def conflict(message: str, code: str = "OperationNotAllowed") -> ArmError:
    return ArmError(409, code, message)


def not_allowed_change(prop: str) -> ArmError:
    return ArmError(
        409, "PropertyChangeNotAllowed", f"Changing property '{prop}' is not allowed.", target=prop
    )


@dataclass
class _Plan:
    """Disk work a VM write does when its operation completes."""

    create: list[dict[str, Any]] = field(default_factory=list)  # new managed disks
    resize: list[tuple[str, int]] = field(default_factory=list)  # (disk id, size)
    release: list[str] = field(default_factory=list)  # managed disk ids to detach
    release_vhds: list[str] = field(default_factory=list)
    claim_vhds: list[tuple[dict[str, Any], str, int]] = field(default_factory=list)  # (account, uri, size)


class Compute:
    def __init__(self, store: Store, catalog: ImageCatalog, location: str) -> None:
        self.store = store
        self.catalog = catalog
        self.location = location

    # --- lookups -------------------------------------------------------------------------------
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

    # --- virtual machines: create and update ---------------------------------------------------
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
        plan = _Plan()
        if existing is None:
            vm = self._new_vm(subscription, group, name, vm_id, location, props, api_version, plan)
            vm["tags"] = tags or {}
            created = True
        else:
            vm = existing
            new_props = self._updated_props(subscription, vm, props, api_version, plan)
            vm["properties"] = new_props
            if tags is not None:
                vm["tags"] = tags
            created = False
        vm["properties"]["provisioningState"] = "Creating" if created else "Updating"
        state = vm["_compute"]
        state["busy"] = "create" if created else "update"
        self.store.put(vm_id, vm)
        for account, uri, size in plan.claim_vhds:
            vhds.register(self.store, account, uri, size, vm_id)

        def complete() -> None:
            current = self.store.get(vm_id)
            if current is None:
                return
            self._apply_plan(current, plan)
            current["properties"]["provisioningState"] = "Succeeded"
            current["_compute"].update(busy=None, statusTime=now())
            if created:
                current["_compute"]["power"] = "running"

        return Change(vm, created, "create" if created else "update", complete, self._failer(vm_id))

    def _failer(self, vm_id: str, restore_power: str | None = None) -> Callable[[str], None]:
        def on_failure(status: str) -> None:
            current = self.store.get(vm_id)
            if current is None:
                return
            current["properties"]["provisioningState"] = status
            current["_compute"].update(busy=None, statusTime=now(), failed=status)
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
        plan: _Plan,
    ) -> dict[str, Any]:
        size = self._size(b.obj(props, "hardwareProfile", "hardwareProfile", required=True) or {})
        storage = b.obj(props, "storageProfile", "storageProfile", required=True) or {}
        os_in = b.obj(storage, "osDisk", "storageProfile.osDisk") or {}
        unmanaged = api_version in UNMANAGED_ONLY_VERSIONS or os_in.get("vhd") is not None
        if unmanaged and api_version in UNMANAGED_ONLY_VERSIONS:
            # Before managed disks the OS disk had to name its VHD.
            b.obj(os_in, "vhd", "storageProfile.osDisk.vhd", required=True)
            b.text(os_in, "name", "storageProfile.osDisk.name", required=True)
        option = _create_option(os_in, "storageProfile.osDisk.createOption", default="FromImage")
        image: ImageSpec | None = None
        image_ref: dict[str, Any] | None = None
        os_profile: dict[str, Any] | None = None
        if option == "FromImage":
            image, image_ref = self._image(storage)
            os_type = image.os_type
            raw_profile = b.obj(props, "osProfile", "osProfile", required=True) or {}
            os_profile = validate_os_profile(raw_profile, os_type)
        elif option == "Attach":
            if props.get("osProfile") is not None:
                raise b.invalid(
                    "osProfile", "Parameter 'osProfile' is not allowed when the OS disk is attached."
                )
            os_type = b.text(os_in, "osType", "storageProfile.osDisk.osType") or ""
        else:
            raise b.invalid(
                "storageProfile.osDisk.createOption",
                f"The value '{option}' of parameter 'osDisk.createOption' is not allowed; use "
                "FromImage or Attach.",
            )
        nics = self._nics(props, vm_id, required=True)
        if unmanaged:
            os_disk = self._unmanaged_os_disk(subscription, vm_id, os_in, option, image, os_type, plan)
        else:
            os_disk = self._managed_os_disk(
                subscription, group, name, vm_id, os_in, option, image, os_type, size, plan
            )
        data_disks = self._data_disks(
            subscription, group, name, vm_id, storage, [], size, unmanaged, plan, deallocated=True
        )
        storage_out: dict[str, Any] = {}
        if image_ref is not None:
            storage_out["imageReference"] = image_ref
        storage_out["osDisk"] = os_disk
        storage_out["dataDisks"] = data_disks
        properties: dict[str, Any] = {
            "vmId": str(uuid.uuid4()),
            "hardwareProfile": {"vmSize": size.name},
            "storageProfile": storage_out,
        }
        if os_profile is not None:
            properties["osProfile"] = os_profile
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
                "osType": os_type,
                "osName": image.os_name if image else "",
                "osVersion": image.os_version if image else "",
                "unmanaged": unmanaged,
            },
        }

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

    def _nics(self, props: dict[str, Any], vm_id: str, required: bool) -> list[dict[str, Any]]:
        network = b.obj(props, "networkProfile", "networkProfile", required=required) or {}
        refs = b.objects(
            b.arr(network, "networkInterfaces", "networkProfile.networkInterfaces") or [], "nics"
        )
        if not refs:
            raise b.invalid(
                "networkProfile.networkInterfaces",
                "Virtual machine must have at least one network interface: give "
                "networkProfile.networkInterfaces.",
            )
        out: list[dict[str, Any]] = []
        primaries = 0
        for index, ref in enumerate(refs):
            path = f"networkProfile.networkInterfaces[{index}]"
            nic_id = b.text(ref, "id", f"{path}.id", required=True) or ""
            nic = self.store.get(nic_id)
            if nic is None or str(nic.get("type", "")).lower() != NIC_TYPE.lower():
                raise ArmError(404, "NotFound", f"Resource {nic_id} not found.", target=f"{path}.id")
            owner = ((nic.get("properties") or {}).get("virtualMachine") or {}).get("id")
            if owner and not same_id(owner, vm_id):
                raise ArmError(
                    400,
                    "NicInUse",
                    f"Network Interface {nic['id']} is used by existing resource {owner}. In order to "
                    "use this "
                    "network interface, first delete that VM or remove this network interface from it.",
                )
            nic_props = b.obj(ref, "properties", f"{path}.properties") or {}
            primary = b.boolean(nic_props, "primary", f"{path}.properties.primary")
            if primary is None:
                primary = b.boolean(ref, "primary", f"{path}.primary")  # flattened form some clients send
            entry: dict[str, Any] = {"id": nic["id"]}
            if primary is not None:
                entry["properties"] = {"primary": primary}
                primaries += bool(primary)
            out.append(entry)
        if len(out) > 1 and primaries != 1:
            raise b.invalid(
                "networkProfile.networkInterfaces",
                "Virtual machine with multiple network interfaces must have exactly one marked primary.",
            )
        return out

    def _claim_nics(self, nics: list[dict[str, Any]], vm_id: str) -> None:
        """Each NIC learns its VM and whether it is the VM's primary NIC (a NIC-level property the
        Network provider shows but only Compute sets)."""
        for ref in nics:
            nic = self.store.get(ref["id"])
            if nic is not None:
                marked = (ref.get("properties") or {}).get("primary")
                props = nic.setdefault("properties", {})
                props["virtualMachine"] = {"id": vm_id}
                props["primary"] = bool(marked) if marked is not None else len(nics) == 1

    def _release_nics(self, nic_ids: list[str], vm_id: str) -> None:
        for nic_id in nic_ids:
            nic = self.store.get(nic_id)
            if nic is None:
                continue
            props = nic.get("properties") or {}
            if same_id((props.get("virtualMachine") or {}).get("id"), vm_id):
                props.pop("virtualMachine", None)
                props.pop("primary", None)

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
        plan: _Plan,
    ) -> dict[str, Any]:
        path = "storageProfile.osDisk"
        managed = b.obj(os_in, "managedDisk", f"{path}.managedDisk") or {}
        caching = _caching(os_in, path, "ReadWrite")
        if option == "Attach":
            disk = self._attachable_disk(managed, path, vm_id)
            os_type = os_type or str(disk["properties"].get("osType") or "")
            if not os_type:
                raise b.missing(f"{path}.osType")
            disk["managedBy"] = vm_id
            return {
                "osType": os_type,
                "name": disk["name"],
                "createOption": "Attach",
                "caching": caching,
                "managedDisk": {"storageAccountType": disk["sku"]["name"], "id": disk["id"]},
                "diskSizeGB": disk["properties"]["diskSizeGB"],
            }
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
        size_gb = _check_max(size_gb or image.size_gb, f"{path}.diskSizeGB")
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
        plan: _Plan,
    ) -> dict[str, Any]:
        path = "storageProfile.osDisk"
        name = b.text(os_in, "name", f"{path}.name", required=True)
        vhd = b.obj(os_in, "vhd", f"{path}.vhd", required=True) or {}
        uri = b.text(vhd, "uri", f"{path}.vhd.uri", required=True) or ""
        account = vhds.check_uri(self.store, subscription, uri, f"{path}.vhd.uri")
        blob = vhds.lookup(self.store, subscription, uri)
        size_gb = b.integer(os_in, "diskSizeGB", f"{path}.diskSizeGB")
        if option == "Attach":
            if blob is None:
                raise ArmError(
                    404,
                    "BlobNotFound",
                    f"The VHD blob '{uri}' does not exist; create it first or use FromImage.",
                )
            _check_blob_free(blob, vm_id, uri)
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
        size_gb = _check_max(size_gb, f"{path}.diskSizeGB")
        plan.claim_vhds.append((account, uri, size_gb))
        return {
            "osType": os_type or b.text(os_in, "osType", f"{path}.osType") or "Linux",
            "name": name,
            "createOption": option,
            "vhd": {"uri": uri},
            "caching": _caching(os_in, path, "ReadWrite"),
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

    def _data_disks(
        self,
        subscription: str,
        group: str,
        vm_name: str,
        vm_id: str,
        storage: dict[str, Any],
        previous: list[dict[str, Any]],
        size: VmSize,
        unmanaged: bool,
        plan: _Plan,
        deallocated: bool,
    ) -> list[dict[str, Any]]:
        """The new dataDisks list; fills ``plan`` with the disks to create, attach and release."""
        items = b.objects(
            b.arr(storage, "dataDisks", "storageProfile.dataDisks") or [], "storageProfile.dataDisks"
        )
        result: list[dict[str, Any]] = []
        luns: dict[int, str] = {}
        keys: dict[str, int] = {}  # disk id or VHD URI -> the LUN that uses it
        for index, item in enumerate(items):
            path = f"storageProfile.dataDisks[{index}]"
            lun = b.integer(item, "lun", f"{path}.lun", required=True)
            assert lun is not None
            if not 0 <= lun <= 63:
                raise b.invalid(
                    f"{path}.lun", f"The value {lun} of parameter 'dataDisk.lun' is out of range: use 0-63."
                )
            if b.boolean(item, "toBeDetached", f"{path}.toBeDetached"):
                continue
            option = _create_option(item, f"{path}.createOption", default=None)
            prev = next((p for p in previous if p["lun"] == lun), None)
            if unmanaged:
                entry = self._unmanaged_data_disk(
                    subscription, vm_id, item, path, option, prev, plan, deallocated
                )
                key = entry["vhd"]["uri"].lower()
            else:
                entry = self._managed_data_disk(
                    subscription,
                    group,
                    vm_name,
                    vm_id,
                    item,
                    path,
                    option,
                    lun,
                    prev,
                    size,
                    plan,
                    deallocated,
                )
                key = (entry["managedDisk"].get("id") or f"new:{entry['name']}").lower()
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
            luns[lun] = entry["name"]
            keys[key] = lun
            result.append(entry)
        if len(result) > size.max_data_disks:
            raise conflict(
                f"The maximum number of data disks allowed to be attached to a VM of this size is "
                f"{size.max_data_disks}; detach some or resize the VM ({size.name})."
            )
        for prev in previous:
            if unmanaged:
                if prev["vhd"]["uri"].lower() not in keys:
                    plan.release_vhds.append(prev["vhd"]["uri"])
            elif (prev["managedDisk"].get("id") or "").lower() not in keys and prev["managedDisk"].get("id"):
                plan.release.append(prev["managedDisk"]["id"])
        return result

    def _managed_data_disk(
        self,
        subscription: str,
        group: str,
        vm_name: str,
        vm_id: str,
        item: dict[str, Any],
        path: str,
        option: str | None,
        lun: int,
        prev: dict[str, Any] | None,
        size: VmSize,
        plan: _Plan,
        deallocated: bool,
    ) -> dict[str, Any]:
        if item.get("vhd") is not None:
            raise b.invalid(
                f"{path}.vhd", "A VM with a managed OS disk cannot use unmanaged (vhd) data disks."
            )
        managed = b.obj(item, "managedDisk", f"{path}.managedDisk") or {}
        caching = _caching(item, path, "None")
        given_id = b.text(managed, "id", f"{path}.managedDisk.id")
        if given_id and prev is not None and same_id(prev["managedDisk"].get("id"), given_id):
            entry = copy.deepcopy(prev)  # the same disk round-tripped from a GET: keep it
            entry["caching"] = caching
            self._resize_in_place(entry, item, path, plan, deallocated)
            return entry
        if option == "Attach" or (given_id and option in ("Empty", None)):
            disk = self._attachable_disk(managed, path, vm_id)
            disk["managedBy"] = vm_id
            return {
                "lun": lun,
                "name": disk["name"],
                "createOption": "Attach",
                "caching": caching,
                "managedDisk": {"storageAccountType": disk["sku"]["name"], "id": disk["id"]},
                "diskSizeGB": disk["properties"]["diskSizeGB"],
            }
        if option == "Empty":
            size_gb = b.integer(item, "diskSizeGB", f"{path}.diskSizeGB", required=True)
            size_gb = _check_size(size_gb, f"{path}.diskSizeGB")
            name = b.text(item, "name", f"{path}.name") or f"{vm_name}_disk{lun + 1}_{uuid.uuid4().hex}"
            self._check_disk_name_free(subscription, group, name, f"{path}.name")
            storage_type = self._storage_type(managed, path, size)
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
        subscription: str,
        vm_id: str,
        item: dict[str, Any],
        path: str,
        option: str | None,
        prev: dict[str, Any] | None,
        plan: _Plan,
        deallocated: bool,
    ) -> dict[str, Any]:
        if item.get("managedDisk") is not None:
            raise b.invalid(
                f"{path}.managedDisk", "A VM with an unmanaged (vhd) OS disk cannot use managed data disks."
            )
        name = b.text(item, "name", f"{path}.name", required=True)
        vhd = b.obj(item, "vhd", f"{path}.vhd", required=True) or {}
        uri = b.text(vhd, "uri", f"{path}.vhd.uri", required=True) or ""
        caching = _caching(item, path, "None")
        if prev is not None and prev["vhd"]["uri"].lower() == uri.lower():
            entry = copy.deepcopy(prev)
            entry["caching"] = caching
            self._resize_in_place(entry, item, path, plan, deallocated)
            return entry
        account = vhds.check_uri(self.store, subscription, uri, f"{path}.vhd.uri")
        blob = vhds.lookup(self.store, subscription, uri)
        if option == "Attach":
            if blob is None:
                raise ArmError(
                    404, "BlobNotFound", f"The VHD blob '{uri}' does not exist; attach an existing VHD."
                )
            _check_blob_free(blob, vm_id, uri)
            size_gb = int(blob["sizeGB"])
        elif option == "Empty":
            if blob is not None and not same_id(blob.get("attachedTo"), vm_id):
                raise conflict(
                    f"Blob {uri} already exists. Please provide a different blob URI to create a new "
                    "blank data "
                    f"disk '{name}', or attach it with createOption Attach.",
                    code="VHDBlobAlreadyExists",
                )
            size_gb = _check_size(
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

    def _resize_in_place(
        self, entry: dict[str, Any], item: dict[str, Any], path: str, plan: _Plan, deallocated: bool
    ) -> None:
        """A bigger diskSizeGB on a disk the VM already has: Azure resizes it only while deallocated."""
        wanted = b.integer(item, "diskSizeGB", f"{path}.diskSizeGB")
        current = int(entry.get("diskSizeGB") or 0)
        if wanted is None or wanted == current:
            return
        if wanted < current:
            raise shrink_error(entry["name"], current, wanted)
        _check_max(wanted, f"{path}.diskSizeGB")
        if not deallocated:
            raise resize_while_running(entry["name"])
        entry["diskSizeGB"] = wanted
        if entry.get("managedDisk", {}).get("id"):
            plan.resize.append((entry["managedDisk"]["id"], wanted))
        # an unmanaged VHD's new size is recorded when the plan runs (_apply_plan)

    def _updated_props(
        self, subscription: str, vm: dict[str, Any], props: dict[str, Any], api_version: str, plan: _Plan
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
                sp["dataDisks"] = self._data_disks(
                    subscription,
                    group,
                    vm["name"],
                    vm_id,
                    storage,
                    sp["dataDisks"],
                    size,
                    bool(state.get("unmanaged")),
                    plan,
                    deallocated,
                )
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

    def _update_os_disk(
        self, current: dict[str, Any], os_in: dict[str, Any], plan: _Plan, deallocated: bool
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
        current["caching"] = _caching(os_in, path, current.get("caching", "ReadWrite"))
        self._resize_in_place(current, os_in, path, plan, deallocated)

    def _apply_plan(self, vm: dict[str, Any], plan: _Plan) -> None:
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
                _set_disk_size(resized, size_gb)
        for disk_id in plan.release:
            released = self.store.get(disk_id)
            if released is not None and same_id(released.get("managedBy"), vm_id):
                released.pop("managedBy", None)
        for uri in plan.release_vhds:
            vhds.set_attached(self.store, uri, None)
        for entry in [sp["osDisk"], *sp["dataDisks"]]:
            if entry.get("vhd"):
                vhds.set_attached(self.store, entry["vhd"]["uri"], vm_id, entry.get("diskSizeGB"))

    # --- virtual machines: power and delete ----------------------------------------------------
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
                    vhds.set_attached(self.store, entry["vhd"]["uri"], None)

        return Change(vm, False, "delete", complete, self._failer(vm_id))

    # --- managed disks -------------------------------------------------------------------------
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
                _set_disk_size(current, pending_size)
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
        option = _create_option(creation, "properties.creationData.createOption", default=None)
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
                _check_size(size_gb, "properties.diskSizeGB"),
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
                _check_max(size_gb, "properties.diskSizeGB"),
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
        return _check_max(size_gb, "properties.diskSizeGB") if changing_size and size_gb is not None else None

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


# --- helpers ---------------------------------------------------------------------------------------
def image_id(subscription: str, location: str, image: ImageSpec) -> str:
    """The platform image id ARM puts in a disk's creationData (capitalised the way ARM does)."""
    return (
        f"/Subscriptions/{subscription}/Providers/Microsoft.Compute/Locations/{location}/Publishers/"
        f"{image.publisher}/ArtifactTypes/VMImage/Offers/{image.offer}/Skus/{image.sku}/Versions/{image.version}"
    )


def shrink_error(name: str, current: int, wanted: int) -> ArmError:
    return ArmError(
        400,
        "BadRequest",
        f"Disk size reduction is not supported: disk '{name}' is {current} GB, the request asks for "
        f"{wanted} GB; "
        f"a disk can only grow, send a diskSizeGB of at least {current}.",
        target="diskSizeGB",
    )


def resize_while_running(name: str, vm_id: str | None = None) -> ArmError:
    where = f" VM {vm_id}" if vm_id else " its VM"
    return conflict(
        f"Cannot resize disk {name} while it is attached to running{where}. Resizing a disk of an "
        "Azure Virtual "
        "Machine requires the virtual machine to be deallocated: deallocate it first."
    )


def _set_disk_size(disk: dict[str, Any], size_gb: int) -> None:
    disk["properties"]["diskSizeGB"] = size_gb
    disk["properties"]["diskSizeBytes"] = size_gb * 1024**3


def _check_max(size_gb: int | None, target: str) -> int:
    assert size_gb is not None
    if size_gb > MAX_DISK_GB:
        raise b.invalid(
            target,
            f"The disk size {size_gb} GB is larger than this stamp allows; use at most {MAX_DISK_GB} GB.",
        )
    return size_gb


def _check_size(size_gb: int | None, target: str) -> int:
    if size_gb is None:
        raise b.missing(target)
    if size_gb < 1:
        raise b.invalid(target, f"The disk size {size_gb} GB is invalid; use 1 to {MAX_DISK_GB} GB.")
    return _check_max(size_gb, target)


_OPTIONS = ("FromImage", "Empty", "Attach", "Copy", "Import", "Restore", "Upload")


def _create_option(parent: dict[str, Any], path: str, default: str | None) -> str:
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


_CACHING = ("None", "ReadOnly", "ReadWrite")


def _caching(parent: dict[str, Any], path: str, default: str) -> str:
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


def _check_blob_free(blob: dict[str, Any], vm_id: str, uri: str) -> None:
    owner = blob.get("attachedTo")
    if owner and not same_id(owner, vm_id):
        raise conflict(
            f"The VHD '{uri}' is in use by VM {owner}: it holds a lease on the blob; detach it there first."
        )
