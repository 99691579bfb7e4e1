"""Compute usages and quotas of a location: what ``GET .../locations/{loc}/usages`` reports.

Counted from the stored VMs, as Azure counts them: ``virtualMachines`` is every VM;
``cores`` (Total Regional vCPUs) and each size family's vCPUs count the VMs that hold
hardware, so a deallocated VM frees its cores while it still counts as a VM. A write that would
take a count past its limit is refused as ARM refuses it (409 ``OperationNotAllowed``).

Default limits are those of Azure Stack Hub's default compute quota (an operator's plan:
50 VMs, 100 vCPUs, 10 availability sets, 100 scale sets); each size family may use all the
regional vCPUs. ``EmulatorConfig.quotas`` (``--quota NAME=LIMIT``, ``PUT /_emulator/quotas``)
overrides any of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.store import Store
from pytest_azurestack.emulator.providers.compute.base import VM_TYPE
from pytest_azurestack.emulator.providers.compute.sizes import VmSize, find_size

AVAILABILITY_SET_TYPE = "Microsoft.Compute/availabilitySets"
SCALE_SET_TYPE = "Microsoft.Compute/virtualMachineScaleSets"


@dataclass(frozen=True)
class Counter:
    name: str  # the wire's name.value
    localized: str  # name.localizedValue
    default_limit: int


# (pattern on the size name, family counter): Azure's family names and display names.
_FAMILIES: tuple[tuple[str, Counter], ...] = (
    (r"^basic_a\d+$", Counter("basicAFamily", "Basic A Family vCPUs", 100)),
    (r"^standard_a\d+$", Counter("standardA0_A7Family", "Standard A0-A7 Family vCPUs", 100)),
    (r"^standard_a\d+_v2$", Counter("standardAv2Family", "Standard Av2 Family vCPUs", 100)),
    (r"^standard_d\d+$", Counter("standardDFamily", "Standard D Family vCPUs", 100)),
    (r"^standard_d\d+_v2$", Counter("standardDv2Family", "Standard Dv2 Family vCPUs", 100)),
    (r"^standard_ds\d+$", Counter("standardDSFamily", "Standard DS Family vCPUs", 100)),
    (r"^standard_ds\d+_v2$", Counter("standardDSv2Family", "Standard DSv2 Family vCPUs", 100)),
    (r"^standard_f\d+$", Counter("standardFFamily", "Standard F Family vCPUs", 100)),
    (r"^standard_f\d+s$", Counter("standardFSFamily", "Standard FS Family vCPUs", 100)),
    (r"^standard_f\d+s_v2$", Counter("standardFSv2Family", "Standard FSv2 Family vCPUs", 100)),
)
AVAILABILITY_SETS = Counter("availabilitySets", "Availability Sets", 10)
CORES = Counter("cores", "Total Regional vCPUs", 100)
VIRTUAL_MACHINES = Counter("virtualMachines", "Virtual Machines", 50)
SCALE_SETS = Counter("virtualMachineScaleSets", "Virtual Machine Scale Sets", 100)
COUNTERS: tuple[Counter, ...] = (
    AVAILABILITY_SETS,
    CORES,
    VIRTUAL_MACHINES,
    SCALE_SETS,
    *(family for _, family in _FAMILIES),
)
_BY_NAME = {c.name.lower(): c for c in COUNTERS}


def family_of(size: VmSize) -> Counter:
    name = size.name.lower()
    for pattern, family in _FAMILIES:
        if re.match(pattern, name):
            return family
    raise ValueError(f"VM size {size.name} has no quota family")  # every AZURE_STACK_SIZES entry has one


def check_limits(quotas: Mapping[str, Any]) -> dict[str, int]:
    """``quotas`` with canonical names; ValueError naming a bad entry and what to use instead."""
    out: dict[str, int] = {}
    for key, value in quotas.items():
        counter = _BY_NAME.get(str(key).lower())
        if counter is None:
            known = ", ".join(c.name for c in COUNTERS)
            raise ValueError(f"unknown compute quota {key!r}; use one of {known}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"compute quota {counter.name} must be a whole number >= 0, not {value!r}")
        out[counter.name] = value
    return out


def quotas_of(config: object) -> Mapping[str, int] | None:
    """The quota overrides of the emulator's settings (``EmulatorConfig.quotas``), if it has any."""
    found = getattr(config, "quotas", None)
    return found if isinstance(found, Mapping) else None


def limits(quotas: Mapping[str, int] | None) -> dict[str, int]:
    """Every counter's limit: the defaults, overridden by ``quotas`` (canonical names)."""
    given = {k.lower(): v for k, v in (quotas or {}).items()}
    return {c.name: given.get(c.name.lower(), c.default_limit) for c in COUNTERS}


def _holds_hardware(vm: dict[str, Any]) -> bool:
    return vm.get("_compute", {}).get("power") != "deallocated"


def current(store: Store, subscription: str, exclude: str | None = None) -> dict[str, int]:
    """The counts of every counter now; ``exclude`` leaves one VM out (it is being changed)."""
    counts = dict.fromkeys((c.name for c in COUNTERS), 0)
    counts[AVAILABILITY_SETS.name] = len(store.list(subscription, AVAILABILITY_SET_TYPE))
    counts[SCALE_SETS.name] = len(store.list(subscription, SCALE_SET_TYPE))
    for vm in store.list(subscription, VM_TYPE):
        if exclude is not None and vm["id"].lower() == exclude.lower():
            continue
        counts[VIRTUAL_MACHINES.name] += 1
        size = find_size(vm["properties"]["hardwareProfile"]["vmSize"])
        if size is not None and _holds_hardware(vm):
            counts[CORES.name] += size.cores
            counts[family_of(size).name] += size.cores
    return counts


def usage_list(store: Store, subscription: str, quotas: Mapping[str, int] | None) -> list[dict[str, Any]]:
    counts, caps = current(store, subscription), limits(quotas)
    return [
        {
            "unit": "Count",
            "currentValue": counts[c.name],
            "limit": caps[c.name],
            "name": {"value": c.name, "localizedValue": c.localized},
        }
        for c in COUNTERS
    ]


def check_room(
    store: Store,
    subscription: str,
    location: str,
    quotas: Mapping[str, int] | None,
    vm_id: str,
    size: VmSize,
) -> None:
    """Refuse, as ARM does, VM ``vm_id`` holding hardware of ``size`` (a create, a resize, a
    start of a deallocated VM) when that would exceed a quota; the VM's own current use is
    left out of the count."""
    counts, caps = current(store, subscription, exclude=vm_id), limits(quotas)
    wanted: Iterable[tuple[Counter, int]] = [
        (VIRTUAL_MACHINES, 1),
        (CORES, size.cores),
        (family_of(size), size.cores),
    ]
    for counter, needed in wanted:
        used, limit = counts[counter.name], caps[counter.name]
        if needed and used + needed > limit:
            raise ArmError(
                409,
                "OperationNotAllowed",
                f"Operation could not be completed as it results in exceeding approved "
                f"{counter.localized} quota. Additional details - Deployment Model: Resource Manager, "
                f"Location: {location}, Current Limit: {limit}, Current Usage: {used}, "
                f"Additional Required: {needed}, (Minimum) New Limit Required: {used + needed}. "
                "Ask the stamp's operator for a plan or add-on plan with a higher compute quota.",
            )
