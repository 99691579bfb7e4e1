"""What the plugin costs per replayed request.

Plain script: ``python benchmarks/bench_playback_overhead.py [--requests 20] [--tests 10] [--rounds 5]``.

1. Records a small cassette: pytest runs a generated test against the embedded emulator with
   ``--azurestack-record-mode once`` (the only way cassettes are made: recording a real server).
2. Replays it: the same test in playback; it times each SDK call (a resource group GET) as it runs
   through the plugin's transport (guard, no-sleep) and vcrpy's playback (matchers, scrubbing).
3. Baseline: the same SDK calls, same client and profile, served from memory by a trivial
   azure-core transport that returns a canned response.

Prints the medians per request over all rounds pooled, their ratio (the aim: at most 1.5x) and the
spread of the per-round ratios (the machine may be busy). Nothing leaves loopback.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from azure.core.pipeline.transport import HttpTransport
from azure.mgmt.resource.resources import ResourceManagementClient

from pytest_azurestack.clients import ClientContext
from pytest_azurestack.cloud import PLAYBACK_CLOUD
from pytest_azurestack.credentials import PlaybackCredential
from pytest_azurestack.profiles import V2020_09_01_HYBRID
from pytest_azurestack.recording.adapter import azure_response
from pytest_azurestack.recording.replay import DEFAULT_BLOCK_SIZE

PROFILE = V2020_09_01_HYBRID
# One cassette per test, as in the suites; its identical GETs replay in recorded order, so the
# n-th call is served by the n-th recording (a cassette the size of a real test's).
BENCH_TEST = """
import json, os, time
import pytest

@pytest.mark.parametrize("n", range(int(os.environ["BENCH_TESTS"])))
def test_get_many(n, resource_client, resource_group, azurestack_settings):
    durations = []
    for _ in range(int(os.environ["BENCH_REQUESTS"])):
        started = time.perf_counter()
        resource_client.resource_groups.get(resource_group.name)
        durations.append(time.perf_counter() - started)
    if azurestack_settings.target == "playback":
        with open(os.environ["BENCH_OUT"] + str(n), "w") as f:
            json.dump(durations, f)
"""


def run_pytest(project: Path, *args: str, env: dict[str, str]) -> None:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(project),
        "--azurestack-profile",
        PROFILE.name,
        "--azurestack-cassette-dir",
        str(project / "cassettes"),
        str(project / "test_bench.py"),
        *args,
    ]
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"pytest {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}")


def replayed_durations(count: int, tests: int, rounds: int) -> list[list[float]]:
    """Per round, every request's duration: the cassettes are recorded once, replayed ``rounds`` times."""
    with tempfile.TemporaryDirectory(prefix="azurestack-bench-") as tmp:
        project = Path(tmp)
        (project / "test_bench.py").write_text(BENCH_TEST)
        (project / "pytest.ini").write_text("[pytest]\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE", "ARM_"))}
        env.update(BENCH_REQUESTS=str(count), BENCH_TESTS=str(tests), BENCH_OUT=str(project / "durations"))
        run_pytest(project, "--azurestack-target", "emulator", "--azurestack-record-mode", "once", env=env)
        out = []
        for _ in range(rounds):
            run_pytest(project, "--azurestack-target", "playback", env=env)
            out.append([d for n in range(tests) for d in json.loads((project / f"durations{n}").read_text())])
        return out


class MemoryTransport(HttpTransport):
    """The trivial transport: every request gets the same canned 200 JSON, built in memory."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def send(self, request: Any, **kwargs: Any) -> Any:
        response = requests.Response()
        response.status_code = 200
        response.headers["Content-Type"] = "application/json; charset=utf-8"
        response.raw = io.BytesIO(self._body)  # read like a socket's stream, from memory
        return azure_response(request, response, DEFAULT_BLOCK_SIZE, stream=True)

    def open(self) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> MemoryTransport:
        return self

    def __exit__(self, *args: Any) -> None: ...


def baseline_durations(count: int) -> list[float]:
    body = json.dumps(
        {
            "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/azs-bench",
            "name": "azs-bench",
            "type": "Microsoft.Resources/resourceGroups",
            "location": "local",
            "tags": {"azurestack-run": "x"},
            "properties": {"provisioningState": "Succeeded"},
        }
    ).encode()
    context = ClientContext(
        PLAYBACK_CLOUD,
        PlaybackCredential(),
        "00000000-0000-0000-0000-000000000000",  # type: ignore[arg-type]
        PROFILE,
        MemoryTransport(body),
    )  # type: ignore[arg-type]
    client = context.client(ResourceManagementClient)
    durations = []
    for _ in range(count):
        started = time.perf_counter()
        client.resource_groups.get("azs-bench")
        durations.append(time.perf_counter() - started)
    return durations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=20, help="SDK calls per test (one cassette each)")
    parser.add_argument("--tests", type=int, default=10, help="tests (cassettes)")
    parser.add_argument("--rounds", type=int, default=5, help="playback runs (and baseline runs) to pool")
    args = parser.parse_args()
    replayed = replayed_durations(args.requests, args.tests, args.rounds)
    # As many baseline calls per round as replayed ones, in a fresh client each round; every call
    # of both sides is timed and kept (no warm-up is dropped from either).
    baseline = [baseline_durations(args.requests * args.tests) for _ in range(args.rounds)]
    rounds = zip(replayed, baseline, strict=True)
    ratios = sorted(statistics.median(r) / statistics.median(b) for r, b in rounds)
    replay_ms = statistics.median(d for r in replayed for d in r) * 1000
    base_ms = statistics.median(d for b in baseline for d in b) * 1000
    print(
        f"{args.tests} tests x {args.requests} resource_groups.get each (one cassette per test, plus the "
        f"group's create/delete), profile {PROFILE.name}, {args.rounds} rounds pooled"
    )
    print(f"replayed through the plugin (transport + vcrpy cassette): median {replay_ms:.3f} ms/request")
    print(f"served from memory by a trivial transport:                median {base_ms:.3f} ms/request")
    print(
        f"plugin cost per replayed request: {replay_ms - base_ms:.3f} ms; ratio {replay_ms / base_ms:.2f}x "
        f"(aim: <= 1.5x); per-round ratios {ratios[0]:.2f}x..{ratios[-1]:.2f}x"
    )


if __name__ == "__main__":
    main()
