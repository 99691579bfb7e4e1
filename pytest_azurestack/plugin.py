"""pytest-azurestack: hooks, options and fixture wiring only; the logic lives in small modules."""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
import warnings
from collections import Counter
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient

from . import resources
from .clients import ClientContext
from .cloud import PLAYBACK_CLOUD, Cloud
from .credentials import LiveTarget, PlaybackCredential, connect
from .environment import ZERO_GUID, EnvironOverlay
from .errors import AzureStackError
from .options import SETTINGS_KEY, Settings, add_options, resolve_settings
from .profiles import HYBRID_PROFILES, Profile
from .transport import AzureStackTransport

SUBPLUGINS = ("pytest_azurestack.recording.plugin", "pytest_azurestack.report.plugin")
# The emulator answers Retry-After: 0, which azure-core treats as absent: this is the poll period then.
EMULATOR_POLLING_INTERVAL = 0.05
# user_properties names that carry per-test facts from xdist workers to the controller's summary.
PINNED_PROPERTY = "azurestack_pinned"
CLEANUP_FAILED_PROPERTY = "azurestack_cleanup_failed"
KEPT_PROPERTY = "azurestack_kept"


class AzureStackCleanupWarning(UserWarning):
    """A resource the run created could not be deleted."""


@dataclass(eq=False)  # registered as a plugin: pluggy needs it hashable
class RunState:
    """Per-run state of this process: exported variables, the emulator, what the summary reports."""

    overlay: EnvironOverlay = field(default_factory=EnvironOverlay)
    emulator: Any = None
    live: LiveTarget | None = None
    live_error: AzureStackError | None = None
    pinned: list[str] = field(default_factory=list)
    cleanup_failed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    swept: list[str] = field(default_factory=list)
    previous_sigterm: Any = None

    def connect(self, settings: Settings) -> LiveTarget:
        """The live target, connected once per process; a failure is remembered and re-raised."""
        if self.live is None and self.live_error is None:
            try:
                self.live = connect(settings.ca_bundle)
            except AzureStackError as exc:
                self.live_error = exc
        if self.live_error is not None:
            raise self.live_error
        assert self.live is not None
        return self.live

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Collect per-test facts for the summary; xdist workers' reports arrive here too."""
        if report.when != "teardown":
            return
        for name, value in report.user_properties:
            if name == PINNED_PROPERTY:
                self.pinned.extend(str(v) for v in value)  # type: ignore[attr-defined]
            elif name == CLEANUP_FAILED_PROPERTY:
                self.cleanup_failed.append(str(value))
            elif name == KEPT_PROPERTY:
                self.kept.append(str(value))


STATE_KEY = pytest.StashKey[RunState]()
TRANSPORT_KEY = pytest.StashKey[AzureStackTransport]()
CALL_REPORT_KEY = pytest.StashKey[pytest.TestReport]()


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _settings(config: pytest.Config) -> Settings:
    return config.stash[SETTINGS_KEY]


def _state(config: pytest.Config) -> RunState:
    return config.stash[STATE_KEY]


# --- hooks -------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    add_options(parser)
    # Registered here (not at configure) so the sub-plugins' own options and ini keys exist too.
    for name in SUBPLUGINS:
        pluginmanager.import_plugin(name)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    settings = resolve_settings(config)
    config.stash[SETTINGS_KEY] = settings
    state = RunState()
    config.stash[STATE_KEY] = state
    config.pluginmanager.register(state, "azurestack-run-state")
    if not _is_worker(config):
        # Workers resolve Settings from the environment they inherit: one run id for all of them.
        state.overlay.set("AZURESTACK_RUN_ID", settings.run_id)
    # SIGTERM (CI cancelling a job) unwinds like Ctrl-C: teardowns and the sweeper still run.
    in_main_thread = threading.current_thread() is threading.main_thread()
    if settings.is_live and in_main_thread and signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        state.previous_sigterm = signal.signal(signal.SIGTERM, _sigterm_to_keyboard_interrupt)


