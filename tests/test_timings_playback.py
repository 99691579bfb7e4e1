"""Timings of the real suite in playback: the replayed requests are counted, under -n 0 and -n 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PROFILE = "2020-09-01-hybrid"
CASSETTES = ROOT / "cassettes" / PROFILE  # <suite module>/<test>.yaml


@pytest.mark.parametrize("workers", ["0", "2"])
def test_every_replayed_request_is_counted_and_every_lro_timed(tmp_path: Path, workers: str) -> None:
    report = tmp_path / "results.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "suites",
            "-q",
            "-p",
            "no:cacheprovider",
            "-n",
            workers,
            "--azurestack-profile",
            PROFILE,
            "--azurestack-report-json",
            str(report),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert "requests" in run.stdout and "LRO wait" in run.stdout  # the matrix's totals
    results: dict[str, dict] = {}
    for r in json.loads(report.read_text())["results"]:
        module, test = r["nodeid"].split("::")[0], r["nodeid"].split("::")[1].split("[")[0]
        results[test] = r
        cassette = CASSETTES / Path(module).stem / f"{test}.yaml"
        recorded = yaml.safe_load(cassette.read_text())["interactions"]
        result = r
        assert result["timings"]["requests"] == len(recorded), test
        assert result["started"] <= result["finished"]
    storage = results["test_create_storage_account"]["timings"]
    (lro,) = storage["operations"]
    assert (lro["operation"], lro["state"]) == ("PUT storageAccounts", "Succeeded")
    assert lro["polls"] >= 1 and lro["terminal"] >= lro["first_response"]
    assert results["test_get_vm"]["timings"]["operations"] == []
