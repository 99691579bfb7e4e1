"""Which conformance tests passed in this process, per profile, and what blocks a test.

Under pytest-xdist every test of one profile runs on one worker (``xdist_group`` + loadgroup),
so this per-process record is complete for the tests that matter.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..verdicts import Outcome
from .marks import ConformanceSpec
from .support import PREFIX


@dataclass(frozen=True)
class Status:
    outcome: Outcome
    cause: str = ""  # "not run": the root prerequisite that blocked it; "not supported": the refusal
    # Its code ran to the end although the verdict is not a pass (a replay with wire changes):
    # the state the tests after it need is there, so it blocks none of them.
    state_complete: bool = False


class PrerequisiteTracker:
    def __init__(self) -> None:
        self._status: dict[tuple[str, str], Status] = {}
        self._collected: set[tuple[str, str]] = set()

    def collected(self, profile: str, cid: str) -> None:
        self._collected.add((profile, cid))

    def record(
        self, profile: str, cid: str, outcome: Outcome, cause: str = "", *, state_complete: bool = False
    ) -> None:
        self._status[(profile, cid)] = Status(outcome, cause, state_complete)

    def status(self, profile: str, cid: str) -> Status | None:
        return self._status.get((profile, cid))

    def snapshot(self) -> list[list[object]]:
        """Every verdict as plain data (for an xdist worker that starts later)."""
        return [[p, c, s.outcome.value, s.cause, s.state_complete] for (p, c), s in self._status.items()]

    def restore(self, snapshot: list[list[object]]) -> None:
        for profile, cid, outcome, cause, complete in snapshot:
            self.record(str(profile), str(cid), Outcome(outcome), str(cause), state_complete=bool(complete))

    def passed(self, profile: str, cid: str) -> bool:
        status = self._status.get((profile, cid))
        return status is not None and status.outcome is Outcome.PASSED

    def refusal(self, profile: str, spec: ConformanceSpec) -> tuple[Outcome, str] | None:
        """The verdict a failing ``spec`` inherits from a prerequisite that ran to the end without
        passing: the cloud refused it ("not supported"), or the upgrade gate skipped it (under
        ``latest``, a cassette recorded with other SDK versions). Else None.

        Such a prerequisite does not stop the test: it runs, and its own verdict stands. If it
        fails any other way (it lacks the state the prerequisite would have made), its verdict is
        the prerequisite's: a profile the cloud refuses makes the operations under it unsupported,
        not failed. If it passes, it passed.
        """
        for rid in spec.requires:
            status = self._status.get((profile, rid))
            if status is None:
                continue
            if status.outcome is Outcome.NOT_SUPPORTED:
                refusal = status.cause.removeprefix(PREFIX)
                if " (prerequisite " not in refusal:
                    refusal += f" (prerequisite {rid})"
                return Outcome.NOT_SUPPORTED, PREFIX + refusal
            if status.outcome is Outcome.SKIPPED and status.state_complete:
                cause = (
                    status.cause
                    if " (prerequisite " in status.cause
                    else f"{status.cause} (prerequisite {rid})"
                )
                return Outcome.SKIPPED, cause
        return None

    def blocker(self, profile: str, spec: ConformanceSpec) -> tuple[str, str] | None:
        """(skip reason, root cause) when a prerequisite of ``spec`` has not passed, else None.

        A prerequisite the cloud refused does not block (see ``refusal``); ``after=`` ids never do.
        """
        problems: list[str] = []
        root = ""
        for rid in spec.requires:
            status = self._status.get((profile, rid))
            if status is not None and (
                status.outcome in (Outcome.PASSED, Outcome.NOT_SUPPORTED) or status.state_complete
            ):
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
