"""State: concurrent clients (threads and processes) and persistence across restarts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from pytest_azurestack.emulator import EmulatorConfig, EmulatorServer

RG = "2019-10-01"
SA = "2019-06-01"
ACCOUNT = {"sku": {"name": "Standard_LRS"}, "kind": "Storage", "location": "local"}


def test_threads_racing_for_one_storage_name_get_one_winner(arm: Any, resource_group: str) -> None:
    name = "race" + uuid.uuid4().hex[:10]
    groups = [resource_group] + [f"race-{i}-{uuid.uuid4().hex[:6]}" for i in range(7)]
    for group in groups[1:]:
        arm.put(f"{{sub}}/resourcegroups/{group}", RG, json={"location": "local"})

    def create(group: str) -> int:
        path = f"{{sub}}/resourceGroups/{group}/providers/Microsoft.Storage/storageAccounts/{name}"
        return arm.put(path, SA, json=ACCOUNT).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(create, groups))
    assert sorted(codes) == [202] + [409] * 7


def test_threads_creating_groups_concurrently_all_land(arm: Any) -> None:
    tag = uuid.uuid4().hex
    names = [f"conc-{i}-{tag[:6]}" for i in range(24)]

    def create(name: str) -> int:
        return arm.put(
            f"{{sub}}/resourcegroups/{name}", RG, json={"location": "local", "tags": {"t": tag}}
        ).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        assert set(pool.map(create, names)) == {201}
    seen: list[str] = []
    url: str | None = (
        arm.url("{sub}/resourcegroups") + f"?api-version={RG}&$filter=tagName eq 't' and tagValue eq '{tag}'"
    )
    while url:
        page = arm.get(url).json()
        seen += [g["name"] for g in page["value"]]
        url = page.get("nextLink")
    assert sorted(seen) == sorted(names)


_CLIENT = textwrap.dedent(
    """
    import os, sys, requests
    s = requests.Session(); s.trust_env = False; s.verify = os.environ["CA"]
    s.headers["Authorization"] = "Bearer " + os.environ["TOKEN"]
    base = os.environ["BASE"]
    codes = []
    for i in range(10):
        r = s.put(f"{base}/resourcegroups/proc-{sys.argv[1]}-{i}?api-version=2019-10-01",
                  json={"location": "local", "tags": {"proc": os.environ["TAG"]}})
        codes.append(r.status_code)
        r = s.delete(f"{base}/resourcegroups/proc-{sys.argv[1]}-{i}?api-version=2019-10-01") if i % 2 else r
    print(",".join(map(str, codes)))
    """
)


def test_several_processes_at_once(arm: Any, emulator: Any, emulator_info: Any) -> None:
    tag = uuid.uuid4().hex
    env = {
        **os.environ,
        "CA": str(emulator_info.ca_bundle),
        "TOKEN": emulator.identity.issue(),
        "BASE": emulator_info.arm_endpoint + arm.sub,
        "TAG": tag,
    }
    procs = [
        subprocess.Popen([sys.executable, "-c", _CLIENT, str(n)], env=env, stdout=subprocess.PIPE, text=True)
        for n in range(4)
    ]
    outputs = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert all(out == ",".join(["201"] * 10) for out in outputs), outputs
    # Odd-numbered groups were deleted (202, then finished by polls of the GETs below).
    for n in range(4):
        for i in range(10):
            status = arm.get(f"{{sub}}/resourcegroups/proc-{n}-{i}", RG)
            if i % 2:
                status = arm.get(f"{{sub}}/resourcegroups/proc-{n}-{i}", RG)
            assert status.status_code == (404 if i % 2 else 200)


def test_state_persists_across_restarts(tmp_path: Any, arm_client: Any) -> None:
    data = tmp_path / "data"
    first = EmulatorServer(EmulatorConfig(data_dir=data, providers=("resources", "storage"), retry_after=0))
    first.start()
    try:
        client = arm_client(first)
        client.put("{sub}/resourcegroups/kept", RG, json={"location": "local", "tags": {"k": "v"}})
        path = "{sub}/resourceGroups/kept/providers/Microsoft.Storage/storageAccounts/keptacct"
        client.wait(client.put(path, SA, json=ACCOUNT))
        keys = client.post(path + "/listKeys", SA).json()
        client.session.close()
    finally:
        first.stop()
    state = json.loads((data / "state.json").read_text())
    assert {r["name"] for r in state["resources"]} == {"kept", "keptacct"}
    assert (data / "emulator-ca.pem").exists()

    second = EmulatorServer(EmulatorConfig(data_dir=data, providers=("resources", "storage"), retry_after=0))
    second.start()
    try:
        assert second.config.subscription_id == first.config.subscription_id
        client = arm_client(second)
        assert client.get("{sub}/resourcegroups/kept", RG).json()["tags"] == {"k": "v"}
        account = client.get(path, SA).json()
        assert account["properties"]["provisioningState"] == "Succeeded"
        assert client.post(path + "/listKeys", SA).json() == keys
        client.session.close()
    finally:
        second.stop()


def test_one_emulator_per_data_dir(tmp_path: Any) -> None:
    first = EmulatorServer(EmulatorConfig(data_dir=tmp_path, providers=("resources",)))
    with pytest.raises(ValueError, match="is in use by another running emulator"):
        EmulatorServer(EmulatorConfig(data_dir=tmp_path, providers=("resources",)))
    first.stop()  # never started: stop still releases the directory
    EmulatorServer(EmulatorConfig(data_dir=tmp_path, providers=("resources",))).stop()


def test_unreadable_state_file_is_one_clear_error(tmp_path: Any) -> None:
    (tmp_path / "state.json").write_text("{broken")
    with pytest.raises(
        ValueError, match=r"state file .* is unreadable .* delete it or choose another --data-dir"
    ):
        EmulatorServer(EmulatorConfig(data_dir=tmp_path, providers=("resources",)))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("host", "0.0.0.0", "not loopback"),
        ("build", "1234", "unknown Azure Stack build"),
        ("providers", ("resources", "dns"), "unknown providers"),
        ("page_size", 0, "page_size"),
    ],
)
def test_bad_config_is_refused(field: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EmulatorServer(EmulatorConfig(**{field: value}))
