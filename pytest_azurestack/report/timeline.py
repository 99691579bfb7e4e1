"""The timeline chart's geometry: one bar per operation per profile, its LRO waits shaded.

Plain data for the HTML template (it draws the SVG): positions in pixels, from the results' epoch
start and end times and each long-running operation's first response and terminal state.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

LABEL_WIDTH = 300  # px: "profile  AZS-ID" left of the bars
CHART_WIDTH = 760  # px: the time axis
ROW_HEIGHT = 18
TOP = 24  # px: the axis labels
MIN_BAR = 2.0  # px: a replayed operation takes microseconds; it must still be seen
TICKS = 8


@dataclass
class Segment:
    x: float
    width: float
    title: str


@dataclass
class Bar:
    label: str
    profile: str
    outcome: str
    x: float
    y: float
    width: float
    title: str
    waits: list[Segment] = field(default_factory=list)


@dataclass
class Timeline:
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (x, label)
    width: int
    height: int
    span: float  # seconds from the first start to the last end
    label_width: int = LABEL_WIDTH
    row_height: int = ROW_HEIGHT
    top: int = TOP


def _seconds(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.1f} s"
    return f"{int(value // 60)}m{int(value % 60):02d}s"


def nice_step(span: float, most: int = TICKS) -> float:
    """A round tick step (1, 2 or 5 times a power of ten seconds) giving at most ``most`` steps."""
    magnitude = 10 ** math.floor(math.log10(span / most)) if span > 0 else 1.0
    for factor in (1, 2, 5, 10):
        if span / (factor * magnitude) <= most:
            return factor * magnitude
    return 10 * magnitude


def build(results: Iterable[Mapping[str, Any]]) -> Timeline | None:
    """The timeline of the results that ran (those with a start and an end), or None."""
    ran = [r for r in results if r.get("started") and r.get("finished")]
    if not ran:
        return None
    # Profiles in the order they started (each profile's tests run in sequence), then by start.
    first: dict[str, float] = {}
    for r in ran:
        first[r["profile"]] = min(first.get(r["profile"], r["started"]), r["started"])
    ran.sort(key=lambda r: (first[r["profile"]], r["profile"], r["started"]))
    origin = min(r["started"] for r in ran)
    span = max(max(r["finished"] for r in ran) - origin, 1e-3)
    scale = CHART_WIDTH / span
    rows: dict[tuple[str, str], int] = {}
    bars: list[Bar] = []
    for result in ran:
        row = rows.setdefault((result["profile"], result["id"]), len(rows))
        x = LABEL_WIDTH + (result["started"] - origin) * scale
        width = max((result["finished"] - result["started"]) * scale, MIN_BAR)
        timings = result.get("timings") or {}
        iteration = f" (iteration {result['iteration']})" if result.get("iteration") else ""
        title = (
            f"{result['id']} [{result['profile']}]{iteration}: {result['outcome']}, "
            f"{_seconds(result['finished'] - result['started'])}, {timings.get('requests', 0)} requests"
        )
        bar = Bar(result["id"], result["profile"], result["outcome"], x, TOP + row * ROW_HEIGHT, width, title)
        for lro in timings.get("operations", []):
            if lro.get("terminal") is None:
                continue
            start = lro["started"] + lro["first_response"]
            wait = lro["terminal"] - lro["first_response"]
            says = (
                f"{lro['operation']} {lro['resource']}: first response {_seconds(lro['first_response'])}, "
                f"{lro['state'] or 'done'} after {_seconds(lro['terminal'])}, {lro['polls']} poll(s)"
            )
            x = LABEL_WIDTH + (start - origin) * scale
            bar.waits.append(Segment(x, max(wait * scale, MIN_BAR / 2), says))
        bars.append(bar)
    step = nice_step(span)
    ticks = [(LABEL_WIDTH + n * step * scale, _seconds(n * step)) for n in range(int(span / step) + 1)]
    height = TOP + len(rows) * ROW_HEIGHT + 8
    return Timeline(bars, ticks, LABEL_WIDTH + CHART_WIDTH + 40, height, span)


def row_labels(timeline: Timeline) -> list[tuple[float, str, str]]:
    """(y, profile, conformance id) of each row, once; the profile only on its first row."""
    seen: dict[float, tuple[str, str]] = {}
    for bar in timeline.bars:
        seen.setdefault(bar.y, (bar.profile, bar.label))
    rows, previous = [], None
    for y, (profile, label) in sorted(seen.items()):
        rows.append((y, profile if profile != previous else "", label))
        previous = profile
    return rows