def _sigterm_to_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Start the emulator and check the live target once, in the controller, before workers exist."""
    config = session.config
    settings, state = _settings(config), _state(config)
    if not settings.is_live or config.option.collectonly:
        return
    if _is_worker(config):
        if settings.target == "emulator" and os.environ.get("AZURESTACK_CA_BUNDLE"):
            config.stash[SETTINGS_KEY] = dataclasses.replace(
                settings, ca_bundle=Path(os.environ["AZURESTACK_CA_BUNDLE"])
            )
        return
    if settings.target == "emulator":
        settings = _start_emulator(config, settings, state)
    try:
        state.connect(settings).check_sign_in()
    except AzureStackError as exc:
        raise pytest.UsageError(str(exc)) from None


def _start_emulator(config: pytest.Config, settings: Settings, state: RunState) -> Settings:
    # Only emulator runs pay for its import.
    from .emulator import EmulatorConfig, EmulatorServer

    server = EmulatorServer(
        EmulatorConfig(build=settings.emulator_build, location=settings.location, retry_after=0)
    )
    info = server.start()
    state.emulator = server
    # Exported, not passed around: the live code path reads the stamp exactly as for a real one,
    # and xdist workers inherit it. The CA goes to the plugin's own option, never to certifi.
    for name, value in info.env().items():
        if name not in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
            state.overlay.set(name, value)
    state.overlay.set("AZURESTACK_CA_BUNDLE", str(info.ca_bundle))
    settings = dataclasses.replace(settings, ca_bundle=Path(info.ca_bundle))
    config.stash[SETTINGS_KEY] = settings
    return settings


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "azurestack_profile" not in metafunc.fixturenames:
        return
    settings = _settings(metafunc.config)
    if settings.profiles:
        # Session scope groups the tests by profile: a profile's tests run together, in file order.
        metafunc.parametrize(
            "azurestack_profile",
            settings.profiles,
            ids=[p.name for p in settings.profiles],
            indirect=True,
            scope="session",
        )
        return
    reason = (
        f"playback: no cassettes under {settings.cassette_dir}; record them with "
        "`pytest --azurestack-target emulator --azurestack-record-mode once` (or live against a stamp)"
    )
    metafunc.parametrize(
        "azurestack_profile",
        [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="no-cassettes")],
        indirect=True,
        scope="session",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(error, AzureStackError):
        # The problem and its fix, not a traceback through azure-core.
        report.longrepr = f"{type(error).__name__}: {error}"
    elif report.when == "call" and report.passed:
        transport = item.stash.get(TRANSPORT_KEY, None)
        if transport is not None and transport.violations:
            # The guard fired but the test swallowed the error (a broad except): still a failure.
            first = transport.violations[0]
            report.outcome = "failed"
            report.longrepr = f"{type(first).__name__}: {first}"
    if report.when == "call":
        item.stash[CALL_REPORT_KEY] = report
    return report


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """The sweeper: delete every resource group of this run that is still there (live targets)."""
    config = session.config
    settings, state = _settings(config), _state(config)
    if _is_worker(config) or not settings.is_live or state.live is None:
        return
    client = _sweeper_client(settings, state.live)
    try:
        failures = resources.sweep(client, settings.run_id, on_deleted=state.swept.append)
    finally:
        client.close()
    state.cleanup_failed.extend(str(f) for f in failures)


def _sweeper_client(settings: Settings, live: LiveTarget) -> ResourceManagementClient:
    # The oldest profile of the run: every stamp that serves the run's profiles serves its versions.
    hybrid = [p for p in settings.profiles if p.hybrid] or list(HYBRID_PROFILES)
    context = ClientContext(
        cloud=live.cloud,
        credential=live.credential,
        subscription_id=live.env.subscription_id,
        profile=hybrid[-1],
        transport=AzureStackTransport(ca_bundle=settings.ca_bundle, principal=live.env.client_id),
        polling_interval=EMULATOR_POLLING_INTERVAL if settings.target == "emulator" else None,
    )
    return context.client(ResourceManagementClient)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    state = _state(config)
    if state.pinned:
        terminalreporter.section("azurestack: pinned api-versions")
        terminalreporter.write_line(f"{len(state.pinned)} request(s) rewritten to the profile's api-version:")
        for line, count in sorted(Counter(state.pinned).items()):
            terminalreporter.write_line(f"  {line}" + (f" (x{count})" if count > 1 else ""))
    if state.cleanup_failed or state.swept or state.kept:
        terminalreporter.section("azurestack: cleanup")
        for line in state.cleanup_failed:
            terminalreporter.write_line(f"FAILED {line}", red=True)
        for name in state.swept:
            terminalreporter.write_line(f"swept resource group {name} (left behind by a test of this run)")
        for line in state.kept:
            terminalreporter.write_line(f"kept {line}")


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is None:
        return
    try:
        if state.emulator is not None:
            state.emulator.stop()
    finally:
        state.overlay.restore()
        if state.previous_sigterm is not None:
            signal.signal(signal.SIGTERM, state.previous_sigterm)


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def azurestack_settings(pytestconfig: pytest.Config) -> Settings:
    """The run's ``Settings`` (options, ini, environment)."""
    return _settings(pytestconfig)


@pytest.fixture(scope="session")
def azurestack_profile(request: pytest.FixtureRequest) -> Profile:
    """The API version profile of the current test; tests are parametrized over the run's profiles."""
    profile = getattr(request, "param", None)
    if not isinstance(profile, Profile):
        raise pytest.UsageError(
            "azurestack_profile is parametrized only for tests that take it as an argument"
        )
    return profile


@pytest.fixture(scope="session")
def _azurestack_live(pytestconfig: pytest.Config, azurestack_settings: Settings) -> LiveTarget | None:
    if not azurestack_settings.is_live:
        return None
    return _state(pytestconfig).connect(azurestack_settings)


@pytest.fixture(scope="session")
def azurestack_cloud(_azurestack_live: LiveTarget | None) -> Cloud:
    """The discovered cloud (a fixed fake one in playback)."""
    return PLAYBACK_CLOUD if _azurestack_live is None else _azurestack_live.cloud


