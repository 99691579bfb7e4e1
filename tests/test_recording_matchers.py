"""ARM request matching and the explanation of a playback miss."""

from __future__ import annotations

import json

import pytest
import vcr
from vcr.cassette import Cassette
from vcr.request import Request

from pytest_azurestack.recording.matchers import (
    MATCH_ON,
    MATCHERS,
    arm_path,
    arm_query,
    explain_miss,
    json_body,
)

BASE = "https://management.local.azurestack.external/subscriptions/0/resourceGroups/rg"


def _req(method: str, url: str, body: object = None) -> Request:
    data = json.dumps(body).encode() if body is not None else None
    return Request(method, url, data, {"Content-Type": "application/json"})


def test_path_ignores_host_case_and_trailing_slash() -> None:
    arm_path(_req("GET", BASE), _req("GET", "https://127.0.0.1:5000/SUBSCRIPTIONS/0/resourcegroups/RG/"))
    with pytest.raises(AssertionError, match="sent /subscriptions/0/resourceGroups/rg2"):
        arm_path(_req("GET", BASE + "2"), _req("GET", BASE))


def test_query_is_order_insensitive_but_api_version_exact() -> None:
    arm_query(
        _req("GET", BASE + "?a=1&api-version=2020-06-01"), _req("GET", BASE + "?API-VERSION=2020-06-01&a=1")
    )
    with pytest.raises(AssertionError, match="api-version sent '2021-04-01', recorded '2020-06-01'"):
        arm_query(
            _req("GET", BASE + "?api-version=2021-04-01"), _req("GET", BASE + "?api-version=2020-06-01")
        )
    with pytest.raises(AssertionError, match="\\$expand='instanceView' recorded but not sent"):
        arm_query(
            _req("GET", BASE + "?api-version=1"), _req("GET", BASE + "?api-version=1&$expand=instanceView")
        )


def test_json_bodies_compare_as_data() -> None:
    json_body(_req("PUT", BASE, {"a": 1, "b": [1, 2]}), Request("PUT", BASE, b'{"b":[1,2],  "a":1}', {}))
    json_body(_req("GET", BASE), Request("GET", BASE, b"", {}))
    with pytest.raises(AssertionError, match=r'(?s)- "a": 1.*\+ "a": 2'):
        json_body(_req("PUT", BASE, {"a": 2}), _req("PUT", BASE, {"a": 1}))


def _cassette(*requests: Request) -> Cassette:
    recorder = vcr.VCR(match_on=MATCH_ON)
    for name, matcher in MATCHERS.items():
        recorder.register_matcher(name, matcher)
    cassette = Cassette("c.yaml", match_on=recorder._get_matchers(MATCH_ON), record_mode="none")
    for request in requests:
        cassette.append(
            request, {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": b""}}
        )
    return cassette


def test_miss_names_the_closest_request_and_what_differs() -> None:
    cassette = _cassette(
        _req("GET", BASE + "?api-version=2019-10-01"),
        _req("PUT", BASE + "?api-version=2019-10-01", {"location": "local", "tags": {"a": "1"}}),
        _req("DELETE", BASE + "?api-version=2019-10-01"),
    )
    message = explain_miss(
        cassette,
        _req("PUT", BASE + "?api-version=2021-04-01", {"location": "local", "tags": {"a": "2"}}),
        "c.yaml",
        "CMD",
    )
    lines = message.splitlines()
    assert (
        lines[0]
        == "cassette miss: PUT /subscriptions/0/resourceGroups/rg?api-version=2021-04-01 is not in c.yaml"
    )
    assert (
        lines[1]
        == "closest recorded request (#2 of 3): PUT /subscriptions/0/resourceGroups/rg?api-version=2019-10-01"
    )
    assert "  query differs: api-version sent '2021-04-01', recorded '2019-10-01'" in lines
    assert '    -  "a": "1"' in lines and '    +  "a": "2"' in lines
    assert lines[-1] == "to re-record: CMD"


def test_identical_requests_replay_in_recorded_order_then_miss() -> None:
    poll = _req("GET", BASE + "/operations/1?api-version=1")
    cassette = _cassette(poll, poll)
    cassette.data[0] = (cassette.data[0][0], {**cassette.data[0][1], "body": {"string": b"InProgress"}})
    cassette.data[1] = (cassette.data[1][0], {**cassette.data[1][1], "body": {"string": b"Succeeded"}})
    cassette.rewound = True
    assert cassette.play_response(poll)["body"]["string"] == b"InProgress"
    assert cassette.play_response(poll)["body"]["string"] == b"Succeeded"
    assert not cassette.can_play_response_for(poll)
    message = explain_miss(cassette, poll, "c.yaml", "CMD")
    assert "sent more often than recorded: the cassette has it 2 time(s), all already played" in message
