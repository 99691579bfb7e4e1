"""The stamp facts every report shows: what was validated, with what, when.

Live targets: discovery (the metadata document), the provider documents the preflight read, the
build they indicate. Playback: the provenance the cassettes recorded (their endpoint is scrubbed
at record time), marked as recorded. One flat-ish JSON object (``stamp`` in the JSON report), so
any report can render it generically as key/value rows (``rows``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from .. import __version__
from ..cloud import Cloud
from ..packages import WIRE_PACKAGES, installed_versions
from ..profiles import Profile
from .model import PreflightReport
from .providers import SUITE_TYPES, canonical, indicated_build

FACTS_KEY = pytest.StashKey[dict[str, Any]]()


def _suite_versions(report: PreflightReport) -> dict[str, list[str]]:
    """``Microsoft.Compute/virtualMachines`` -> the versions the stamp serves, for the suite's types."""
    out: dict[str, list[str]] = {}
    for provider, types in SUITE_TYPES.items():
        namespace = canonical(provider)
        listed = {t.lower(): v for t, v in report.provider_versions.get(namespace, {}).items()}
        for resource_type in types:
            if resource_type.lower() in listed:
                out[f"{namespace}/{resource_type}"] = sorted(listed[resource_type.lower()], reverse=True)
    return out


def live_facts(
    target: str, cloud: Cloud, location: str, report: PreflightReport, run_id: str, started: datetime
) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "source": "emulator" if target == "emulator" else "live",
        "arm_endpoint": cloud.arm_endpoint,
        "login_endpoint": cloud.login_endpoint,
        "adfs": cloud.is_adfs,
        "location": location,
    }
    if report.discovered:
        facts["build"] = indicated_build(report.provider_versions)
        facts["provider_api_versions"] = _suite_versions(report)
    else:
        facts["build"] = "unknown (the provider documents were not read)"
        facts["provider_api_versions"] = {}
        if report.discovery_error:
            facts["discovery_error"] = report.discovery_error
    return _common(facts, run_id, started)


def _first_cassette(cassette_dir: Path, profile: str) -> Path | None:
    return next(iter(sorted((cassette_dir / profile).glob("*/*.yaml"))), None)


def _provenance(path: Path) -> dict[str, Any]:
    """The cassette's ``metadata.provenance``. Only the top-level ``metadata`` block is parsed (the
    persister writes it after the interactions): parsing a whole cassette costs tens of ms."""
    try:
        text = path.read_text(encoding="utf-8")
        start = text.rfind("\nmetadata:")
        data = yaml.safe_load(text[start:] if start >= 0 else text)
    except (OSError, yaml.YAMLError):
        return {}
    made = (data.get("metadata") or {}).get("provenance") if isinstance(data, dict) else None
    return made if isinstance(made, dict) else {}


def recorded_facts(
    cassette_dir: Path, profiles: Sequence[Profile], location: str, run_id: str, started: datetime
) -> dict[str, Any]:
    """Playback: what the cassettes say about where they were recorded (one per profile is read)."""
    made = {p.name: _provenance(c) for p in profiles if (c := _first_cassette(cassette_dir, p.name))}
    made = {k: v for k, v in made.items() if v}
    endpoints = sorted({str(m.get("endpoint")) for m in made.values() if m.get("endpoint")})
    builds = sorted({str((m.get("emulator") or {}).get("build")) for m in made.values() if m.get("emulator")})
    targets = sorted({str(m.get("target")) for m in made.values() if m.get("target")})
    dates = sorted(str(m.get("date")) for m in made.values() if m.get("date"))
    facts: dict[str, Any] = {
        "source": "recorded",  # playback: these are the cassettes' facts, not a stamp's
        "arm_endpoint": ", ".join(endpoints) or "not recorded",
        "login_endpoint": "not recorded",
        "adfs": None,
        "location": location,
        "build": (", ".join(builds) if builds else "not recorded")
        + (f" (as recorded on the {', '.join(targets)} target)" if targets else ""),
        "provider_api_versions": {},
        "recorded": {
            "between": f"{dates[0]} and {dates[-1]}" if dates else "not recorded",
            "sdk": _same_or_each(made, "packages"),
        },
    }
    return _common(facts, run_id, started)


def _same_or_each(made: dict[str, dict[str, Any]], key: str) -> Any:
    values = [m.get(key) for m in made.values() if m.get(key)]
    if values and all(v == values[0] for v in values):
        return values[0]
    return {profile: m.get(key) for profile, m in made.items()}


def _common(facts: dict[str, Any], run_id: str, started: datetime) -> dict[str, Any]:
    facts.update(
        sdk=installed_versions(WIRE_PACKAGES),
        plugin_version=__version__,
        run_id=run_id,
        started=started.isoformat(timespec="seconds"),
        finished=None,
    )
    return facts


def add_preflight(facts: dict[str, Any], report: PreflightReport) -> None:
    """What the preflight found, for the reports: the checks that passed, the profiles not served."""
    facts["preflight"] = {
        "checked": report.checked,
        "passed": list(report.passed),
        "not_supported": {name: list(lacks) for name, lacks in report.unsupported.items()},
        "auto": report.auto or None,
    }


def finish(facts: dict[str, Any], finished: datetime) -> None:
    facts["finished"] = finished.isoformat(timespec="seconds")


def rows(facts: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) for every fact: what a report that knows nothing of them can show."""

    def text(value: Any) -> str:
        if isinstance(value, dict):
            return "; ".join(f"{k} {text(v)}" for k, v in value.items()) or "none"
        if isinstance(value, list):
            return ", ".join(map(str, value))
        if value is None:
            return "-"
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    return [(key.replace("_", " "), text(value)) for key, value in facts.items()]


def header_lines(facts: dict[str, Any]) -> list[str]:
    """The terminal header: where, who signs in, the build, the versions; one fact per line."""
    identity = {True: " (ADFS)", False: " (Azure AD)", None: ""}[facts.get("adfs")]
    source = {"recorded": "stamp, as recorded in the cassettes", "emulator": "stamp (the emulator)"}
    label = f"azurestack {source.get(facts['source'], 'stamp')}:"
    lines = [
        f"{label} {facts['arm_endpoint']}, location {facts['location']}, build {facts['build']}",
        f"{label} login {facts['login_endpoint']}{identity}",
    ]
    versions = facts.get("provider_api_versions") or {}
    if versions:
        shown = "; ".join(f"{t} {', '.join(v)}" for t, v in versions.items())
        lines.append(f"{label} api-versions served: {shown}")
    lines.append(
        f"azurestack run: {facts['run_id']} started {facts['started']}, plugin {facts['plugin_version']}"
    )
    return lines


def now() -> datetime:
    return datetime.now(timezone.utc)
