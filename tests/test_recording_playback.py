"""The playback index gives vcrpy's answers: same responses, same play bookkeeping, same misses."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import vcr
import vcr.cassette
from plugin_helpers import ARM_BASE as BASE
from plugin_helpers import arm_cassette, vcr_request
from vcr.cassette import Cassette
from vcr.errors import UnhandledHTTPRequestError
from vcr.request import Request

from pytest_azurestack.recording import playback
from pytest_azurestack.recording.adapter import LiveRequest
from pytest_azurestack.recording.sanitize import RUN_ID_PLACEHOLDER, RunValues, Scrubber


def _play(cassette: Cassette, request: Request) -> str:
    return str(playback.play_response(cassette, request, cassette.filter_request(request))["body"]["string"])


POLL = BASE + "/operations/1?api-version=1"
INTERACTIONS = [
    (vcr_request("PUT", BASE + "?api-version=1", {"location": "local", "tags": {"n": "1"}}), "put-1"),
    (vcr_request("GET", POLL), "poll-InProgress"),
    (vcr_request("PUT", BASE + "?api-version=1", {"location": "local", "tags": {"n": "2"}}), "put-2"),
    (vcr_request("GET", POLL), "poll-Succeeded"),
    (vcr_request("GET", BASE + "?api-version=1&$expand=x"), "get-expand"),
    (vcr_request("GET", BASE + "?api-version=1"), "get"),
]
SENT = [
    vcr_request(
        "GET", BASE.upper().replace("HTTPS", "https") + "/?api-version=1"
    ),  # case and slash: ARM's same path
    vcr_request(
        "PUT", BASE + "?api-version=1", {"tags": {"n": "2"}, "location": "local"}
    ),  # second PUT, keys reordered
    vcr_request("GET", POLL),
    vcr_request("GET", BASE + "?$expand=x&API-VERSION=1"),
    vcr_request("PUT", BASE + "?api-version=1", {"location": "local", "tags": {"n": "1"}}),
    vcr_request("GET", POLL),
    vcr_request("GET", POLL),  # played out: a miss
    vcr_request("GET", BASE + "?api-version=2"),  # never recorded: a miss
]


def _played(cassette: Cassette) -> list[int]:
    """Positions of the interactions vcrpy remembers as played (for drop_unused_requests, vcrpy 8+)."""
    positions = {id(request): n for n, (request, _) in enumerate(cassette.data)}
    return [positions[id(request)] for request, _ in getattr(cassette, "_played_interactions", [])]


def _outcomes(play: Any, cassette: Cassette) -> list[str]:
    out = []
    for request in SENT:
        try:
            out.append(play(cassette, request))
        except UnhandledHTTPRequestError:
            out.append("miss")
    return out


def test_index_answers_as_vcrpy_and_books_the_same_plays() -> None:
    indexed, scanned = arm_cassette(INTERACTIONS), arm_cassette(INTERACTIONS)
    got = _outcomes(_play, indexed)
    expected = _outcomes(lambda c, r: c.play_response(r)["body"]["string"], scanned)
    assert (
        got
        == expected
        == [
            "get",
            "put-2",
            "poll-InProgress",
            "get-expand",
            "put-1",
            "poll-Succeeded",
            "miss",
            "miss",
        ]
    )
    assert indexed.play_counts == scanned.play_counts
    assert _played(indexed) == _played(scanned)
    if hasattr(scanned, "_played_interactions"):  # vcrpy 8+: kept for drop_unused_requests
        assert _played(indexed) == [5, 2, 1, 4, 0, 3]
    assert indexed.all_played


def test_repeats_allowed_replay_the_first_match_like_vcrpy() -> None:
    indexed = arm_cassette(INTERACTIONS, allow_playback_repeats=True)
    scanned = arm_cassette(INTERACTIONS, allow_playback_repeats=True)
    assert [_play(indexed, vcr_request("GET", POLL)) for _ in range(3)] == ["poll-InProgress"] * 3
    assert [scanned.play_response(vcr_request("GET", POLL))["body"]["string"] for _ in range(3)] == [
        "poll-InProgress"
    ] * 3
    assert indexed.play_counts == scanned.play_counts
    assert _played(indexed) == _played(scanned)


def test_index_does_not_run_the_matchers_per_interaction(monkeypatch: pytest.MonkeyPatch) -> None:
    cassette = arm_cassette([(vcr_request("GET", f"{BASE}{n}?api-version=1"), str(n)) for n in range(50)])

    def scanned(*args: Any) -> bool:
        raise AssertionError("vcrpy's linear scan ran")

    monkeypatch.setattr(vcr.cassette, "requests_match", scanned)
    assert _play(cassette, vcr_request("GET", f"{BASE}49?api-version=1")) == "49"


def test_index_follows_appended_interactions() -> None:
    cassette = arm_cassette(INTERACTIONS[:1])
    with pytest.raises(UnhandledHTTPRequestError):
        _play(cassette, vcr_request("GET", POLL))
    cassette.append(
        vcr_request("GET", POLL), {"status": {"code": 200}, "headers": {}, "body": {"string": "late"}}
    )
    assert _play(cassette, vcr_request("GET", POLL)) == "late"


def test_other_matchers_are_served_by_vcrpy() -> None:
    cassette = Cassette("c.yaml", record_mode="none")  # vcrpy's default match_on: method and uri
    cassette.append(
        vcr_request("GET", POLL), {"status": {"code": 200}, "headers": {}, "body": {"string": "exact"}}
    )
    cassette.rewound = True
    assert not playback.indexable(cassette)
    assert _play(cassette, vcr_request("GET", POLL)) == "exact"
    with pytest.raises(UnhandledHTTPRequestError):
        _play(cassette, vcr_request("GET", POLL.replace("rg", "RG")))  # uri matching is exact


def test_live_request_is_scrubbed_before_it_is_looked_up() -> None:
    """Recorded bodies carry placeholders; the live one carries the run id and a password."""
    run_id = "liverun1234"
    recorded = vcr_request(
        "PUT", BASE + "?api-version=1", {"tags": {"run": RUN_ID_PLACEHOLDER}, "adminPassword": "REDACTED"}
    )
    cassette = arm_cassette(
        [(recorded, "created")], scrubber=Scrubber(RunValues(run_id=run_id), drop_identity_traffic=False)
    )
    live = LiveRequest(
        "PUT",
        BASE + "?api-version=1",
        json.dumps({"adminPassword": "s3cret!", "tags": {"run": run_id}}).encode(),
        {"Content-Type": "application/json"},
    )
    assert _play(cassette, live) == "created"
    assert b"s3cret!" in live.body  # the copy was scrubbed, not the request kept for a miss report


def test_live_request_copy_is_independent_and_equal() -> None:
    live = LiveRequest("PUT", BASE + "?a=1", b'{"x": 1}', {"Content-Type": "application/json", "X-A": "1"})
    twin = copy.deepcopy(live)
    assert (twin.method, twin.uri, twin.body, dict(twin.headers)) == (
        live.method,
        live.uri,
        live.body,
        dict(live.headers),
    )
    twin.headers["X-A"] = "2"
    twin.uri = BASE
    assert live.headers["X-A"] == "1" and live.uri == BASE + "?a=1"
