"""Operation-status and monitor URLs, shared by every provider."""

from __future__ import annotations

from pytest_azurestack.emulator.arm.request import ArmRequest, ArmResponse
from pytest_azurestack.emulator.arm.routing import Route

ANY_PROVIDER = "*"


def get_operation(request: ArmRequest) -> ArmResponse:
    return request.lro.status_response(request, request.param("operation_id"))


def get_operation_result(request: ArmRequest) -> ArmResponse:
    """Resource Manager's own monitor URL (a resource group's delete): 202 until done, then 200."""
    return request.lro.status_response(request, request.param("operation_id"), monitor=True)


_BASE = "/subscriptions/{subscription}/providers/{namespace}/locations/{location}"
ROUTES = [
    Route(
        "GET",
        f"{_BASE}/{segment}/{{operation_id}}",
        get_operation,
        ANY_PROVIDER,
        "locations/operations",
        version_check="provider",
    )
    for segment in ("operations", "asyncoperations", "operationResults", "DiskOperations")
]
ROUTES.append(
    Route(
        "GET",
        "/subscriptions/{subscription}/operationresults/{operation_id}",
        get_operation_result,
        "Microsoft.Resources",
        "operationresults",
        version_check="provider",
    )
)
