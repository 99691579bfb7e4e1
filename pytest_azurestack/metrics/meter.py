"""Per-test timings, read from the wire: requests, retries and each long-running operation.

The transport calls :meth:`RequestMeter.observe` once per attempt it sends (azure-core's retry and
LRO polling both send through it), so everything here is inferred from requests and responses,
the same way for every SDK generation, and in playback from the replayed responses (real counts,
replay times). Nothing here sleeps or sends.

A long-running operation (LRO) is a PUT/PATCH/POST/DELETE answered 202, or with an
``Azure-AsyncOperation`` / ``Location`` header, or (PUT/PATCH) with a body whose
``provisioningState`` is not terminal. Its polls are the GETs of those URLs (or of the resource
itself) until one reports a terminal state.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..profiles import resource_type_of

TERMINAL_STATES = frozenset({"succeeded", "failed", "canceled", "cancelled"})
RETRIED_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
STARTING_METHODS = frozenset({"PUT", "PATCH", "POST", "DELETE"})
NO_RESPONSE = 0  # the status kept for an attempt that raised (a connection error): retried too


def url_key(url: str) -> str:
    """Scheme, host and path, lower-cased: a poll URL compared without its query."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}".lower()


def describe(method: str, url: str) -> tuple[str, str]:
    """(operation, resource) for a request: ``("PUT virtualMachines", "vm-1")``,
    ``("POST virtualMachines/deallocate", "vm-1")``."""
    path = urlsplit(url).path.rstrip("/")
    found = resource_type_of(path)
    kind = found[1] if found else path.rsplit("/", 1)[-1]
    segments = [s for s in path.split("/") if s]
    lowered = [s.lower() for s in segments]
    if "providers" in lowered:  # types and names alternate after providers/<namespace>
        segments = segments[len(lowered) - lowered[::-1].index("providers") + 1 :]
    # An odd count ends in an action (deallocate) or a collection: the name is the one before.
    if len(segments) % 2 == 0:
        resource = segments[-1] if segments else ""
    else:
        resource = segments[-2] if len(segments) >= 2 else ""
    return f"{method.upper()} {kind}", resource


def _json(body: bytes | str | None) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def state_of(data: Any) -> str | None:
    """``status`` (an operation-status body) or ``properties.provisioningState`` (a resource)."""
    if not isinstance(data, dict):
        return None
    status = data.get("status")
    if isinstance(status, str):
        return status
    properties = data.get("properties")
    state = properties.get("provisioningState") if isinstance(properties, dict) else None
    return state if isinstance(state, str) else None


@dataclass
class LongRunningOperation:
    """One LRO of a test; times are seconds from ``started`` (epoch seconds, for the timeline)."""

    operation: str
    resource: str
    started: float
    first_response: float = 0.0
    terminal: float | None = None
    polls: int = 0
    state: str = ""
    poll_urls: frozenset[str] = field(default=frozenset(), repr=False)
    resource_url: str = field(default="", repr=False)  # polled through the resource itself (PUT/PATCH)

    @property
    def finished(self) -> bool:
        return self.terminal is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "resource": self.resource,
            "started": round(self.started, 3),
            "first_response": round(self.first_response, 3),
            "terminal": None if self.terminal is None else round(self.terminal, 3),
            "polls": self.polls,
            "state": self.state,
        }


class Response:
    """What the meter reads of a response: status, headers and (lazily) the body."""

    def __init__(self, status: int, headers: Any, body: Callable[[], bytes | str | None]) -> None:
        self.status = status
        self.headers = headers
        self._body = body

    def header(self, name: str) -> str | None:
        value = self.headers.get(name) if self.headers is not None else None
        return str(value) if value else None

    def data(self) -> Any:
        return _json(self._body())


