"""Request matching for ARM traffic, and the explanation of a playback miss.

Matchers (vcrpy's convention: the live request first, the recorded one second; raise
``AssertionError`` with the difference):

- ``method``: vcrpy's own.
- ``arm_path``: the path without scheme, host or port, compared case-insensitively and
  percent-decoded. Resource Manager treats paths case-insensitively (``resourcegroups`` and
  ``resourceGroups`` reach the same resource), and SDK releases have changed that casing without
  changing what the request does; a recording must not be invalidated by it.
- ``arm_query``: the query as a multiset, order-insensitive, parameter names case-insensitive,
  values exact (``api-version`` differences are exactly what must fail).
- ``json_body``: a JSON body compared as data (key order and whitespace ignored), other bodies
  byte for byte. Both sides are scrubbed, so a password or run id does not decide a match.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from vcr.request import Request

from .adapter import interactions, play_count, read_body, scrubbed

MATCH_ON: tuple[str, ...] = ("method", "arm_path", "arm_query", "json_body")
MAX_DIFF_LINES = 40


@functools.lru_cache(maxsize=4096)
def normalized_path(path: str) -> str:
    return unquote(path).rstrip("/").lower() or "/"


def raw_query(request: Request) -> str:
    """The request's query string (vcrpy 7 and older have no ``Request.parsed_uri``)."""
    return urlsplit(request.uri).query


@functools.lru_cache(maxsize=4096)
def normalized_query(query: str) -> tuple[tuple[str, str], ...]:
    """The query as sorted (lower-cased name, value) pairs: what ``arm_query`` compares."""
    return tuple(sorted((k.lower(), v) for k, v in parse_qsl(query, keep_blank_values=True)))


@functools.lru_cache(maxsize=1024)
def _canonical_body(body: bytes | str | None) -> str | bytes:
    """Indented, key-sorted JSON (readable in a diff), else the text, else the bytes."""
    if body is None or body in (b"", ""):
        return ""
    text: str | bytes
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
    else:
        text = body
    if text.lstrip()[:1] in ("{", "["):
        try:
            return json.dumps(json.loads(text), indent=1, sort_keys=True)
        except ValueError:
            pass
    return text


def canonical_body_of(request: Request) -> str | bytes:
    body = read_body(request)
    if isinstance(body, list):  # an iterator body, materialized by vcrpy
        body = b"".join(body)
    return _canonical_body(body)


def arm_path(r1: Request, r2: Request) -> None:
    if normalized_path(r1.path) != normalized_path(r2.path):
        raise AssertionError(f"sent {r1.path}, recorded {r2.path}")


def query_difference(sent: str, recorded: str) -> str:
    """One line naming each query parameter that differs, or "" when the queries match."""
    a, b = dict(normalized_query(sent)), dict(normalized_query(recorded))
    if normalized_query(sent) == normalized_query(recorded):
        return ""
    parts = []
    for key in sorted(set(a) | set(b)):
        if key not in b:
            parts.append(f"{key}={a[key]!r} sent but not recorded")
        elif key not in a:
            parts.append(f"{key}={b[key]!r} recorded but not sent")
        elif a[key] != b[key]:
            parts.append(f"{key} sent {a[key]!r}, recorded {b[key]!r}")
    return "; ".join(parts) or f"sent {sent!r}, recorded {recorded!r}"


def arm_query(r1: Request, r2: Request) -> None:
    difference = query_difference(raw_query(r1), raw_query(r2))
    if difference:
        raise AssertionError(difference)


def body_difference(sent: Request, recorded: Request) -> str:
    """A unified diff (recorded -> sent) of the bodies as data, or "" when they match."""
    a, b = canonical_body_of(sent), canonical_body_of(recorded)
    if a == b:
        return ""
    if isinstance(a, bytes) or isinstance(b, bytes):
        return f"binary bodies differ ({len(a)} bytes sent, {len(b)} recorded)"
    diff = list(difflib.unified_diff(b.splitlines(), a.splitlines(), "recorded", "sent", n=2, lineterm=""))
    if len(diff) > MAX_DIFF_LINES:
        diff = [*diff[:MAX_DIFF_LINES], f"... ({len(diff) - MAX_DIFF_LINES} more lines)"]
    return "\n".join(diff)


def json_body(r1: Request, r2: Request) -> None:
    difference = body_difference(r1, r2)
    if difference:
        raise AssertionError(difference)


MATCHERS = {"arm_path": arm_path, "arm_query": arm_query, "json_body": json_body}


def _differences(sent: Request, recorded: Request) -> list[tuple[str, str]]:
    out = []
    if sent.method.upper() != recorded.method.upper():
        out.append(("method", f"sent {sent.method}, recorded {recorded.method}"))
    if normalized_path(sent.path) != normalized_path(recorded.path):
        out.append(("path", f"sent {sent.path}\n  recorded {recorded.path}"))
    query = query_difference(raw_query(sent), raw_query(recorded))
    if query:
        out.append(("query", query))
    body = body_difference(sent, recorded)
    if body:
        out.append(("body", body))
    return out


def _show(request: Request) -> str:
    query = f"?{raw_query(request)}" if raw_query(request) else ""
    return f"{request.method} {request.path}{query}"


def explain_miss(cassette: Any, request: Request, path: str, rerecord: str) -> str:
    """Why ``request`` is not in ``cassette``: the closest recorded request and what differs.

    ``cassette`` is a vcrpy ``Cassette``; ``request`` the live request (scrubbed here the way the
    cassette scrubs it before matching).
    """
    sent = scrubbed(cassette, request) or request
    recorded: Sequence[tuple[Request, Any]] = interactions(cassette)
    head = f"cassette miss: {_show(sent)} is not in {path}"
    if not recorded:
        return f"{head} (it has no interactions)\nto re-record: {rerecord}"

    def rank(item: tuple[int, tuple[Request, Any]]) -> tuple[int, int, float]:
        index, (candidate, _) = item
        differences = _differences(sent, candidate)
        similarity = difflib.SequenceMatcher(
            None, normalized_path(sent.path), normalized_path(candidate.path)
        ).ratio()
        unplayed = 1 if play_count(cassette, index) == 0 else 0
        return (-len(differences), unplayed, similarity)

    index, (closest, _) = max(enumerate(recorded), key=rank)
    differences = _differences(sent, closest)
    lines = [head]
    if not differences:
        times = sum(1 for candidate, _ in recorded if not _differences(sent, candidate))
        lines.append(
            f"it was sent more often than recorded: the cassette has it {times} time(s), all already "
            "played (a changed number of polls or retries)"
        )
    else:
        lines.append(f"closest recorded request (#{index + 1} of {len(recorded)}): {_show(closest)}")
        for aspect, detail in differences:
            if "\n" in detail:
                lines.append(f"  {aspect} differs:")
                lines += [f"    {line}" for line in detail.splitlines()]
            else:
                lines.append(f"  {aspect} differs: {detail}")
    lines.append(f"to re-record: {rerecord}")
    return "\n".join(lines)
