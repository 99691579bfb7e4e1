"""What one pytest process remembers across the run: exported variables, the emulator it started,
the live target it connected, and the per-test facts the terminal summary reports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from . import masking, resources, sweeper, targets
from .credentials import LiveTarget, connect
from .environment import EnvironOverlay
from .errors import AzureStackError
from .options import SETTINGS_KEY, Settings
from .preflight import plugin as preflight_hooks
from .profiles import Profile
from .verdicts import PROP_PINNED
from .xdist_io import is_worker

if TYPE_CHECKING:  # only emulator runs import the emulator
    from .emulator import EmulatorServer

# user_properties names that carry per-test facts from xdist workers to the controller's summary
# (and PROP_PINNED, which the report reads too).
CLEANUP_FAILED_PROPERTY = "azurestack_cleanup_failed"
KEPT_PROPERTY = "azurestack_kept"


@dataclass(eq=False)  # registered as a plugin: pluggy needs it hashable
class RunState:
    """Per-process run state; registered as a plugin so it sees every test report (workers' too)."""

    overlay: EnvironOverlay = field(default_factory=EnvironOverlay)
    emulator: EmulatorServer | None = None
    live: LiveTarget | None = None
    live_error: AzureStackError | None = None
    pinned: list[str] = field(default_factory=list)
    cleanup_failed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    swept: list[str] = field(default_factory=list)
    undo_signals: Callable[[], None] | None = None
    run_id: str = ""  # live runs: what the sweeper command names
    sweep_interrupted: bool = False

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

    def sweep(self, settings: Settings, failed: int, profile: Profile | None = None) -> None:
        """The sweeper: delete every resource group of this run that is still there, unless
        --azurestack-keep keeps them (``failed``: how many tests of the run failed; ``profile``: whose
        Resources api-version to use, one the stamp serves)."""
        assert self.live is not None
        if resources.should_keep(settings.keep, failed=bool(failed)):
            # What the tests left behind is kept for inspection: the sweeper honours the option too.
            why = "" if settings.keep == "always" else f", {failed} test(s) failed"
            self.kept.append(
                f"every resource group tagged {resources.RUN_TAG}={settings.run_id} "
                f"(--azurestack-keep {settings.keep}{why})"
            )
            return
        client = targets.sweeper_client(settings, self.live, profile)
        listed: list[str] = []
        try:
            failures = resources.sweep(
                client, settings.run_id, on_deleted=self.swept.append, on_listed=listed.extend
            )
        except KeyboardInterrupt:
            # A second Ctrl-C or SIGTERM: say what is left instead of a traceback.
            left = [name for name in listed if name not in self.swept]
            what = ", ".join(left) if left else "whatever it had not listed yet"
            self.cleanup_failed.append(f"the sweep was interrupted; left on the stamp: {what}")
            self.sweep_interrupted = True
            return
        finally:
            client.close()
        self.cleanup_failed.extend(str(f) for f in failures)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Collect per-test facts for the summary; xdist workers' reports arrive here too."""
        if report.when != "teardown":
            return
        for name, value in report.user_properties:
            if name == PROP_PINNED:
                self.pinned.extend(str(v) for v in value)  # type: ignore[attr-defined]
            elif name == CLEANUP_FAILED_PROPERTY:
                self.cleanup_failed.append(str(value))
            elif name == KEPT_PROPERTY:
                self.kept.append(str(value))

    def write_summary(self, terminalreporter: Any) -> None:
        """Pinned requests and cleanup (failed deletes first, in red), if there is anything to say."""
        if self.pinned:
            terminalreporter.section("azurestack: pinned api-versions")
            terminalreporter.write_line(
                f"{len(self.pinned)} request(s) rewritten to the profile's api-version:"
            )
            for line, count in sorted(Counter(self.pinned).items()):
                terminalreporter.write_line(f"  {line}" + (f" (x{count})" if count > 1 else ""))
        if self.cleanup_failed or self.swept or self.kept:
            terminalreporter.section("azurestack: cleanup")
            for line in self.cleanup_failed:
                terminalreporter.write_line(f"FAILED {masking.mask(line)}", red=True)
            if self.cleanup_failed and self.run_id:
                terminalreporter.write_line(
                    f"the run fails: delete what is left with `{sweeper.command_for(self.run_id)}` "
                    "(the stamp's six variables set)",
                    red=True,
                )
            for name in self.swept:
                terminalreporter.write_line(
                    f"swept resource group {name} (left behind by a test of this run)"
                )
            for line in self.kept:
                terminalreporter.write_line(f"kept {line}")

    def close(self) -> None:
        """Stop the emulator, put the environment and the SIGTERM handler back."""
        try:
            if self.emulator is not None:
                self.emulator.stop()
                self.emulator = None
        finally:
            self.overlay.restore()
            if self.undo_signals is not None:
                self.undo_signals()
                self.undo_signals = None


@dataclass(eq=False)
class EndOfRunSweep:
    """The end-of-run sweeper, as a plugin of its own, registered at session start: later than the
    report plugin, so among the trylast session-finish hooks it runs before the JSON is written
    (which then carries the exit status it sets), and after pytest tore the tests' fixtures down."""

    state: RunState

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Delete every resource group of this run that is still there (live targets).

        A cleanup that failed or was interrupted fails the run: what it left costs quota on the stamp.
        """
        config, state = session.config, self.state
        settings = config.stash[SETTINGS_KEY]
        if is_worker(config) or not settings.is_live or state.live is None:
            return
        state.sweep(settings, failed=session.testsfailed, profile=preflight_hooks.sweeper_profile(config))
        if state.sweep_interrupted:
            session.exitstatus = pytest.ExitCode.INTERRUPTED
        elif state.cleanup_failed and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
