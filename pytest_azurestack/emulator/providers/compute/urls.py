"""Routes served by the Microsoft.Compute provider."""

from __future__ import annotations

from pytest_azurestack.emulator.arm.routing import Route
from pytest_azurestack.emulator.providers.compute import responses as r
from pytest_azurestack.emulator.providers.compute import usages

NS = "Microsoft.Compute"
SUB = "/subscriptions/{subscription}"
RG = SUB + "/resourceGroups/{resource_group}/providers/Microsoft.Compute"
VM = RG + "/virtualMachines/{name}"
DISK = RG + "/disks/{name}"
LOC = SUB + "/providers/Microsoft.Compute/locations/{location}"
IMG = LOC + "/publishers/{publisher}/artifacttypes/vmimage/offers/{offer}/skus/{skus}/versions"


def _vm(method: str, pattern: str, handler: r.Any) -> Route:
    return Route(method, pattern, handler, NS, "virtualMachines")


def _disk(method: str, pattern: str, handler: r.Any) -> Route:
    return Route(method, pattern, handler, NS, "disks")


def _loc(pattern: str, handler: r.Any, resource_type: str) -> Route:
    return Route("GET", pattern, handler, NS, resource_type)


ROUTES: list[Route] = [
    _vm("PUT", VM, r.put_vm),
    _vm("PATCH", VM, r.patch_vm),
    _vm("GET", VM, r.get_vm),
    _vm("DELETE", VM, r.delete_vm),
    # Reading the instance view is a poll of the VM's operation too.
    Route("GET", VM + "/instanceView", r.vm_instance_view, NS, "virtualMachines", polls_parent=True),
    _vm("GET", VM + "/vmSizes", r.vm_available_sizes),
    _vm("POST", VM + "/start", r.start_vm),
    _vm("POST", VM + "/powerOff", r.power_off_vm),
    _vm("POST", VM + "/restart", r.restart_vm),
    _vm("POST", VM + "/deallocate", r.deallocate_vm),
    _vm("GET", RG + "/virtualMachines", r.list_vms),
    _vm("GET", SUB + "/providers/Microsoft.Compute/virtualMachines", r.list_vms),
    _disk("PUT", DISK, r.put_disk),
    _disk("PATCH", DISK, r.patch_disk),
    _disk("GET", DISK, r.get_disk),
    _disk("DELETE", DISK, r.delete_disk),
    _disk("GET", RG + "/disks", r.list_disks),
    _disk("GET", SUB + "/providers/Microsoft.Compute/disks", r.list_disks),
    _loc(LOC + "/publishers", r.list_publishers, "locations/publishers"),
    _loc(LOC + "/publishers/{publisher}/artifacttypes/vmimage/offers", r.list_offers, "locations/publishers"),
    _loc(
        LOC + "/publishers/{publisher}/artifacttypes/vmimage/offers/{offer}/skus",
        r.list_skus,
        "locations/publishers",
    ),
    _loc(IMG, r.list_versions, "locations/publishers"),
    _loc(IMG + "/{version}", r.get_image_version, "locations/publishers"),
    _loc(LOC + "/vmSizes", r.list_location_sizes, "locations/vmSizes"),
    _loc(LOC + "/usages", usages.list_usages, "locations/usages"),
]
