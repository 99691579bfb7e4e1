"""The SDK-upgrade gate: what a replayed test's wire changes make of its verdict.

In playback the transport answers a changed request and keeps the change (``transport.py``), so
the call phase ends with every guard violation and wire change of the test. Here they become the
verdict:

- under a hybrid profile, any change fails the test, listing each change in full, the SDK versions
  the cassette was recorded with next to the installed ones, and the command that re-records it.
  A test whose own code ran to the end despite the changes leaves its state complete, so the
  operations after it still run and get their own verdicts;
- under ``latest`` nothing is pinned: its versions are whatever the installed SDK sends, so a
  replay that no longer matches a cassette recorded with other SDK versions is skipped with that
  reason (it is not a regression signal, and never "not supported by this cloud"). With the SDK
  versions the cassette was recorded with, a change is a failure like under any profile.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

from ..errors import exception_chain
from ..packages import installed_versions
from ..profiles import Profile
from ..verdicts import (
    PROP_OUTCOME,
    PROP_RECORDED_WITH,
    PROP_STATE_COMPLETE,
    PROP_WIRE_CHANGES,
    Outcome,
    user_property,
)
from .matchers import raw_query
from .wire import WireChange, summary_lines

SDK_PREFIX = "azure-mgmt-"


def sdk_moves(recorded: Mapping[str, str], installed: Mapping[str, str]) -> list[str]:
    """``azure-mgmt-compute 35.0.0 -> 39.0.0`` for each management SDK whose version differs."""
    names = sorted(n for n in set(recorded) | set(installed) if n.startswith(SDK_PREFIX))
    return [
        f"{n} {recorded.get(n, 'none')} -> {installed.get(n, 'none')}"
        for n in names
        if recorded.get(n) != installed.get(n)
    ]


def _versions_line(recorded: Mapping[str, str], installed: Mapping[str, str]) -> str:
    moves = sdk_moves(recorded, installed)
    if moves:
        return "recorded with -> installed: " + ", ".join(moves)
    if not recorded:
        return "the cassette does not say which SDK versions recorded it"
    return "the installed SDK versions are the ones the cassette was recorded with"


def _missed(call: pytest.CallInfo[None]) -> WireChange | None:
    """The request that ended the call as a cassette miss (sent, never recorded), or None."""
    error = call.excinfo.value if call.excinfo is not None else None
    for e in exception_chain(error) if error is not None else ():
        request = getattr(e, "failed_request", None)
        if isinstance(e, CannotOverwriteExistingCassetteException) and request is not None:
            query = raw_query(request)
            return WireChange("unrecorded", request.method, request.path, "", query)
    return None


def _add_property(item: pytest.Item, report: pytest.TestReport, name: str, value: Any) -> None:
    # On the item too: the teardown report (and junitxml) carries the item's properties.
    item.user_properties.append((name, value))
    report.user_properties.append((name, value))


def _skip(item: pytest.Item, report: pytest.TestReport, reason: str) -> None:
    report.outcome = "skipped"
    report.longrepr = (str(item.path), (item.location[1] or 0) + 1, f"Skipped: {reason}")
    _add_property(item, report, PROP_OUTCOME, Outcome.SKIPPED.value)


def judge(
    item: pytest.Item,
    report: pytest.TestReport,
    call: pytest.CallInfo[None],
    *,
    profile: Profile,
    changes: Sequence[WireChange],
    recorded_with: Mapping[str, str],
    cassette: str,
    rerecord: str,
) -> None:
    """Turn the call report of a replayed test into its gate verdict (see the module text)."""
    installed = installed_versions()
    missed = _missed(call)
    changes = [*changes, missed] if missed is not None else list(changes)
    if changes:
        _add_property(item, report, PROP_WIRE_CHANGES, [c.as_dict() for c in changes])
        _add_property(item, report, PROP_RECORDED_WITH, dict(recorded_with))
    completed = report.passed or user_property(report, PROP_OUTCOME) == Outcome.NOT_SUPPORTED.value
    versions = _versions_line(recorded_with, installed)
    if not profile.hybrid and changes and sdk_moves(recorded_with, installed):
        first = changes[0].line()
        _skip(
            item,
            report,
            f"latest follows the installed SDK, the cassette another one ({versions}): {first}; "
            f"not a regression signal; to compare, re-record: {rerecord}",
        )
    elif not changes:
        return
    elif completed:  # a replayed refusal of a changed request says nothing about the cloud
        report.outcome = "failed"
        report.longrepr = _text(changes, cassette, versions, rerecord)
    else:
        if len(changes) > (missed is not None):  # more than the miss the failure already explains
            report.sections.append(("azurestack wire changes", _text(changes, cassette, versions, rerecord)))
        return
    if completed:
        _add_property(item, report, PROP_STATE_COMPLETE, True)


def _text(changes: Sequence[WireChange], cassette: str, versions: str, rerecord: str) -> str:
    """First line: the first change (the matrix shows it); then every change in full."""
    more = f" (+{len(changes) - 1} more)" if len(changes) > 1 else ""
    lines = [
        f"wire changed: {changes[0].line()}{more}",
        f"  cassette {cassette}; {versions}",
        *(f"  {line}" for line in summary_lines(changes)),
        f"to re-record: {rerecord}",
    ]
    return "\n".join(lines)
