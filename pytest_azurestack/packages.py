"""Versions of the installed distributions a run depends on, for provenance and reports."""

from __future__ import annotations

import functools
from importlib import metadata

# What decides what goes on the wire: a cassette or a report names these.
WIRE_PACKAGES = (
    "azure-core",
    "azure-identity",
    "azure-mgmt-compute",
    "azure-mgmt-network",
    "azure-mgmt-resource",
    "azure-mgmt-storage",
    "azure-common",
    "vcrpy",
)
RUNNER_PACKAGES = ("pytest", "pytest-xdist")


@functools.cache
def installed_versions(names: tuple[str, ...] = WIRE_PACKAGES) -> dict[str, str]:
    """name -> installed version, for the ``names`` that are installed."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions
