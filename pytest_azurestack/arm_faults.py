"""One place that turns an ARM fault into one line: what a support case needs, not 95 lines of
azure-core traceback.

A fault is an ``HttpResponseError`` anywhere in an exception's chain: a status the SDK does not
accept (429 that outlasted the retries, 500, 503, 409...), or a long-running operation that ended
``Failed`` or ``Canceled`` (azure-core raises it with the last poll's answer). The line names the
operation that started it (the poll's URL is mapped back through the transport's
``OperationClock``), the HTTP status or the terminal state, ARM's error code and message, the
``x-ms-request-id`` and correlation id, and how many times the request was sent.
"""

from __future__ import annotations

import json
from typing import Any

from azure.core.exceptions import HttpResponseError

from .errors import exception_chain
from .timeouts import Operation, OperationClock, describe_request

MESSAGE_LIMIT = 300


def find_fault(exc: BaseException) -> HttpResponseError | None:
    """The ``HttpResponseError`` in ``exc``'s chain (``exc`` itself first), or None."""
    return next((e for e in exception_chain(exc) if isinstance(e, HttpResponseError)), None)


def _body(response: Any) -> dict[str, Any]:
    try:
        text = response.text()
    except Exception:
        # A streamed answer nobody read (the last one before a limit ran out): read it now.
        try:
            response.read()
            text = response.text()
        except Exception:
            return {}
    try:
        data = json.loads(text)
    except Exception:
        return {}
    return data if isinstance(data, dict) else {}


def arm_code_and_message(fault: HttpResponseError) -> tuple[str, str]:
    """ARM's ``error.code`` and ``error.message`` (from the SDK's parse, else from the body)."""
    error = fault.error
    code = str(getattr(error, "code", "") or "")
    message = str(getattr(error, "message", "") or "")
    if not code and fault.response is not None:
        body = _body(fault.response)
        inner = body.get("error", body)
        if isinstance(inner, dict):
            code = str(inner.get("code") or "")
            message = str(inner.get("message") or "")
    if not message:
        message = str(fault.message or "").splitlines()[0] if fault.message else ""
    return code, " ".join(message.split())[:MESSAGE_LIMIT]


def response_ids(response: Any) -> str:
    """``; x-ms-request-id R, correlation id C`` of a response ('' when it has none)."""
    if response is None:
        return ""
    headers = getattr(response, "headers", {}) or {}
    request_id = headers.get("x-ms-request-id", "")
    correlation = headers.get("x-ms-correlation-request-id", "")
    parts = [f"x-ms-request-id {request_id}"] * bool(request_id)
    parts += [f"correlation id {correlation}"] * bool(correlation)
    return "; " + ", ".join(parts) if parts else ""


def answer_summary(response: Any) -> str:
    """``<status> <ARM code>: <message>; x-ms-request-id ...`` of an answer ('' for none)."""
    if response is None:
        return ""
    text = str(response.status_code)
    body = _body(response)
    inner = body.get("error")
    if isinstance(inner, dict) and inner.get("code"):
        message = " ".join(str(inner.get("message") or "").split())[:MESSAGE_LIMIT]
        text += f" {inner['code']}: {message}"
    return text + response_ids(response)


def _terminal_state(response: Any) -> str:
    body = _body(response)
    state = body.get("status")
    if not isinstance(state, str):
        props = body.get("properties")
        state = props.get("provisioningState") if isinstance(props, dict) else None
    return state if isinstance(state, str) and state.lower() in ("failed", "canceled", "cancelled") else ""


def _retries(operation: Operation | None) -> str:
    if operation is None:
        return ""
    if operation.lro:
        return f"; {operation.polls} poll(s)"
    sent = len(operation.attempts)
    if sent <= 1:
        return "; not retried"
    return f"; sent {sent} times (retries exhausted)"


def fault_line(exc: BaseException, clock: OperationClock | None = None) -> str | None:
    """The one line for an ARM fault in ``exc``'s chain, or None when there is none."""
    fault = find_fault(exc)
    if fault is None:
        return None
    response = fault.response
    request = getattr(response, "request", None)
    method = str(getattr(request, "method", "") or "")
    url = str(getattr(request, "url", "") or "")
    operation = clock.operation_of(method, url) if clock is not None and url else None
    label = (
        operation.label if operation is not None else describe_request(method, url) if url else "a request"
    )
    code, message = arm_code_and_message(fault)
    state = _terminal_state(response) if response is not None else ""
    if state:
        what = f"operation ended {state}"
    else:
        what = f"HTTP {fault.status_code}" if fault.status_code else "no answer"
    detail = f"{code}: {message}" if code else message or "no error body"
    return f"ARM fault: {label}: {what}: {detail}{response_ids(response)}{_retries(operation)}"
