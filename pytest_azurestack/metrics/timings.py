"""Where a test's meter lives and how its summary travels; no hooks (importing it registers
no plugin). The summary is a ``TestReport`` attribute (``REPORT_ATTRIBUTE``), set on the teardown
report by ``metrics.plugin``: pytest-xdist serializes a report's attributes, so the controller reads
it as from a local report, and JUnit XML stays as it was."""

from __future__ import annotations

from typing import Any

import pytest

from .meter import RequestMeter

METER_KEY = pytest.StashKey[RequestMeter]()
REPORT_ATTRIBUTE = "azurestack_timings"


def watch(item: pytest.Item, transport: Any) -> RequestMeter:
    """Meter every attempt ``transport`` sends for ``item`` (one transport per test)."""
    meter = item.stash.get(METER_KEY, None)
    if meter is None:
        meter = item.stash[METER_KEY] = RequestMeter()
    transport.observers.append(meter.watch)
    return meter


def meter_of(item: pytest.Item) -> RequestMeter | None:
    return item.stash.get(METER_KEY, None)


def timings_of(report: pytest.TestReport) -> dict[str, Any] | None:
    """The summary a teardown report carries (also after xdist serialization), or None."""
    value = getattr(report, REPORT_ATTRIBUTE, None)
    return value if isinstance(value, dict) else None
