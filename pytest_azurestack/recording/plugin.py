"""Recording fixtures and hooks; the logic lives in the sibling modules.

Fixtures: ``azurestack_cassette``, ``azurestack_variables``, ``azurestack_names``,
``azurestack_lab_names``. Hooks: the teardown report stages a cassette of a test that did not
fail, session finish publishes each (profile, module) group whose tests all passed or were
skipped (``publish``), the terminal summary says what became of each group, and a playback miss
or cassette error is reported as its own message, not a traceback.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from vcr.cassette import Cassette
from vcr.errors import CannotOverwriteExistingCassetteException

from ..errors import AzureStackError, CassetteError, exception_chain
from ..options import SETTINGS_KEY, Settings
from ..xdist_io import is_worker, receive, send
from .adapter import cassette_file, mark_changed, write_protected
from .config import build_vcr, cassette_path, display_path, record_command
from .matchers import explain_miss
from .names import RecordedVariables, StableNames, cassette_test_name
from .persister import CassetteFile, provenance, read_metadata
from .publish import CassettePublisher, Group, Outcome
from .sanitize import MIN_RUN_ID_LENGTH, RUN_ID_PLACEHOLDER, RunValues, Scrubber
from .session import SESSION_KEY, RecordingSession

NAMES_SEED = "names-seed"
LAB_SEED = "lab-seed"


LAB_SEEDS_KEY = pytest.StashKey[dict[str, str]]()
PUBLISHER_KEY = pytest.StashKey[CassettePublisher]()
OUTCOMES_KEY = pytest.StashKey[list[str]]()  # summary lines, this process's and its workers'
WORKER_OUTPUT = "azurestack_cassette_groups"
PROFILE_PARAM = "azurestack_profile"


def _settings(config: pytest.Config) -> Settings:
    return config.stash[SETTINGS_KEY]


def pytest_configure(config: pytest.Config) -> None:
    """Playback runs under the recorded run id, so replayed tags and names equal what tests send.

    Recording scrubs the real run id to a placeholder; a playback run creates nothing, so its own
    run id means nothing, and using the placeholder keeps "tags equal the run's tags" checks true.
    """
    settings = config.stash.get(SETTINGS_KEY, None)
    if settings is not None and not settings.is_live and settings.run_id != RUN_ID_PLACEHOLDER:
        config.stash[SETTINGS_KEY] = dataclasses.replace(settings, run_id=RUN_ID_PLACEHOLDER)
    config.stash[OUTCOMES_KEY] = []
    if settings is not None and settings.recording:
        config.stash[PUBLISHER_KEY] = CassettePublisher(settings.cassette_dir)


def _profile_name(profile: Any) -> str:
    return str(getattr(profile, "name", profile))


def _module_and_test(item: pytest.Item, profile: str) -> tuple[str, str]:
    callspec = getattr(item, "callspec", None)
    cls = getattr(item, "cls", None)
    test = cassette_test_name(
        getattr(item, "originalname", item.name),
        cls.__name__ if cls is not None else None,
        callspec.id if callspec is not None else None,
        profile,
    )
    return item.path.stem, test


def _group_of(item: pytest.Item) -> Group | None:
    """(profile, module) of a test with a profile, from its parameters (set before any fixture)."""
    callspec = getattr(item, "callspec", None)
    profile = callspec.params.get(PROFILE_PARAM) if callspec is not None else None
    return None if profile is None else (_profile_name(profile), item.path.stem)


def _rerecord(item: pytest.Item, profile: str) -> str:
    config = item.config
    return record_command(
        item.path,
        profile,
        cassette_dir=_settings(config).cassette_dir,
        default_cassette_dir=Path(config.rootpath, "cassettes"),
        start=config.invocation_params.dir,
    )


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
    settings = _settings(request.config)
    item = request.node
    profile = _profile_name(azurestack_profile)
    module, test = _module_and_test(item, profile)
    path = cassette_path(settings.cassette_dir, profile, module, test)
    keep_existing = settings.record_mode == "once" and path.is_file()
    if settings.is_live and (not settings.recording or keep_existing):
        item.stash[SESSION_KEY] = RecordingSession(RecordedVariables({}, frozen=False))
        yield None
        return
    rerecord = _rerecord(item, profile)
    if not settings.is_live and not path.is_file():
        raise CassetteError(
            f"no cassette for {item.nodeid}: looked for {display_path(path)}",
            f"record it with its module: {rerecord}",
        )
    if settings.recording and len(settings.run_id) < MIN_RUN_ID_LENGTH:
        raise CassetteError(
            f"run id {settings.run_id!r} is too short to be scrubbed from recordings",
            f"unset AZURESTACK_RUN_ID or give it at least {MIN_RUN_ID_LENGTH} characters",
        )
    values = RunValues.from_environment(
        settings.run_id, **(_discovered(request) if settings.recording else {})
    )
    scrubber = Scrubber(values, drop_identity_traffic=settings.recording)
    store = CassetteFile(
        path,
        fresh=settings.record_mode == "rewrite",
        provenance=provenance(
            target=settings.target,
            endpoint=scrubber.text(values.arm_endpoint),
            profile=profile,
            record_mode=settings.record_mode,
            test=item.nodeid,
            emulator_build=settings.emulator_build,
        ),
        forbidden=[(what, value) for what, value, _ in values.replacements()],
    )
    recorder = build_vcr(settings, scrubber)
    # Registered, not passed to use_cassette: vcrpy below 9.1 ignores use_cassette(persister=...).
    recorder.register_persister(store)
    with recorder.use_cassette(str(path)) as cassette:

        def changed() -> None:
            mark_changed(cassette)  # new variables alone are worth saving

        variables = RecordedVariables(
            store.variables,
            frozen=write_protected(cassette),
            rerecord_hint=f"re-record: {rerecord}",
            on_change=changed,
        )
        item.stash[SESSION_KEY] = RecordingSession(variables, cassette, store, rerecord)
        yield cassette


@pytest.fixture
def azurestack_variables(request: pytest.FixtureRequest, azurestack_cassette: Any) -> RecordedVariables:
    """Values made at record time and replayed: ``get_or_create(key, factory)``."""
    return request.node.stash[SESSION_KEY].variables


@pytest.fixture
def azurestack_names(
    request: pytest.FixtureRequest, azurestack_profile: Any, azurestack_variables: RecordedVariables
) -> StableNames:
    """Stable names for this test (key: profile/module/test, seed recorded in its cassette)."""
    profile = _profile_name(azurestack_profile)
    module, test = _module_and_test(request.node, profile)
    seed = azurestack_variables.get_or_create(NAMES_SEED, lambda: secrets.token_hex(4))
    return StableNames(f"{profile}/{module}/{test}", seed)


def _lab_seed(config: pytest.Config, key: str, siblings: Path) -> str:
    """One seed per profile and module for a whole recording session.

    Re-recording some tests of a scenario reuses the seed already in their sibling cassettes, so
    all the scenario's cassettes keep naming the same resources.
    """
    seeds = config.stash.setdefault(LAB_SEEDS_KEY, {})
    if key not in seeds:
        found = None
        if _settings(config).recording and siblings.is_dir():
            for path in sorted(siblings.glob("*.yaml")):
                try:
                    found = read_metadata(path).get("variables", {}).get(LAB_SEED)
                except Exception:  # a damaged sibling only means no seed to reuse
                    continue
                if found:
                    break
        seeds[key] = str(found) if found else secrets.token_hex(4)
    return seeds[key]


@pytest.fixture
def azurestack_lab_names(
    request: pytest.FixtureRequest, azurestack_profile: Any, azurestack_variables: RecordedVariables
) -> StableNames:
    """Stable names shared by the tests of one profile and module (a scenario: a VM's lab)."""
    settings = _settings(request.config)
    profile = _profile_name(azurestack_profile)
    key = f"{profile}/{request.node.path.stem}"
    siblings = settings.cassette_dir / profile / request.node.path.stem
    seed = azurestack_variables.get_or_create(LAB_SEED, lambda: _lab_seed(request.config, key, siblings))
    return StableNames(key, seed)


# -- reporting ----------------------------------------------------------------------------------
def failure_message(exc: BaseException, session: RecordingSession | None) -> str | None:
    """The report text for a cassette problem, or None for any other failure."""
    for current in exception_chain(exc):
        if isinstance(current, CannotOverwriteExistingCassetteException):
            request = getattr(current, "failed_request", None)
            if request is None:
                continue
            rerecord = session.rerecord if session else "re-record this test"
            return explain_miss(
                current.cassette, request, display_path(Path(cassette_file(current.cassette))), rerecord
            )
        if isinstance(current, CassetteError):
            return f"CassetteError: {current}"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    session = item.stash.get(SESSION_KEY, None)
    if call.excinfo is not None and report.failed:
        message = failure_message(call.excinfo.value, session)
        if message:
            report.longrepr = message
    publisher = item.config.stash.get(PUBLISHER_KEY, None)
    group = _group_of(item) if publisher is not None else None
    # An expected failure (xfail) is still a failure: its traffic is not a recording.
    if session is not None and (report.failed or (report.skipped and hasattr(report, "wasxfail"))):
        session.failed = True
    if call.when == "teardown":
        if SESSION_KEY in item.stash:
            del item.stash[SESSION_KEY]
        if session is not None and not session.failed and session.store is not None and group:
            try:
                assert publisher is not None
                publisher.stage(group, session.store)
            except (AzureStackError, OSError) as exc:
                report.outcome = "failed"
                report.longrepr = f"{type(exc).__name__}: {exc}"
    if publisher is not None and group is not None:
        if report.failed:
            publisher.failed(group, item.nodeid, call.when)
        if call.when == "teardown":
            publisher.ran(group, item.nodeid)
    return report


def _expected(session: pytest.Session) -> dict[Group, set[str]]:
    """The node ids of each group this process was to run.

    Under pytest-xdist a worker is sure to run only the conformance tests of its profiles (the
    conformance plugin keeps them together); other tests may have gone to another worker.
    """
    worker = is_worker(session.config)
    expected: dict[Group, set[str]] = {}
    for item in session.items:
        group = _group_of(item)
        if group is not None and (not worker or item.get_closest_marker("conformance") is not None):
            expected.setdefault(group, set()).add(item.nodeid)
    return expected


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Publish the groups this process recorded; a worker sends its summary lines to the controller."""
    config = session.config
    publisher = config.stash.get(PUBLISHER_KEY, None)
    lines = config.stash.get(OUTCOMES_KEY, [])
    if publisher is not None:
        expected = _expected(session)
        # Only groups that ran here: a worker's session.items lists every worker's tests.
        outcomes: list[Outcome] = publisher.finish({g: expected.get(g, set()) for g in publisher.groups})
        lines += [outcome.line() for outcome in outcomes]
    send(config, WORKER_OUTPUT, list(lines))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """A pytest-xdist worker finished: keep its groups' lines for the summary."""
    node.config.stash.setdefault(OUTCOMES_KEY, []).extend(receive(node, WORKER_OUTPUT, []))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    lines = config.stash.get(OUTCOMES_KEY, [])
    if lines:
        terminalreporter.section("azurestack cassettes")
        for line in sorted(lines):
            terminalreporter.write_line(line)
