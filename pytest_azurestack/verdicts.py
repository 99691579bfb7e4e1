"""Verdicts: the vocabulary the worker side (conformance, the upgrade gate, the core plugin) and the
controller side (report) share, in a module of its own so neither side imports the other.

A verdict travels as ``user_properties`` on pytest's reports: they survive pytest-xdist
serialization and appear verbatim as JUnit ``<property>`` elements.
"""

from __future__ import annotations

import re
from enum import Enum

import pytest

# user_properties keys (they appear verbatim as JUnit <property> names).
PROP_ID = "conformance_id"
PROP_TITLE = "conformance_title"
PROP_DESCRIPTION = "conformance_description"
PROP_PROFILE = "azurestack_profile"
PROP_OUTCOME = "azurestack_outcome"
# Set by the core plugin on the teardown report: a list of the requests whose api-version pin mode
# rewrote. A pass with pinned requests is not a plain pass.
PROP_PINNED = "azurestack_pinned"
# Set by the upgrade gate (recording/gate.py) in playback: the test's wire changes (a list of
# WireChange dicts), the SDK versions its cassette was recorded with, and whether its code ran to
# the end despite them (then the operations after it still run).
PROP_WIRE_CHANGES = "azurestack_wire_changes"
PROP_RECORDED_WITH = "azurestack_recorded_with"
PROP_STATE_COMPLETE = "azurestack_state_complete"

NO_PROFILE = "-"  # column for conformance tests that are not parametrized by a profile
GROUP_PREFIX = "azurestack-"  # xdist_group name prefix; xdist appends "@<group>" to node ids


class Outcome(str, Enum):
    """A verdict, in the order the matrix lists them."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_SUPPORTED = "not supported"
    NOT_RUN = "not run"
    EXCLUDED = "excluded"
    SKIPPED = "skipped"
    XFAILED = "xfailed"

    def __str__(self) -> str:
        return self.value


def user_property(report: pytest.TestReport | pytest.Item, key: str) -> str | None:
    """The last value of ``key`` in ``user_properties`` (lists after xdist serialization, too)."""
    value = None
    for entry in report.user_properties:
        name, prop = entry[0], entry[1]
        if name == key:
            value = str(prop)
    return value


def skip_reason(report: pytest.TestReport) -> str:
    """The reason of a skipped report, without pytest's ``Skipped: `` prefix."""
    longrepr = report.longrepr
    reason = str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr or "")
    return reason.removeprefix("Skipped: ")


def failure_line(report: pytest.TestReport) -> str:
    """One line saying why a report failed.

    A plain-text longrepr is one the plugins wrote (``CassetteError: ...``, a cassette miss whose
    last line is only "to re-record: ..."): its first line says what broke. Otherwise pytest's
    crash message, else the last line of the traceback (where the exception is).
    """
    longrepr = report.longrepr
    lines = [ln for ln in str(longrepr or "").splitlines() if ln.strip()]
    if isinstance(longrepr, str):
        message = lines[0] if lines else "failed"
    else:
        message = getattr(getattr(longrepr, "reprcrash", None), "message", None) or ""
        if not message:
            message = lines[-1] if lines else "failed"
    return " ".join(str(message).split())


def phase_outcome(report: pytest.TestReport) -> tuple[Outcome, str] | None:
    """The verdict one phase report implies, or None when the phase says nothing new.

    A passing setup or teardown says nothing: the call decides. A failing teardown turns a pass
    into a failure (the operation left something broken).
    """
    if report.failed:
        prefix = "" if report.when == "call" else f"error in {report.when}: "
        return Outcome.FAILED, prefix + failure_line(report)
    if report.skipped:
        if hasattr(report, "wasxfail"):
            return Outcome.XFAILED, str(report.wasxfail or "expected failure")
        category = user_property(report, PROP_OUTCOME)
        outcome = Outcome(category) if category in Outcome._value2member_map_ else Outcome.SKIPPED
        return outcome, skip_reason(report)
    if report.when == "call":
        return Outcome.PASSED, ""
    return None


def base_nodeid(nodeid: str) -> str:
    """The node id without the ``@azurestack-<profile>`` suffix xdist's loadgroup adds (some
    pytest/xdist pairs add it, others lose it): what names a test in tags, cassettes and reports."""
    return re.sub(r"@" + re.escape(GROUP_PREFIX) + r"[^@]*$", "", nodeid)