@pytest.fixture(scope="session")
def azurestack_credential(_azurestack_live: LiveTarget | None) -> Any:
    """An azure-core ``TokenCredential``: the service principal, or a constant fake in playback."""
    return PlaybackCredential() if _azurestack_live is None else _azurestack_live.credential


@pytest.fixture(scope="session")
def azurestack_subscription_id(_azurestack_live: LiveTarget | None) -> str:
    return ZERO_GUID if _azurestack_live is None else _azurestack_live.env.subscription_id


@pytest.fixture(scope="session")
def azurestack_location(azurestack_settings: Settings) -> str:
    return azurestack_settings.location


@pytest.fixture(scope="session")
def azurestack_run_tags(azurestack_settings: Settings) -> dict[str, str]:
    """Tags every resource of this run carries (the sweeper deletes groups by them)."""
    return resources.run_tags(azurestack_settings.run_id)


@pytest.fixture
def _azurestack_transport(
    request: pytest.FixtureRequest,
    azurestack_settings: Settings,
    azurestack_profile: Profile,
    azurestack_credential: Any,
    azurestack_subscription_id: str,
    azurestack_cassette: Any,
) -> Iterator[AzureStackTransport]:
    settings = azurestack_settings
    playback = not settings.is_live
    transport = AzureStackTransport(
        profile=azurestack_profile,
        guard=settings.api_version_guard,
        pin=settings.pin_api_versions,
        offline=playback,
        ca_bundle=settings.ca_bundle,
        principal=getattr(azurestack_credential, "principal", "the service principal"),
        subscription_id=azurestack_subscription_id,
        cassette=azurestack_cassette,
    )
    request.node.stash[TRANSPORT_KEY] = transport
    try:
        yield transport
    finally:
        if transport.pinned:
            request.node.user_properties.append((PINNED_PROPERTY, [str(p) for p in transport.pinned]))
        transport.close()


@pytest.fixture
def _azurestack_clients(
    azurestack_settings: Settings,
    azurestack_cloud: Cloud,
    azurestack_credential: Any,
    azurestack_subscription_id: str,
    azurestack_profile: Profile,
    _azurestack_transport: AzureStackTransport,
) -> ClientContext:
    return ClientContext(
        cloud=azurestack_cloud,
        credential=azurestack_credential,
        subscription_id=azurestack_subscription_id,
        profile=azurestack_profile,
        transport=_azurestack_transport,
        polling_interval=EMULATOR_POLLING_INTERVAL if azurestack_settings.target == "emulator" else None,
    )


# Each client fixture names azurestack_cassette so the cassette is active before the client exists.
@pytest.fixture
def resource_client(azurestack_cassette: Any, _azurestack_clients: ClientContext) -> ResourceManagementClient:
    return _azurestack_clients.client(ResourceManagementClient)


@pytest.fixture
def compute_client(azurestack_cassette: Any, _azurestack_clients: ClientContext) -> ComputeManagementClient:
    return _azurestack_clients.client(ComputeManagementClient)


@pytest.fixture
def network_client(azurestack_cassette: Any, _azurestack_clients: ClientContext) -> NetworkManagementClient:
    return _azurestack_clients.client(NetworkManagementClient)


@pytest.fixture
def storage_client(azurestack_cassette: Any, _azurestack_clients: ClientContext) -> StorageManagementClient:
    return _azurestack_clients.client(StorageManagementClient)


@pytest.fixture
def resource_group(
    request: pytest.FixtureRequest,
    azurestack_settings: Settings,
    azurestack_location: str,
    resource_client: ResourceManagementClient,
) -> Iterator[Any]:
    """A resource group for this test: tagged with the run and test ids, deleted at teardown."""
    settings = azurestack_settings
    test_id = request.node.nodeid
    name = _group_name(request, test_id)
    group = resources.create_resource_group(
        resource_client, name, azurestack_location, resources.group_tags(settings.run_id, test_id)
    )
    yield group
    call = request.node.stash.get(CALL_REPORT_KEY, None)
    failed = call is None or call.failed
    if settings.keep == "always" or (settings.keep == "on-failure" and failed):
        kept = f"resource group {name} (--azurestack-keep {settings.keep})"
        request.node.user_properties.append((KEPT_PROPERTY, kept))
        return
    failure = resources.delete_resource_group(resource_client, name, test_id)
    if failure is not None:
        request.node.user_properties.append((CLEANUP_FAILED_PROPERTY, str(failure)))
        warnings.warn(AzureStackCleanupWarning(str(failure)), stacklevel=1)


def _group_name(request: pytest.FixtureRequest, test_id: str) -> str:
    """The recorder's stable name when it offers one, else a hash of the test id (stable too)."""
    try:
        names = request.getfixturevalue("azurestack_names")
    except pytest.FixtureLookupError:
        return resources.fallback_group_name(test_id)
    make = getattr(names, "resource_group", None)
    return str(make()) if callable(make) else resources.fallback_group_name(test_id)
