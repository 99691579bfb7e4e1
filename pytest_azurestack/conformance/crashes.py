"""A pytest-xdist worker that dies (``kill -9``, the OOM killer) must not make the matrix lie.

xdist reports the test that was running as failed (``when="???"``, no properties) and gives the
rest of its work, that test included, to a fresh worker, which knows nothing of what passed on
the dead one. So the controller keeps what every worker reported (``CrashWatch``): it gives the
crash report the test's conformance properties and the verdict "worker crashed", and hands a new
worker every verdict so far. On that worker, dependants of the crashed test are "not run"
because of it and prerequisites that passed on the dead worker still count as passed. The crashed
test is not given to the new worker (the profile-grouping scheduler drops it from the work it
hands back); under another scheduler that does give it again, it fails at once with the same
line instead of running (and crashing) a second time.
"""

from __future__ import annotations

from typing import Any

import pytest

from ..verdicts import PROP_ID, PROP_PROFILE, Outcome, phase_outcome, user_property
from ..xdist_io import from_controller, tell_worker
from .prerequisites import PrerequisiteTracker

VERDICTS_INPUT = "azurestack_verdicts_so_far"
CRASHED = "worker crashed"


def crash_line(longrepr: object) -> str:
    return f"{CRASHED}: {longrepr} (the tests after it ran on a new worker)"


class CrashWatch:
    """xdist controller: every verdict as workers report it, for crash reports and new workers."""

    def __init__(self) -> None:
        self.tracker = PrerequisiteTracker()
        self._properties: dict[str, list[tuple[str, object]]] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        cid, profile = user_property(report, PROP_ID), user_property(report, PROP_PROFILE)
        if cid is None:
            return
        self._properties.setdefault(report.nodeid, list(report.user_properties))
        verdict = phase_outcome(report)
        if verdict is not None and report.when != "teardown":
            if crashed_before(self.tracker, str(profile), str(cid)) is not None:
                return  # its crash is the verdict (a rerun elsewhere only repeats it)
            cause = verdict[1] if verdict[0] is Outcome.NOT_SUPPORTED else ""
            self.tracker.record(str(profile), str(cid), verdict[0], cause)

    @pytest.hookimpl(optionalhook=True)
    def pytest_handlecrashitem(self, crashitem: str, report: pytest.TestReport, sched: Any) -> None:
        """The crash report: the test's properties, the verdict, one line (logreport follows)."""
        report.when = "call"  # it crashed while it ran
        report.longrepr = crash_line(report.longrepr)
        report.user_properties = list(self._properties.get(crashitem, []))
        mark_completed = getattr(sched, "mark_completed", None)
        if mark_completed is not None:  # our scheduler: the new worker does not run it again
            mark_completed(crashitem)
        cid, profile = user_property(report, PROP_ID), user_property(report, PROP_PROFILE)
        if cid is not None:
            self.tracker.record(str(profile), str(cid), Outcome.FAILED, str(report.longrepr))

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """Every worker (a replacement too) starts from the verdicts so far."""
        tell_worker(node, VERDICTS_INPUT, self.tracker.snapshot())


def restore(config: pytest.Config, tracker: PrerequisiteTracker) -> None:
    """Worker: take over the verdicts the controller had when this worker started."""
    tracker.restore(from_controller(config, VERDICTS_INPUT, []))


def crashed_before(tracker: PrerequisiteTracker, profile: str, cid: str) -> str | None:
    """The crash line when this very test already crashed a worker, else None."""
    status = tracker.status(profile, cid)
    if status is not None and status.outcome is Outcome.FAILED and status.cause.startswith(CRASHED):
        return status.cause
    return None
