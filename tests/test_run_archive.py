"""The run archive: configuration with sources, the reports, the scrubbed HTTP log; the project's
secret scan passes on it unpacked, and none of the run's own secret values is in any file."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from pytest_azurestack.recording.scan import find_values, scan_paths

ROOT = Path(__file__).resolve().parents[1]
# A plugin of the test's own: it writes down the secret values the emulator handed the run, so
# the test can look for them in the archive (they are random per emulator start).
LEAK = """
import json, os
VARIABLES = ("AZURE_CLIENT_SECRET", "AZURE_SUBSCRIPTION_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_ID")

def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):
        with open(os.environ["LEAK_TO"], "w") as fh:
            json.dump({name: os.environ.get(name, "") for name in VARIABLES}, fh)
"""


def run_suite(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "leak_values.py").write_text(LEAK)
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("AZURE", "ARM_"))}
    env.update(PYTHONPATH=str(tmp_path), LEAK_TO=str(tmp_path / "values.json"), AZURESTACK_KEEP="never")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "suites",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "leak_values",
            "--azurestack-profile",
            "2020-09-01-hybrid",
            "-k",
            "create_resource_group or create_storage",
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def unpack(archive: Path, into: Path) -> Path:
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    (folder,) = into.iterdir()
    return folder


@pytest.mark.parametrize("workers", ["0", "2"])
def test_an_emulator_run_archive_holds_everything_and_no_secret(tmp_path: Path, workers: str) -> None:
    archive = tmp_path / "out" / "run.tar.gz"
    run = run_suite(
        tmp_path, "-n", workers, "--azurestack-target", "emulator", "--azurestack-archive", str(archive)
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert f"run archive written to {archive}" in run.stdout
    folder = unpack(archive, tmp_path / "unpacked")
    assert sorted(p.name for p in folder.iterdir()) == [
        "configuration.json",
        "http-log.json",
        "junit.xml",
        "report.html",
        "results.json",
    ]
    count, findings = scan_paths([folder])
    assert count == 3 and findings == []
    values = json.loads((tmp_path / "values.json").read_text())
    assert values["AZURE_CLIENT_SECRET"]  # the emulator did hand the run a secret
    if values["AZURE_TENANT_ID"].lower() == "adfs":  # a disconnected stamp's tenant: a word, shown as is
        del values["AZURE_TENANT_ID"]
    every_file = sorted(folder.iterdir())
    assert find_values(every_file, list(values.items())) == []
    log = json.loads((folder / "http-log.json").read_text())
    results = json.loads((folder / "results.json").read_text())["results"]
    assert len(log) == sum(r["timings"].get("requests", 0) for r in results) > 4
    assert {e["request"]["method"] for e in log} >= {"PUT", "GET"}
    assert all("authorization" not in {h.lower() for h in e["request"]["headers"]} for e in log)
    options = {o["option"]: o for o in json.loads((folder / "configuration.json").read_text())["options"]}
    assert (options["--azurestack-target"]["value"], options["--azurestack-target"]["source"]) == (
        "emulator",
        "flag",
    )
    assert options["--azurestack-keep"]["source"] == "env"
    assert options["--azurestack-iterations"] == {
        **options["--azurestack-iterations"],
        "value": "1",
        "source": "default",
    }
    environment = json.loads((folder / "configuration.json").read_text())["environment"]
    assert environment["AZURE_CLIENT_SECRET"] == "(set, masked)"
    assert "AZS-VM-STORAGE-CREATE" in (folder / "junit.xml").read_text()


def test_a_playback_archive_has_no_http_log_and_keeps_a_given_junit_file(tmp_path: Path) -> None:
    archive, junit = tmp_path / "run.tgz", tmp_path / "mine.xml"
    run = run_suite(tmp_path, "--azurestack-archive", str(archive), "--junitxml", str(junit))
    assert run.returncode == 0, run.stdout[-2000:]
    folder = unpack(archive, tmp_path / "unpacked")
    assert sorted(p.name for p in folder.iterdir()) == [
        "configuration.json",
        "junit.xml",
        "report.html",
        "results.json",
    ]
    assert (folder / "junit.xml").read_bytes() == junit.read_bytes()


def test_an_archive_name_must_be_a_tarball(tmp_path: Path) -> None:
    run = run_suite(tmp_path, "--azurestack-archive", str(tmp_path / "run.zip"))
    assert run.returncode == 4
    assert "--azurestack-archive: " in run.stderr and "is not a .tar.gz file name" in run.stderr
