"""Emulator throughput on loopback: requests/s for a GET, for a create-and-poll cycle, and the
time of the whole VM sequence of the sample through the SDK (examples/vm_sample.py, in process).

Plain script: ``python benchmarks/bench_emulator.py [--rounds 5] [--requests 200]``. Prints the
median of each measurement over the rounds. Loops are bounded; only a loopback server it starts.
The VM sequence runs as a user's script would: SDK defaults, the emulator's CLI default
Retry-After of 1 s, so its time is mostly the pollers' waits.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import os
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import requests

from pytest_azurestack.emulator import EmulatorConfig, EmulatorServer

RG = "2019-10-01"
SA = "2019-06-01"
ACCOUNT = {"sku": {"name": "Standard_LRS"}, "kind": "Storage", "location": "local"}


def rate(action: Callable[[], None], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        action()
    return count / (time.perf_counter() - started)


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "vm_sample.py"


def vm_sequence_seconds(profile: str, rounds: int) -> list[float]:
    """Wall time of examples/vm_sample.py's whole sequence against a fresh emulator, per round."""
    server = EmulatorServer(EmulatorConfig(retry_after=1))
    info = server.start()
    saved = dict(os.environ)
    try:
        os.environ.update(info.env())
        spec = importlib.util.spec_from_file_location("vm_sample", EXAMPLE)
        assert spec and spec.loader
        sample = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sample)
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()) as out:
                status = sample.main(profile)
            if status != 0:
                raise RuntimeError(f"the VM sequence failed:\n{out.getvalue()}")
            times.append(time.perf_counter() - started)
        return times
    finally:
        os.environ.clear()
        os.environ.update(saved)
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200, help="requests per round for the GET")
    parser.add_argument("--creates", type=int, default=40, help="create-and-poll cycles per round")
    parser.add_argument("--vm-rounds", type=int, default=3, help="runs of the whole VM sequence")
    parser.add_argument("--profile", default="v2020_09_01_hybrid", help="profile of the VM sequence")
    args = parser.parse_args()

    server = EmulatorServer(EmulatorConfig(providers=("resources", "storage"), retry_after=0, lro_polls=1))
    info = server.start()
    try:
        session = requests.Session()
        session.trust_env = False
        session.verify = str(info.ca_bundle)
        session.headers["Authorization"] = "Bearer " + server.emulator.identity.issue()
        sub = f"{info.arm_endpoint}/subscriptions/{info.subscription_id}"
        session.put(
            f"{sub}/resourcegroups/bench?api-version={RG}", json={"location": "local"}
        ).raise_for_status()

        def get_group() -> None:
            session.get(f"{sub}/resourcegroups/bench?api-version={RG}").raise_for_status()

        def create_and_poll() -> None:
            name = "b" + uuid.uuid4().hex[:20]
            accounts = f"{sub}/resourceGroups/bench/providers/Microsoft.Storage/storageAccounts"
            url = f"{accounts}/{name}?api-version={SA}"
            response = session.put(url, json=ACCOUNT)
            monitor = response.headers["Location"]
            for _ in range(10):  # bounded: lro_polls=1 finishes on the second poll
                polled = session.get(monitor)
                if polled.status_code == 200:
                    return
            raise RuntimeError(f"{name} did not finish in 10 polls")

        get_rates = [rate(get_group, args.requests) for _ in range(args.rounds)]
        create_rates = [rate(create_and_poll, args.creates) for _ in range(args.rounds)]
    finally:
        server.stop()
    print(f"GET resource group:            median {statistics.median(get_rates):8.1f} requests/s")
    print(
        f"create storage account + poll: median {statistics.median(create_rates):8.1f} cycles/s "
        f"(3 requests each)"
    )
    if args.vm_rounds:
        vm_times = vm_sequence_seconds(args.profile, args.vm_rounds)
        print(
            f"whole VM sequence ({args.profile}, Retry-After 1 s): median "
            f"{statistics.median(vm_times):6.1f} s over {len(vm_times)} runs"
        )


if __name__ == "__main__":
    main()
