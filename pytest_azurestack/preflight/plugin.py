"""Preflight hooks: run it once in the controller, hand the result to xdist workers, report it,
and answer a profile the stamp cannot serve with "not supported by this stamp" before any fixture
creates anything.

The core plugin calls ``for_live_session`` / ``for_playback_session`` / ``for_worker`` from its
session start (after the emulator is up, before xdist starts workers and before the terminal
prints its header).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ..credentials import LiveTarget
from ..options import Settings
from ..profiles import HYBRID_PROFILES, RESOURCES, Profile, get_profile
from ..verdicts import PROP_OUTCOME, Outcome
from ..xdist_io import from_controller, is_worker, tell_worker
from . import facts, hookspecs, providers
from .model import PREFLIGHT_KEY, PreflightReport, ProfileNeeds
from .run import preflight

WORKER_INPUT = "azurestack_preflight"
PROFILES_INPUT = "azurestack_profiles"
HEADER_KEY = pytest.StashKey[list[str]]()


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def _needs_of(config: pytest.Config) -> Any:
    def needs(profile: Profile) -> ProfileNeeds | None:
        return config.hook.pytest_azurestack_profile_needs(config=config, profile=profile)

    return needs


def _header(config: pytest.Config) -> list[str]:
    return config.stash.setdefault(HEADER_KEY, [])


def for_live_session(config: pytest.Config, settings: Settings, live: LiveTarget) -> Settings:
    """Controller: discovery and (unless switched off) the checks; the profiles the run keeps.

    Raises ``pytest.UsageError`` (one line per problem with its fix) when the stamp lacks anything
    but a profile, and when no selected profile is served: nothing has been created yet.
    """
    started = facts.now()
    report = preflight(
        live, settings.ca_bundle, settings.location, settings.profiles, _needs_of(config), settings.preflight
    )
    config.stash[PREFLIGHT_KEY] = report
    config.stash[facts.FACTS_KEY] = facts.live_facts(
        settings.target, live.cloud, settings.location, report, settings.run_id, started
    )
    if report.problems:
        lines = "\n".join(f"  {p}" for p in report.problems)
        raise pytest.UsageError(
            f"azurestack preflight of {live.cloud.arm_endpoint} found {len(report.problems)} problem(s); "
            f"nothing was created (--azurestack-no-preflight skips the checks):\n{lines}"
        )
    if settings.profiles_auto:
        settings = _auto_live(settings, report)
    else:
        _all_unsupported(settings, report)
    header = _header(config)
    if report.checked:
        header.extend(f"azurestack preflight: ok: {line}" for line in report.passed)
    outcome = (
        "its tests are reported not supported; nothing is created for them"
        if report.checked
        else "--azurestack-no-preflight: its tests run, and the stamp refuses their requests"
    )
    for name in report.unsupported:
        header.append(f"azurestack preflight: {name} {report.reason(name)} ({outcome})")
    facts.add_preflight(config.stash[facts.FACTS_KEY], report)
    return settings


def _served_names(report: PreflightReport) -> str:
    return ", ".join(p.name for p in providers.served_profiles(report.provider_versions)) or "none"


def _all_unsupported(settings: Settings, report: PreflightReport) -> None:
    """Every selected profile unsupported: nothing would be validated, so the run stops up front."""
    selected = [p.name for p in settings.profiles]
    if not selected or any(name not in report.unsupported for name in selected):
        return
    lacking = "; ".join(f"{name} lacks {', '.join(report.unsupported[name])}" for name in selected)
    build = providers.indicated_build(report.provider_versions)
    raise pytest.UsageError(
        f"azurestack: no selected profile is served by this stamp (build {build}): {lacking}; select one it "
        f"serves ({_served_names(report)}) with --azurestack-profile, or --azurestack-profile auto"
    )


def _auto_live(settings: Settings, report: PreflightReport) -> Settings:
    if not report.discovered:
        raise pytest.UsageError(
            f"--azurestack-profile auto needs the stamp's provider documents, which could not be read "
            f"({report.discovery_error}); name the profile(s) instead"
        )
    chosen = tuple(p for p in settings.profiles if p.name not in report.unsupported)
    build = providers.indicated_build(report.provider_versions)
    if not chosen:
        raise pytest.UsageError(
            f"--azurestack-profile auto: this stamp (build {build}) serves no hybrid profile's api-versions; "
            "check ARM_ENDPOINT is an Azure Stack Hub stamp"
        )
    left_out = [f"{name} (lacks {', '.join(lacks)})" for name, lacks in report.unsupported.items()]
    names = ", ".join(p.name for p in chosen)
    report.auto = (
        f"azurestack: --azurestack-profile auto chose {names}: the stamp's provider documents serve "
        f"every api-version they pin (build {build})" + (f"; not {'; '.join(left_out)}" if left_out else "")
    )
    report.unsupported.clear()  # not selected: nothing to report per test
    report.chosen = [p.name for p in chosen]
    return dataclasses.replace(settings, profiles=chosen)


def for_playback_session(config: pytest.Config, settings: Settings) -> None:
    """Controller, playback: the recorded stamp facts, and what auto means here."""
    config.stash[facts.FACTS_KEY] = facts.recorded_facts(
        settings.cassette_dir, settings.profiles, settings.location, settings.run_id, facts.now()
    )
    if settings.profiles_auto:
        names = ", ".join(p.name for p in settings.profiles) or "none"
        _header(config).append(
            f"azurestack: --azurestack-profile auto chose {names}: the hybrid profiles with cassettes under "
            f"{settings.cassette_dir} (playback has no stamp to ask)"
        )


def for_worker(config: pytest.Config, settings: Settings) -> Settings:
    """xdist worker: the controller's preflight and, under auto, its choice of profiles."""
    data = from_controller(config, WORKER_INPUT)
    if data is not None:
        config.stash[PREFLIGHT_KEY] = PreflightReport.from_dict(data)
    names = from_controller(config, PROFILES_INPUT)
    if names is not None and settings.profiles_auto:
        settings = dataclasses.replace(settings, profiles=tuple(get_profile(n) for n in names))
    return settings


