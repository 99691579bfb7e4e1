"""The Resource Manager core of the emulator: requests, routing, ids, state, LRO, paging, faults."""

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.ids import ResourceId, group_id, parse_resource_id, resource_id, same_id
from pytest_azurestack.emulator.arm.lro import LroManager, Operation, Transition
from pytest_azurestack.emulator.arm.paging import paged
from pytest_azurestack.emulator.arm.request import ArmRequest, ArmResponse
from pytest_azurestack.emulator.arm.routing import Route
from pytest_azurestack.emulator.arm.store import Store

__all__ = [
    "ArmError",
    "ArmRequest",
    "ArmResponse",
    "LroManager",
    "Operation",
    "ResourceId",
    "Route",
    "Store",
    "Transition",
    "group_id",
    "paged",
    "parse_resource_id",
    "resource_id",
    "same_id",
]
