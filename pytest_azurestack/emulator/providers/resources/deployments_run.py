"""Running a deployment: each template resource sent to its provider, in dependency order.

Resource Manager calls its providers in process, through ``ArmContext.dispatch`` (the same
routing, api-version checks, faults and handlers as a client's request), at each resource's
own api-version. A provider's long-running operation is followed by polling the status or
monitor URL it answered with, one poll each time the deployment itself is polled (its status
URL or a GET of it), so a deployment runs as long as its resources take and no longer; nothing
sleeps. The first failure stops new resources from starting; what was created stays
(incremental mode), and the deployment ends ``Failed`` with ``DeploymentFailed`` naming every
inner error.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from weakref import WeakKeyDictionary

from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.lro import LroManager, Operation
from pytest_azurestack.emulator.arm.request import ArmRequest, ArmResponse
from pytest_azurestack.emulator.providers.resources.deployments import Prepared, duration, timestamp
from pytest_azurestack.emulator.templates import PlannedResource, TemplateError, evaluate_outputs
from pytest_azurestack.emulator.templates.evaluation import Scope

DRAIN_LIMIT = 1_000  # rounds a forced finish spends before giving up on a resource that never ends
DEPLOYMENT_FAILED = (
    "At least one resource deployment operation failed. Please list deployment operations for details. "
    "Please see https://aka.ms/DeployOperations for usage details."
)

# Runs in progress, per stamp (keyed by its operation manager) and operation id. Secure parameter
# values live here only, never in the store.
_RUNS: WeakKeyDictionary[LroManager, dict[str, DeploymentRun]] = WeakKeyDictionary()


def register(lro: LroManager, operation_id: str, run: DeploymentRun) -> None:
    _RUNS.setdefault(lro, {})[operation_id] = run


def find(lro: LroManager, operation_id: str | None) -> DeploymentRun | None:
    return _RUNS.get(lro, {}).get(operation_id or "")


def forget(lro: LroManager, operation_id: str) -> None:
    _RUNS.get(lro, {}).pop(operation_id, None)


@dataclass
class _Step:
    """One template resource's deployment operation."""

    resource: PlannedResource
    record: dict[str, Any]  # its entry in the deployment's ``operations``
    started: float = field(default_factory=time.monotonic)
    poll_url: str | None = None
    poll_kind: str = "async"  # "async": Azure-AsyncOperation status body; "location": monitor URL
    state: str = "Running"
    operations: list[Operation] = field(default_factory=list)  # the provider's, to end on a forced finish