def sweeper_profile(config: pytest.Config) -> Profile:
    """The profile whose Resources version the sweeper lists and deletes groups with: the newest the
    stamp serves for resource groups (whatever the run's profiles); else the oldest hybrid one,
    which every Azure Stack Hub build serves."""
    report = config.stash.get(PREFLIGHT_KEY, None)
    if report is not None and report.discovered:
        served = providers.served_versions(report.provider_versions, RESOURCES, "resourceGroups")
        for profile in HYBRID_PROFILES:
            if profile.api_version(RESOURCES, "resourceGroups") in served:
                return profile
    return HYBRID_PROFILES[-1]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller, per worker: the preflight's findings and the profiles the run keeps."""
    config = node.config
    report = config.stash.get(PREFLIGHT_KEY, None)
    if report is not None:
        tell_worker(node, WORKER_INPUT, report.as_dict())
    if report is not None and report.chosen:
        tell_worker(node, PROFILES_INPUT, report.chosen)


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    if is_worker(config):
        return None
    lines: list[str] = []
    stamp = config.stash.get(facts.FACTS_KEY, None)
    if stamp is not None:
        lines.extend(facts.header_lines(stamp))
    report = config.stash.get(PREFLIGHT_KEY, None)
    if report is not None and report.auto:
        lines.append(report.auto)
    lines.extend(_header(config))
    return lines or None


def _profile_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    profile = callspec.params.get("azurestack_profile") if callspec is not None else None
    return profile.name if isinstance(profile, Profile) else None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test under a profile the preflight found unsupported: skipped before any fixture runs."""
    report = item.config.stash.get(PREFLIGHT_KEY, None)
    name = _profile_of(item) if report is not None and report.checked else None
    reason = report.reason(name) if report is not None and name is not None else None
    if reason is not None:
        item.user_properties.append((PROP_OUTCOME, Outcome.NOT_SUPPORTED.value))
        raise pytest.skip.Exception(reason, _use_item_location=True)


def pytest_sessionfinish(session: pytest.Session) -> None:
    stamp = session.config.stash.get(facts.FACTS_KEY, None)
    if stamp is not None:
        facts.finish(stamp, facts.now())


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    stamp = config.stash.get(facts.FACTS_KEY, None)
    if stamp is not None and stamp.get("finished") and stamp.get("source") != "recorded":
        terminalreporter.write_line(
            f"azurestack run {stamp['run_id']}: started {stamp['started']}, ended {stamp['finished']}"
        )
