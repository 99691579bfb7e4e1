"""Emulator throughput on loopback: requests/s for a GET, and for a create-and-poll cycle.

Plain script: ``python benchmarks/bench_emulator.py [--rounds 5] [--requests 200]``. Prints the
median of each measurement over the rounds. Loops are bounded; only a loopback server it starts.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200, help="requests per round for the GET")
    parser.add_argument("--creates", type=int, default=40, help="create-and-poll cycles per round")
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


if __name__ == "__main__":
    main()
