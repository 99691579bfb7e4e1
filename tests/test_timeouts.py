"""Bounded time and one-line ARM faults (issue 8, items 2, 3 and 13): the operation clock, the
request timeout against a server that never answers, the options, and the fault line."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest

from pytest_azurestack.arm_faults import answer_summary, fault_line
from pytest_azurestack.timeouts import OperationClock, OperationTimeoutError, RequestTimeoutError
from pytest_azurestack.transport import AzureStackTransport

VM = "https://stamp/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm?api-version=1"
MONITOR = (
    "https://stamp/subscriptions/0/providers/Microsoft.Compute/locations/local/operations/op1?api-version=1"
)


class Answer:
    """Just enough of an azure-core response for the clock and the fault line."""

    def __init__(self, status: int, body: object = None, headers: dict[str, str] | None = None) -> None:
        self.status_code = status
        self.headers = {
            "x-ms-request-id": "req-1",
            "x-ms-correlation-request-id": "corr-1",
            **(headers or {}),
        }
        self._text = json.dumps(body) if body is not None else ""
        self.reason = "reason"
        self.request = None

    def text(self) -> str:
        return self._text


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_retries_of_one_request_share_one_clock_and_run_out() -> None:
    fake = Clock()
    clock = OperationClock(request_timeout=1, operation_timeout=10, now=fake)
    first = clock.begin("PUT", VM)
    clock.answered(
        first, "PUT", VM, Answer(503, {"error": {"code": "ServiceUnavailable", "message": "busy"}})
    )
    fake.now = 6
    again = clock.begin("PUT", VM)
    assert again is first  # a retry, not a new operation
    clock.answered(
        again, "PUT", VM, Answer(503, {"error": {"code": "ServiceUnavailable", "message": "busy"}})
    )
    assert clock.sleeping(8) == pytest.approx(4.001)  # the back-off is cut to what is left
    fake.now = 11
    with pytest.raises(OperationTimeoutError) as raised:
        clock.begin("PUT", VM)
    line = str(raised.value)
    assert "PUT /subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm" in line
    assert "did not finish within 11 s (2 attempt(s), last answer 503 ServiceUnavailable: busy" in line
    assert "x-ms-request-id req-1" in line and "--azurestack-operation-timeout 0.167 min" in line


def test_polls_of_a_long_running_operation_count_against_it() -> None:
    fake = Clock()
    clock = OperationClock(operation_timeout=30, now=fake)
    start = clock.begin("PUT", VM)
    clock.answered(
        start,
        "PUT",
        VM,
        Answer(201, {"properties": {"provisioningState": "Creating"}}, {"Azure-AsyncOperation": MONITOR}),
    )
    fake.now = 20
    poll = clock.begin("GET", MONITOR)
    assert poll is start and start.polls == 1
    clock.answered(poll, "GET", MONITOR, Answer(200, {"status": "InProgress"}))
    fake.now = 31
    with pytest.raises(OperationTimeoutError, match=r"still InProgress after 1 poll\(s\)"):
        clock.begin("GET", MONITOR)


def test_a_get_after_the_operation_succeeded_is_a_new_operation() -> None:
    fake = Clock()
    clock = OperationClock(operation_timeout=30, now=fake)
    start = clock.begin("PUT", VM)
    clock.answered(start, "PUT", VM, Answer(201, {"properties": {"provisioningState": "Creating"}}))
    clock.answered(
        clock.begin("GET", VM), "GET", VM, Answer(200, {"properties": {"provisioningState": "Succeeded"}})
    )
    fake.now = 100
    assert clock.begin("GET", VM) is not start  # a read, long after: its own clock


def test_a_server_that_never_answers_fails_the_request_in_time() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    transport = AzureStackTransport(request_timeout=0.5)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/subscriptions/0/resourcegroups/rg?api-version=1"
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError) as raised:
        transport.send(HttpRequest("GET", url))
    assert time.monotonic() - started < 5
    assert str(raised.value).startswith("GET /subscriptions/0/resourcegroups/rg got no answer within 0.5")
    assert "(--azurestack-request-timeout 0.5)" in str(raised.value)
    transport.close()
    listener.close()


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--azurestack-request-timeout", "0"),
        ("--azurestack-request-timeout", "soon"),
        ("--azurestack-operation-timeout", "-1"),
    ],
)
def test_a_bad_limit_is_one_line(pytester: pytest.Pytester, clean_env: None, flag: str, value: str) -> None:
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest(flag, value)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    unit = "seconds" if "request" in flag else "minutes"
    result.stderr.fnmatch_lines([f"ERROR: {flag}: {value!r} is not a positive number of {unit}*"])


def test_limits_resolve_into_settings(pytester: pytest.Pytester, clean_env: None, monkeypatch: Any) -> None:
    monkeypatch.setenv("AZURESTACK_OPERATION_TIMEOUT", "2.5")
    pytester.makepyfile(
        """
        def test_x(azurestack_settings):
            assert azurestack_settings.request_timeout == 7
            assert azurestack_settings.operation_timeout == 150
        """
    )
    pytester.runpytest("--azurestack-request-timeout", "7").assert_outcomes(passed=1)


@pytest.fixture
def failed_put() -> Iterator[HttpResponseError]:
    answer = Answer(
        200,
        {
            "status": "Failed",
            "error": {"code": "OSProvisioningTimedOut", "message": "the guest\\ndid not start"},
        },
    )
    answer.request = HttpRequest("GET", MONITOR)  # type: ignore[assignment]
    yield HttpResponseError(response=answer)  # type: ignore[arg-type]


def test_an_lro_that_ended_failed_names_the_operation_that_started_it(failed_put: HttpResponseError) -> None:
    clock = OperationClock()
    start = clock.begin("PUT", VM)
    clock.answered(start, "PUT", VM, Answer(201, {}, {"Azure-AsyncOperation": MONITOR}))
    clock.answered(clock.begin("GET", MONITOR), "GET", MONITOR, failed_put.response)
    line = fault_line(failed_put, clock)
    assert line == (
        "ARM fault: PUT /subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm: "
        "operation ended Failed: OSProvisioningTimedOut: the guest\\ndid not start; "
        "x-ms-request-id req-1, correlation id corr-1; 1 poll(s)"
    )


def test_a_fault_anywhere_in_the_chain_is_found(failed_put: HttpResponseError) -> None:
    try:
        try:
            raise failed_put
        except HttpResponseError as exc:
            raise AssertionError("the test's own wrapping") from exc
    except AssertionError as outer:
        line = fault_line(outer)
    assert line is not None and line.startswith("ARM fault: GET /subscriptions/0/providers/Microsoft.Compute")
    assert fault_line(ValueError("no ARM here")) is None


def test_answer_summary() -> None:
    assert answer_summary(None) == ""
    assert answer_summary(Answer(429, {"error": {"code": "TooManyRequests", "message": "slow down"}})) == (
        "429 TooManyRequests: slow down; x-ms-request-id req-1, correlation id corr-1"
    )
