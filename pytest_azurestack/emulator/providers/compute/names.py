"""ARM's resource name rules for virtual machines and disks."""

from __future__ import annotations

from pytest_azurestack.emulator.arm.errors import ArmError

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def _invalid_name(name: str, rule: str) -> ArmError:
    return ArmError(400, "InvalidResourceName", f"Resource name '{name}' is invalid: {rule}", target="name")


def check_vm_name(name: str) -> None:
    """ARM's rule for virtualMachines resource names (the Windows 15-character limit is the
    computerName's, checked with the OS profile): 1-64 letters, digits, ``_.-``, not starting with
    ``_``, not ending with ``.`` or ``-``."""
    if not (
        0 < len(name) <= 64 and set(name) <= _NAME_CHARS and not name.startswith("_") and name[-1] not in ".-"
    ):
        raise _invalid_name(
            name,
            "a virtual machine name is 1-64 letters, digits, underscores, periods or hyphens, "
            "does not start with an underscore and does not end with a period or hyphen.",
        )


def check_disk_name(name: str) -> None:
    """ARM's rule for disks: 1-80 letters, digits, ``_.-``; starts with a letter or digit, ends
    with a letter, digit or ``_``."""
    if not (0 < len(name) <= 80 and set(name) <= _NAME_CHARS and name[0].isalnum() and name[-1] not in ".-"):
        raise _invalid_name(
            name,
            "a disk name is 1-80 letters, digits, underscores, periods or hyphens, starts with a "
            "letter or digit and ends with a letter, digit or underscore.",
        )
