"""pytest-azurestack: hooks and fixture wiring only; the logic lives in small modules.

``options`` (Settings), ``profiles``, ``targets`` (emulator start, live access check, the sweeper's
client), ``state`` (per-process run state, the end-of-run sweep and the summary), ``signals``
(SIGTERM), ``clients``, ``transport`` (guard, pin, playback, timeouts), ``resources`` (resource
groups, sweeper), ``masking`` (no secret in any report or log); recording and report are
sub-plugins.
"""

from __future__ import annotations

import warnings
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from _pytest import junitxml  # its xml_key, as pytest's own record_testsuite_property uses it
from azure.core.credentials import TokenCredential
from vcr.cassette import Cassette

from . import findings, masking, resources, sdk, targets
from .clients import ClientContext
from .cloud import PLAYBACK_CLOUD, Cloud
from .credentials import LiveTarget, PlaybackCredential
from .environment import ZERO_GUID
from .errors import AzureStackError
from .metrics import timings as metrics
from .options import SETTINGS_KEY, Settings, add_options, resolve_settings
from .preflight import plugin as preflight_hooks
from .profiles import Profile
from .recording.names import StableNames
from .recording.replay import Replayer
from .report import http_log
from .resources import ResourceGroup
from .signals import sigterm_as_keyboard_interrupt
from .state import CLEANUP_FAILED_PROPERTY, KEPT_PROPERTY, EndOfRunSweep, RunState
from .sweeper import command_for
from .transport import AzureStackTransport
from .verdicts import PROP_PINNED, base_nodeid
from .xdist_io import is_worker

if TYPE_CHECKING:
    # The management SDKs are the team's (any supported release, imported where used: sdk.py);
    # the emulator (Starlette, uvicorn) is imported only by runs that use it.
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.storage import StorageManagementClient

    from .emulator.admin_client import EmulatorAdmin

SUBPLUGINS = (
    "pytest_azurestack.recording.plugin",
    "pytest_azurestack.report.plugin",
    "pytest_azurestack.metrics.plugin",
)
RECORD_COMMAND = "pytest --azurestack-target emulator --azurestack-record-mode once"


class AzureStackCleanupWarning(UserWarning):
    """A resource the run created could not be deleted."""


MASKING_PLUGIN = "azurestack-masking"
RUN_ID_PROPERTY = "azurestack_run_id"
STATE_KEY = pytest.StashKey[RunState]()
TRANSPORT_KEY = pytest.StashKey[AzureStackTransport]()
CALL_REPORT_KEY = pytest.StashKey[pytest.TestReport]()


def _state(config: pytest.Config) -> RunState:
    return config.stash[STATE_KEY]


# --- hooks -------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    add_options(parser)
    # Registered here (not at configure) so the sub-plugins' own options and ini keys exist too.
    for name in SUBPLUGINS:
        pluginmanager.import_plugin(name)
    # Imported by this module already (session start calls it), so registered rather than imported.
    pluginmanager.register(preflight_hooks, preflight_hooks.__name__)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    settings = resolve_settings(config)
    config.stash[SETTINGS_KEY] = settings
    state = RunState()
    config.stash[STATE_KEY] = state
    config.pluginmanager.register(state, "azurestack-run-state")
    # Before anything can fail: no secret of the run in any report, traceback or log.
    masking.register_environment()
    config.pluginmanager.register(masking.MaskingHooks(), MASKING_PLUGIN)
    if not is_worker(config):
        # Workers resolve Settings from the environment they inherit: one run id for all of them.
        state.overlay.set("AZURESTACK_RUN_ID", settings.run_id)
    if settings.is_live:
        state.undo_signals = sigterm_as_keyboard_interrupt()
        state.run_id = settings.run_id


