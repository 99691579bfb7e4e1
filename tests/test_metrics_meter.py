"""The request meter: requests, retries and long-running operations, inferred from the wire."""

from __future__ import annotations

import json
from typing import Any

from pytest_azurestack.metrics.meter import RequestMeter, Response, describe

BASE = "https://arm.test/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute"
VM = f"{BASE}/virtualMachines/vm1?api-version=2020-06-01"
OPERATION = (
    "https://arm.test/subscriptions/s/providers/Microsoft.Compute/locations/l/operations/1?api-version=x"
)


class Request:
    def __init__(self, method: str, url: str) -> None:
        self.method, self.url = method, url


def answer(status: int, body: Any = None, **headers: str) -> Response:
    text = json.dumps(body) if body is not None else ""
    return Response(status, {k.replace("_", "-"): v for k, v in headers.items()}, lambda: text)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def send(
        self, meter: RequestMeter, request: Request, response: Response | None, took: float = 1.0
    ) -> None:
        started = self.now
        self.now += took
        meter.observe(request, response, started, self.now)


def test_an_async_operation_is_timed_from_its_start_to_its_terminal_poll() -> None:
    meter, clock = RequestMeter(), Clock()
    clock.send(
        meter,
        Request("PUT", VM),
        answer(201, {"properties": {"provisioningState": "Creating"}}, Azure_AsyncOperation=OPERATION),
        took=2,
    )
    clock.now += 10  # the poller waits
    clock.send(meter, Request("GET", OPERATION), answer(200, {"status": "InProgress"}))
    assert [o.state for o in meter.open_operations()] == ["InProgress"]
    clock.now += 10
    clock.send(meter, Request("GET", OPERATION), answer(200, {"status": "Succeeded"}))
    clock.send(meter, Request("GET", VM), answer(200, {"properties": {"provisioningState": "Succeeded"}}))
    summary = meter.summary()
    (lro,) = summary["operations"]
    assert (lro["operation"], lro["resource"], lro["polls"], lro["state"]) == (
        "PUT virtualMachines",
        "vm1",
        2,
        "Succeeded",
    )
    assert (lro["first_response"], lro["terminal"]) == (2.0, 24.0)
    assert summary["lro_wait"] == 22.0
    assert (summary["requests"], summary["retries"]) == (4, 0)
    assert meter.open_operations() == []


def test_a_location_poll_ends_when_it_stops_answering_202() -> None:
    meter, clock = RequestMeter(), Clock()
    location = f"{BASE}/locations/l/operationResults/9?api-version=x"
    clock.send(
        meter,
        Request("POST", f"{BASE}/virtualMachines/vm1/deallocate?api-version=x"),
        answer(202, Location=location),
    )
    clock.send(meter, Request("GET", location), answer(202))
    clock.send(meter, Request("GET", location), answer(204))
    (lro,) = meter.summary()["operations"]
    assert (lro["operation"], lro["resource"], lro["polls"], lro["terminal"]) == (
        "POST virtualMachines/deallocate",
        "vm1",
        2,
        3.0,
    )


def test_a_put_polled_through_its_resource_ends_on_a_terminal_provisioning_state() -> None:
    meter, clock = RequestMeter(), Clock()
    clock.send(meter, Request("PUT", VM), answer(201, {"properties": {"provisioningState": "Creating"}}))
    clock.send(meter, Request("GET", VM), answer(200, {"properties": {"provisioningState": "Updating"}}))
    clock.send(meter, Request("GET", VM), answer(200, {"properties": {"provisioningState": "Failed"}}))
    (lro,) = meter.summary()["operations"]
    assert (lro["polls"], lro["state"], lro["terminal"]) == (2, "Failed", 3.0)


def test_a_synchronous_answer_is_no_long_running_operation() -> None:
    meter, clock = RequestMeter(), Clock()
    clock.send(
        meter,
        Request("PUT", "https://arm.test/subscriptions/s/resourcegroups/rg?api-version=x"),
        answer(201, {"properties": {"provisioningState": "Succeeded"}}),
    )
    clock.send(meter, Request("DELETE", VM), answer(404, {"error": {"code": "NotFound"}}))
    assert meter.summary()["operations"] == []


def test_a_resend_of_the_same_request_after_429_or_5xx_or_an_error_is_a_retry() -> None:
    meter, clock = RequestMeter(), Clock()
    put = Request("PUT", VM)
    clock.send(meter, put, answer(429))
    clock.send(meter, put, answer(503))
    clock.send(meter, put, None)  # a connection error
    clock.send(meter, put, answer(201, {"properties": {"provisioningState": "Creating"}}))
    clock.send(meter, Request("GET", VM), answer(200, {"properties": {"provisioningState": "Succeeded"}}))
    summary = meter.summary()
    assert (summary["requests"], summary["retries"]) == (5, 3)
    assert summary["retried"] == {"429": 1, "503": 1, "error": 1}
    (lro,) = summary["operations"]
    assert (lro["first_response"], lro["terminal"]) == (4.0, 5.0)  # from the first attempt


def test_an_identical_but_new_request_is_no_retry() -> None:
    meter, clock = RequestMeter(), Clock()
    clock.send(meter, Request("GET", VM), answer(500))
    clock.send(meter, Request("GET", VM), answer(200, {}))
    assert meter.summary()["retries"] == 0


def test_describe_names_the_operation_and_the_resource() -> None:
    assert describe("delete", "https://h/subscriptions/s/resourcegroups/rg-1?api-version=x") == (
        "DELETE resourceGroups",
        "rg-1",
    )
    assert describe("put", f"{BASE}/disks/d1") == ("PUT disks", "d1")
    assert describe("post", f"{BASE}/virtualMachines/vm1/powerOff") == (
        "POST virtualMachines/powerOff",
        "vm1",
    )
