"""ARM request matching and the explanation of a playback miss."""

from __future__ import annotations

import pytest
from plugin_helpers import ARM_BASE as BASE
from plugin_helpers import arm_cassette, vcr_request
from vcr.cassette import Cassette
from vcr.request import Request

from pytest_azurestack.recording.matchers import (
    arm_path,
    arm_query,
    explain_miss,
    json_body,
)


def test_path_ignores_host_case_and_trailing_slash() -> None:
    arm_path(
        vcr_request("GET", BASE),
        vcr_request("GET", "https://127.0.0.1:5000/SUBSCRIPTIONS/0/resourcegroups/RG/"),
    )
    with pytest.raises(AssertionError, match="sent /subscriptions/0/resourceGroups/rg2"):
        arm_path(vcr_request("GET", BASE + "2"), vcr_request("GET", BASE))


def test_query_is_order_insensitive_but_api_version_exact() -> None:
    arm_query(
        vcr_request("GET", BASE + "?a=1&api-version=2020-06-01"),
        vcr_request("GET", BASE + "?API-VERSION=2020-06-01&a=1"),
    )
    with pytest.raises(AssertionError, match="api-version sent '2021-04-01', recorded '2020-06-01'"):
        arm_query(
            vcr_request("GET", BASE + "?api-version=2021-04-01"),
            vcr_request("GET", BASE + "?api-version=2020-06-01"),
        )
    with pytest.raises(AssertionError, match="\\$expand='instanceView' recorded but not sent"):
        arm_query(
            vcr_request("GET", BASE + "?api-version=1"),
            vcr_request("GET", BASE + "?api-version=1&$expand=instanceView"),
        )


def test_json_bodies_compare_as_data() -> None:
    json_body(
        vcr_request("PUT", BASE, {"a": 1, "b": [1, 2]}), Request("PUT", BASE, b'{"b":[1,2],  "a":1}', {})
    )
    json_body(vcr_request("GET", BASE), Request("GET", BASE, b"", {}))
    with pytest.raises(AssertionError, match=r'(?s)- "a": 1.*\+ "a": 2'):
        json_body(vcr_request("PUT", BASE, {"a": 2}), vcr_request("PUT", BASE, {"a": 1}))


def _cassette(*requests: Request) -> Cassette:
    return arm_cassette([(request, b"") for request in requests])


def test_miss_names_the_closest_request_and_what_differs() -> None:
    cassette = _cassette(
        vcr_request("GET", BASE + "?api-version=2019-10-01"),
        vcr_request("PUT", BASE + "?api-version=2019-10-01", {"location": "local", "tags": {"a": "1"}}),
        vcr_request("DELETE", BASE + "?api-version=2019-10-01"),
    )
    message = explain_miss(
        cassette,
        vcr_request("PUT", BASE + "?api-version=2021-04-01", {"location": "local", "tags": {"a": "2"}}),
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
    poll = vcr_request("GET", BASE + "/operations/1?api-version=1")
    cassette = _cassette(poll, poll)
    cassette.data[0] = (cassette.data[0][0], {**cassette.data[0][1], "body": {"string": b"InProgress"}})
    cassette.data[1] = (cassette.data[1][0], {**cassette.data[1][1], "body": {"string": b"Succeeded"}})
    cassette.rewound = True
    assert cassette.play_response(poll)["body"]["string"] == b"InProgress"
    assert cassette.play_response(poll)["body"]["string"] == b"Succeeded"
    assert not cassette.can_play_response_for(poll)
    message = explain_miss(cassette, poll, "c.yaml", "CMD")
    assert "sent more often than recorded: the cassette has it 2 time(s), all already played" in message
