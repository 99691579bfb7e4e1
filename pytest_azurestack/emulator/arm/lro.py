"""Long-running operations: one contract for every provider, with controllable transitions.

A model's write returns a ``Change``: the stored resource, already in its non-terminal state
(``provisioningState`` ``Creating``/``Updating``/``Deleting``), whether the write created it,
and how its operation completes. A handler hands it to ``respond(request, change, body)``,
which starts the operation and answers as Resource Manager does
(Azure/azure-resource-manager-rpc, v1.0/async-api-reference.md): a PUT or PATCH 201 (created)
or 200 with the body and ``Azure-AsyncOperation``; a DELETE or POST action 202 with
``Location`` (the monitor URL) and ``Azure-AsyncOperation``; both with ``Retry-After`` (the
configured one, or in ``realistic`` mode what each real service sends, none from Compute); a
``None`` change (nothing to delete) 204. Compute's disks are polled under ``DiskOperations``, a
resource group's delete under the subscription's ``operationresults`` (a Location only).

The operation stays ``InProgress`` for ``Transition.polls`` polls, or ``Transition.seconds``, or
until completed by hand (``manual``). Polls are counted in one place, ``LroManager.poll``: a GET
of the operation's status or monitor URL, or (through the dispatcher) of the resource it runs on.
Then ``complete()`` runs under the store lock and moves the resource to its terminal state; its
return value, if any, is the body the monitor URL answers with at the end. ``complete`` raising
``ArmError`` ends the operation ``Failed`` with that error. An injected fault ends it
``Failed``/``Canceled`` without calling ``complete``; ``on_failure(status)`` (default: set the
resource's ``properties.provisioningState`` to that status) runs instead.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pytest_azurestack.emulator.arm.clock import arm_timestamp
from pytest_azurestack.emulator.arm.errors import ArmError
from pytest_azurestack.emulator.arm.ids import parse_resource_id
from pytest_azurestack.emulator.arm.request import ArmRequest, ArmResponse

if TYPE_CHECKING:
    from pytest_azurestack.emulator.arm.store import Store

TERMINAL = ("Succeeded", "Failed", "Canceled")
MAX_OPERATIONS = 10_000
GROUP_TYPE = "microsoft.resources/resourcegroups"
DISK_TYPE = "microsoft.compute/disks"
# How a started operation is answered: "resource" 201/200 with the body and Azure-AsyncOperation;
# "accepted" 202 with Location and Azure-AsyncOperation (and the body, if one is given);
# "location" 202 with Location only (how Microsoft.Storage answers an account create).
Reply = Literal["resource", "accepted", "location"]


@dataclass
class Change:
    """What a model's write did, and how the operation it starts completes.

    ``kind`` is what transitions key on (``create``, ``update``, ``delete`` or an action such as
    ``start``); by default ``create`` for a write that created the resource, else ``update``.
    """

    resource: dict[str, Any]
    created: bool = False
    kind: str = ""
    complete: Callable[[], Any] | None = None
    on_failure: Callable[[str], None] | None = None
    # The resource as the finished operation's status body carries it in ``properties.output``
    # (Compute's DiskOperations do; other providers' status bodies carry no output).
    output: Callable[[], Any] | None = None

    def __post_init__(self) -> None:
        self.kind = self.kind or ("create" if self.created else "update")


def respond(
    request: ArmRequest,
    change: Change | None,
    body: Any = None,
    *,
    reply: Reply | None = None,
    headers: Mapping[str, str] | None = None,
) -> ArmResponse:
    """Start ``change``'s operation and answer the request that made it (see the module doc).

    ``reply`` defaults to ``resource`` for PUT and PATCH, ``accepted`` otherwise; ``headers``
    are added after the operation's own (Compute's ``Azure-AsyncNotification``).
    """
    if change is None:
        return ArmResponse(204)
    lro = request.lro
    op = lro.begin(request, change.resource["id"], change.complete, change.kind, on_failure=change.on_failure)
    op.output = change.output
    reply = reply or ("resource" if request.method in ("PUT", "PATCH") else "accepted")
    out: dict[str, str] = {}
    if reply == "resource":
        out["Azure-AsyncOperation"] = lro.status_url(request, op)
    else:
        out["Location"] = lro.status_url(request, op, monitor=True)
        if reply == "accepted":
            out["Azure-AsyncOperation"] = lro.status_url(request, op)
    retry_after = lro.retry_after_for(op)
    if retry_after is not None:
        out["Retry-After"] = retry_after
    out.update(headers or {})
    status = (201 if change.created else 200) if reply == "resource" else 202
    return ArmResponse(status, body, out)


@dataclass(frozen=True)
class Transition:
    """How long an operation stays InProgress: ``polls`` polls, or ``seconds``, or ``manual``."""

    polls: int = 1
    seconds: float | None = None
    manual: bool = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Transition:
        unknown = set(data) - {"polls", "seconds", "manual"}
        if unknown:
            raise ValueError(f"unknown transition keys {sorted(unknown)}; use polls, seconds, manual")
        polls = int(data.get("polls", 1))
        seconds = data.get("seconds")
        if polls < 0 or (seconds is not None and float(seconds) < 0):
            raise ValueError("transition polls and seconds must be >= 0")
        return cls(polls, None if seconds is None else float(seconds), bool(data.get("manual", False)))


def _key(resource_id: str) -> str:
    """The index key of an ARM id: ids compare case-insensitively, ignoring a trailing slash."""
    return resource_id.rstrip("/").lower()


def _now() -> str:
    return arm_timestamp()


# --- realistic timing (EmulatorConfig.realistic) --------------------------------------------------
# Retry-After as the real services send it, by namespace: Network 10 s on its writes and running
# status polls, Storage 17 s on an account create, Resource Manager 15 s on a resource-group
# delete; Compute none at all (VM writes, power actions, DiskOperations), so an SDK falls back to
# its own polling interval (azure-core: 30 s). Seconds an operation takes, by "type:kind", then
# type, then namespace: the emulator's reading of the real services (a Linux VM create about a
# minute, a power action 15-30 s), not measurements of a stamp. Tests may patch these tables.
REALISTIC_RETRY_AFTER: dict[str, int | None] = {
    "microsoft.network": 10,
    "microsoft.storage": 17,
    "microsoft.resources": 15,
    "microsoft.compute": None,
}
REALISTIC_SECONDS: dict[str, float] = {
    "microsoft.compute/virtualmachines:create": 60,
    "microsoft.compute/virtualmachines:update": 15,
    "microsoft.compute/virtualmachines:delete": 30,
    "microsoft.compute/virtualmachines:start": 20,
    "microsoft.compute/virtualmachines:poweroff": 15,
    "microsoft.compute/virtualmachines:restart": 20,
    "microsoft.compute/virtualmachines:deallocate": 30,
    # After a create finishes, the guest agent still reports OS provisioning for a while.
    "microsoft.compute/virtualmachines:osprovisioning": 30,
    "microsoft.compute/disks": 2,
    "microsoft.network": 5,
    "microsoft.storage": 20,
    "microsoft.resources/resourcegroups:delete": 15,
    "*": 5,
}


def realistic_seconds(full_type: str, kind: str) -> float:
    full, namespace = full_type.lower(), full_type.split("/", 1)[0].lower()
    for key in (f"{full}:{kind.lower()}", full, namespace):
        if key in REALISTIC_SECONDS:
            return REALISTIC_SECONDS[key]
    return REALISTIC_SECONDS["*"]


@dataclass
class Operation:
    id: str
    namespace: str
    location: str
    subscription: str
    resource_id: str
    kind: str
    api_version: str
    transition: Transition
    complete: Callable[[], Any] | None
    on_failure: Callable[[str], None] | None
    fault: Mapping[str, Any] | None = None
    full_type: str = ""
    output: Callable[[], Any] | None = None
    output_body: Any = None
    status: str = "InProgress"
    polls: int = 0
    started: float = field(default_factory=time.monotonic)
    start_time: str = field(default_factory=_now)
    end_time: str | None = None
    error: dict[str, Any] | None = None
    error_status: int = 500
    result: Any = None
    token: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    def status_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"startTime": self.start_time}
        if self.end_time:
            body["endTime"] = self.end_time
        body["status"] = self.status
        if self.error:
            body["error"] = self.error
        if self.output_body is not None:
            body["properties"] = {"output": self.output_body}
        body["name"] = self.id
        return body

    def describe(self) -> dict[str, Any]:
        """The admin API's view."""
        return {
            "id": self.id,
            "resourceId": self.resource_id,
            "kind": self.kind,
            "status": self.status,
            "polls": self.polls,
            "transition": {
                "polls": self.transition.polls,
                "seconds": self.transition.seconds,
                "manual": self.transition.manual,
            },
        }


