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

from . import adapter
from .matchers import (
    arm_path,
    arm_query,
    canonical_body_of,
    json_body,
    normalized_path,
    normalized_query,
    raw_query,
)

Key = tuple[str, str, tuple[tuple[str, str], ...]]
# The matchers the index stands for; order does not matter (a match needs all of them).
_INDEXED: frozenset[Callable[..., Any]] = frozenset({vcr_matchers.method, arm_path, arm_query, json_body})


def _key(request: Request) -> Key:
    return (request.method, normalized_path(request.path), normalized_query(raw_query(request)))


class PlaybackIndex:
    """Interactions of one cassette by key, each with its canonical body, in recorded order."""

    def __init__(self, cassette: Any) -> None:
        self._cassette = cassette
        self._lock = threading.Lock()  # LRO pollers replay from their own threads
        self._indexed: tuple[int, int] | None = None  # (id, length) of the data last indexed
        self._by_key: dict[Key, list[tuple[int, str | bytes]]] = {}
        self._by_path: dict[tuple[str, str], list[int]] = {}

    def _refresh(self) -> None:
        # Playback never appends, but a cassette that changed (or was replaced) is indexed again.
        data = adapter.interactions(self._cassette)
        if self._indexed == (id(data), len(data)):
            return
        by_key: dict[Key, list[tuple[int, str | bytes]]] = {}
        by_path: dict[tuple[str, str], list[int]] = {}
        for index, (recorded, _) in enumerate(data):
            key = _key(recorded)
            by_key.setdefault(key, []).append((index, canonical_body_of(recorded)))
            by_path.setdefault(key[:2], []).append(index)
        self._by_key, self._by_path, self._indexed = by_key, by_path, (id(data), len(data))

    def play(self, request: Request) -> dict[str, Any]:
        """The response to ``request`` (already scrubbed), booked as played; vcrpy's miss if none."""
        cassette = self._cassette
        with self._lock:
            self._refresh()
            candidates = self._by_key.get(_key(request), ())
            body = canonical_body_of(request) if candidates else b""
            for index, recorded_body in candidates:
                if recorded_body != body:
                    continue
                if adapter.play_count(cassette, index) == 0 or adapter.repeats_allowed(cassette):
                    return adapter.book_play(cassette, index)[1]
        raise UnhandledHTTPRequestError(
            f"The cassette ({adapter.cassette_file(cassette)!r}) doesn't contain the request ({request!r}) "
            "asked for"
        )

    def play_nearest(self, request: Request) -> tuple[Request, dict[str, Any]] | None:
        """The first unplayed interaction with ``request``'s method and path, whatever its query
        and body differ in, booked as played; None when there is none.

        This is how a changed request is answered in playback: the operation's recorded response,
        so the test goes on and the difference is reported instead of ending it.
        """
        with self._lock:
            self._refresh()
            key = (request.method, normalized_path(request.path))
            # In recorded order: the k-th request of an operation pairs with its k-th recording, so
            # a changed query (a default the SDK dropped) shows as that, not as another's state.
            for index in self._by_path.get(key, ()):
                if adapter.play_count(self._cassette, index) == 0:
                    return adapter.book_play(self._cassette, index)
        return None


# One index per cassette, shared by every transport (client) replaying from it; None: not indexable.
_indexes: weakref.WeakKeyDictionary[Any, PlaybackIndex | None] = weakref.WeakKeyDictionary()
_indexes_lock = threading.Lock()


def indexable(cassette: Any) -> bool:
    """True when the index gives exactly vcrpy's answer for this cassette."""
    match_on = adapter.matchers_of(cassette)
    return match_on is not None and frozenset(match_on) == _INDEXED and adapter.has_play_state(cassette)


def _index_of(cassette: Any) -> PlaybackIndex | None:
    with _indexes_lock:
        if cassette not in _indexes:
            _indexes[cassette] = PlaybackIndex(cassette) if indexable(cassette) else None
        return _indexes[cassette]


def play_nearest(cassette: Any, scrubbed: Request) -> tuple[Request, dict[str, Any]] | None:
    """``PlaybackIndex.play_nearest`` for ``cassette``; None when it cannot be indexed."""
    index = _index_of(cassette)
    return None if index is None else index.play_nearest(scrubbed)


def play_response(cassette: Any, request: Request, scrubbed: Request) -> dict[str, Any]:
    """``cassette.play_response(request)``, through the index when that gives the same answer.

    ``scrubbed`` is ``cassette.filter_request(request)``: the index uses it, so the request is
    scrubbed once; the fallback hands vcrpy the original, which scrubs it itself.
    Raises vcrpy's ``UnhandledHTTPRequestError`` on a miss, like ``play_response``.
    """
    index = _index_of(cassette)
    if index is None:
        return cassette.play_response(request)
    return index.play(scrubbed)
