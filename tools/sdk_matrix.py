"""Re-run the SDK-upgrade table: each SDK set in a fresh virtual environment, as a team would.

The SDK sets are the ones CI pins: the ``[sdk]`` extra of pyproject.toml and the ``deps`` of tox's
``sdk-*`` and ``floors`` envs. For each row: a new venv,
``pip install -e <repo> <packages> -c constraints.txt`` (the team's pins
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
import configparser
import hashlib
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".azurestack" / "sdk-matrix"
SDKS = ("azure-mgmt-compute", "azure-mgmt-network", "azure-mgmt-resource", "azure-mgmt-storage")


@dataclass(frozen=True)
class Row:
    name: str
    constraints: tuple[str, ...]  # exact pins, given to pip as constraints (as a team would)
    extra_packages: tuple[str, ...] = ()  # unpinned additions (six for compute 20)
    suite_args: tuple[str, ...] = ()
    python: str = sys.executable
    packages: tuple[str, ...] = field(default=SDKS)


def _split(requirements: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(exact pins, the rest) of requirement lines, comments and blanks dropped."""
    lines = [line.split("#", 1)[0].strip() for line in requirements]
    lines = [line for line in lines if line]
    return tuple(r for r in lines if "==" in r), tuple(r for r in lines if "==" not in r)


def _tox_deps(env: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ``deps`` of a tox env: the SDK sets are pinned there, once, for CI and this table."""
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(ROOT / "tox.ini")
    return _split(tox[f"testenv:{env}"]["deps"].splitlines())


def rows() -> tuple[Row, ...]:
    # The [sdk] extra as the installed plugin declares it (the script runs from the project's venv).
    extra = [
        r.split(";", 1)[0] for r in metadata.requires("pytest-azurestack") or [] if 'extra == "sdk"' in r
    ]
    ours, _ = _split([r.replace(" ", "") for r in extra])
    newest, newest_extra = _tox_deps("sdk-newest")
    found = [Row("project pins ([sdk] extra)", ours)]
    for env in ("sdk-sample", "sdk-mid", "sdk-first-single"):
        found.append(Row(env, *_tox_deps(env)))
    found.append(Row("sdk-newest", newest, newest_extra))
    found.append(
        Row("sdk-newest, pin mode", newest, newest_extra, suite_args=("--azurestack-pin-api-versions",))
    )
    found.append(Row("Python 3.10 (vcrpy 8.x), project pins", ours, python="python3.10"))
    found.append(
        Row(
            "floors (azure-core, azure-identity, vcrpy, pytest, xdist, requests), sample's SDK",
            *_tox_deps("floors"),
        )
    )
    return tuple(found)


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
    for row in rows():
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
