"""The conformance results as JSON: every verdict plus what the run was (target, SDKs, options).

Written atomically (temporary file + rename), so a reader never sees half a report and a failed
write leaves the previous one in place.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import __version__, sdk
from ..options import Settings
from ..packages import RUNNER_PACKAGES, WIRE_PACKAGES, installed_versions
from ..verdicts import Outcome
from .results import Results

SCHEMA = "pytest-azurestack/conformance-results/v1"


def run_metadata(
    settings: Settings | None, started: datetime, finished: datetime, exit_status: int, args: list[str]
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "duration": round((finished - started).total_seconds(), 3),
        "exit_status": exit_status,
        "args": args,
        "python": platform.python_version(),
        "platform": sys.platform,
        "plugin_version": __version__,
        "packages": installed_versions(RUNNER_PACKAGES + WIRE_PACKAGES),
        "sdk": sdk.installed(),
    }
    if settings is not None:
        meta.update(
            run_id=settings.run_id,
            target=settings.target,
            profiles=[p.name for p in settings.profiles],
            record_mode=settings.record_mode,
            location=settings.location,
            emulator_build=settings.emulator_build if settings.target == "emulator" else None,
            pin_api_versions=settings.pin_api_versions,
            api_version_guard=settings.api_version_guard,
        )
    return meta


def build(results: Results, run: dict[str, Any]) -> dict[str, Any]:
    totals = {
        profile: {o.value: n for o, n in counts.items() if n} for profile, counts in results.totals().items()
    }
    return {
        "schema": SCHEMA,
        "run": run,
        "totals": totals,
        "outcomes": [o.value for o in Outcome],
        "results": [r.as_dict() for r in sorted(results, key=lambda r: r.location)],  # source order
    }


def write(path: Path, document: dict[str, Any]) -> None:
    write_text(path, json.dumps(document, indent=2) + "\n")


def write_text(path: Path, text: str) -> None:
    """Write ``text`` atomically (a temporary file beside ``path``, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def now() -> datetime:
    return datetime.now(timezone.utc)
