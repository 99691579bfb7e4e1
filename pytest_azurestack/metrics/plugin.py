"""Timings hooks: the meter's summary on each test's teardown report (``timings``), and the
live status line of a slow long-running operation (``progress``)."""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

from ..options import SETTINGS_KEY, SOAK_ITERATION_ENV, resolve_settings
from ..xdist_io import is_worker
from .meter import RequestMeter
from .progress import ProgressLine, Ticker, terminal_stream
from .timings import REPORT_ATTRIBUTE, meter_of


class Progress:
    """The ticker and the test it watches (the process's one running test)."""

    def __init__(self, config: pytest.Config) -> None:
        self.item: pytest.Item | None = None
        self.ticker: Ticker | None = None
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        opened = terminal_stream() if reporter is not None else None
        if opened is None:
            return
        stream, tty = opened
        writer = config.get_terminal_writer()
        line = ProgressLine(
            stream, tty=tty, room=lambda: writer.fullwidth - writer.width_of_current_line, meter=self.meter
        )
        self.ticker = Ticker(line)

    def meter(self) -> RequestMeter | None:
        item = self.item
        return meter_of(item) if item is not None else None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, Any, Any]:
        self.item = item
        try:
            return (yield)
        finally:
            if self.ticker is not None:
                self.ticker.line.settle()
            self.item = None

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_logreport(self) -> Generator[None, None, None]:
        """pytest writes the phase's outcome: no status line on the terminal meanwhile."""
        if self.ticker is None:
            return (yield)
        self.ticker.line.pause()
        try:
            return (yield)
        finally:
            self.ticker.line.resume()

    def pytest_unconfigure(self) -> None:
        if self.ticker is not None:
            self.ticker.stop()
            self.ticker.line.stream.close()


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """``--azurestack-iterations N`` (N > 1): this process drives the soak and runs no test."""
    if os.environ.get(SOAK_ITERATION_ENV) or is_worker(config):
        return None
    if config.option.collectonly or config.option.help or config.option.version:
        return None
    settings = resolve_settings(config)  # a bad option is one line here, before any iteration
    if settings.iterations <= 1:
        return None
    from .soak import drive

    return drive(config, settings)


@pytest.hookimpl(trylast=True)  # after the terminal reporter exists
def pytest_configure(config: pytest.Config) -> None:
    """Progress on live targets, in the process that prints (never a worker: its stdout is
    pytest-xdist's channel to the controller); nothing in playback, where nothing waits."""
    settings = config.stash.get(SETTINGS_KEY, None)
    if settings is None or not settings.is_live or is_worker(config) or config.option.collectonly:
        return
    if getattr(config.option, "dist", "no") != "no":  # an xdist controller: its workers run the tests
        return
    config.pluginmanager.register(Progress(config), "azurestack-progress")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    meter = meter_of(item)
    if report.when == "teardown" and meter is not None:
        setattr(report, REPORT_ATTRIBUTE, meter.summary())
    return report
