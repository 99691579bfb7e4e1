"""Which conformance tests passed in this process, per profile, and what blocks a test.

Under pytest-xdist every test of one profile runs on one worker (``xdist_group`` + loadgroup),
so this per-process record is complete for the tests that matter.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..report.results import Outcome
from .marks import ConformanceSpec
from .support import PREFIX


@dataclass(frozen=True)
class Status:
    outcome: Outcome
    cause: str = ""  # "not run": the root prerequisite that blocked it; "not supported": the refusal


class PrerequisiteTracker:
    def __init__(self) -> None:
        self._status: dict[tuple[str, str], Status] = {}
        self._collected: set[tuple[str, str]] = set()

    def collected(self, profile: str, cid: str) -> None:
        self._collected.add((profile, cid))

    def record(self, profile: str, cid: str, outcome: Outcome, cause: str = "") -> None:
        self._status[(profile, cid)] = Status(outcome, cause)

    def passed(self, profile: str, cid: str) -> bool:
        status = self._status.get((profile, cid))
        return status is not None and status.outcome is Outcome.PASSED

    def refusal(self, profile: str, spec: ConformanceSpec) -> str | None:
        """The cloud's refusal when a prerequisite of ``spec`` was not supported, else None.

        A refused prerequisite does not stop the test: it runs, and its own refusal is its verdict.
        If it fails any other way (it lacks the state the refused prerequisite would have made), its
        verdict is this inherited refusal: a profile the cloud refuses makes the operations under
        it unsupported, not failed. If it passes, it passed.
        """
        for rid in spec.requires:
            status = self._status.get((profile, rid))
            if status is not None and status.outcome is Outcome.NOT_SUPPORTED:
                refusal = status.cause.removeprefix(PREFIX)
                if " (prerequisite " not in refusal:
                    refusal += f" (prerequisite {rid})"
                return PREFIX + refusal
        return None

    def blocker(self, profile: str, spec: ConformanceSpec) -> tuple[str, str] | None:
        """(skip reason, root cause) when a prerequisite of ``spec`` has not passed, else None.

        A prerequisite the cloud refused does not block (see ``refusal``); ``after=`` ids never do.
        """
        problems: list[str] = []
        root = ""
        for rid in spec.requires:
            status = self._status.get((profile, rid))
            if status is not None and status.outcome in (Outcome.PASSED, Outcome.NOT_SUPPORTED):
                continue
            if status is None:
                state = "has not run" if (profile, rid) in self._collected else "was not selected"
                cause = f"{rid} {state}"
            else:
                state = status.outcome.value
                cause = status.cause or f"{rid} {state}"
            problems.append(f"{rid} {state}")
            root = root or cause
        if not problems:
            return None
        reason = "not run: prerequisite " + ", ".join(problems)
        first = problems[0]
        if root and root != first:
            reason += f" (because {root})"
        return reason, root
