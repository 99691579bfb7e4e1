"""Cassettes staged per test, published a (profile, suite module) group at a time.

The tests of one profile and suite module share server state: a name the server generated in
one test is sent by later ones, so their cassettes replay only together. A test's cassette is
therefore staged when it ends (checked for the run's secrets and written atomically under a
hidden directory of the cassette root), and at session finish a whole group is published, file
by file with ``os.replace``, only if every test of the group that ran here passed or was
skipped and none of its selected tests was left unrun. Otherwise the group's cassettes stay as
they were and this run's recordings of it are kept under ``.unpublished/<profile>/<module>``,
so nothing recorded is lost. Each process publishes what it ran: under pytest-xdist the
conformance plugin keeps a profile's tests on one worker.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .config import display_path
from .persister import CassetteFile

STAGING_PREFIX = ".staging-"
UNPUBLISHED = ".unpublished"
# Hidden directories ignore themselves, so a recording that was not published is never committed.
IGNORE_EVERYTHING = "*\n"

Group = tuple[str, str]  # (profile, suite module)


def group_label(group: Group) -> str:
    return f"{group[0]}/{group[1]}"


@dataclass
class GroupRun:
    """What this process saw of one group."""

    failures: list[str] = field(default_factory=list)  # "<nodeid> (<phase>)"
    ran: set[str] = field(default_factory=set)  # node ids whose teardown reported
    staged: dict[Path, Path] = field(default_factory=dict)  # cassette -> staged copy


@dataclass(frozen=True)
class Outcome:
    """What became of one group: published, or left untouched (``reason``)."""

    group: Group
    written: int
    kept: int = 0
    reason: str = ""
    kept_in: str = ""

    @property
    def published(self) -> bool:
        return not self.reason

    def line(self) -> str:
        label = group_label(self.group)
        if self.published:
            return f"azurestack: wrote {self.written} cassette(s) of {label}"
        kept = (
            f"this run's {self.kept} recorded cassette(s) kept in {self.kept_in}"
            if self.kept
            else "nothing of it was recorded"
        )
        return f"azurestack: cassettes of {label} left untouched: {self.reason}; {kept}"


class CassettePublisher:
    """One process's staged cassettes and the fate of their groups."""

    def __init__(self, cassette_dir: Path) -> None:
        self.cassette_dir = cassette_dir
        self.groups: dict[Group, GroupRun] = {}
        self._staging: Path | None = None

    def _run(self, group: Group) -> GroupRun:
        return self.groups.setdefault(group, GroupRun())

    def failed(self, group: Group, nodeid: str, phase: str) -> None:
        self._run(group).failures.append(f"{nodeid} ({phase})")

    def ran(self, group: Group, nodeid: str) -> None:
        self._run(group).ran.add(nodeid)

    def _staging_root(self) -> Path:
        if self._staging is None:
            self.cassette_dir.mkdir(parents=True, exist_ok=True)
            self._staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.cassette_dir))
            (self._staging / ".gitignore").write_text(IGNORE_EVERYTHING, encoding="utf-8")
        return self._staging

    def stage(self, group: Group, store: CassetteFile) -> Path | None:
        """Check and write the test's cassette under the staging directory (None: nothing to write)."""
        staged = self._staging_root() / store.path.relative_to(self.cassette_dir)
        if store.commit(staged) is None:
            return None
        self._run(group).staged[store.path] = staged
        return staged

    def unpublished_dir(self, group: Group) -> Path:
        return self.cassette_dir / UNPUBLISHED / group[0] / group[1]

    def finish(self, expected: Mapping[Group, Collection[str]]) -> list[Outcome]:
        """Publish every group that may be, keep the others' recordings; one outcome per group.

        ``expected``: the node ids of each group this process was to run; any of them without a
        teardown report means the run stopped early and the group is incomplete.
        """
        outcomes = []
        try:
            for group in sorted(self.groups):
                outcomes.append(self._finish_group(group, expected.get(group, ())))
        finally:
            if self._staging is not None:
                shutil.rmtree(self._staging, ignore_errors=True)
                self._staging = None
        return outcomes

    def _finish_group(self, group: Group, expected: Collection[str]) -> Outcome:
        run = self.groups[group]
        reasons = []
        if run.failures:
            more = f" and {len(run.failures) - 1} more" if len(run.failures) > 1 else ""
            reasons.append(f"{run.failures[0]} failed{more}")
        missing = [nodeid for nodeid in expected if nodeid not in run.ran]
        if missing:
            reasons.append(
                f"{len(missing)} of its {len(expected)} selected test(s) did not run here "
                "(the run stopped early)"
            )
        unpublished = self.unpublished_dir(group)
        if reasons:
            return self._keep(group, run, unpublished, "; ".join(reasons))
        for target, staged in sorted(run.staged.items()):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)  # each file atomic: readers see the old cassette or the new
        if run.staged:
            shutil.rmtree(unpublished, ignore_errors=True)  # an earlier failed run's, now stale
        return Outcome(group, written=len(run.staged))

    def _keep(self, group: Group, run: GroupRun, unpublished: Path, reason: str) -> Outcome:
        if not run.staged:
            return Outcome(group, written=0, reason=reason)
        shutil.rmtree(unpublished, ignore_errors=True)  # only the latest attempt is worth a look
        unpublished.mkdir(parents=True)
        ignore = self.cassette_dir / UNPUBLISHED / ".gitignore"
        if not ignore.exists():
            ignore.write_text(IGNORE_EVERYTHING, encoding="utf-8")
        for target, staged in run.staged.items():
            os.replace(staged, unpublished / target.name)
        return Outcome(group, 0, len(run.staged), reason, display_path(unpublished))