class DeploymentRun:
    def __init__(self, request: ArmRequest, record: dict[str, Any], prepared: Prepared) -> None:
        dispatch = request.context.dispatch
        if dispatch is None:
            raise ArmError(500, "InternalServerError", "This stamp cannot dispatch a deployment's resources.")
        self.dispatch = dispatch
        self.base_url = request.base_url
        self.store = request.store
        self.lro = request.lro
        self.record_id = record["id"]
        self.prepared = prepared
        self.plan = prepared.plan
        self.steps: dict[str, _Step] = {}
        self.errors: list[dict[str, Any]] = []
        self.started = time.monotonic()
        self.finished = False
        self.canceled = False

    # --- progress ------------------------------------------------------------------------------
    @property
    def record(self) -> dict[str, Any]:
        record = self.store.get(self.record_id)
        if record is None:  # the group went away under the deployment
            raise ArmError(
                404, "DeploymentNotFound", f"Deployment '{self.prepared.name}' could not be found."
            )
        return record

    def advance(self) -> bool:
        """One poll's worth of progress; True once nothing runs and nothing more will start."""
        if self.finished:
            return True
        with self.store.lock:
            record = self.record
            record["properties"]["provisioningState"] = "Running"
            for step in [s for s in self.steps.values() if s.state == "Running"]:
                self._poll(step)
            self._start_ready()
            running = any(s.state == "Running" for s in self.steps.values())
            everything = len(self.steps) == len(self.plan.resources)
            self.finished = not running and (bool(self.errors) or self.canceled or everything)
            record["properties"]["duration"] = duration(time.monotonic() - self.started)
        return self.finished

    def _start_ready(self) -> None:
        while not self.errors and not self.canceled:
            succeeded = {k for k, s in self.steps.items() if s.state == "Succeeded"}
            ready = self.plan.ready(succeeded, set(self.steps))
            if not ready:
                return
            for resource in ready:
                self._start(resource)
                if self.errors:
                    return

    def _start(self, resource: PlannedResource) -> None:
        record = {
            "operationId": uuid.uuid4().hex[:16].upper(),
            "provisioningOperation": "Create",
            "provisioningState": "Running",
            "timestamp": timestamp(),
            "duration": duration(0),
            "serviceRequestId": str(uuid.uuid4()),
            "targetResource": {
                "id": resource.id,
                "resourceName": resource.name,
                "resourceType": resource.full_type,
            },
        }
        self.record.setdefault("operations", []).append(record)
        step = _Step(resource, record)
        self.steps[resource.key] = step
        try:
            body = resource.body(self._reference)
        except TemplateError as exc:
            self._end(step, 400, {"code": exc.code, "message": exc.message})
            return
        response = self._call(
            "PUT", resource.id, {"api-version": resource.api_version}, json.dumps(body).encode()
        )
        if response.status >= 400:
            self._end(step, response.status, _error_of(response))
            return
        record["statusCode"] = _status_name(response.status)
        headers = {k.lower(): v for k, v in response.headers.items()}
        step.operations = self.lro.running_on(resource.id)
        if "azure-asyncoperation" in headers:
            step.poll_url = headers["azure-asyncoperation"]
        elif "location" in headers and response.status == 202:
            step.poll_url, step.poll_kind = headers["location"], "location"
        else:
            self._end(step, response.status, None)

    def _poll(self, step: _Step) -> None:
        assert step.poll_url is not None
        parts = urlsplit(step.poll_url)
        response = self._call("GET", parts.path, dict(parse_qsl(parts.query)), b"")
        if step.poll_kind == "location":
            if response.status == 202:
                return
            self._end(step, response.status, _error_of(response) if response.status >= 400 else None)
            return
        if response.status >= 400:
            self._end(step, response.status, _error_of(response))
            return
        status = str((response.body or {}).get("status", ""))
        if status == "Succeeded":
            self._end(step, 200, None)
        elif status in ("Failed", "Canceled"):
            error = (response.body or {}).get("error") or {
                "code": status,
                "message": f"The operation ended {status}.",
            }
            self._end(step, 409, error, status)

    def _end(self, step: _Step, status: int, error: dict[str, Any] | None, state: str | None = None) -> None:
        step.state = state or ("Failed" if error else "Succeeded")
        record = step.record
        record["provisioningState"] = step.state
        record["duration"] = duration(time.monotonic() - step.started)
        record["timestamp"] = timestamp()
        if error is not None:
            error = _without_secrets(error, self.prepared.parameters.secrets)
            record["statusCode"] = _status_name(status)
            record["statusMessage"] = {"status": step.state, "error": error}
            self.errors.append(error)
        else:
            record.setdefault("statusCode", _status_name(status))

    # --- reference() ---------------------------------------------------------------------------
    def _reference(self, target: str, api_version: str | None, full: bool) -> Any:
        by_key = self.plan.by_key()
        resource = None
        if target.lower().startswith("/subscriptions/"):
            resource = by_key.get(target.lower().rstrip("/"))
            rid = target
        else:
            matches = [
                r
                for r in self.plan.resources
                if target.lower() in (r.name.lower(), r.name.lower().rsplit("/", 1)[-1])
            ]
            if not matches:
                raise TemplateError(
                    f"The template reference '{target}' is not valid: could not find template resource or "
                    "resource copy with this name. Please see https://aka.ms/arm-template-expressions/#reference"
                )
            resource, rid = matches[0], matches[0].id
        version = api_version or (resource.api_version if resource else None)
        if version is None:
            raise TemplateError(
                f"The template function 'reference' needs an api-version for '{target}', which is not in "
                "the template."
            )
        response = self._call("GET", rid, {"api-version": version}, b"")
        if response.status != 200 or not isinstance(response.body, dict):
            error = _error_of(response)
            raise TemplateError(
                f"The resource '{rid}' could not be read for reference(): {error.get('message')}",
                error.get("code", "ResourceNotFound"),
            )
        body: dict[str, Any] = response.body
        return body if full else body.get("properties", {})

    def _call(self, method: str, path: str, query: dict[str, str], body: bytes) -> ArmResponse:
        headers = {"content-type": "application/json", "x-ms-correlation-request-id": self._correlation}
        return self.dispatch(method, path, query, headers, body, self.base_url)

    @property
    def _correlation(self) -> str:
        return str(self.record["properties"].get("correlationId", ""))

    # --- the end -------------------------------------------------------------------------------
    def complete(self) -> None:
        """The deployment's operation ends: Succeeded with its outputs, or DeploymentFailed."""
        for _ in range(DRAIN_LIMIT):  # finished by hand (admin API): its resources' operations end too
            if self.advance():
                break
            for step in self.steps.values():
                for op in step.operations:
                    if step.state == "Running" and not op.done:
                        self.lro.finish(op)
        else:
            self.errors.append(
                {
                    "code": "DeploymentTimedOut",
                    "message": "A resource's operation of this deployment never finished.",
                }
            )
        record = self.record
        props = record["properties"]
        props["duration"] = duration(time.monotonic() - self.started)
        props["outputResources"] = [
            {"id": s.resource.id} for s in self.steps.values() if s.state == "Succeeded"
        ]
        if not self.errors:
            try:
                scope: Scope = self.prepared.scope
                scope.reference = self._reference
                outputs = evaluate_outputs(self.prepared.template.get("outputs"), scope)
            except TemplateError as exc:
                self.errors.append({"code": exc.code, "message": exc.message})
            else:
                if outputs:
                    props["outputs"] = outputs
        if self.canceled and not self.errors:
            self.errors.append({"code": "DeploymentCanceled", "message": "The deployment was canceled."})
        if self.errors:
            error = {"code": "DeploymentFailed", "message": DEPLOYMENT_FAILED, "details": list(self.errors)}
            props["provisioningState"] = "Failed"
            props["error"] = error
            raise ArmError(409, "DeploymentFailed", DEPLOYMENT_FAILED, list(self.errors))
        props["provisioningState"] = "Succeeded"

    def on_failure(self, status: str) -> None:
        """An injected fault ended the deployment's own operation."""
        self.finished = True
        record = self.store.get(self.record_id)
        if record is not None:
            record["properties"]["provisioningState"] = status


def _without_secrets(error: dict[str, Any], secrets: list[str]) -> dict[str, Any]:
    """An error as stored and shown: a secure parameter's value an evaluation message quoted, masked."""
    text = json.dumps(error)
    for secret in secrets:
        text = text.replace(json.dumps(secret)[1:-1], "***")
    return dict(json.loads(text))


def _error_of(response: ArmResponse) -> dict[str, Any]:
    body = response.body if isinstance(response.body, dict) else {}
    error = body.get("error")
    if isinstance(error, dict):
        return error
    return {
        "code": _status_name(response.status),
        "message": f"The resource provider answered {response.status}.",
    }


def _status_name(status: int) -> str:
    """How a deployment operation names an HTTP status (``OK``, ``Created``, ``BadRequest``)."""
    try:
        words = HTTPStatus(status).phrase.replace("-", " ").split()
        return "".join(w if w.isupper() else w.capitalize() for w in words)
    except ValueError:
        return str(status)
