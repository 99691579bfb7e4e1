"""IP address arithmetic for the network provider: CIDR checks and address allocation.

Azure reserves the first four addresses of every subnet and its broadcast address, so the
first address handed to a NIC in 10.0.0.0/24 is 10.0.0.4. Public addresses come from the
documentation ranges (RFC 5737): they look real, are never routable and need no scrubbing.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Iterable, Iterator

IPv4Network = ipaddress.IPv4Network

RESERVED_AT_START = 4
PUBLIC_POOLS = tuple(ipaddress.IPv4Network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))
# Microsoft's OUI, the prefix Azure gives every NIC.
MAC_PREFIX = "00-0D-3A"


class PrefixFormatError(ValueError):
    """Not CIDR at all (``10.0.0/16``, ``10.0.0.0/33``, ``banana``)."""


class PrefixHostBitsError(ValueError):
    """CIDR with host bits set (``10.0.0.1/24``); ``.expected`` is the network it should be."""

    def __init__(self, prefix: str, expected: str) -> None:
        super().__init__(f"{prefix} has host bits set; the prefix is {expected}")
        self.expected = expected


def parse_prefix(prefix: str) -> IPv4Network:
    """An IPv4 CIDR prefix, strictly: a slash and a length, and no host bits set."""
    if "/" not in prefix:
        raise PrefixFormatError(prefix)
    try:
        loose = ipaddress.IPv4Network(prefix, strict=False)
    except ValueError:
        raise PrefixFormatError(prefix) from None
    if str(loose.network_address) != prefix.split("/", 1)[0].strip():
        raise PrefixHostBitsError(prefix, str(loose))
    return loose


def within_any(inner: IPv4Network, outers: Iterable[IPv4Network]) -> bool:
    return any(inner.subnet_of(outer) for outer in outers)


def first_overlap(candidate: IPv4Network, others: Iterable[tuple[str, IPv4Network]]) -> str | None:
    """The name of the first of ``others`` whose range overlaps ``candidate``."""
    for name, other in others:
        if candidate.overlaps(other):
            return name
    return None


def usable_hosts(network: IPv4Network) -> Iterator[ipaddress.IPv4Address]:
    """Addresses Azure hands out in a subnet: not the first four, not the broadcast."""
    start = int(network.network_address) + RESERVED_AT_START
    end = int(network.broadcast_address)  # exclusive: the broadcast address is reserved
    for value in range(start, end):
        yield ipaddress.IPv4Address(value)


def is_usable(network: IPv4Network, address: str) -> bool:
    try:
        value = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    start = int(network.network_address) + RESERVED_AT_START
    return start <= int(value) < int(network.broadcast_address)


def contains(network: IPv4Network, address: str) -> bool:
    try:
        return ipaddress.IPv4Address(address) in network
    except ValueError:
        return False


def is_ipv4(address: str) -> bool:
    try:
        ipaddress.IPv4Address(address)
    except ValueError:
        return False
    return True


def next_free(networks: Iterable[IPv4Network], used: set[str]) -> str | None:
    """The lowest usable address of the first network with room, or None when all are full."""
    for network in networks:
        for host in usable_hosts(network):
            if str(host) not in used:
                return str(host)
    return None


def next_public_address(used: set[str]) -> str | None:
    """The next free address of the emulator's public pool (network and broadcast excluded)."""
    for pool in PUBLIC_POOLS:
        for host in pool.hosts():
            if str(host) not in used:
                return str(host)
    return None


def new_mac_address(used: set[str], rng: random.Random | None = None) -> str:
    """``00-0D-3A-XX-XX-XX``, unique among ``used`` (upper-case, dash separated like Azure)."""
    rng = rng or random.Random()
    while True:
        tail = "-".join(f"{rng.randrange(256):02X}" for _ in range(3))
        mac = f"{MAC_PREFIX}-{tail}"
        if mac not in used:
            return mac
