"""Timings hooks: the meter's summary on each test's teardown report (``timings``)."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from .timings import REPORT_ATTRIBUTE, meter_of


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    meter = meter_of(item)
    if report.when == "teardown" and meter is not None:
        setattr(report, REPORT_ATTRIBUTE, meter.summary())
    return report
