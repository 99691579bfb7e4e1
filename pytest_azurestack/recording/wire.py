"""Wire changes: how a replayed request differs from the one its cassette recorded.

This is what an SDK upgrade gate reports. In playback a request that differs from its recording
only in what it carries (api-version, other query parameters, body, the headers that change what
the server does) is answered with the recorded response of the same method and path, and the
difference is kept, so the test goes on and every change of every operation is reported, not
just the first. Each change is plain data (it crosses from pytest-xdist workers as a user
property) and knows its one-line and its full form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from vcr.request import Request

from .matchers import body_difference, normalized_query, query_difference, raw_query

# "unrecorded": a request the cassette has no (more) recording of, which ended the test.
Kind = Literal["api-version", "query", "body", "header", "unrecorded"]
# Request headers whose change changes what the server does; the rest (User-Agent, request ids,
# Accept-Encoding) move with every release and mean nothing to Resource Manager.
MEANINGFUL_HEADERS = ("content-type", "if-match", "if-none-match")
API_VERSION = "api-version"


@dataclass(frozen=True)
class WireChange:
    """One difference between a sent request and its recording."""

    kind: Kind
    method: str
    path: str
    recorded: str
    sent: str
    detail: str = ""  # a unified diff (recorded -> sent) for bodies

    def line(self) -> str:
        if self.kind == "body":
            return f"{self.method} {self.path}: body differs from the recording"
        if self.kind == "unrecorded":
            query = f"?{self.sent}" if self.sent else ""
            return f"{self.method} {self.path}{query}: sent, but not (or not this often) recorded"
        return f"{self.method} {self.path}: {self.kind} recorded {self.recorded!r}, sent {self.sent!r}"

    def full(self) -> str:
        if not self.detail:
            return self.line()
        return self.line() + "\n" + "\n".join(f"    {row}" for row in self.detail.splitlines())

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WireChange:
        fields = ("method", "path", "recorded", "sent", "detail")
        return cls(data["kind"], *(str(data.get(name, "")) for name in fields))


def _query(request: Request) -> dict[str, str]:
    return dict(normalized_query(raw_query(request)))


def _header(request: Request, name: str) -> str:
    for key, value in request.headers.items():
        if key.lower() == name:
            text = value[0] if isinstance(value, list) and value else value
            return str(text or "")
    return ""


def compare(sent: Request, recorded: Request) -> list[WireChange]:
    """Every difference of ``sent`` from ``recorded`` (same method and path), both scrubbed."""
    method, path = sent.method, sent.path
    changes: list[WireChange] = []
    sent_query, recorded_query = _query(sent), _query(recorded)
    if sent_query.get(API_VERSION) != recorded_query.get(API_VERSION):
        changes.append(
            WireChange(
                "api-version",
                method,
                path,
                recorded_query.get(API_VERSION, ""),
                sent_query.get(API_VERSION, ""),
            )
        )
    sent_query.pop(API_VERSION, None)
    recorded_query.pop(API_VERSION, None)
    if sent_query != recorded_query:
        difference = query_difference(_encode(sent_query), _encode(recorded_query))
        changes.append(
            WireChange("query", method, path, _encode(recorded_query), _encode(sent_query), difference)
        )
    diff = body_difference(sent, recorded)
    if diff:
        changes.append(WireChange("body", method, path, "", "", diff))
    for name in MEANINGFUL_HEADERS:
        was, now = _header(recorded, name), _header(sent, name)
        if was.split(";")[0].strip().lower() != now.split(";")[0].strip().lower():
            changes.append(WireChange("header", method, path, f"{name}: {was}", f"{name}: {now}"))
    return changes


def _encode(query: Mapping[str, str]) -> str:
    return "&".join(f"{k}={v}" for k, v in sorted(query.items()))


def summary_lines(changes: Iterable[WireChange]) -> list[str]:
    """The changes of one test, each in full, identical ones counted once."""
    counted: dict[str, int] = {}
    for change in changes:
        text = change.full()
        counted[text] = counted.get(text, 0) + 1
    return [text + (f" (x{n})" if n > 1 else "") for text, n in counted.items()]
