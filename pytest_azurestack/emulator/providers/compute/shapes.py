"""Response bodies per api-version, from the newest-shape state in the Store.

What differs (the models of each api-version in azure-mgmt-compute): 2016-03-30 knows no managed
disks; instanceView gains computerName/osName/osVersion at 2017-12-01; 2019+ adds
imageReference.exactVersion, priority, hyperVGeneration, linuxConfiguration.provisionVMAgent,
allowExtensionOperations, requireGuestProvisionSignal and dataDisks[].toBeDetached; 2020-06-01
adds windowsConfiguration.patchSettings (Linux's comes with 2021-07-01, which no profile pins).
Before 2019 Compute wrote ``properties`` first and ``name`` last (from
memory of recordings of that era: unverified); from 2019 on, name/id/type/location/tags first.
"""

from __future__ import annotations

import time as clock
from typing import Any

from pytest_azurestack.emulator.arm.store import Store

MODERN = "2019-03-01"


def _at_least(api_version: str, version: str) -> bool:
    return api_version[:10] >= version


def _envelope(resource: dict[str, Any], api_version: str, middle: dict[str, Any]) -> dict[str, Any]:
    """Top-level keys in the order the service of that era wrote them."""
    if _at_least(api_version, MODERN):
        head = {k: resource[k] for k in ("name", "id", "type", "location")}
        head["tags"] = resource.get("tags") or {}
        return {**head, **middle}
    tail = {"type": resource["type"], "location": resource["location"], "tags": resource.get("tags") or {}}
    return {**middle, **tail, "id": resource["id"], "name": resource["name"]}


# --- virtual machines ------------------------------------------------------------------------------
def vm(
    resource: dict[str, Any], api_version: str, store: Store, instance_view: bool = False
) -> dict[str, Any]:
    props = resource["properties"]
    modern = _at_least(api_version, MODERN)
    out: dict[str, Any] = {"vmId": props["vmId"], "hardwareProfile": dict(props["hardwareProfile"])}
    out["storageProfile"] = _storage_profile(
        props["storageProfile"], api_version, resource["_compute"].get("detaching") or []
    )
    if "osProfile" in props:
        out["osProfile"] = _os_profile(
            props["osProfile"], resource["_compute"].get("osType", ""), api_version
        )
    out["networkProfile"] = {
        "networkInterfaces": [dict(n) for n in props["networkProfile"]["networkInterfaces"]]
    }
    if "diagnosticsProfile" in props:
        out["diagnosticsProfile"] = props["diagnosticsProfile"]
    out["provisioningState"] = props["provisioningState"]
    if modern:
        out["priority"] = props.get("priority", "Regular")
    if instance_view:
        out["instanceView"] = vm_instance_view(resource, api_version)
    middle: dict[str, Any] = {}
    if resource.get("identity"):
        middle["identity"] = dict(resource["identity"])
    middle["properties"] = out
    return _envelope(resource, api_version, middle)