class RequestMeter:
    """Counts one test's requests and retries and times its LROs; thread-safe (pollers send from
    their own threads). ``clock``: epoch seconds (the timeline places tests of every worker)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.requests = 0
        self.retries = 0
        self.retried: dict[str, int] = {}  # status that was retried ("429", "503", "error") -> count
        self.operations: list[LongRunningOperation] = []
        # id(request) -> (request, its last status, when its first attempt started); the request is
        # held so that its id is not reused while the test runs.
        self._attempts: dict[int, tuple[Any, int, float]] = {}
        self._lock = threading.Lock()

    def watch(self, request: Any, response: Any, stream: bool, started: float, finished: float) -> None:
        """The transport's observer: one attempt, with azure-core's response (None if it raised)."""
        seen = None
        if response is not None:
            # A streamed body is the caller's to read; ARM JSON (and every poll) is not streamed.
            seen = Response(
                response.status_code, response.headers, (lambda: None) if stream else response.body
            )
        self.observe(request, seen, started, finished)

    def observe(self, request: Any, response: Response | None, started: float, finished: float) -> None:
        method = str(request.method).upper()
        url = str(request.url)
        status = response.status if response is not None else NO_RESPONSE
        with self._lock:
            self.requests += 1
            previous = self._attempts.get(id(request))
            if previous is not None and previous[0] is request:
                started = previous[2]  # a re-send: the operation started with the first attempt
                if previous[1] in RETRIED_STATUSES or previous[1] == NO_RESPONSE:
                    self.retries += 1
                    label = "error" if previous[1] == NO_RESPONSE else str(previous[1])
                    self.retried[label] = self.retried.get(label, 0) + 1
            self._attempts[id(request)] = (request, status, started)
            if response is None or status in RETRIED_STATUSES:
                return
            if method == "GET":
                self._poll(url, response, finished)
            elif method in STARTING_METHODS:
                self._start(method, url, response, started, finished)

    def _open_for(self, url: str) -> LongRunningOperation | None:
        key = url_key(url)
        for operation in reversed(self.operations):
            if not operation.finished and key in operation.poll_urls:
                return operation
        return None

    def _poll(self, url: str, response: Response, finished: float) -> None:
        operation = self._open_for(url)
        if operation is None:
            return
        operation.polls += 1
        state = state_of(response.data())
        if state:
            operation.state = state
        if response.status >= 400:
            operation.state = operation.state or f"HTTP {response.status}"
            operation.terminal = finished - operation.started
        elif state and state.lower() in TERMINAL_STATES:
            operation.terminal = finished - operation.started
        elif state is None and response.status in (200, 201, 204) and url_key(url) != operation.resource_url:
            # A Location poll: 202 while running, the result (or nothing) once done.
            operation.state = operation.state or "Succeeded"
            operation.terminal = finished - operation.started

    def _start(self, method: str, url: str, response: Response, started: float, finished: float) -> None:
        if response.status >= 400:
            return
        async_url = response.header("Azure-AsyncOperation") or response.header("azure-asyncoperation")
        location = response.header("Location") or response.header("location")
        data = response.data() if method in ("PUT", "PATCH") else None
        state = state_of(data) or ""
        running = bool(state) and state.lower() not in TERMINAL_STATES
        if not (response.status == 202 or async_url or location or running):
            return
        name, resource = describe(method, url)
        operation = LongRunningOperation(name, resource, started)
        self.operations.append(operation)
        operation.first_response = finished - operation.started
        operation.state = state or ("Accepted" if response.status == 202 else "")
        urls = {url_key(u) for u in (async_url, location) if u}
        if method in ("PUT", "PATCH"):
            urls.add(url_key(url))  # polled through the resource when no header says otherwise
        operation.poll_urls = frozenset(urls)
        operation.resource_url = url_key(url) if method in ("PUT", "PATCH") else ""

    def open_operations(self) -> list[LongRunningOperation]:
        with self._lock:
            return [o for o in self.operations if not o.finished]

    def summary(self) -> dict[str, Any]:
        """Plain data (it crosses from xdist workers to the controller)."""
        with self._lock:
            operations = [o.as_dict() for o in self.operations]
            return {
                "requests": self.requests,
                "retries": self.retries,
                "retried": dict(self.retried),
                "lro_wait": round(sum(lro_wait(o) for o in operations), 3),
                "operations": operations,
            }


def lro_wait(operation: dict[str, Any]) -> float:
    """Seconds an LRO (``as_dict``) spent between its first response and its terminal state."""
    terminal = operation.get("terminal")
    return max(float(terminal) - float(operation.get("first_response", 0.0)), 0.0) if terminal else 0.0
