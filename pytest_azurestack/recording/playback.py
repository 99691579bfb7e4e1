"""Playback lookup: a cassette's interactions indexed by what the ARM matchers compare.

vcrpy's ``Cassette.play_response`` scrubs the request again and runs every matcher against every
recorded interaction in order, played ones included, on each request: the cost of a request grows
with its position in the cassette. The ARM matchers (``matchers.MATCH_ON``) compare method, path
and query as normalized keys and bodies as canonical text, so an index from
``(method, path, query)`` to the interactions in recorded order, with each recorded body made
canonical once per cassette, finds the same interaction: the first matching one not yet played
(or the first matching one with ``allow_playback_repeats``). The play is booked the way vcrpy books
it, so play counts, ``all_played`` and ``drop_unused_requests`` see no difference.

A cassette matched any other way (another ``match_on``, a vcrpy without the bookkeeping this
mirrors) is served by ``play_response`` itself.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from vcr import matchers as vcr_matchers
from vcr.errors import UnhandledHTTPRequestError
from vcr.request import Request

from .matchers import _body_of, _norm_path, _norm_query, arm_path, arm_query, json_body

Key = tuple[str, str, tuple[tuple[str, str], ...]]
# The matchers the index stands for; order does not matter (a match needs all of them).
_INDEXED: frozenset[Callable[..., Any]] = frozenset({vcr_matchers.method, arm_path, arm_query, json_body})
# vcrpy's Cassette state that play_response books a play in (vcrpy 9.x).
_BOOKKEEPING = ("data", "play_counts", "_played_interactions", "_loaded_count", "allow_playback_repeats")


def _key(request: Request) -> Key:
    return (request.method, _norm_path(request.path), _norm_query(request.parsed_uri.query))


class PlaybackIndex:
    """Interactions of one cassette by key, each with its canonical body, in recorded order."""

    def __init__(self, cassette: Any) -> None:
        self._cassette = cassette
        self._lock = threading.Lock()  # LRO pollers replay from their own threads
        self._indexed: tuple[int, int] | None = None  # (id, length) of the data last indexed
        self._by_key: dict[Key, list[tuple[int, str | bytes]]] = {}

    def _refresh(self) -> None:
        # Playback never appends, but a cassette that changed (or was replaced) is indexed again.
        data = self._cassette.data
        if self._indexed == (id(data), len(data)):
            return
        by_key: dict[Key, list[tuple[int, str | bytes]]] = {}
        for index, (recorded, _) in enumerate(data):
            by_key.setdefault(_key(recorded), []).append((index, _body_of(recorded)))
        self._by_key, self._indexed = by_key, (id(data), len(data))

    def play(self, request: Request) -> dict[str, Any]:
        """The response to ``request`` (already scrubbed), booked as played; vcrpy's miss if none."""
        cassette = self._cassette
        with self._lock:
            self._refresh()
            candidates = self._by_key.get(_key(request), ())
            body = _body_of(request) if candidates else b""
            for index, recorded_body in candidates:
                if recorded_body != body:
                    continue
                if cassette.play_counts[index] == 0 or cassette.allow_playback_repeats:
                    # As vcrpy's play_response: remember a loaded interaction on its first play.
                    recorded, response = cassette.data[index]
                    if cassette.play_counts[index] == 0 and index < cassette._loaded_count:
                        cassette._played_interactions.append((recorded, response))
                    cassette.play_counts[index] += 1
                    return response
        raise UnhandledHTTPRequestError(
            f"The cassette ({cassette._path!r}) doesn't contain the request ({request!r}) asked for"
        )


# One index per cassette, shared by every transport (client) replaying from it; None: not indexable.
_indexes: weakref.WeakKeyDictionary[Any, PlaybackIndex | None] = weakref.WeakKeyDictionary()
_indexes_lock = threading.Lock()


def indexable(cassette: Any) -> bool:
    """True when the index gives exactly vcrpy's answer for this cassette."""
    match_on = getattr(cassette, "_match_on", None)
    return (
        match_on is not None
        and frozenset(match_on) == _INDEXED
        and all(hasattr(cassette, name) for name in _BOOKKEEPING)
    )


def play_response(cassette: Any, request: Request, scrubbed: Request) -> dict[str, Any]:
    """``cassette.play_response(request)``, through the index when that gives the same answer.

    ``scrubbed`` is ``cassette.filter_request(request)``: the index uses it, so the request is
    scrubbed once; the fallback hands vcrpy the original, which scrubs it itself.
    Raises vcrpy's ``UnhandledHTTPRequestError`` on a miss, like ``play_response``.
    """
    with _indexes_lock:
        if cassette in _indexes:
            index = _indexes[cassette]
        else:
            index = _indexes[cassette] = PlaybackIndex(cassette) if indexable(cassette) else None
    if index is None:
        return cassette.play_response(request)
    return index.play(scrubbed)
