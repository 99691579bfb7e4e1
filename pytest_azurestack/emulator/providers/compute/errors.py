"""The errors Compute answers with in more than one place."""

from __future__ import annotations

from pytest_azurestack.emulator.arm.errors import ArmError


def conflict(message: str, code: str = "OperationNotAllowed") -> ArmError:
    return ArmError(409, code, message)


def not_allowed_change(prop: str) -> ArmError:
    return ArmError(
        409, "PropertyChangeNotAllowed", f"Changing property '{prop}' is not allowed.", target=prop
    )


def shrink_error(name: str, current: int, wanted: int) -> ArmError:
    return ArmError(
        400,
        "BadRequest",
        f"Disk size reduction is not supported: disk '{name}' is {current} GB, the request asks for "
        f"{wanted} GB; "
        f"a disk can only grow, send a diskSizeGB of at least {current}.",
        target="diskSizeGB",
    )


def resize_while_running(name: str, vm_id: str | None = None) -> ArmError:
    where = f" VM {vm_id}" if vm_id else " its VM"
    return conflict(
        f"Cannot resize disk {name} while it is attached to running{where}. Resizing a disk of an "
        "Azure Virtual "
        "Machine requires the virtual machine to be deallocated: deallocate it first."
    )
