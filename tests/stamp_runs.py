"""`pytest suites` run live against a standalone emulator (started as a user starts it), with
faults injected through its admin API, and a scan of everything the run wrote.

Imported as ``stamp_runs`` (tests/ is on ``sys.path``, see plugin_helpers.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_azurestack.emulator.admin_client import EmulatorAdmin

ROOT = Path(__file__).resolve().parents[1]
CLIENT_SECRET = "emulator-client-secret-7f3a9c1e"  # fixed, so a scan can look for it
# The emulator answers Retry-After in fractions of a second: default-polling clients are fast.
FAST_EMULATOR = ("--retry-after", "0.01", "--client-secret", CLIENT_SECRET)
# vm_lab's admin passwords: "Az1!" and 20 letters or digits.
ADMIN_PASSWORD = re.compile(r"Az1![A-Za-z0-9]{20}")
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
PROFILE = "2020-09-01-hybrid"
SWEEP_SCRIPT = Path(sys.executable).with_name("azurestack-sweep")

# The tests each fault target needs: what it runs, its prerequisites, a dependant, the group delete.
BASE = ("create_resource_group", "delete_resource_group")
VM_CREATE = (*BASE, "storage_account", "virtual_network", "subnet", "network_interface", "linux_vm", "tag_vm")
DISK_CREATE = (*VM_CREATE, "create_data_disk", "attach_data_disk")


def selection(names: Iterable[str]) -> str:
    return " or ".join(names)


@dataclass
class SuiteRun:
    """What one run did and wrote."""

    returncode: int
    output: str  # stdout and stderr
    seconds: float
    written: dict[Path, str]  # every file the run wrote (JUnit, JSON, logs, cassettes)

    def everything(self) -> str:
        return self.output + "".join(self.written.values())

    def leaks(self, secrets: Iterable[str]) -> list[str]:
        """Where a secret of the run shows: its fixed values, an admin password, a JWT."""
        found = []
        for where, text in [("output", self.output), *((str(p), t) for p, t in self.written.items())]:
            found += [f"{where}: a secret value" for s in secrets if s and s in text]
            found += [f"{where}: admin password" for _ in ADMIN_PASSWORD.findall(text)]
            found += [f"{where}: JWT" for _ in JWT.findall(text)]
        return found


def stamp_env(exports: dict[str, str], run_id: str, **extra: str) -> dict[str, str]:
    """The environment of a live run against the emulator whose ``exports`` are given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ARM_", "AZURESTACK_"))}
    env.update(exports)
    env.update(
        AZURESTACK_TARGET="live",
        AZURESTACK_CA_BUNDLE=exports["REQUESTS_CA_BUNDLE"],
        AZURESTACK_RUN_ID=run_id,
        **extra,
    )
    return env


def run_suite_live(
    exports: dict[str, str],
    out: Path,
    run_id: str,
    tests: Iterable[str],
    *args: str,
    timeout: float = 120,
    env: dict[str, str] | None = None,
) -> SuiteRun:
    """``pytest suites`` live against the emulator, writing JUnit, JSON and a debug log under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "suites",
        "-p",
        "no:cacheprovider",
        "--azurestack-profile",
        PROFILE,
        "-k",
        selection(tests),
        "--junitxml",
        str(out / "junit.xml"),
        "--azurestack-report-json",
        str(out / "results.json"),
        "--log-file",
        str(out / "run.log"),
        "--log-file-level",
        "DEBUG",
        *args,
    ]
    started = time.monotonic()
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=stamp_env(exports, run_id, **(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    seconds = time.monotonic() - started
    written = {p: p.read_text(errors="replace") for p in sorted(out.rglob("*")) if p.is_file()}
    return SuiteRun(result.returncode, result.stdout + result.stderr, seconds, written)


def admin(exports: dict[str, str]) -> EmulatorAdmin:
    return EmulatorAdmin(exports["ARM_ENDPOINT"], Path(exports["REQUESTS_CA_BUNDLE"]))


def groups_of_run(emulator: EmulatorAdmin, run_id: str) -> list[str]:
    """Resource groups on the emulator tagged with ``run_id``."""
    return [
        r["name"]
        for r in emulator.state()
        if str(r.get("type", "")).lower() == "microsoft.resources/resourcegroups"
        and (r.get("tags") or {}).get("azurestack-run") == run_id
    ]


def sweep(exports: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The ``azurestack-sweep`` console script against the emulator."""
    return subprocess.run(
        [str(SWEEP_SCRIPT), *args],
        env=stamp_env(exports, "unused"),
        capture_output=True,
        text=True,
        timeout=120,
    )


def wait_for(predicate: Callable[[], Any], seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)
