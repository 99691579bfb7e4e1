"""The plugin's own findings in a test's report, decided once the report exists.

- One of the plugin's errors (``AzureStackError``) reads as its one line (the problem and its
  fix), not a traceback through azure-core.
- In playback the upgrade gate (``recording.gate``) turns the call's wire changes into its verdict.
- Live, a guard violation the test swallowed (a broad ``except``) still fails the call.
"""

from __future__ import annotations

import pytest

from . import arm_faults
from .errors import AzureStackError, as_report
from .recording import gate
from .recording.session import replayed_cassette
from .transport import AzureStackTransport


def settle(
    item: pytest.Item,
    report: pytest.TestReport,
    call: pytest.CallInfo[None],
    transport: AzureStackTransport | None,
) -> None:
    """Apply the findings above to ``report`` (one phase of ``item``), in place."""
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(error, AzureStackError):
        report.longrepr = as_report(error)
    elif error is not None and report.failed:
        _arm_fault(item, report, error, transport)
    if report.when == "call" and transport is not None:
        _call_verdict(item, report, call, transport)


def _arm_fault(
    item: pytest.Item, report: pytest.TestReport, error: BaseException, transport: AzureStackTransport | None
) -> None:
    """An ARM fault reads as its one line; ``--tb=long``/``native`` or ``-v`` keep the traceback too."""
    line = arm_faults.fault_line(error, transport.clock if transport is not None else None)
    if line is None:
        return
    option = item.config.option
    if getattr(option, "tbstyle", "auto") in ("long", "native") or getattr(option, "verbose", 0) > 0:
        report.sections.append(("azurestack: ARM fault", line))
    else:
        report.longrepr = line


def _call_verdict(
    item: pytest.Item, report: pytest.TestReport, call: pytest.CallInfo[None], transport: AzureStackTransport
) -> None:
    replayed = replayed_cassette(item) if transport.replay is not None else None
    if replayed is not None:
        _judge_replay(item, report, call, transport, *replayed)
    elif report.passed and transport.violations:
        report.outcome = "failed"
        report.longrepr = as_report(transport.violations[0])


def _judge_replay(
    item: pytest.Item,
    report: pytest.TestReport,
    call: pytest.CallInfo[None],
    transport: AzureStackTransport,
    recorded_with: dict[str, str],
    cassette: str,
    rerecord: str,
) -> None:
    assert transport.profile is not None and transport.replay is not None
    gate.judge(
        item,
        report,
        call,
        profile=transport.profile,
        changes=transport.replay.changes,
        recorded_with=recorded_with,
        cassette=cassette,
        rerecord=rerecord,
    )
