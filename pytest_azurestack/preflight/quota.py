"""Compute quota: ``GET .../providers/Microsoft.Compute/locations/{location}/usages``.

Each entry is ``{name: {value, localizedValue}, currentValue, limit, unit}``; a limit of -1 means
no limit. The run needs room for its VMs and their cores at once.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..profiles import COMPUTE
from .arm import ArmReader
from .marketplace import FALLBACK_COMPUTE
from .model import Problem
from .providers import ProviderVersions, api_version_for

CHECKED = ("cores", "virtualMachines")


def check(
    reader: ArmReader, versions: ProviderVersions, location: str, needed: Mapping[str, int]
) -> tuple[list[Problem], str]:
    """(problems, a summary of the room left) for ``needed``: usage name -> how many the run makes."""
    api = api_version_for(versions, COMPUTE, "locations/usages") or FALLBACK_COMPUTE
    path = reader.subscription_path(f"/providers/Microsoft.Compute/locations/{location}/usages")
    answer = reader.get(path, api)
    entries = answer.body.get("value") if answer.ok and isinstance(answer.body, dict) else None
    if not isinstance(entries, list):
        return [
            Problem(
                "quota",
                f"cannot read the compute quota of location '{location}' ({answer.detail})",
                "check AZURE_RESOURCE_LOCATION, or run with --azurestack-no-preflight to skip the checks",
            )
        ], ""
    usage = {}
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(name, dict) and name.get("value"):
            usage[str(name["value"]).lower()] = entry
    problems: list[Problem] = []
    room: list[str] = []
    for name in CHECKED:
        need = needed.get(name, 0)
        entry = usage.get(name.lower())
        if entry is None or need == 0:
            continue
        limit, used = int(entry.get("limit", -1)), int(entry.get("currentValue", 0))
        label = str(entry["name"].get("localizedValue") or name)
        if limit < 0:
            room.append(f"{label}: no limit")
            continue
        left = max(limit - used, 0)
        room.append(f"{label}: {left} of {limit} free, {need} needed")
        if left < need:
            problems.append(
                Problem(
                    "quota",
                    f"the compute quota in location '{location}' leaves {left} of {limit} {label} "
                    f"({used} in use); the run needs {need}",
                    "delete what uses them, or ask the stamp's operator to raise the plan's compute quota "
                    "(administrator portal: Plans > Quotas)",
                )
            )
    return problems, "; ".join(room)
