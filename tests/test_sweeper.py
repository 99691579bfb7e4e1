"""azurestack-sweep: what a killed run left is found by its tags and deleted; nothing untagged is
ever touched (issue 8, item 4)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from stamp_runs import (
    FAST_EMULATOR,
    PROFILE,
    ROOT,
    VM_CREATE,
    admin,
    groups_of_run,
    selection,
    stamp_env,
    sweep,
    wait_for,
)

from pytest_azurestack.options import new_run_id, run_started
from pytest_azurestack.sweeper import Selection, ToolGroup, command_for, parse_age

UNTAGGED = "operator-owned-group"


@pytest.fixture(scope="module")
def stamp(tmp_path_factory: pytest.TempPathFactory, launch_emulator: Callable[..., Any]) -> dict[str, str]:
    emulator = launch_emulator(tmp_path_factory.mktemp("sweep") / "azurestack.env", *FAST_EMULATOR)
    return dict(emulator.exports())


def _make_group(exports: dict[str, str], name: str, tags: dict[str, str] | None, profile: int = 0) -> None:
    """A group made as any client would (here: the operator's own, or a fake leftover)."""
    code = (
        "import json, os, sys\n"
        "from pathlib import Path\n"
        "from pytest_azurestack.credentials import connect\n"
        "from pytest_azurestack.profiles import HYBRID_PROFILES\n"
        "from pytest_azurestack.sweeper import _client\n"
        "bundle = Path(os.environ['AZURESTACK_CA_BUNDLE'])\n"
        "client = _client(connect(bundle), HYBRID_PROFILES[int(sys.argv[3])], bundle, (30, 60))\n"
        "tags = json.loads(sys.argv[2])\n"
        "client.resource_groups.create_or_update(sys.argv[1], {'location': 'local', 'tags': tags})\n"
    )
    env = stamp_env(exports, "unused")
    command = [sys.executable, "-c", code, name, json.dumps(tags or {}), str(profile)]
    subprocess.run(command, env=env, check=True, timeout=60)


def _all_groups(exports: dict[str, str]) -> list[str]:
    with admin(exports) as emulator:
        return [
            r["name"]
            for r in emulator.state()
            if str(r.get("type", "")).lower() == "microsoft.resources/resourcegroups"
        ]


def test_kill_9_of_a_live_run_then_sweep_leaves_no_group_of_the_tool(
    stamp: dict[str, str], tmp_path: Path
) -> None:
    _make_group(stamp, UNTAGGED, None)
    run_id = new_run_id()
    with admin(stamp) as emulator:
        emulator.set_transition("Microsoft.Compute/virtualMachines", seconds=60)  # the run is mid-way
    try:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pytest",
                "suites",
                "-p",
                "no:cacheprovider",
                "--azurestack-profile",
                PROFILE,
                "-k",
                selection(VM_CREATE),
            ],
            cwd=ROOT,
            env=stamp_env(stamp, run_id),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        with admin(stamp) as emulator:
            assert wait_for(lambda: any(o["status"] == "InProgress" for o in emulator.operations()), 90)
        os.killpg(process.pid, signal.SIGKILL)  # the controller and anything it started
        process.wait(timeout=30)
        with admin(stamp) as emulator:
            assert groups_of_run(emulator, run_id), "the killed run left its group behind"
    finally:
        with admin(stamp) as emulator:
            emulator.clear_transition("Microsoft.Compute/virtualMachines")
            emulator.finish_all()

    dry = sweep(stamp, "--run-id", run_id)
    assert dry.returncode == 0, dry.stderr
    assert "would delete resource group" in dry.stdout and "add --yes" in dry.stdout
    with admin(stamp) as emulator:
        assert groups_of_run(emulator, run_id), "a dry run deletes nothing"

    done = sweep(stamp, "--run-id", run_id, "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    with admin(stamp) as emulator:
        assert groups_of_run(emulator, run_id) == []
    assert UNTAGGED in _all_groups(stamp)


def test_all_and_older_than_never_touch_an_untagged_group(stamp: dict[str, str]) -> None:
    _make_group(stamp, UNTAGGED, None)
    old = new_run_id(datetime.now(timezone.utc) - timedelta(days=3))
    young = new_run_id()
    _make_group(stamp, "left-by-an-old-run", {"azurestack-run": old})
    _make_group(stamp, "left-by-a-young-run", {"azurestack-run": young})

    aged = sweep(stamp, "--older-than", "2d", "--yes")
    assert aged.returncode == 0, aged.stderr
    remaining = _all_groups(stamp)
    assert "left-by-an-old-run" not in remaining
    assert {"left-by-a-young-run", UNTAGGED} <= set(remaining)

    everything = sweep(stamp, "--all", "--yes")
    assert everything.returncode == 0, everything.stderr
    assert UNTAGGED in _all_groups(stamp)
    assert "left-by-a-young-run" not in _all_groups(stamp)


def test_no_selection_is_refused_in_one_line(stamp: dict[str, str]) -> None:
    refused = sweep(stamp)
    assert refused.returncode == 2
    assert (
        refused.stderr.strip()
        .splitlines()[-1]
        .endswith("say which groups: --run-id ID, --older-than AGE or --all")
    )


def test_run_ids_say_when_their_run_started() -> None:
    moment = datetime(2026, 12, 6, 22, 40, 5, tzinfo=timezone.utc)
    run_id = new_run_id(moment)
    assert run_id.startswith("20261206t224005-")
    assert run_started(run_id) == moment
    assert run_started("customrunid") is None


@pytest.mark.parametrize(("text", "age"), [("90s", 90), ("30m", 1800), ("2h", 7200), ("1.5d", 129600)])
def test_ages(text: str, age: int) -> None:
    assert parse_age(text).total_seconds() == age


def test_a_bad_age_is_one_line() -> None:
    with pytest.raises(ValueError, match="not an age such as 90s"):
        parse_age("two hours")


def test_selection() -> None:
    now = datetime(2026, 12, 6, tzinfo=timezone.utc)
    old = ToolGroup("a", new_run_id(now - timedelta(hours=5)))
    unknown_age = ToolGroup("b", "customid")
    assert Selection(older_than=timedelta(hours=1)).picks(old, now)
    assert not Selection(older_than=timedelta(hours=1)).picks(unknown_age, now)
    assert Selection(run_ids=frozenset({"customid"})).picks(unknown_age, now)
    assert Selection(everything=True).picks(unknown_age, now)
    assert command_for("r1") == "azurestack-sweep --run-id r1 --yes"


def test_the_sweeper_talks_to_an_old_build_at_versions_it_serves(
    tmp_path: Path, launch_emulator: Callable[..., Any]
) -> None:
    """Build 1808 serves neither 2020-09-01-hybrid nor 2019-03-01-hybrid: the sweeper finds what it does."""
    old = dict(launch_emulator(tmp_path / "azurestack.env", *FAST_EMULATOR, "--build", "1808").exports())
    _make_group(old, "left-on-1808", {"azurestack-run": "old-build-run"}, profile=2)  # 2018-03-01-hybrid
    done = sweep(old, "--run-id", "old-build-run", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "deleted resource group left-on-1808" in done.stdout
    assert "left-on-1808" not in _all_groups(old)
