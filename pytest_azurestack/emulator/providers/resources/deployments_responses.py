"""Microsoft.Resources/deployments handlers: request -> response.

A PUT is a long-running operation (201 or 200, ``Azure-AsyncOperation`` on the deployment's own
``operationStatuses/{id}``, ``Running`` then ``Succeeded`` or ``Failed``) whose progress is the
run's (``deployments_run``): each poll of that URL, or GET of the deployment, advances it.
"""

from __future__ import annotations

import uuid
from typing import Any

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.lro import Change, Transition, respond
from pytest_azurestack.emulator.arm.paging import paged
from pytest_azurestack.emulator.arm.request import ArmRequest, ArmResponse
from pytest_azurestack.emulator.providers.resources import deployments as model
from pytest_azurestack.emulator.providers.resources import deployments_run as runs
from pytest_azurestack.emulator.providers.resources import models
from pytest_azurestack.emulator.providers.resources.deployments_shapes import (
    deployment_body,
    operation_body,
    validate_body,
)

INTERRUPTED = {
    "code": "DeploymentInterrupted",
    "message": "The emulator restarted while this deployment ran, so it cannot finish; deploy it again.",
}


def _group(request: ArmRequest) -> dict[str, Any]:
    return models.get_group(request.store, request.subscription_id, request.param("resource_group"))


def _id(request: ArmRequest) -> str:
    return model.deployment_id(
        request.subscription_id, request.param("resource_group"), request.param("name")
    )


def _record(request: ArmRequest) -> dict[str, Any]:
    record = request.store.get(_id(request))
    if record is None:
        raise ArmError(404, "DeploymentNotFound", f"Deployment '{request.param('name')}' could not be found.")
    _progress(request, record)
    return record


def _progress(request: ArmRequest, record: dict[str, Any]) -> None:
    """A look at a running deployment moves it on, as a poll of its status does."""
    if not model.is_active(record):
        return
    op = request.lro.get(str(record.get("operation", "")))
    run = runs.find(request.lro, op.id if op else None)
    if op is None or run is None:
        record["properties"].update(provisioningState="Failed", error=INTERRUPTED)
        return
    if not op.done and run.advance():
        request.lro.finish(op, "Canceled" if run.canceled else None)
    if op.done:
        runs.forget(request.lro, op.id)


def _status_url(request: ArmRequest, record_id: str, op_id: str) -> str:
    return request.url(f"{record_id}/operationStatuses/{op_id}", **{"api-version": request.api_version})


# --- the deployment -----------------------------------------------------------------------------
def put_deployment(request: ArmRequest) -> ArmResponse:
    group = _group(request)
    existing = request.store.get(_id(request))
    if model.is_active(existing):
        _progress(request, existing)  # type: ignore[arg-type]
        if model.is_active(existing):
            raise model.deployment_active(request.param("name"), "saved")
    prepared = model.prepare(request, group)
    correlation = request.headers.get("x-ms-correlation-request-id") or str(uuid.uuid4())
    record = request.store.put(model.new_record(request, prepared, correlation))
    run = runs.DeploymentRun(request, record, prepared)
    change = Change(record, created=existing is None, complete=run.complete, on_failure=run.on_failure)
    response = respond(request, change, None)
    op = request.lro.running_on(record["id"])[-1]
    op.transition = Transition(manual=True)  # it ends when its resources have, not after N polls
    record["operation"] = op.id
    runs.register(request.lro, op.id, run)
    run.advance()  # the first resources start now
    response.body = deployment_body(record, request.api_version)
    response.headers["Azure-AsyncOperation"] = _status_url(request, record["id"], op.id)
    return response


def get_deployment(request: ArmRequest) -> ArmResponse:
    return ArmResponse(200, deployment_body(_record(request), request.api_version))


def check_deployment(request: ArmRequest) -> ArmResponse:
    return ArmResponse(204 if request.store.exists(_id(request)) else 404)


