"""Wall time of the whole VM conformance suite, and recorded interactions per operation.

    python benchmarks/bench_suite.py [--repeat 3] [--live] [--baseline REF]

Runs `pytest suites` in playback (all profiles with cassettes) with -n 0 and -n 2, and with
--live also against the embedded emulator; prints the median wall time of each, then the number
of recorded interactions per operation and per profile from the cassettes. Loopback only.

``--baseline REF`` (a git commit, e.g. the one before a change): the same runs, alternated, from
a ``git archive`` of REF (its own plugin, suites and cassettes; run from its directory so that it
imports its own ``pytest_azurestack``); prints both medians and their ratio. Alternating keeps the
machine's load from favouring either side.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = ROOT / "cassettes"


def wall_time(args: list[str], root: Path = ROOT) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "suites", "-q", "-p", "no:cacheprovider", *args],
        cwd=root,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"pytest {' '.join(args)} failed:\n{result.stdout[-3000:]}{result.stderr[-2000:]}")
    return elapsed


def interactions() -> dict[str, dict[str, int]]:
    """profile -> cassette (operation) -> number of recorded interactions."""
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for path in sorted(CASSETTES.glob("*/*/*.yaml")):
        data = yaml.safe_load(path.read_text())
        table[path.parts[-3]][path.stem] = len(data.get("interactions", []))
    return table


def compare(runs: dict[str, list[str]], ref: str, repeat: int) -> None:
    """Baseline (``ref``) against the work tree, alternated run by run."""
    with tempfile.TemporaryDirectory(prefix="azurestack-baseline-") as tmp:
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        for label, args in runs.items():
            before: list[float] = []
            after: list[float] = []
            for _ in range(repeat):
                before.append(wall_time(args, Path(tmp)))
                after.append(wall_time(args))
            b, a = statistics.median(before), statistics.median(after)
            print(
                f"{label:16} {ref[:10]} median {b:6.2f} s, work tree median {a:6.2f} s, ratio {a / b:.3f} "
                f"(runs: {', '.join(f'{t:.2f}' for t in before)} | {', '.join(f'{t:.2f}' for t in after)})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--live", action="store_true", help="also time the live run against the emulator")
    parser.add_argument("--baseline", metavar="REF", help="compare with the suite at this git commit")
    options = parser.parse_args()
    runs = {"playback -n 0": ["-n", "0"], "playback -n 2": ["-n", "2"]}
    if options.live:
        runs |= {
            "emulator -n 0": ["-n", "0", "--azurestack-target", "emulator"],
            "emulator -n 2": ["-n", "2", "--azurestack-target", "emulator"],
        }
    if options.baseline:
        compare(runs, options.baseline, options.repeat)
        return
    for label, args in runs.items():
        times = [wall_time(args) for _ in range(options.repeat)]
        runs_text = ", ".join(f"{t:.2f}" for t in times)
        print(f"{label:16} median {statistics.median(times):6.2f} s  (runs: {runs_text})")
    table = interactions()
    operations = sorted({op for ops in table.values() for op in ops})
    profiles = sorted(table)
    print("\nrecorded interactions per operation")
    print(f"{'operation':40}" + "".join(f"{p:>20}" for p in profiles))
    for op in operations:
        print(f"{op:40}" + "".join(f"{table[p].get(op, '-'):>20}" for p in profiles))
    print(f"{'total':40}" + "".join(f"{sum(table[p].values()):>20}" for p in profiles))


if __name__ == "__main__":
    main()
