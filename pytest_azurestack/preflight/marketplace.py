"""The marketplace: the images the suite's VMs boot from, and the VM sizes they use, in the location."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..profiles import COMPUTE
from .arm import ArmReader
from .model import Problem
from .providers import ProviderVersions, api_version_for

FALLBACK_COMPUTE = "2016-03-30"  # the oldest hybrid profile's Compute version


def _location_path(reader: ArmReader, location: str, rest: str) -> str:
    return reader.subscription_path(f"/providers/Microsoft.Compute/locations/{location}{rest}")


def check_images(
    reader: ArmReader,
    versions: ProviderVersions,
    location: str,
    wanted: Mapping[tuple[str, str, str], Sequence[str]],
) -> tuple[list[Problem], list[str]]:
    """(problems, images found) for each image -> the profiles that need it."""
    api = api_version_for(versions, COMPUTE, "locations/publishers") or FALLBACK_COMPUTE
    problems: list[Problem] = []
    found: list[str] = []
    for (publisher, offer, sku), profiles in wanted.items():
        urn = f"{publisher}:{offer}:{sku}"
        path = _location_path(
            reader,
            location,
            f"/publishers/{publisher}/artifacttypes/vmimage/offers/{offer}/skus/{sku}/versions",
        )
        answer = reader.get(path, api)
        if answer.ok and isinstance(answer.body, list) and answer.body:
            found.append(urn)
            continue
        why = "no version" if answer.ok else answer.detail
        problems.append(
            Problem(
                "marketplace",
                f"the marketplace in location '{location}' does not offer image {urn} ({why}), needed under "
                f"{', '.join(profiles)}",
                "ask the stamp's operator to download it (administrator portal: Marketplace management > Add "
                "from Azure), or deselect the tests that boot it",
            )
        )
    return problems, found


def read_sizes(
    reader: ArmReader, versions: ProviderVersions, location: str
) -> tuple[dict[str, int], Problem | None]:
    """(size name -> cores, or a problem) from ``.../locations/{location}/vmSizes``."""
    api = api_version_for(versions, COMPUTE, "locations/vmSizes") or FALLBACK_COMPUTE
    answer = reader.get(_location_path(reader, location, "/vmSizes"), api)
    entries = answer.body.get("value") if answer.ok and isinstance(answer.body, dict) else None
    if not isinstance(entries, list):
        return {}, Problem(
            "marketplace",
            f"cannot list the VM sizes of location '{location}' ({answer.detail})",
            "check AZURE_RESOURCE_LOCATION (the stamp's region, 'local' on an ASDK)",
        )
    return {
        str(e.get("name")): int(e.get("numberOfCores") or 0) for e in entries if isinstance(e, dict)
    }, None


def check_sizes(
    sizes: Mapping[str, int], location: str, wanted: Mapping[str, Sequence[str]]
) -> list[Problem]:
    offered = {name.lower() for name in sizes}
    return [
        Problem(
            "marketplace",
            f"VM size {size} is not offered in location '{location}', needed under {', '.join(profiles)}",
            "run on a stamp whose build offers it, or deselect the tests that use it",
        )
        for size, profiles in wanted.items()
        if size.lower() not in offered
    ]