class LroManager:
    def __init__(
        self,
        store: Store,
        *,
        polls: int = 1,
        seconds: float | None = None,
        retry_after: float = 1,
        transitions: Mapping[str, Transition] | None = None,
        realistic: bool = False,
    ) -> None:
        self.store = store
        self.default = Transition(polls, seconds)
        self.retry_after = retry_after
        self.realistic = realistic
        self.transitions: dict[str, Transition] = {k.lower(): v for k, v in (transitions or {}).items()}
        self.operations: dict[str, Operation] = {}
        # Running operations by resource id (normalized), so a GET finds its operations in O(1).
        self._running: dict[str, dict[str, Operation]] = {}

    @property
    def retry_after_header(self) -> str:
        """Whole seconds as ARM writes them (``1``); a fraction as given (``0.01``)."""
        value = self.retry_after
        return str(int(value)) if float(value).is_integer() else str(value)

    def retry_after_for(self, op: Operation) -> str | None:
        """The Retry-After header of ``op``'s answers: the configured one, or (realistic) the
        real service's, which Compute never sends."""
        if not self.realistic:
            return self.retry_after_header
        seconds = REALISTIC_RETRY_AFTER.get(op.namespace.lower(), 10)
        return None if seconds is None else str(seconds)

    # --- configuration -------------------------------------------------------------------------
    def set_transition(self, key: str, transition: Transition | None) -> None:
        """``key``: ``"*"`` (default), a kind (``"delete"``), a type (``"Microsoft.Compute/disks"``)
        or both (``"Microsoft.Compute/virtualMachines:start"``); ``None`` removes it."""
        with self.store.lock:
            if key == "*":
                self.default = transition or Transition()
            elif transition is None:
                self.transitions.pop(key.lower(), None)
            else:
                self.transitions[key.lower()] = transition

    def transition_for(self, full_type: str, kind: str) -> Transition:
        for key in (f"{full_type}:{kind}", full_type, kind):
            found = self.transitions.get(key.lower())
            if found:
                return found
        if self.realistic:
            return Transition(seconds=realistic_seconds(full_type, kind))
        return self.default

    # --- starting ------------------------------------------------------------------------------
    def begin(
        self,
        request: ArmRequest,
        resource_id: str,
        complete: Callable[[], Any] | None = None,
        kind: str = "update",
        *,
        on_failure: Callable[[str], None] | None = None,
    ) -> Operation:
        try:
            parsed = parse_resource_id(resource_id)
            namespace = parsed.namespace or "Microsoft.Resources"
            full_type = parsed.full_type
        except ValueError:
            namespace = request.route.provider if request.route else "Microsoft.Resources"
            full_type = namespace
        op = Operation(
            id=str(uuid.uuid4()),
            namespace=namespace,
            location=request.location,
            subscription=request.subscription_id,
            resource_id=resource_id,
            kind=kind,
            api_version=request.api_version,
            transition=self.transition_for(full_type, kind),
            complete=complete,
            on_failure=on_failure,
            fault=request.lro_fault,
            full_type=full_type,
        )
        with self.store.lock:
            self._prune()
            self.operations[op.id] = op
            self._running.setdefault(_key(resource_id), {})[op.id] = op
        return op

    def running_on(self, resource_id: str) -> list[Operation]:
        """The operations still running on ``resource_id``."""
        with self.store.lock:
            return list(self._running.get(_key(resource_id), {}).values())

    def clear(self) -> None:
        """Forget every operation (the admin API's state reset)."""
        with self.store.lock:
            self.operations.clear()
            self._running.clear()

    def _prune(self) -> None:
        """Forget the oldest finished operations of a long run (their URLs then answer 404)."""
        if len(self.operations) < MAX_OPERATIONS:
            return
        done = [op_id for op_id, op in self.operations.items() if op.done]
        for op_id in done[: len(done) // 2]:
            del self.operations[op_id]

    # --- responses -----------------------------------------------------------------------------
    def status_url(self, request: ArmRequest, op: Operation, monitor: bool = False) -> str:
        """Where each provider's operations are polled: Compute's disks under ``DiskOperations``,
        Storage under ``asyncoperations``, a resource group's delete under the subscription's own
        ``operationresults`` (a monitor URL only), everything else under ``operations``."""
        if op.full_type.lower() == GROUP_TYPE:
            path = f"/subscriptions/{op.subscription}/operationresults/{op.id}"
            return f"{request.base_url}{path}?api-version={op.api_version}"
        if op.full_type.lower() == DISK_TYPE:
            segment = "DiskOperations"
        elif op.namespace.lower() == "microsoft.storage":
            segment = "asyncoperations"
        else:
            segment = "operations"
        path = (
            f"/subscriptions/{op.subscription}/providers/{op.namespace}"
            f"/locations/{op.location}/{segment}/{op.id}"
        )
        query = f"?p={op.token}" + ("&monitor=true" if monitor else "") + f"&api-version={op.api_version}"
        return f"{request.base_url}{path}{query}"

    # --- progress ------------------------------------------------------------------------------
    def poll(self, op: Operation) -> None:
        """Count one poll and finish the operation when its transition says so."""
        with self.store.lock:
            if op.done:
                return
            op.polls += 1
            t = op.transition
            if t.manual:
                return
            due = (
                (time.monotonic() - op.started >= t.seconds) if t.seconds is not None else op.polls > t.polls
            )
            if due:
                self.finish(op)

    def observe(self, resource_id: str) -> None:
        """A GET of a resource counts as a poll of every running operation on it."""
        with self.store.lock:
            running = self._running.get(_key(resource_id))
            for op in list(running.values()) if running else ():
                self.poll(op)

    def finish(
        self, op: Operation, status: str | None = None, error: Mapping[str, Any] | None = None
    ) -> Operation:
        """End ``op`` now: with ``status`` (Succeeded/Failed/Canceled) or its fault, else Succeeded."""
        with self.store.lock:
            if op.done:
                return op
            if status is None and op.fault:
                status = str(op.fault.get("status", "Failed"))
                op.error_status = int(op.fault.get("http_status") or 500)
                error = error or {
                    "code": op.fault.get("code")
                    or ("Canceled" if status == "Canceled" else "InternalOperationError"),
                    "message": op.fault.get("message") or f"The operation ended {status} (injected fault).",
                }
            status = status or "Succeeded"
            if status not in TERMINAL:
                raise ValueError(f"operation status must be one of {', '.join(TERMINAL)}, not {status!r}")
            if status == "Succeeded":
                try:
                    op.result = op.complete() if op.complete else None
                    op.output_body = op.output() if op.output else None
                except ArmError as exc:
                    status, op.error_status = "Failed", exc.status
                    error = exc.body()["error"]
            if status != "Succeeded":
                op.error = dict(error or {"code": status, "message": f"The operation ended {status}."})
                if status == "Canceled" and not op.fault:
                    op.error_status = 409
                self._fail(op, status)
            op.status = status
            op.end_time = _now()
            self._forget_running(op)
            self.store.mark_dirty()
            self.store.flush()
            return op

    def _forget_running(self, op: Operation) -> None:
        key = _key(op.resource_id)
        running = self._running.get(key)
        if running is not None:
            running.pop(op.id, None)
            if not running:
                del self._running[key]

    def _fail(self, op: Operation, status: str) -> None:
        if op.on_failure:
            op.on_failure(status)
            return
        resource = self.store.get(op.resource_id)
        if resource is not None and isinstance(resource.get("properties"), dict):
            resource["properties"]["provisioningState"] = status

    def finish_all(self, status: str | None = None) -> list[Operation]:
        with self.store.lock:
            return [self.finish(op, status) for op in list(self.operations.values()) if not op.done]

    def get(self, op_id: str) -> Operation | None:
        return self.operations.get(op_id.lower()) or self.operations.get(op_id)

    def pending(self) -> list[Operation]:
        return [op for op in self.operations.values() if not op.done]

    # --- the status and monitor URLs -----------------------------------------------------------
    def status_response(self, request: ArmRequest, op_id: str, monitor: bool = False) -> ArmResponse:
        op = self.get(op_id)
        if op is None:
            raise ArmError(404, "OperationNotFound", f"The operation '{op_id}' could not be found.")
        self.poll(op)
        monitor = monitor or (request.query_param("monitor") or "").lower() == "true"
        retry_after = self.retry_after_for(op)
        retry = {} if retry_after is None else {"Retry-After": retry_after}
        if not monitor:
            return ArmResponse(200, op.status_body(), {} if op.done else retry)
        if not op.done:
            return ArmResponse(202, None, {"Location": self.status_url(request, op, monitor=True), **retry})
        if op.status == "Succeeded":
            return ArmResponse(200, op.result)
        return ArmResponse(op.error_status, {"error": op.error})