def delete_deployment(request: ArmRequest) -> ArmResponse:
    store = request.store
    record = store.get(_id(request))
    if record is None:
        return respond(request, None)
    _progress(request, record)
    if model.is_active(record):
        raise model.deployment_active(request.param("name"), "deleted")
    record["properties"]["provisioningState"] = "Deleting"
    rid = record["id"]

    def complete() -> None:
        store.delete(rid)

    return respond(request, Change(record, kind="delete", complete=complete))


def cancel_deployment(request: ArmRequest) -> ArmResponse:
    """No resource starts after a cancel; the deployment ends Canceled when those running end."""
    record = request.store.get(_id(request))
    if record is None:
        raise ArmError(404, "DeploymentNotFound", f"Deployment '{request.param('name')}' could not be found.")
    _progress(request, record)
    run = runs.find(request.lro, str(record.get("operation", "")))
    if not model.is_active(record) or run is None:
        raise ArmError(
            409,
            "DeploymentCannotBeCancelled",
            f"The deployment '{request.param('name')}' cannot be cancelled: it is "
            f"{record['properties']['provisioningState']}, not running.",
        )
    run.canceled = True
    _progress(request, record)
    return ArmResponse(204)


def list_deployments(request: ArmRequest) -> ArmResponse:
    _group(request)
    wanted = _state_filter(request)
    prefix = f"{_id_prefix(request)}/"
    items = []
    for record in request.store.list(request.subscription_id, model.DEPLOYMENT_TYPE):
        if not record["id"].lower().startswith(prefix.lower()):
            continue
        _progress(request, record)
        if wanted is None or record["properties"]["provisioningState"].lower() == wanted:
            items.append(deployment_body(record, request.api_version))
    top = request.query_param("$top")
    if top and top.isdigit():
        items = items[: int(top)]
    return ArmResponse(200, paged(request, items))


def _id_prefix(request: ArmRequest) -> str:
    return model.deployment_id(request.subscription_id, request.param("resource_group"), "").rstrip("/")


def _state_filter(request: ArmRequest) -> str | None:
    text = request.query_param("$filter")
    if not text:
        return None
    key, _, value = text.partition(" eq ")
    if key.strip().lower() != "provisioningstate" or not value.strip().startswith("'"):
        raise ArmError(
            400,
            "InvalidFilterInQueryString",
            f"The $filter '{text}' is not supported; use provisioningState eq 'x'.",
        )
    return value.strip().strip("'").lower()


def validate_deployment(request: ArmRequest) -> ArmResponse:
    prepared = model.prepare(request, _group(request))
    correlation = request.headers.get("x-ms-correlation-request-id") or str(uuid.uuid4())
    record = model.new_record(request, prepared, correlation)
    record["validatedResources"] = [{"id": r.id} for r in prepared.plan.resources]
    return ArmResponse(200, validate_body(record, request.api_version))


def deployment_status(request: ArmRequest) -> ArmResponse:
    """``.../deployments/{name}/operationStatuses/{id}``: ``Running``, then how it ended."""
    op = request.lro.get(request.param("operation_id"))
    record = request.store.get(_id(request))
    if op is None or record is None or str(record.get("operation")) != op.id:
        raise ArmError(
            404, "OperationNotFound", f"The operation '{request.param('operation_id')}' could not be found."
        )
    _progress(request, record)
    if not op.done:
        return ArmResponse(200, {"status": "Running"}, {"Retry-After": request.lro.retry_after_header})
    body: dict[str, Any] = {"status": op.status}
    if op.error:
        body["error"] = op.error
    return ArmResponse(200, body)


# --- deployment operations -------------------------------------------------------------------------
def list_operations(request: ArmRequest) -> ArmResponse:
    record = _record(request)
    items = [operation_body(record, o, request.api_version) for o in record.get("operations", [])]
    return ArmResponse(200, paged(request, items))


def get_operation(request: ArmRequest) -> ArmResponse:
    record = _record(request)
    wanted = request.param("operation_id").lower()
    for operation in record.get("operations", []):
        if operation["operationId"].lower() == wanted:
            return ArmResponse(200, operation_body(record, operation, request.api_version))
    raise ArmError(
        404, "DeploymentOperationNotFound", f"The deployment operation '{wanted}' could not be found."
    )
