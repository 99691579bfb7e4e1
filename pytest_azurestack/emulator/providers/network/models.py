"""Microsoft.Network state (no HTTP): one ``NetworkModel`` over the rules of each resource type.

Each file holds one resource's rules: ``vnets.py`` (virtual networks and subnets), ``nsgs.py``
(security groups and rules), ``public_ips.py``, ``nics.py`` (network interfaces and addressing),
all over ``base.py`` (types, etags, lookups, references, the operation lifecycle).
"""

from __future__ import annotations

from pytest_azurestack.emulator.providers.network.base import (
    DEFAULT_RULES,
    IP_CONFIGS,
    NAMESPACE,
    NICS,
    NSGS,
    PUBLIC_IPS,
    RULES,
    SUBNETS,
    VNETS,
    new_etag,
)
from pytest_azurestack.emulator.providers.network.nics import NetworkInterfaces
from pytest_azurestack.emulator.providers.network.nsgs import SecurityGroups
from pytest_azurestack.emulator.providers.network.vnets import VirtualNetworks

__all__ = [
    "DEFAULT_RULES",
    "IP_CONFIGS",
    "NAMESPACE",
    "NICS",
    "NSGS",
    "PUBLIC_IPS",
    "RULES",
    "SUBNETS",
    "VNETS",
    "NetworkModel",
    "new_etag",
]


class NetworkModel(NetworkInterfaces, VirtualNetworks, SecurityGroups):
    """All Microsoft.Network state operations over one ``Store``."""
