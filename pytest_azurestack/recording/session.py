"""One test's recording session: what its cassette fixture leaves for the report hooks, and what
they make of each phase report. In a module of its own so importing it registers no plugin."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from vcr.cassette import Cassette
from vcr.errors import CannotOverwriteExistingCassetteException

from ..errors import AzureStackError, CassetteError, as_report, exception_chain
from .adapter import cassette_file
from .config import display_path
from .matchers import explain_miss
from .names import RecordedVariables
from .persister import CassetteFile
from .publish import CassettePublisher, Group


@dataclass
class RecordingSession:
    """What one test's cassette fixture leaves for the report hooks."""

    variables: RecordedVariables
    cassette: Cassette | None = None
    store: CassetteFile | None = None
    rerecord: str = ""
    failed: bool = False


SESSION_KEY = pytest.StashKey[RecordingSession]()


def replayed_cassette(item: pytest.Item) -> tuple[dict[str, str], str, str] | None:
    """(SDK versions it was recorded with, its path, the command that re-records it) of the
    cassette ``item`` replays, or None when it replays none."""
    session = item.stash.get(SESSION_KEY, None)
    if session is None or session.store is None:
        return None
    made = session.store.loaded_metadata.get("provenance") or {}
    packages = made.get("packages") if isinstance(made, dict) else None
    recorded = {str(k): str(v) for k, v in (packages or {}).items()}
    return recorded, display_path(session.store.path), session.rerecord


def failure_message(exc: BaseException, session: RecordingSession | None) -> str | None:
    """The report text for a cassette problem, or None for any other failure."""
    for current in exception_chain(exc):
        if isinstance(current, CannotOverwriteExistingCassetteException):
            request = getattr(current, "failed_request", None)
            if request is None:
                continue
            rerecord = session.rerecord if session else "re-record this test"
            where = display_path(Path(cassette_file(current.cassette)))
            return explain_miss(current.cassette, request, where, rerecord)
        if isinstance(current, CassetteError):
            return as_report(current)
    return None


@dataclass
class PhaseReport:
    """What the recording makes of one phase report of one test, step by step (``settle``).

    ``publisher`` and ``group`` are None when this run publishes nothing (playback, no recording)
    or the test has no profile.
    """

    item: pytest.Item
    report: pytest.TestReport
    call: pytest.CallInfo[None]
    publisher: CassettePublisher | None
    group: Group | None

    def settle(self) -> None:
        session = self.item.stash.get(SESSION_KEY, None)
        self.explain_cassette_failure(session)
        if session is not None and self.spoils_recording():
            session.failed = True
        if self.call.when == "teardown":
            if SESSION_KEY in self.item.stash:
                del self.item.stash[SESSION_KEY]  # the session ends with its test
            self.stage(session)
        self.tally()

    def explain_cassette_failure(self, session: RecordingSession | None) -> None:
        """A playback miss or cassette error reads as its own message, not a traceback."""
        if self.call.excinfo is not None and self.report.failed:
            message = failure_message(self.call.excinfo.value, session)
            if message:
                self.report.longrepr = message

    def spoils_recording(self) -> bool:
        """A failure, or an expected one (xfail): either way its traffic is not a recording."""
        return self.report.failed or (self.report.skipped and hasattr(self.report, "wasxfail"))

    def stage(self, session: RecordingSession | None) -> None:
        """At teardown, stage the cassette of a test that did not fail; a failure to stage fails it."""
        if session is None or session.failed or session.store is None or not self.group:
            return
        assert self.publisher is not None
        try:
            self.publisher.stage(self.group, session.store)
        except (AzureStackError, OSError) as exc:
            self.report.outcome = "failed"
            self.report.longrepr = as_report(exc)

    def tally(self) -> None:
        """Tell the publisher of a failed phase, and that the test ran to its teardown."""
        if self.publisher is None or self.group is None:
            return
        if self.report.failed:
            self.publisher.failed(self.group, self.item.nodeid, self.call.when)
        if self.call.when == "teardown":
            self.publisher.ran(self.group, self.item.nodeid)
