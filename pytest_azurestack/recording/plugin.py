"""Recording fixtures and hooks, wiring only; the logic lives in the sibling modules.

Fixtures: ``azurestack_cassette`` (``opening``), ``azurestack_variables``, ``azurestack_names``,
``azurestack_lab_names`` (``seeds``). Hooks: each phase report goes through
``session.PhaseReport`` (a cassette miss or error as its own message, the teardown report staging
the cassette of a test that did not fail), session finish publishes each (profile, module) group
whose tests all passed or were skipped (``publish``), and the terminal summary says what became
of each group.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from vcr.cassette import Cassette

from ..options import SETTINGS_KEY, Settings
from ..xdist_io import is_worker, receive, send
from .items import expected_groups, group_of, module_and_test, profile_name
from .names import RecordedVariables, StableNames
from .opening import open_session
from .publish import CassettePublisher, Outcome
from .seeds import LAB_SEED, NAMES_SEED, LabSeeds, new_seed
from .session import SESSION_KEY, PhaseReport

LAB_SEEDS_KEY = pytest.StashKey[LabSeeds]()
PUBLISHER_KEY = pytest.StashKey[CassettePublisher]()
OUTCOMES_KEY = pytest.StashKey[list[str]]()  # summary lines, this process's and its workers'
WORKER_OUTPUT = "azurestack_cassette_groups"


def _settings(config: pytest.Config) -> Settings:
    return config.stash[SETTINGS_KEY]


def pytest_configure(config: pytest.Config) -> None:
    settings = config.stash.get(SETTINGS_KEY, None)
    config.stash[OUTCOMES_KEY] = []
    if settings is not None:
        config.stash[LAB_SEEDS_KEY] = LabSeeds(reuse=settings.recording)
    if settings is not None and settings.recording:
        config.stash[PUBLISHER_KEY] = CassettePublisher(settings.cassette_dir)


def _discovered(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Endpoints and ids the run found (the emulator's, say), for scrubbing; only when used."""
    found: dict[str, Any] = {}
    if "azurestack_cloud" in request.fixturenames:
        cloud = request.getfixturevalue("azurestack_cloud")
        found["arm_endpoint"] = getattr(cloud, "arm_endpoint", None)
        found["login_endpoints"] = [e for e in (getattr(cloud, "login_endpoint", None),) if e]
    if "azurestack_subscription_id" in request.fixturenames:
        found["subscription_id"] = str(request.getfixturevalue("azurestack_subscription_id"))
    return found


@pytest.fixture
def azurestack_cassette(request: pytest.FixtureRequest, azurestack_profile: Any) -> Iterator[Cassette | None]:
    """The test's vcrpy cassette: playback, or recording on a live target; None when live only
    (no recording, or ``once`` and the cassette exists).

    ``<cassette_dir>/<profile>/<module>/<[Class.]test[ids]>.yaml``. Depend on it before any client
    is built, so every request of the test goes through it.
    """
    item = request.node
    settings, profile = _settings(request.config), profile_name(azurestack_profile)
    with open_session(settings, item, profile, lambda: _discovered(request)) as session:
        item.stash[SESSION_KEY] = session
        yield session.cassette


@pytest.fixture
def azurestack_variables(request: pytest.FixtureRequest, azurestack_cassette: Any) -> RecordedVariables:
    """Values made at record time and replayed: ``get_or_create(key, factory)``."""
    return request.node.stash[SESSION_KEY].variables


@pytest.fixture
def azurestack_names(
    request: pytest.FixtureRequest, azurestack_profile: Any, azurestack_variables: RecordedVariables
) -> StableNames:
    """Stable names for this test (key: profile/module/test, seed recorded in its cassette)."""
    profile = profile_name(azurestack_profile)
    module, test = module_and_test(request.node, profile)
    seed = azurestack_variables.get_or_create(NAMES_SEED, new_seed)
    return StableNames(f"{profile}/{module}/{test}", seed)


@pytest.fixture
def azurestack_lab_names(
    request: pytest.FixtureRequest, azurestack_profile: Any, azurestack_variables: RecordedVariables
) -> StableNames:
    """Stable names shared by the tests of one profile and module (a scenario: a VM's lab)."""
    settings = _settings(request.config)
    profile = profile_name(azurestack_profile)
    key = f"{profile}/{request.node.path.stem}"
    siblings = settings.cassette_dir / profile / request.node.path.stem
    seeds = request.config.stash[LAB_SEEDS_KEY]
    seed = azurestack_variables.get_or_create(LAB_SEED, lambda: seeds.seed(key, siblings))
    return StableNames(key, seed)


# -- reporting ----------------------------------------------------------------------------------
@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    publisher = item.config.stash.get(PUBLISHER_KEY, None)
    group = group_of(item) if publisher is not None else None
    PhaseReport(item, report, call, publisher, group).settle()
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Publish the groups recorded; a worker hands its groups to the controller, which alone knows
    whether the run failed (a failed run publishes nothing unless --azurestack-publish-partial)."""
    config = session.config
    publisher = config.stash.get(PUBLISHER_KEY, None)
    lines = config.stash.get(OUTCOMES_KEY, [])
    if publisher is None:
        return
    expected = expected_groups(session)
    # Only groups that ran here: a worker's session.items lists every worker's tests.
    mine = {g: expected.get(g, set()) for g in publisher.groups}
    if is_worker(config):
        send(config, WORKER_OUTPUT, publisher.handoff(mine))
        return
    failed = session.testsfailed
    run_failed = f"the run failed ({failed} test(s))" if failed else ""
    if session.shouldstop or session.shouldfail:
        run_failed = run_failed or "the run stopped early"
    outcomes: list[Outcome] = publisher.finish(mine, run_failed, partial=_settings(config).publish_partial)
    outcomes += publisher.rescue_orphans()  # a crashed worker's recordings
    lines += [outcome.line() for outcome in outcomes]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """A pytest-xdist worker finished: the controller publishes its groups with the others."""
    publisher = node.config.stash.get(PUBLISHER_KEY, None)
    if publisher is not None:
        publisher.adopt(receive(node, WORKER_OUTPUT, []))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    lines = config.stash.get(OUTCOMES_KEY, [])
    if lines:
        terminalreporter.section("azurestack cassettes")
        for line in sorted(lines):
            terminalreporter.write_line(line)
