"""Conformance hooks: markers, prerequisite order, "not run" and "not supported" verdicts.

Worker side of the report: every conformance item carries its id, title and profile in
``user_properties`` from collection on, and its verdict category when this plugin decides it
(a skip because of a prerequisite, or a refusal by the cloud).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from ..verdicts import (
    NO_PROFILE,
    PROP_DESCRIPTION,
    PROP_ID,
    PROP_OUTCOME,
    PROP_PROFILE,
    PROP_STATE_COMPLETE,
    PROP_TITLE,
    Outcome,
    phase_outcome,
    user_property,
)
from ..xdist_io import from_controller, is_worker, tell_worker
from . import crashes
from .distribution import ProfileGroupScheduling, group_name
from .marks import (
    EXCLUSIONS_KEY,
    ConformanceError,
    ConformanceSpec,
    capability_exclusion,
    profile_name_of,
    register_markers,
    spec_of,
)
from .ordering import check_marks, check_unique, order_items
from .prerequisites import PrerequisiteTracker
from .support import is_plugin_failure, unsupported_reason

SPEC_KEY = pytest.StashKey[ConformanceSpec]()
TRACKER_KEY = pytest.StashKey[PrerequisiteTracker]()
# The "not supported ... (prerequisite X)" verdict a test gets if it fails under a refused prerequisite.
INHERITED_KEY = pytest.StashKey[tuple[Outcome, str]]()
# Distribution modes that scatter single tests over workers: replaced by loadgroup.
SCATTERING_DIST = ("load", "worksteal")
DIST_NOTE_KEY = pytest.StashKey[str]()
CRASHED_KEY = pytest.StashKey[str]()
LOADGROUP_INPUT = "azurestack_loadgroup"


def pytest_configure(config: pytest.Config) -> None:
    register_markers(config)
    config.stash[TRACKER_KEY] = PrerequisiteTracker()
    config.stash[EXCLUSIONS_KEY] = {}
    # xdist builds its scheduler after configure, so this still counts on the controller.
    dist = getattr(config.option, "dist", "no")
    if dist in SCATTERING_DIST:
        config.option.dist = "loadgroup"
        config.stash[DIST_NOTE_KEY] = (
            f"azurestack: --dist {dist} -> loadgroup (each profile's conformance tests run in order "
            "on one worker)"
        )
    # Workers parse the original command line, not our change: pytest_configure_node tells them.
    if from_controller(config, LOADGROUP_INPUT, False):
        config.option.loadgroup = True  # what xdist's worker reads to add "@<group>" to node ids
    if is_worker(config):
        crashes.restore(config, config.stash[TRACKER_KEY])
    elif getattr(config.option, "numprocesses", None):
        config.pluginmanager.register(crashes.CrashWatch(), "azurestack-crash-watch")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller, per worker: pass on the loadgroup decision."""
    tell_worker(node, LOADGROUP_INPUT, node.config.getoption("dist") == "loadgroup")


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist controller: loadgroup that also groups by profile (see distribution.py)."""
    if config.getoption("dist") == "loadgroup":
        return ProfileGroupScheduling(config, log)
    return None


def pytest_report_header(config: pytest.Config) -> str | None:
    return config.stash.get(DIST_NOTE_KEY, None)


@pytest.hookimpl(tryfirst=True)  # before -m/-k deselection, so ids are checked on the whole suite
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    try:
        specs = {i: spec for i, spec in enumerate(map(spec_of, items)) if spec is not None}
        if not specs:
            return
        check_marks(items, specs, narrowed=any("::" in str(a) for a in config.args))
    except ConformanceError as exc:
        raise pytest.UsageError(f"conformance: {exc}") from None

    tracker = config.stash[TRACKER_KEY]
    excluded: list[pytest.Item] = []
    for i, spec in specs.items():
        item = items[i]
        profile = profile_name_of(item)
        item.stash[SPEC_KEY] = spec
        item.user_properties.extend(
            [
                (PROP_ID, spec.id),
                (PROP_TITLE, spec.title),
                (PROP_DESCRIPTION, spec.description),
                (PROP_PROFILE, profile or NO_PROFILE),
            ]
        )
        item.add_marker(pytest.mark.xdist_group(name=group_name(profile or NO_PROFILE)))
        tracker.collected(profile, spec.id)
        reason = capability_exclusion(item)
        if reason is not None:
            config.stash[EXCLUSIONS_KEY][item.nodeid] = reason
            excluded.append(item)
    if excluded:
        config.hook.pytest_deselected(items=excluded)
        gone = set(map(id, excluded))
        items[:] = [i for i in items if id(i) not in gone]

    # Uniqueness and order on what is left: a managed and an unmanaged variant may share an id.
    kept = {i: item.stash[SPEC_KEY] for i, item in enumerate(items) if SPEC_KEY in item.stash}
    profiles = {i: profile_name_of(items[i]) for i in kept}
    try:
        check_unique(items, kept, profiles)
        items[:] = order_items(items, kept, profiles)
    except ConformanceError as exc:
        raise pytest.UsageError(f"conformance: {exc}") from None


def pytest_deselected(items: list[pytest.Item]) -> None:
    for item in items:
        spec = item.stash.get(SPEC_KEY, None)
        if spec is not None:
            item.config.stash[TRACKER_KEY].record(profile_name_of(item), spec.id, Outcome.EXCLUDED)


def _skip(item: pytest.Item, outcome: Outcome, reason: str) -> BaseException:
    """A skip whose category survives xdist serialization (a user property on the report)."""
    item.user_properties.append((PROP_OUTCOME, outcome.value))
    return pytest.skip.Exception(reason, _use_item_location=True)


# Innermost wrappers (trylast): every other wrapper has started (so their teardown finds what they
# set up), and they see the test's or fixture's exception first.
@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    spec = item.stash.get(SPEC_KEY, None)
    if spec is None:
        return (yield)
    tracker = item.config.stash[TRACKER_KEY]
    crashed = crashes.crashed_before(tracker, profile_name_of(item), spec.id)
    if crashed is not None:  # given again to a new worker: fail with the same line, do not rerun
        item.stash[CRASHED_KEY] = crashed
        pytest.fail(crashed, pytrace=False)
    blocked = tracker.blocker(profile_name_of(item), spec)
    if blocked is not None:
        raise _skip(item, Outcome.NOT_RUN, blocked[0])  # before any of its fixtures is set up
    inherited = tracker.refusal(profile_name_of(item), spec)
    if inherited is not None:
        item.stash[INHERITED_KEY] = inherited
    return (yield from _classified(item))


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    if SPEC_KEY not in item.stash:
        return (yield)
    return (yield from _classified(item))


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    # Only under an inherited refusal: cleaning up what the refused prerequisite never made may fail.
    if INHERITED_KEY not in item.stash:
        return (yield)
    return (yield from _classified(item))


def _classified(item: pytest.Item) -> Generator[None, None, None]:
    """Run the phase; turn a refusal by the cloud into a "not supported" skip.

    Under a refused prerequisite (``INHERITED_KEY``) any other failure of the test itself,
    ``pytest.fail`` included, is that inherited refusal: the test could not have the state the
    refused operation would have made. The plugin's own findings (a guard violation, a cassette
    miss) are not: they say the client changed, whatever the cloud refused.
    """
    try:
        return (yield)
    except (pytest.skip.Exception, pytest.xfail.Exception):
        raise
    except (Exception, pytest.fail.Exception) as exc:
        reason = unsupported_reason(exc) if isinstance(exc, Exception) else None
        if reason is not None:
            raise _skip(item, Outcome.NOT_SUPPORTED, reason) from exc
        inherited = item.stash.get(INHERITED_KEY, None)
        # A guard violation or a cassette miss is the run's own finding: never inherited.
        if inherited is None or is_plugin_failure(exc):
            raise
        raise _skip(item, *inherited) from exc


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "setup" and CRASHED_KEY in item.stash:
        report.when = "call"  # the verdict of the test, not of its setup
    spec = item.stash.get(SPEC_KEY, None)
    verdict = phase_outcome(report) if spec is not None else None
    if spec is not None and verdict is not None:
        tracker = item.config.stash[TRACKER_KEY]
        profile = profile_name_of(item)
        outcome = verdict[0]
        if report.when == "teardown":
            # A broken teardown spoils a pass (the first verdict of anything else is its cause).
            if tracker.passed(profile, spec.id) and outcome in (Outcome.FAILED, Outcome.NOT_SUPPORTED):
                tracker.record(profile, spec.id, outcome, verdict[1] * (outcome is Outcome.NOT_SUPPORTED))
        else:
            if outcome is Outcome.NOT_SUPPORTED:
                cause = verdict[1]
            else:
                blocked = tracker.blocker(profile, spec) if outcome is Outcome.NOT_RUN else None
                cause = blocked[1] if blocked else ""
            complete = user_property(report, PROP_STATE_COMPLETE) is not None
            cause = item.stash.get(CRASHED_KEY, cause)  # its dependants say why: the crash
            tracker.record(profile, spec.id, outcome, cause, state_complete=complete)
    return report
