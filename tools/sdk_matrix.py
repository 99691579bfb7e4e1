"""Re-run the SDK-upgrade table: each SDK set in a fresh virtual environment, as a team would.

For each row: a new venv, ``pip install -e <repo> <packages> -c constraints.txt`` (the team's pins
as constraints: the plugin must not fight them), then the suite in playback over the hybrid
profiles and once under ``latest``, each with a JSON report. Prints a Markdown table of exit
codes, verdict counts and wire changes.

    python tools/sdk_matrix.py                 # every row
    python tools/sdk_matrix.py --only newest   # rows whose name contains "newest"

Venvs live in .azurestack/sdk-matrix/ (git-ignored) and are reused when their inputs are the same.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".azurestack" / "sdk-matrix"
SDKS = ("azure-mgmt-compute", "azure-mgmt-network", "azure-mgmt-resource", "azure-mgmt-storage")


@dataclass(frozen=True)
class Row:
    name: str
    constraints: tuple[str, ...]
    extra_packages: tuple[str, ...] = ()
    suite_args: tuple[str, ...] = ()
    python: str = sys.executable
    packages: tuple[str, ...] = field(default=SDKS)


def _pins(compute: str, network: str, resource: str, storage: str) -> tuple[str, ...]:
    return tuple(f"{n}=={v}" for n, v in zip(SDKS, (compute, network, resource, storage), strict=True))


PROJECT = _pins("35.0.0", "22.3.0", "24.0.0", "22.2.0")
SAMPLE = _pins("20.0.0", "18.0.0", "16.1.0", "17.0.0")
NEWEST = _pins("39.0.0", "33.1.0", "26.0.0", "25.3.0")
ROWS = (
    Row("project pins (compute 35, network 22.3, resource 24, storage 22.2)", PROJECT),
    Row("sample pins (compute 20, network 18, resource 16.1, storage 17)", SAMPLE, ("six",)),
    Row(
        "mid set (compute 30, network 25, resource 23, storage 21)",
        _pins("30.0.0", "25.0.0", "23.0.0", "21.0.0"),
    ),
    Row(
        "first single-API (compute 36, network 28, resource 25, storage 23)",
        _pins("36.0.0", "28.0.0", "25.0.0", "23.0.0"),
    ),
    Row("newest (compute 39, network 33.1, resource 26, storage 25.3)", NEWEST),
    Row("newest, pin mode", NEWEST, suite_args=("--azurestack-pin-api-versions",)),
    Row("Python 3.10 (vcrpy 8.x), project pins", PROJECT, python="python3.10"),
    Row(
        "azure-core 1.30 + azure-identity 1.15 (floors), sample pins",
        (*SAMPLE, "azure-core==1.30.0", "azure-identity==1.15.0"),
        ("six",),
    ),
)


def _run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload, no-any-return]


def _venv(row: Row) -> tuple[Path | None, str]:
    """The row's venv with everything installed, or None and why the install failed."""
    key = hashlib.sha256(repr((row.constraints, row.extra_packages, row.python)).encode()).hexdigest()[:12]
    venv = WORK / key
    python = venv / "bin" / "python"
    if (venv / ".installed").exists():
        return python, "reused"
    shutil.rmtree(venv, ignore_errors=True)
    made = _run([row.python, "-m", "venv", str(venv)])
    if made.returncode:
        return None, f"no venv: {made.stderr.strip()[-200:]}"
    constraints = venv / "constraints.txt"
    constraints.write_text("\n".join(row.constraints) + "\n")
    started = time.monotonic()
    install = _run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "-e",
            str(ROOT),
            *row.packages,
            *row.extra_packages,
            "-c",
            str(constraints),
        ]
    )
    if install.returncode:
        return None, "install failed: " + " ".join(install.stderr.split())[-300:]
    (venv / ".installed").write_text("")
    return python, f"installed in {time.monotonic() - started:.0f} s"


def _suite(python: Path, *args: str) -> tuple[int, collections.Counter[str], int]:
    report = WORK / "report.json"
    report.unlink(missing_ok=True)
    result = _run(
        [
            str(python),
            "-m",
            "pytest",
            "suites",
            "-q",
            "-p",
            "no:cacheprovider",
            "--azurestack-report-json",
            str(report),
            *args,
        ],
        cwd=ROOT,
        timeout=600,
    )
    if not report.exists():
        tail = (result.stdout + result.stderr).strip().splitlines()[-1:]
        return result.returncode, collections.Counter({f"no report ({' '.join(tail)})": 1}), 0
    results = json.loads(report.read_text())["results"]
    counts = collections.Counter(r["outcome"] for r in results)
    changes = sum(len(r["wire_changes"]) for r in results)
    return result.returncode, counts, changes


def _cell(code: int, counts: collections.Counter[str], changes: int) -> str:
    verdicts = ", ".join(f"{n} {o}" for o, n in counts.most_common())
    return f"exit {code}: {verdicts}; {changes} wire change(s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run only rows whose name contains this")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    print("| SDK set | install | hybrid profiles | latest |")
    print("|---|---|---|---|")
    for row in ROWS:
        if args.only not in row.name:
            continue
        python, how = _venv(row)
        if python is None:
            print(f"| {row.name} | {how} | - | - |", flush=True)
            continue
        hybrid = _cell(*_suite(python, "-n", "2", *row.suite_args))
        latest = _cell(*_suite(python, "--azurestack-profile", "latest", *row.suite_args))
        print(f"| {row.name} | {how} | {hybrid} | {latest} |", flush=True)


if __name__ == "__main__":
    main()
