"""Soak: the run N times as fresh runs, merged with pass rate, statistics and failures."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from pytest_azurestack.metrics.soak import merge, statistics_of

ROOT = Path(__file__).resolve().parents[1]


def verdict(cid: str, outcome: str, duration: float, iteration: int, reason: str = "") -> dict[str, object]:
    return {
        "id": cid,
        "profile": "p",
        "outcome": outcome,
        "duration": duration,
        "iteration": iteration,
        "reason": reason,
    }


def test_statistics_per_operation_and_profile_and_every_failure_with_its_iteration() -> None:
    results = [
        verdict("AZS-A", "passed", 1.0, 1),
        verdict("AZS-A", "failed", 3.0, 2, "boom"),
        verdict("AZS-A", "passed", 2.0, 3),
        verdict("AZS-B", "not run", 0.0, 2, "not run: AZS-A failed"),
        verdict("AZS-B", "passed", 5.0, 1),
        verdict("AZS-B", "passed", 5.0, 3),
        verdict("AZS-C", "not supported", 0.1, 1),
    ]
    soak = statistics_of(results, 3)
    a, b = soak["operations"]
    assert (a["ran"], a["passed"], a["min"], a["median"], a["max"]) == (3, 2, 1.0, 2.0, 3.0)
    assert a["stddev"] == pytest.approx(1.0)
    assert (b["ran"], b["passed"], b["stddev"]) == (3, 2, 0.0)
    assert (soak["ran"], soak["passed"]) == (6, 4) and soak["pass_rate"] == pytest.approx(4 / 6)
    assert [(f["iteration"], f["id"], f["outcome"]) for f in soak["failures"]] == [
        (2, "AZS-A", "failed"),
        (2, "AZS-B", "not run"),
    ]


def test_merging_tags_each_result_with_its_iteration() -> None:
    one = {
        "schema": "s",
        "run": {"run_id": "r1", "started": "a", "finished": "b", "duration": 2},
        "totals": {"p": {"passed": 1}},
        "results": [verdict("AZS-A", "passed", 1.0, 0)],
    }
    two = {**one, "run": {"run_id": "r2", "started": "c", "finished": "d", "duration": 3}}
    merged = merge([one, two], 2)
    assert [r["iteration"] for r in merged["results"]] == [1, 2]
    assert (
        merged["run"].items()
        >= {
            "run_id": "r1, r2",
            "started": "a",
            "finished": "d",
            "iterations": 2,
            "duration": 5,
        }.items()
    )
    assert merged["totals"] == {"p": {"passed": 2}} and merged["soak"]["iterations"] == 2


def soak(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "suites",
            "-q",
            "-p",
            "no:cacheprovider",
            "--azurestack-iterations",
            "2",
            "--azurestack-profile",
            "2020-09-01-hybrid",
            "-k",
            "create_resource_group or create_storage",
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_an_emulator_soak_uses_fresh_names_each_iteration(tmp_path: Path) -> None:
    archive, report = tmp_path / "soak.tar.gz", tmp_path / "soak.json"
    run = soak(
        tmp_path,
        "--azurestack-target",
        "emulator",
        "-n",
        "2",
        "--azurestack-archive",
        str(archive),
        "--azurestack-report-json",
        str(report),
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert "=== azurestack soak: iteration 2 of 2 ===" in run.stdout
    assert "2 iterations: pass rate 100.0% (4 of 4 runs of an operation passed)" in run.stdout
    document = json.loads(report.read_text())
    assert {r["iteration"] for r in document["results"]} == {1, 2}
    assert [(o["id"], o["ran"]) for o in document["soak"]["operations"]] == [
        ("AZS-VM-RG-CREATE", 2),
        ("AZS-VM-STORAGE-CREATE", 2),
    ]
    with tarfile.open(archive) as tar:
        log = json.load(tar.extractfile("azurestack-soak/http-log.json"))  # type: ignore[arg-type]
        assert "azurestack-soak/junit.xml" in tar.getnames()
    groups = {
        re.search(r"/resourcegroups/([^/?]+)", e["request"]["uri"], re.I).group(1)  # type: ignore[union-attr]
        for e in log
        if e["request"]["method"] == "PUT" and "/resourcegroups/" in e["request"]["uri"].lower()
    }
    assert len(groups) == 2  # one lab resource group per iteration, each with a new name


def test_a_playback_soak_replays_the_same_cassettes(tmp_path: Path) -> None:
    html = tmp_path / "soak.html"
    run = soak(tmp_path, "--azurestack-report-html", str(html), "--junitxml", str(tmp_path / "j.xml"))
    assert run.returncode == 0, run.stdout[-3000:]
    assert "pass rate 100.0%" in run.stdout and 'id="soak"' in html.read_text()
    assert (tmp_path / "j.xml").read_text().count("(iteration ") == 2


def test_a_soak_records_nothing(tmp_path: Path) -> None:
    run = soak(tmp_path, "--azurestack-target", "emulator", "--azurestack-record-mode", "once")
    assert run.returncode == 4 and "a soak records nothing" in run.stderr


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_iterations_must_be_a_whole_number(tmp_path: Path, value: str) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "suites",
            "-q",
            "-p",
            "no:cacheprovider",
            "--azurestack-iterations",
            value,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 4 and "--azurestack-iterations: " in run.stderr and "whole number" in run.stderr
