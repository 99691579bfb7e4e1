"""The live status line of a slow long-running operation: in place on a terminal, plain lines
otherwise, nothing in playback."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from test_metrics_meter import VM, Clock, Request, answer

from pytest_azurestack.metrics import progress
from pytest_azurestack.metrics.meter import RequestMeter
from pytest_azurestack.metrics.progress import ERASE, RESTORE, SAVE, ProgressLine

ROOT = Path(__file__).resolve().parents[1]


def started_lro(clock: Clock) -> RequestMeter:
    meter = RequestMeter()
    clock.send(
        meter, Request("PUT", VM), answer(201, {"properties": {"provisioningState": "Creating"}}), took=0.5
    )
    return meter


def test_on_a_terminal_one_line_is_rewritten_in_place_and_erased_before_pytest_writes() -> None:
    clock, stream = Clock(), io.StringIO()
    meter = started_lro(clock)
    line = ProgressLine(stream, tty=True, room=lambda: 60, meter=lambda: meter, clock=lambda: clock.now)
    line.tick()
    assert stream.getvalue() == ""  # not slow yet
    clock.now += 3
    line.tick()
    clock.now += 62
    line.tick()
    assert stream.getvalue() == (
        f"{SAVE} PUT virtualMachines vm1: 3s, Creating{ERASE}{RESTORE}"
        f"{SAVE} PUT virtualMachines vm1: 1m05s, Creating{ERASE}{RESTORE}"
    )
    line.pause()  # pytest writes the outcome: erased, and nothing drawn meanwhile
    line.tick()
    assert stream.getvalue().endswith(f"{RESTORE}{ERASE}")
    line.resume()
    line.tick()
    assert stream.getvalue().endswith(f"Creating{ERASE}{RESTORE}")


def test_a_line_too_full_for_a_status_gets_none() -> None:
    clock, stream = Clock(), io.StringIO()
    meter = started_lro(clock)
    clock.now += 10
    ProgressLine(stream, tty=True, room=lambda: 20, meter=lambda: meter, clock=lambda: clock.now).tick()
    assert stream.getvalue() == ""


def test_without_a_terminal_plain_lines_on_change_every_half_minute_and_at_the_end() -> None:
    clock, stream = Clock(), io.StringIO()
    meter = started_lro(clock)
    line = ProgressLine(stream, tty=False, room=lambda: 0, meter=lambda: meter, clock=lambda: clock.now)
    for _ in range(40):  # 40 ticks of one second
        clock.now += 1
        line.tick()
    clock.send(meter, Request("GET", VM), answer(200, {"properties": {"provisioningState": "Succeeded"}}))
    line.settle()
    assert stream.getvalue().split("\n")[1::2] == [
        "azurestack: PUT virtualMachines vm1: 3s, Creating",
        "azurestack: PUT virtualMachines vm1: 33s, Creating",
        "azurestack: PUT virtualMachines vm1: Succeeded after 41s",
    ]


def test_an_emulator_run_prints_the_status_of_a_slow_operation(tmp_path: Path) -> None:
    (tmp_path / "test_slow.py").write_text(
        "from pytest_azurestack.sdk import request_models\n\n"
        "def test_slow_storage(storage_client, resource_group, azurestack_emulator, azurestack_names):\n"
        "    azurestack_emulator.set_transition('Microsoft.Storage/storageAccounts', seconds=4.5)\n"
        "    models = request_models(storage_client.storage_accounts)\n"
        "    name = azurestack_names.storage_account()\n"
        "    storage_client.storage_accounts.begin_create(resource_group.name, name,\n"
        "        models.StorageAccountCreateParameters(sku=models.Sku(name='standard_lrs'), kind='storage',\n"
        "        location='local')).result()\n"
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "test_slow.py",
            "-p",
            "no:cacheprovider",
            "--azurestack-target",
            "emulator",
            "--azurestack-profile",
            "2020-09-01-hybrid",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    lines = [ln for ln in run.stdout.splitlines() if ln.startswith("azurestack: PUT storageAccounts")]
    assert lines[0].endswith(": 3s, Accepted") and lines[-1].endswith(": Succeeded after 4s"), lines


def test_playback_starts_no_progress() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "suites",
            "-q",
            "-p",
            "no:cacheprovider",
            "--azurestack-profile",
            "2020-09-01-hybrid",
            "-k",
            "create_resource_group",
            "-p",
            "tests.progress_probe",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert "progress: none" in run.stdout and "azurestack: PUT" not in run.stdout


def test_the_threshold_is_a_few_seconds() -> None:
    assert 2 <= progress.AFTER <= 5
