"""Compute state (no HTTP): one ``Compute`` over the rules of virtual machines and managed disks.

Handlers (responses.py) call its methods and answer the returned ``arm.lro.Change``. Each file
holds one part: ``vm.py`` (VM lifecycle and power), ``storage_profile.py`` (the OS disk and the
disk plan), ``data_disks.py``, ``network_profile.py`` (NICs), ``disks.py`` (the disk resource),
over ``base.py``; ``names.py`` and ``errors.py`` hold the rules and errors they share.
"""

from __future__ import annotations

from pytest_azurestack.emulator.providers.compute.base import DISK_TYPE, VM_TYPE
from pytest_azurestack.emulator.providers.compute.disks import image_id
from pytest_azurestack.emulator.providers.compute.vm import VirtualMachines

__all__ = ["DISK_TYPE", "VM_TYPE", "Compute", "image_id"]


class Compute(VirtualMachines):
    """All Microsoft.Compute state operations over one ``Store``."""