def pytest_report_header(config: pytest.Config) -> str | None:
    settings = config.stash.get(SETTINGS_KEY, None)
    if settings is None or not settings.is_live:
        return None
    return (
        f"azurestack: run id {settings.run_id} (target {settings.target}; what it creates is tagged "
        f"{resources.RUN_TAG}={settings.run_id}; if it is killed: `{command_for(settings.run_id)}`)"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Start the emulator and run the preflight once, in the controller, before workers exist."""
    config = session.config
    settings, state = config.stash[SETTINGS_KEY], _state(config)
    if is_worker(config):
        settings = preflight_hooks.for_worker(config, settings)
    if not settings.is_live or config.option.collectonly:
        if not settings.is_live and not is_worker(config):
            preflight_hooks.for_playback_session(config, settings)
        config.stash[SETTINGS_KEY] = settings
        return
    config.pluginmanager.register(EndOfRunSweep(state), "azurestack-end-of-run-sweep")
    junit = config.stash.get(junitxml.xml_key, None)
    if junit is not None:  # the run id in every report: JUnit's too
        junit.add_global_property(RUN_ID_PROPERTY, settings.run_id)
    if settings.target == "emulator" and not is_worker(config):
        state.emulator = targets.start_emulator(settings, state.overlay)
        masking.register_environment()  # the emulator's client secret, now exported
    config.stash[SETTINGS_KEY] = settings = targets.trusting_emulator(settings)
    if is_worker(config):
        return
    try:
        live = state.connect(settings)
        # Sign-in and the subscription first: without them nothing else can be asked (one line).
        targets.check_access(live, settings.ca_bundle)
        config.stash[SETTINGS_KEY] = preflight_hooks.for_live_session(config, settings, live)
    except AzureStackError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "azurestack_profile" not in metafunc.fixturenames:
        return  # tests that do not use the plugin: untouched
    settings = metafunc.config.stash[SETTINGS_KEY]
    if not settings.profiles:
        # Only playback without any profile directory gets here: failing (not skipping) keeps a
        # mistyped --azurestack-cassette-dir from looking like a green run in CI.
        pytest.fail(
            f"playback: no cassettes for any profile under {settings.cassette_dir}; point "
            f"--azurestack-cassette-dir at the recorded ones, or record them with `{RECORD_COMMAND}` "
            "(or live against a stamp)",
            pytrace=False,
        )
    # Session scope groups the tests by profile: a profile's tests run together, in file order.
    metafunc.parametrize(
        "azurestack_profile",
        settings.profiles,
        ids=[p.name for p in settings.profiles],
        indirect=True,
        scope="session",
    )


# Innermost (trylast): the gate's verdict is what the conformance, recording and report hooks see.
@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    findings.settle(item, report, call, item.stash.get(TRANSPORT_KEY, None))
    if report.when == "call":
        item.stash[CALL_REPORT_KEY] = report
    return report


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """No management SDK for the selected tests' clients: one line naming the extra, before any test."""
    error = sdk.missing_for({name for item in items for name in getattr(item, "fixturenames", ())})
    if error is not None:
        raise pytest.UsageError(str(error))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    _state(config).write_summary(terminalreporter)


def pytest_unconfigure(config: pytest.Config) -> None:
    masks = config.pluginmanager.get_plugin(MASKING_PLUGIN)
    if masks is not None:
        masks.close()
    state = config.stash.get(STATE_KEY, None)
    if state is not None:
        state.close()


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def azurestack_settings(pytestconfig: pytest.Config) -> Settings:
    """The run's ``Settings`` (options, ini, environment)."""
    return pytestconfig.stash[SETTINGS_KEY]


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
def azurestack_credential(_azurestack_live: LiveTarget | None) -> TokenCredential:
    """The service principal's credential, or a constant fake in playback."""
    return PlaybackCredential() if _azurestack_live is None else _azurestack_live.credential


@pytest.fixture(scope="session")
def azurestack_subscription_id(_azurestack_live: LiveTarget | None) -> str:
    return ZERO_GUID if _azurestack_live is None else _azurestack_live.env.subscription_id


@pytest.fixture(scope="session")
def azurestack_emulator(
    azurestack_settings: Settings, _azurestack_live: LiveTarget | None
) -> Iterator[EmulatorAdmin]:
    """The embedded emulator's admin API: faults, transitions, operations, state, request log.

    Over HTTPS, so it works from every xdist worker; skipped unless the target is the emulator.
    """
    if azurestack_settings.target != "emulator" or _azurestack_live is None:
        pytest.skip("steers the embedded emulator: needs --azurestack-target emulator")
    assert azurestack_settings.ca_bundle is not None, "the emulator target always has its CA bundle"
    from .emulator.admin_client import EmulatorAdmin

    with EmulatorAdmin(_azurestack_live.cloud.arm_endpoint, azurestack_settings.ca_bundle) as admin:
        yield admin


@pytest.fixture(scope="session")
def azurestack_location(azurestack_settings: Settings) -> str:
    return azurestack_settings.location


@pytest.fixture
def azurestack_may_delete(request: pytest.FixtureRequest, azurestack_settings: Settings) -> None:
    """For a test that deletes what the run made: skipped when --azurestack-keep keeps it (always,
    or on-failure once a test of this process failed), so kept means kept."""
    reason = resources.keep_reason(azurestack_settings.keep, request.session.testsfailed)
    if reason is not None:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def azurestack_run_tags(azurestack_settings: Settings) -> dict[str, str]:
    """Tags every resource of this run carries (the sweeper deletes groups by them)."""
    return resources.run_tags(azurestack_settings.run_id)


@pytest.fixture
def _azurestack_transport(
    request: pytest.FixtureRequest,
    azurestack_settings: Settings,
    azurestack_profile: Profile,
    _azurestack_live: LiveTarget | None,
    azurestack_subscription_id: str,
    azurestack_cassette: Cassette | None,
) -> Iterator[AzureStackTransport]:
    settings = azurestack_settings
    transport = AzureStackTransport(
        profile=azurestack_profile,
        guard=settings.api_version_guard,
        pin=settings.pin_api_versions,
        # Playback answers from the test's cassette; a live run sends (vcrpy records, if it does).
        replay=None if settings.is_live else Replayer(azurestack_cassette),
        ca_bundle=settings.ca_bundle,
        principal=PlaybackCredential.principal
        if _azurestack_live is None
        else _azurestack_live.env.client_id,
        subscription_id=azurestack_subscription_id,
        request_timeout=settings.request_timeout,
        operation_timeout=settings.operation_timeout,
    )
    request.node.stash[TRANSPORT_KEY] = transport
    metrics.watch(request.node, transport)
    http_log.watch(request.node, transport, _azurestack_live, settings.run_id)
    try:
        yield transport
    finally:
        if transport.pinned:
            request.node.user_properties.append((PROP_PINNED, [str(p) for p in transport.pinned]))
        transport.close()


@pytest.fixture
def _azurestack_clients(
    azurestack_settings: Settings,
    azurestack_cloud: Cloud,
    azurestack_credential: TokenCredential,
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
        polling_interval=targets.polling_interval(azurestack_settings),
    )


# Each client fixture names azurestack_cassette so the cassette is active before the client exists.
@pytest.fixture
def resource_client(
    azurestack_cassette: Cassette | None, _azurestack_clients: ClientContext
) -> ResourceManagementClient:
    return _azurestack_clients.client(sdk.client_class("resource"))


@pytest.fixture
def compute_client(
    azurestack_cassette: Cassette | None, _azurestack_clients: ClientContext
) -> ComputeManagementClient:
    return _azurestack_clients.client(sdk.client_class("compute"))


@pytest.fixture
def network_client(
    azurestack_cassette: Cassette | None, _azurestack_clients: ClientContext
) -> NetworkManagementClient:
    return _azurestack_clients.client(sdk.client_class("network"))


@pytest.fixture
def storage_client(
    azurestack_cassette: Cassette | None, _azurestack_clients: ClientContext
) -> StorageManagementClient:
    return _azurestack_clients.client(sdk.client_class("storage"))


@pytest.fixture
def resource_group(
    request: pytest.FixtureRequest,
    azurestack_settings: Settings,
    azurestack_location: str,
    azurestack_names: StableNames,
    resource_client: ResourceManagementClient,
) -> Iterator[ResourceGroup]:
    """A resource group for this test: tagged with the run and test ids, deleted at teardown."""
    settings = azurestack_settings
    test_id = base_nodeid(request.node.nodeid)
    name = azurestack_names.resource_group()  # stable: identical when recorded and replayed
    group = resources.create_resource_group(
        resource_client, name, azurestack_location, resources.group_tags(settings.run_id, test_id)
    )
    yield group
    call = request.node.stash.get(CALL_REPORT_KEY, None)
    if resources.should_keep(settings.keep, failed=call is None or call.failed):
        kept = f"resource group {name} (--azurestack-keep {settings.keep})"
        request.node.user_properties.append((KEPT_PROPERTY, kept))
        return
    try:
        failure = resources.delete_resource_group(resource_client, name, test_id)
    except KeyboardInterrupt:
        if request.session.exitstatus != pytest.ExitCode.INTERRUPTED:
            raise
        # A second Ctrl-C/SIGTERM while an interrupted run cleans up: no traceback; the sweep
        # that follows finds the group and says what is left.
        return
    if failure is not None:
        request.node.user_properties.append((CLEANUP_FAILED_PROPERTY, str(failure)))
        warnings.warn(AzureStackCleanupWarning(masking.mask(str(failure))), stacklevel=1)
