"""The results model: one verdict per (conformance id, profile), built from pytest's reports.

Everything here is plain data so it works the same in one process and on the pytest-xdist
controller, which only sees serialized ``TestReport`` objects: the worker side attaches the
conformance id, title, profile and outcome category as ``user_properties`` (which also makes
pytest's own junitxml carry them as ``<property>`` elements).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from ..metrics.timings import timings_of
from ..profiles import ALL_PROFILES
from ..verdicts import (
    NO_PROFILE,
    PROP_DESCRIPTION,
    PROP_ID,
    PROP_PINNED,
    PROP_PROFILE,
    PROP_RECORDED_WITH,
    PROP_TITLE,
    PROP_WIRE_CHANGES,
    Outcome,
    base_nodeid,
    phase_outcome,
    user_property,
)


def pinned_requests(report: pytest.TestReport) -> list[str]:
    """The requests pin mode rewrote during the test (``PROP_PINNED`` entries), in order."""
    found: list[str] = []
    for entry in report.user_properties:
        if entry[0] == PROP_PINNED:
            value = entry[1]
            found += [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
    return found


def wire_changes(report: pytest.TestReport) -> tuple[list[dict[str, str]], dict[str, str]]:
    """(the wire changes the upgrade gate found, the SDK versions the cassette was recorded with)."""
    changes: list[dict[str, str]] = []
    recorded: dict[str, str] = {}
    for entry in report.user_properties:
        if entry[0] == PROP_WIRE_CHANGES and isinstance(entry[1], list):
            changes = [dict(c) for c in entry[1]]  # the latest list: every phase repeats the item's
        elif entry[0] == PROP_RECORDED_WITH and isinstance(entry[1], dict):
            recorded = {str(k): str(v) for k, v in entry[1].items()}
    return changes, recorded


@dataclass
class Result:
    """The verdict of one conformance test under one profile."""

    nodeid: str
    conformance_id: str
    title: str
    profile: str
    outcome: Outcome
    reason: str = ""
    duration: float = 0.0
    location: tuple[str, int] = ("", 0)  # (path, line) of the test: rows follow the source order
    pinned: list[str] = field(default_factory=list)  # requests whose api-version pin mode rewrote
    description: str = ""  # the one sentence saying what the test proves
    wire_changes: list[dict[str, str]] = field(default_factory=list)  # WireChange dicts (playback)
    recorded_with: dict[str, str] = field(default_factory=dict)  # package versions of its cassette
    # What the wire showed (metrics.meter summary): requests, retries, long-running operations.
    timings: dict[str, Any] = field(default_factory=dict)
    started: float = 0.0  # epoch seconds: setup start to teardown end, for the timeline
    finished: float = 0.0
    iteration: int = 0  # the soak iteration (1..N) that produced it; 0 outside a soak

    @property
    def requests(self) -> int:
        return int(self.timings.get("requests", 0))

    @property
    def retries(self) -> int:
        return int(self.timings.get("retries", 0))

    @property
    def lro_wait(self) -> float:
        return float(self.timings.get("lro_wait", 0.0))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.conformance_id,
            "title": self.title,
            "description": self.description,
            "profile": self.profile,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "duration": round(self.duration, 3),
            "nodeid": self.nodeid,
            "pinned": list(self.pinned),
            "wire_changes": list(self.wire_changes),
            "recorded_with": dict(self.recorded_with),
            "started": round(self.started, 3),
            "finished": round(self.finished, 3),
            "timings": dict(self.timings),
        }


class Results:
    """Every conformance verdict of a run, keyed by node id (without xdist's group suffix)."""

    def __init__(self) -> None:
        self._by_nodeid: dict[str, Result] = {}

    def __iter__(self) -> Iterator[Result]:
        """One verdict per (id, profile): an excluded variant of an id (``managed_disks`` vs
        ``unmanaged_disks``) gives way to the variant that ran under that profile."""
        ran = {
            (r.conformance_id, r.profile) for r in self._by_nodeid.values() if r.outcome != Outcome.EXCLUDED
        }
        seen: set[tuple[str, str]] = set()
        for result in self._by_nodeid.values():
            key = (result.conformance_id, result.profile)
            if result.outcome is Outcome.EXCLUDED and (key in ran or key in seen):
                continue
            seen.add(key)
            yield result

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def add_report(self, report: pytest.TestReport) -> Result | None:
        """Fold one phase report into its result; ignore tests without a conformance id."""
        cid = user_property(report, PROP_ID)
        if cid is None:
            return None
        nodeid = base_nodeid(report.nodeid)
        result = self._by_nodeid.get(nodeid)
        if result is None:
            result = Result(
                nodeid=nodeid,
                conformance_id=cid,
                title=user_property(report, PROP_TITLE) or "",
                description=user_property(report, PROP_DESCRIPTION) or "",
                profile=user_property(report, PROP_PROFILE) or NO_PROFILE,
                outcome=Outcome.NOT_RUN,
                reason="started but never finished",
                location=(str(report.location[0]), int(report.location[1] or 0)),
            )
            self._by_nodeid[nodeid] = result
        result.duration += report.duration
        start, stop = float(getattr(report, "start", 0.0) or 0.0), float(getattr(report, "stop", 0.0) or 0.0)
        result.started = min(result.started, start) if result.started and start else (result.started or start)
        result.finished = max(result.finished, stop)
        result.timings = timings_of(report) or result.timings
        # user_properties accumulate over the phases: the latest report has them all.
        result.pinned = pinned_requests(report) or result.pinned
        changes, recorded = wire_changes(report)
        result.wire_changes = changes or result.wire_changes
        result.recorded_with = recorded or result.recorded_with
        verdict = phase_outcome(report)
        # A teardown error after a skip or failure keeps the first verdict: it is the cause.
        if verdict is not None and not (report.when == "teardown" and result.outcome is not Outcome.PASSED):
            result.outcome, result.reason = verdict
        return result

    def add_excluded(self, entry: Mapping[str, Any]) -> None:
        """Record a deselected test (an ``as_exclusion`` dict); a test that ran keeps its verdict."""
        nodeid = base_nodeid(str(entry["nodeid"]))
        self._by_nodeid.setdefault(
            nodeid,
            Result(
                nodeid=nodeid,
                conformance_id=str(entry["id"]),
                title=str(entry["title"]),
                description=str(entry.get("description", "")),
                profile=str(entry["profile"]) or NO_PROFILE,
                outcome=Outcome.EXCLUDED,
                reason=str(entry["reason"]),
                location=(str(entry["path"]), int(entry["line"])),
            ),
        )

    def profiles(self) -> list[str]:
        """The profile columns: known profiles in canonical order, then any others as first seen."""
        seen = list(dict.fromkeys(r.profile for r in self))
        order = {p.name: i for i, p in enumerate(ALL_PROFILES)}
        return sorted(seen, key=lambda name: (order.get(name, len(order)), seen.index(name)))

    def operations(self) -> list[tuple[str, str]]:
        """The rows: (conformance id, title) in source order (xdist reports arrive in any order)."""
        ordered = sorted(self, key=lambda r: r.location)
        return list(dict.fromkeys((r.conformance_id, r.title) for r in ordered))

    def cell(self, conformance_id: str, profile: str) -> Result | None:
        for result in self:
            if result.conformance_id == conformance_id and result.profile == profile:
                return result
        return None

    def totals(self) -> dict[str, dict[Outcome, int]]:
        """profile -> outcome -> count."""
        table: dict[str, dict[Outcome, int]] = {p: dict.fromkeys(Outcome, 0) for p in self.profiles()}
        for result in self:
            table[result.profile][result.outcome] += 1
        return table

    def durations(self) -> dict[str, float]:
        table = dict.fromkeys(self.profiles(), 0.0)
        for result in self:
            table[result.profile] += result.duration
        return table

    def wire_totals(self) -> dict[str, dict[str, float]]:
        """profile -> {"requests", "retries", "lro_wait"} summed over its tests."""
        table = {p: {"requests": 0.0, "retries": 0.0, "lro_wait": 0.0} for p in self.profiles()}
        for result in self:
            row = table[result.profile]
            row["requests"] += result.requests
            row["retries"] += result.retries
            row["lro_wait"] += result.lro_wait
        return table

    def extend_excluded(self, entries: Iterable[Mapping[str, Any]]) -> None:
        """Add exclusions sent by an xdist worker (``as_exclusion`` dicts)."""
        for entry in entries:
            self.add_excluded(entry)


def as_exclusion(
    item: pytest.Item, conformance_id: str, title: str, profile: str, reason: str, description: str = ""
) -> dict[str, Any]:
    """A plain (xdist-serializable) record of a deselected conformance test."""
    path, line = item.location[0], item.location[1] or 0
    return {
        "nodeid": item.nodeid,
        "id": conformance_id,
        "title": title,
        "description": description,
        "profile": profile,
        "reason": reason,
        "path": path,
        "line": line,
    }
