"""Cassettes staged per test, published a (profile, suite module) group at a time.

The rule: a run that failed publishes nothing (unless ``--azurestack-publish-partial``: then each
group whose own tests all passed is published); each group is published all or nothing (its new
directory is written beside the old one, then swapped in); whatever could not be published is
kept under ``.unpublished/`` with one line saying why.

The tests of one profile and suite module share server state: a name the server generated in
one test is sent by later ones, so their cassettes replay only together. A test's cassette is
therefore staged when it ends (checked for the run's secrets and written atomically under a
hidden directory of the cassette root), and at session finish a whole group is published, file
by file with ``os.replace``, only if every test of the group that ran here passed or was
skipped and none of its selected tests was left unrun. Otherwise the group's cassettes stay as
they were and this run's recordings of it are kept under ``.unpublished/<profile>/<module>``,
so nothing recorded is lost. Under pytest-xdist each worker hands what it staged to the
controller (``handoff``/``adopt``), which alone knows whether the run failed and publishes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    expected: set[str] = field(default_factory=set)  # a worker's, handed to the controller

    def as_dict(self, group: Group, expected: Collection[str]) -> dict[str, Any]:
        return {
            "group": list(group),
            "failures": list(self.failures),
            "ran": sorted(self.ran),
            "staged": {str(k): str(v) for k, v in self.staged.items()},
            "expected": sorted(expected),
        }


@dataclass(frozen=True)
class Outcome:
    """What became of one group: published, or left untouched (``reason``)."""

    group: Group
    written: int
    kept: int = 0
    reason: str = ""
    kept_in: str = ""
    staging_kept: bool = False  # kept nowhere else: the staging directory must stay

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
        self._adopted: set[Path] = set()  # workers' staging directories (xdist controller)
        self._started = time.time() - 1  # staging directories older than this run are not its own

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

    def rescue_orphans(self) -> list[Outcome]:
        """Controller: what a worker staged but never handed over (it crashed) goes to
        ``.unpublished/``, one outcome per group, instead of staying hidden in its staging directory."""
        outcomes = []
        for staging in sorted(self.cassette_dir.glob(f"{STAGING_PREFIX}*")):
            if (
                staging in self._adopted
                or staging == self._staging
                or staging.stat().st_mtime < self._started
            ):
                continue
            found: dict[Group, GroupRun] = {}
            for staged in staging.glob("*/*/*.yaml"):
                profile, module = staged.parent.parent.name, staged.parent.name
                target = self.cassette_dir / profile / module / staged.name
                found.setdefault((profile, module), GroupRun()).staged[target] = staged
            for group, run in sorted(found.items()):
                reason = "recorded by a worker that did not finish (it crashed)"
                outcomes.append(self._keep(group, run, self.unpublished_dir(group), reason))
            if not any(o.staging_kept for o in outcomes):
                shutil.rmtree(staging, ignore_errors=True)
        return outcomes

    def handoff(self, expected: Mapping[Group, Collection[str]]) -> list[dict[str, Any]]:
        """An xdist worker's groups for the controller to publish (plain data; the staging stays)."""
        return [run.as_dict(group, expected.get(group, ())) for group, run in sorted(self.groups.items())]

    def adopt(self, handed: list[dict[str, Any]]) -> None:
        """Controller: take over a worker's groups and staged files."""
        for data in handed:
            group: Group = (str(data["group"][0]), str(data["group"][1]))
            run = self._run(group)
            run.failures += list(data["failures"])
            run.ran |= set(data["ran"])
            run.expected |= set(data["expected"])
            for target, staged in data["staged"].items():
                run.staged[Path(target)] = Path(staged)
                self._adopted.add(self.cassette_dir / Path(staged).relative_to(self.cassette_dir).parts[0])

    def finish(
        self, expected: Mapping[Group, Collection[str]], run_failed: str = "", partial: bool = False
    ) -> list[Outcome]:
        """Publish every group that may be, keep the others' recordings; one outcome per group.

        ``expected``: the node ids of each group this process was to run; any of them without a
        teardown report means the run stopped early and the group is incomplete. ``run_failed``:
        why the run failed ('' if it did not): then nothing is published unless ``partial``.
        """
        outcomes = []
        kept_staging = False
        try:
            for group in sorted(self.groups):
                wanted = set(expected.get(group, ())) | self.groups[group].expected
                outcome = self._finish_group(group, wanted, run_failed, partial)
                kept_staging = kept_staging or outcome.staging_kept
                outcomes.append(outcome)
        finally:
            if not kept_staging:  # else it holds what could be kept nowhere else
                for staging in {*self._adopted, *([self._staging] if self._staging else [])}:
                    shutil.rmtree(staging, ignore_errors=True)
                self._staging = None
        return outcomes

    def _finish_group(
        self, group: Group, expected: Collection[str], run_failed: str, partial: bool
    ) -> Outcome:
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
        if run_failed and not reasons and not partial:
            reasons.append(f"{run_failed}; --azurestack-publish-partial publishes the groups that passed")
        unpublished = self.unpublished_dir(group)
        if reasons:
            return self._keep(group, run, unpublished, "; ".join(reasons))
        if not run.staged:
            return Outcome(group, written=0)
        try:
            swap_in(self._group_dir(group), run.staged)
        except OSError as exc:
            return self._keep(group, run, unpublished, f"cannot write it ({_os_error(exc)})")
        shutil.rmtree(unpublished, ignore_errors=True)  # an earlier failed run's, now stale
        return Outcome(group, written=len(run.staged))

    def _group_dir(self, group: Group) -> Path:
        targets = {target.parent for target in self.groups[group].staged}
        return targets.pop() if len(targets) == 1 else self.cassette_dir / group[0] / group[1]

    def _keep(self, group: Group, run: GroupRun, unpublished: Path, reason: str) -> Outcome:
        if not run.staged:
            return Outcome(group, written=0, reason=reason)
        try:
            shutil.rmtree(unpublished, ignore_errors=True)  # only the latest attempt is worth a look
            unpublished.mkdir(parents=True)
            ignore = self.cassette_dir / UNPUBLISHED / ".gitignore"
            if not ignore.exists():
                ignore.write_text(IGNORE_EVERYTHING, encoding="utf-8")
            for target, staged in run.staged.items():
                shutil.move(staged, unpublished / target.name)
        except OSError as exc:
            staging = {display_path(s.parent) for s in run.staged.values()}
            blocked = f"cannot write {display_path(unpublished)}: {_os_error(exc)}"
            where = f"still in {', '.join(sorted(staging))} ({blocked})"
            return Outcome(group, 0, len(run.staged), reason, where, staging_kept=True)
        return Outcome(group, 0, len(run.staged), reason, display_path(unpublished))


