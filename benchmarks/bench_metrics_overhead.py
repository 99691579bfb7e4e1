"""What the per-test timings and the live progress cost in playback: the same tree and cassettes,
with the metrics plugin on (the default) and blocked (``-p no:pytest_azurestack.metrics.plugin``).

    python benchmarks/bench_metrics_overhead.py [--repeat 7] [-n 0]

Runs alternate (off, on, off, on, ...) so the machine's load favours neither side; prints each
side's median wall time of ``pytest suites`` and the ratio on/off. Playback only: nothing leaves
the machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCK_METRICS = ("-p", "no:pytest_azurestack.metrics.plugin")


def _run(workers: str, extra: tuple[str, ...]) -> float:
    pytest = [sys.executable, "-m", "pytest", "suites", "-q", "-p", "no:cacheprovider"]
    command = [*pytest, "-n", workers, *extra]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("-n", dest="workers", default="0")
    args = parser.parse_args()
    off: list[float] = []
    on: list[float] = []
    for _ in range(args.repeat):
        off.append(_run(args.workers, BLOCK_METRICS))
        on.append(_run(args.workers, ()))
    off_median, on_median = statistics.median(off), statistics.median(on)
    print(f"playback -n {args.workers}, {args.repeat} runs each")
    print(f"  metrics off: median {off_median:.2f} s  (min {min(off):.2f}, max {max(off):.2f})")
    print(f"  metrics on:  median {on_median:.2f} s  (min {min(on):.2f}, max {max(on):.2f})")
    print(f"  ratio on/off: {on_median / off_median:.3f}")


if __name__ == "__main__":
    main()
