"""Compute quota: ``GET .../providers/Microsoft.Compute/locations/{location}/usages``.

The wire shape is Resource Manager's (``az vm list-usage`` prints it): ``{"value": [{"unit":
"Count", "currentValue": n, "limit": n, "name": {"value": "cores", "localizedValue": "Total
Regional vCPUs"}}]}``. An Azure Stack Hub operator's compute quota sets the same four counters
(vCPUs, virtual machines, availability sets, scale sets). ``currentValue`` is what the store holds
in the location; ``limit`` comes from ``EmulatorConfig.quota`` over ``DEFAULT_QUOTA``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.request import ArmRequest, ArmResponse
from pytest_azurestack.emulator.arm.store import Store
from pytest_azurestack.emulator.arm.validation import normalize_location
from pytest_azurestack.emulator.providers.compute.base import VM_TYPE
from pytest_azurestack.emulator.providers.compute.sizes import find_size

AVAILABILITY_SET_TYPE = "Microsoft.Compute/availabilitySets"
SCALE_SET_TYPE = "Microsoft.Compute/virtualMachineScaleSets"

# usage name -> what the portal and az show for it (the order ARM lists them in).
LOCALIZED: Mapping[str, str] = {
    "availabilitySets": "Availability Sets",
    "cores": "Total Regional vCPUs",
    "virtualMachines": "Virtual Machines",
    "virtualMachineScaleSets": "Virtual Machine Scale Sets",
}
# An Azure Stack Hub default compute quota (the operator's "Default" plan offers about this much).
DEFAULT_QUOTA: Mapping[str, int] = {
    "availabilitySets": 10,
    "cores": 100,
    "virtualMachines": 50,
    "virtualMachineScaleSets": 100,
}


def limits(configured: Mapping[str, int] | None) -> dict[str, int]:
    """The limit of every counter: the configured ones over the defaults (names case-insensitive)."""
    merged = dict(DEFAULT_QUOTA)
    canonical = {name.lower(): name for name in LOCALIZED}
    for name, limit in (configured or {}).items():
        merged[canonical.get(name.lower(), name)] = int(limit)
    return merged


def current(store: Store, subscription: str, location: str) -> dict[str, int]:
    """What the subscription uses in ``location`` now."""
    here = normalize_location(location)

    def in_location(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [i for i in items if normalize_location(str(i.get("location", ""))) == here]

    vms = in_location(store.list(subscription, VM_TYPE))
    cores = 0
    for vm in vms:
        size = find_size(str(vm.get("properties", {}).get("hardwareProfile", {}).get("vmSize", "")))
        cores += size.cores if size is not None else 0
    return {
        "availabilitySets": len(in_location(store.list(subscription, AVAILABILITY_SET_TYPE))),
        "cores": cores,
        "virtualMachines": len(vms),
        "virtualMachineScaleSets": len(in_location(store.list(subscription, SCALE_SET_TYPE))),
    }


def usage_list(
    store: Store, subscription: str, location: str, configured: Mapping[str, int]
) -> list[dict[str, Any]]:
    used = current(store, subscription, location)
    return [
        {
            "unit": "Count",
            "currentValue": used.get(name, 0),
            "limit": limit,
            "name": {"value": name, "localizedValue": LOCALIZED.get(name, name)},
        }
        for name, limit in limits(configured).items()
    ]


def list_usages(request: ArmRequest) -> ArmResponse:
    location = request.param("location")
    if normalize_location(location) != normalize_location(request.location):
        raise ArmError(
            404,
            "LocationNotAvailableForResourceType",
            f"The location '{location}' is not served by this Azure Stack stamp; use '{request.location}'.",
        )
    quota = getattr(request.context.config, "quota", None) or {}
    return ArmResponse(200, {"value": usage_list(request.store, request.subscription_id, location, quota)})


def _size_of(body: Any) -> str | None:
    """The body's ``properties.hardwareProfile.vmSize``, if the body has that shape (the VM rules
    report a malformed one; quota only counts what it can)."""
    props = body.get("properties") if isinstance(body, dict) else None
    hardware = props.get("hardwareProfile") if isinstance(props, dict) else None
    size = hardware.get("vmSize") if isinstance(hardware, dict) else None
    return size if isinstance(size, str) else None


def check_room(request: ArmRequest, body: Any) -> None:
    """Refuse a new VM (``body``: its PUT body) the quota has no room for, as ARM does (409
    ``OperationNotAllowed``).

    The wording is Azure Stack Hub's as operators report it ("Operation results in exceeding quota
    limits of Core. Maximum allowed: 4, Current in use: 4, Additional requested: 1."), unverified
    against a stamp.
    """
    vm_size = _size_of(body)
    if vm_size is None:
        return
    size = find_size(vm_size)
    quota = limits(getattr(request.context.config, "quota", None) or {})
    used = current(request.store, request.subscription_id, request.location)
    wanted = {"cores": size.cores if size is not None else 0, "virtualMachines": 1}
    for name, label in (("cores", "Core"), ("virtualMachines", "VirtualMachine")):
        limit = quota.get(name, -1)
        if 0 <= limit < used[name] + wanted[name]:
            raise ArmError(
                409,
                "OperationNotAllowed",
                f"Operation results in exceeding quota limits of {label}. Maximum allowed: {limit}, "
                f"Current in use: {used[name]}, Additional requested: {wanted[name]}.",
            )