def _storage_profile(sp: dict[str, Any], api_version: str, detaching: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "imageReference" in sp:
        ref = sp["imageReference"]
        image = {k: ref[k] for k in ("publisher", "offer", "sku", "version")}
        if _at_least(api_version, MODERN):
            image["exactVersion"] = ref["exactVersion"]
        out["imageReference"] = image
    out["osDisk"] = _disk_entry(sp["osDisk"], api_version, os_disk=True)
    disks = [_disk_entry(d, api_version, os_disk=False) for d in sp["dataDisks"]]
    if _at_least(api_version, MODERN):
        # Disks an update is detaching stay listed, toBeDetached, while it runs (older
        # api-versions have no toBeDetached, and list only what stays).
        disks += [{**_disk_entry(d, api_version, os_disk=False), "toBeDetached": True} for d in detaching]
        disks.sort(key=lambda d: d["lun"])
    out["dataDisks"] = disks
    return out


def _disk_entry(entry: dict[str, Any], api_version: str, os_disk: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if os_disk:
        out["osType"] = entry["osType"]
    else:
        out["lun"] = entry["lun"]
    out["name"] = entry["name"]
    out["createOption"] = entry["createOption"]
    if entry.get("vhd"):
        out["vhd"] = {"uri": entry["vhd"]["uri"]}
    out["caching"] = entry["caching"]
    if entry.get("managedDisk") and _at_least(api_version, "2017-03-30"):
        managed = {"storageAccountType": entry["managedDisk"]["storageAccountType"]}
        if entry["managedDisk"].get("id"):
            managed["id"] = entry["managedDisk"]["id"]
        out["managedDisk"] = managed
    out["diskSizeGB"] = entry["diskSizeGB"]
    if not os_disk and _at_least(api_version, MODERN):
        out["toBeDetached"] = False
    return out


def _os_profile(profile: dict[str, Any], os_type: str, api_version: str) -> dict[str, Any]:
    modern = _at_least(api_version, MODERN)
    patch = _at_least(api_version, "2020-06-01")
    out: dict[str, Any] = {"computerName": profile["computerName"], "adminUsername": profile["adminUsername"]}
    if os_type == "Windows":
        given = profile.get("windowsConfiguration") or {}
        windows: dict[str, Any] = {
            "provisionVMAgent": given.get("provisionVMAgent", True),
            "enableAutomaticUpdates": given.get("enableAutomaticUpdates", True),
        }
        for key in ("timeZone", "additionalUnattendContent"):
            if key in given:
                windows[key] = given[key]
        if patch:
            windows["patchSettings"] = given.get("patchSettings") or {"patchMode": "AutomaticByOS"}
        if "winRM" in given:
            windows["winRM"] = given["winRM"]
        out["windowsConfiguration"] = windows
    else:
        given = profile.get("linuxConfiguration") or {}
        linux: dict[str, Any] = {
            "disablePasswordAuthentication": bool(given.get("disablePasswordAuthentication"))
        }
        if given.get("ssh"):
            linux["ssh"] = given["ssh"]
        if modern:
            linux["provisionVMAgent"] = given.get("provisionVMAgent", True)
        out["linuxConfiguration"] = linux
    out["secrets"] = profile.get("secrets") or []
    if modern:
        out["allowExtensionOperations"] = profile.get("allowExtensionOperations", True)
        out["requireGuestProvisionSignal"] = True
    return out


_PROVISIONING_DISPLAY = {
    "Succeeded": "Provisioning succeeded",
    "Failed": "Provisioning failed",
    "Canceled": "Provisioning canceled",
}


def provisioning_status(state: str, time: str) -> dict[str, Any]:
    if state == "Failed":
        return {
            "code": "ProvisioningState/failed/InternalOperationError",
            "level": "Error",
            "displayStatus": "Provisioning failed",
            "time": time,
        }
    return {
        "code": f"ProvisioningState/{state.lower()}",
        "level": "Info",
        "displayStatus": _PROVISIONING_DISPLAY.get(state, state),
        "time": time,
    }


def vm_instance_view(resource: dict[str, Any], api_version: str) -> dict[str, Any]:
    props, state = resource["properties"], resource["_compute"]
    power = state.get("power")
    time = state.get("statusTime", "")
    agent_up = power in ("running", "stopping", "stopped") and "osProfile" in props
    out: dict[str, Any] = {}
    if agent_up and _at_least(api_version, "2017-12-01"):
        out["computerName"] = props["osProfile"]["computerName"]
        if state.get("osName"):
            out["osName"] = state["osName"]
            out["osVersion"] = state["osVersion"]
    if agent_up:
        out["vmAgent"] = {
            "vmAgentVersion": "2.7.41491.1010",
            "statuses": [
                {
                    "code": "ProvisioningState/succeeded",
                    "level": "Info",
                    "displayStatus": "Ready",
                    "message": "Guest Agent is running",
                    "time": time,
                }
            ],
            "extensionHandlers": [],
        }
    sp = props["storageProfile"]
    disks = []
    for entry in [sp["osDisk"], *sp["dataDisks"]]:
        if entry.get("managedDisk") and not entry["managedDisk"].get("id"):
            continue  # not created yet: the operation is still running
        disks.append({"name": entry["name"], "statuses": [provisioning_status("Succeeded", time)]})
    out["disks"] = disks
    if _at_least(api_version, MODERN):
        out["hyperVGeneration"] = "V1"
    statuses = [provisioning_status(props["provisioningState"], time)]
    if props["provisioningState"] == "Succeeded" and state.get("osProvisioningUntil", 0) > clock.time():
        # Right after a create the guest agent is still provisioning the OS.
        statuses[0] = {
            "code": "ProvisioningState/succeeded/osProvisioningInProgress",
            "level": "Info",
            "displayStatus": "OS provisioning in progress",
            "time": time,
        }
    if power:
        statuses.append({"code": f"PowerState/{power}", "level": "Info", "displayStatus": f"VM {power}"})
    out["statuses"] = statuses
    return out


# --- managed disks ---------------------------------------------------------------------------------
def disk(resource: dict[str, Any], api_version: str, store: Store) -> dict[str, Any]:
    props = resource["properties"]
    modern = _at_least(api_version, MODERN)
    out: dict[str, Any] = {}
    if props.get("osType"):
        out["osType"] = props["osType"]
        if modern:
            out["hyperVGeneration"] = props.get("hyperVGeneration", "V1")
    creation = dict(props["creationData"])
    if not modern:
        creation.pop("sourceUniqueId", None)
    out["creationData"] = creation
    out["diskSizeGB"] = props["diskSizeGB"]
    if modern:
        out["diskIOPSReadWrite"] = props["diskIOPSReadWrite"]
        out["diskMBpsReadWrite"] = props["diskMBpsReadWrite"]
        out["encryption"] = props["encryption"]
    out["timeCreated"] = props["timeCreated"]
    out["provisioningState"] = props["provisioningState"]
    if modern:
        out["diskState"] = disk_state(resource, store)
        out["diskSizeBytes"] = props["diskSizeBytes"]
        out["uniqueId"] = props["uniqueId"]
    middle: dict[str, Any] = {}
    if resource.get("managedBy"):
        middle["managedBy"] = resource["managedBy"]
    middle["sku"] = dict(resource["sku"])
    middle["properties"] = out
    return _envelope(resource, api_version, middle)


def disk_echo(resource: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    """The first answer to a disk PUT/PATCH: what the request said, in Updating (real recordings:
    ``{name, id, type, location, tags, sku{name}, properties{...sent, provisioningState}}``)."""
    out: dict[str, Any] = {k: resource[k] for k in ("name", "id", "type", "location")}
    if isinstance(sent.get("tags"), dict):
        out["tags"] = sent["tags"]
    if isinstance(sent.get("sku"), dict):
        out["sku"] = sent["sku"]
    props = sent.get("properties")
    out["properties"] = {**(props if isinstance(props, dict) else {}), "provisioningState": "Updating"}
    return out


def disk_state(resource: dict[str, Any], store: Store) -> str:
    """Attached to a running VM, Reserved by a deallocated one, else Unattached."""
    owner = resource.get("managedBy")
    if not owner:
        return "Unattached"
    vm_resource = store.get(owner)
    if vm_resource is not None and vm_resource["_compute"].get("power") == "deallocated":
        return "Reserved"
    return "Attached"