def _os_error(exc: OSError) -> str:
    where = f" {display_path(Path(exc.filename))}" if exc.filename else ""
    return f"{exc.strerror or type(exc).__name__}:{where}".rstrip(":")


def swap_in(group_dir: Path, staged: Mapping[Path, Path]) -> None:
    """Publish ``staged`` (cassette -> staged copy) into ``group_dir`` all or nothing.

    The group's new directory is built beside the old one (the old cassettes this run did not
    re-record, then the new ones), then swapped in with two renames; any failure before the swap
    leaves the old directory as it was. A cassette path that exists but is not a file is refused.
    """
    for target in staged:
        if target.exists() and not target.is_file():
            raise IsADirectoryError(21, "a cassette path is not a file", str(target))
    group_dir.parent.mkdir(parents=True, exist_ok=True)
    beside = Path(tempfile.mkdtemp(prefix=f".{group_dir.name}.new-", dir=group_dir.parent))
    old = group_dir.with_name(f".{group_dir.name}.old-{beside.name.rsplit('-', 1)[-1]}")
    try:
        if group_dir.is_dir():
            for entry in group_dir.iterdir():
                if entry.is_dir():
                    shutil.copytree(entry, beside / entry.name, symlinks=True)
                elif entry not in staged:
                    shutil.copy2(entry, beside / entry.name, follow_symlinks=False)
        for target, copy in staged.items():
            shutil.copy2(copy, beside / target.name)
        if group_dir.exists():
            os.rename(group_dir, old)
        try:
            os.rename(beside, group_dir)
        except OSError:
            if old.exists():
                os.rename(old, group_dir)  # put the old group back
            raise
    except BaseException:
        shutil.rmtree(beside, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
