"""Bounded time: every request answers within the request timeout, every operation ends within the
operation timeout, and the transport knows which operation each request belongs to.

The transport sees requests, not SDK calls, so it tells operations apart on the wire: a request
to a URL an operation handed out (``Azure-AsyncOperation``, ``Location``, or the resource itself
while its ``provisioningState`` is not terminal) polls that operation; the same request sent again
after a retryable answer (408, 429, 5xx, no answer) is a retry of it; anything else starts a new
operation. The clock of an operation runs from its first request through its retries, their
back-off and its polls; past the limit the next send or sleep raises ``OperationTimeoutError``,
so neither a stuck long-running operation nor a retry loop outlives its limit. The same record
(attempts, the last answer, the request that started an operation) is what ``arm_faults`` reads to
say what happened in one line.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .errors import AzureStackError

DEFAULT_REQUEST_TIMEOUT = 120.0  # seconds, connect and read, per request
DEFAULT_OPERATION_TIMEOUT = 60 * 60.0  # seconds (the option is in minutes): a VM create, a group delete
REQUEST_TIMEOUT_FLAG = "--azurestack-request-timeout"
OPERATION_TIMEOUT_FLAG = "--azurestack-operation-timeout"
RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})
TERMINAL_STATES = frozenset({"succeeded", "failed", "canceled", "cancelled"})
_MONITOR_HEADERS = ("Azure-AsyncOperation", "Location", "Operation-Location")


class RequestTimeoutError(AzureStackError):
    """A request the server did not answer within the request timeout."""


class OperationTimeoutError(AzureStackError):
    """An operation (its retries and polls included) that did not end within the operation timeout."""


def seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 10 else f"{value:.3g} s"


def describe_request(method: str, url: str) -> str:
    return f"{method} {urlsplit(url).path}"


@dataclass
class Attempt:
    """One send of a request: the status it got, or the error instead of an answer."""

    status: int | None
    error: str = ""
    request_id: str = ""
    correlation_id: str = ""


@dataclass
class Operation:
    """A request, its retries and, for a long-running operation, its polls."""

    method: str
    url: str
    started: float
    attempts: list[Attempt] = field(default_factory=list)
    polls: int = 0
    lro: bool = False
    state: str = ""  # the last provisioningState / status seen
    last_response: Any = None

    @property
    def label(self) -> str:
        return describe_request(self.method, self.url)

    @property
    def retries(self) -> int:
        """How many times the starting request was sent again after a retryable answer."""
        return max(0, len(self.attempts) - 1)


def _key(method: str, url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return method.upper(), f"{parts.netloc.lower()}{parts.path.lower()}?{parts.query}"


def _body_state(response: Any) -> str:
    """``status`` (an operation resource) or ``properties.provisioningState`` of a JSON answer."""
    try:
        text = response.text()
    except Exception:
        return ""
    if not text or not text.lstrip().startswith("{"):
        return ""
    try:
        body = json.loads(text)
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    state = body.get("status")
    if not isinstance(state, str):
        props = body.get("properties")
        state = props.get("provisioningState") if isinstance(props, dict) else None
    return state if isinstance(state, str) else ""


class OperationClock:
    """Per transport: the operations in flight, their clocks, and what each request belonged to."""

    def __init__(
        self,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        operation_timeout: float = DEFAULT_OPERATION_TIMEOUT,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.request_timeout = request_timeout
        self.operation_timeout = operation_timeout
        self._now = now
        self._lock = threading.Lock()
        self._by_url: dict[tuple[str, str], Operation] = {}  # monitor / resource URL -> its operation
        self._last: dict[tuple[str, str], Operation] = {}  # the last operation of each request
        self._current = threading.local()  # the operation this thread is sending (for sleep)
        self.operations: list[Operation] = []

    def begin(self, method: str, url: str) -> Operation:
        """The operation ``method url`` belongs to (raises past its limit); it becomes this thread's."""
        key = _key(method, url)
        with self._lock:
            operation = self._by_url.get(key) if key[0] == "GET" else None
            polling = operation is not None
            if operation is None:
                previous = self._last.get(key)
                retrying = (
                    previous is not None
                    and previous.attempts
                    and not previous.lro
                    and (previous.attempts[-1].status is None or previous.attempts[-1].status in RETRYABLE)
                )
                if retrying:
                    operation = previous
                else:
                    operation = Operation(method.upper(), url, self._now())
                    self.operations.append(operation)
                    self._last[key] = operation
        assert operation is not None
        self._current.operation = operation
        self.check(operation)
        if polling:
            operation.polls += 1
        return operation

    def answered(self, operation: Operation, method: str, url: str, response: Any) -> None:
        """Record the answer; a long-running operation's monitor URLs now poll ``operation``."""
        headers = response.headers
        attempt = Attempt(
            response.status_code,
            request_id=headers.get("x-ms-request-id", ""),
            correlation_id=headers.get("x-ms-correlation-request-id", ""),
        )
        state = _body_state(response) if response.status_code < 300 else ""
        with self._lock:
            operation.last_response = response
            if _key(method, url) == _key(operation.method, operation.url) and not operation.lro:
                operation.attempts.append(attempt)
            if state:
                operation.state = state
            if response.status_code in (200, 201, 202) and operation.method in (
                "PUT",
                "POST",
                "DELETE",
                "PATCH",
            ):
                monitors = [headers[h] for h in _MONITOR_HEADERS if headers.get(h)]
                if (
                    response.status_code == 202
                    or monitors
                    or (state and state.lower() not in TERMINAL_STATES)
                ):
                    operation.lro = True
                    for monitor in monitors:
                        self._by_url[_key("GET", monitor)] = operation
                    if operation.method in ("PUT", "PATCH"):  # provisioningState polling reads the resource
                        self._by_url[_key("GET", operation.url)] = operation
            if state.lower() in TERMINAL_STATES and operation.lro:
                # Done: a later GET of the resource is a read, not a poll of this operation.
                self._by_url.pop(_key("GET", operation.url), None)

    def failed(self, operation: Operation, method: str, url: str, error: str) -> None:
        """No answer (a timeout, a dropped connection): what the next send counts as a retry of."""
        with self._lock:
            if _key(method, url) == _key(operation.method, operation.url) and not operation.lro:
                operation.attempts.append(Attempt(None, error))

    def operation_of(self, method: str, url: str) -> Operation | None:
        """The operation a request (a poll or the start of one) belonged to."""
        key = _key(method, url)
        with self._lock:
            return self._by_url.get(key) or self._last.get(key)

    def check(self, operation: Operation) -> None:
        waited = self._now() - operation.started
        if waited > self.operation_timeout:
            raise self._expired(operation, waited)

    def sleeping(self, duration: float) -> float:
        """How long a retry back-off or poll delay may sleep (raises when the limit is passed)."""
        operation: Operation | None = getattr(self._current, "operation", None)
        if operation is None:
            return duration
        remaining = self.operation_timeout - (self._now() - operation.started)
        if remaining <= 0:
            raise self._expired(operation, self._now() - operation.started)
        return min(duration, remaining + 0.001)

    def _expired(self, operation: Operation, waited: float) -> OperationTimeoutError:
        from .arm_faults import answer_summary  # here: arm_faults imports this module

        last = operation.attempts[-1] if operation.attempts else None
        if operation.lro:
            what = f"still {operation.state or 'running'} after {operation.polls} poll(s)"
        elif last is not None and last.status is None:
            what = f"{len(operation.attempts)} attempt(s), the last {last.error}"
        else:
            what = f"{len(operation.attempts)} attempt(s)"
        answer = answer_summary(operation.last_response)
        limit = f"{self.operation_timeout / 60:.3g}"
        return OperationTimeoutError(
            f"{operation.label} did not finish within {seconds(waited)} ({what}"
            + (f", last answer {answer}" if answer else "")
            + f"; {OPERATION_TIMEOUT_FLAG} {limit} min)",
            f"raise {OPERATION_TIMEOUT_FLAG} if the stamp is slow, or ask the operator why it hangs",
        )

    def request_timed_out(self, method: str, url: str, waited: float, connect: bool) -> RequestTimeoutError:
        phase = "could not connect" if connect else "got no answer"
        return RequestTimeoutError(
            f"{describe_request(method, url)} {phase} within {seconds(waited)} "
            f"({REQUEST_TIMEOUT_FLAG} {self.request_timeout:g})",
            f"raise {REQUEST_TIMEOUT_FLAG} if the stamp is slow, or check that it is healthy",
        )
