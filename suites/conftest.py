"""Fixtures of the VM conformance suite: one lab per profile, shared by its tests in order."""

from __future__ import annotations

from typing import Any

import pytest
from vm_lab import LINUX_IMAGE, MANAGED_VM_SIZE, UNMANAGED_VM_SIZE, WINDOWS_IMAGE, VmLab

from pytest_azurestack.preflight.model import ProfileNeeds
from pytest_azurestack.profiles import Profile


def pytest_azurestack_profile_needs(config: pytest.Config, profile: Profile) -> ProfileNeeds:
    """What the preflight checks for this suite: both images, and one VM at a time per profile
    (the Linux VM is deleted before the Windows VM takes its NIC)."""
    images = tuple((i["publisher"], i["offer"], i["sku"]) for i in (LINUX_IMAGE, WINDOWS_IMAGE))
    size = MANAGED_VM_SIZE if profile.has_managed_disks else UNMANAGED_VM_SIZE
    return ProfileNeeds(images=images, vm_sizes=(size,))


@pytest.fixture(scope="session")
def _vm_labs() -> dict[str, VmLab]:
    return {}


@pytest.fixture
def vm_lab(
    _vm_labs: dict[str, VmLab],
    azurestack_profile: Profile,
    azurestack_location: str,
    azurestack_lab_names: Any,
    azurestack_run_tags: dict[str, str],
) -> VmLab:
    """The lab of the current profile, created by its first test and shared by the rest."""
    lab = _vm_labs.get(azurestack_profile.name)
    if lab is None:
        names = azurestack_lab_names
        lab = VmLab(
            profile=azurestack_profile,
            location=azurestack_location,
            resource_group=names.resource_group(),
            storage_account=names.storage_account(),
            vnet=names.name("vnet"),
            subnet=names.name("subnet"),
            nic=names.name("nic"),
            vm=names.name("vm", max_length=15),
            data_disk=names.name("datadisk"),
            tags=dict(azurestack_run_tags),
        )
        _vm_labs[azurestack_profile.name] = lab
    return lab
