"""End to end: the standalone emulator started as a user would, then a plain sample-style script
that knows only the exported variables runs every VM operation to the end."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "vm_sample.py"
SUCCESS = "All example operations completed successfully!"


def _read_exports(env_file: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in env_file.read_text().splitlines():
        if line.startswith("export "):
            key, _, value = line.removeprefix("export ").partition("=")
            env[key] = shlex.split(value)[0] if value else ""
    return env


@pytest.fixture(scope="module")
def standalone_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    env_file = tmp_path_factory.mktemp("emulator") / "azurestack.env"
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_azurestack.emulator.cli", "--port", "0", "--env-file", str(env_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not (env_file.exists() and "ARM_ENDPOINT" in env_file.read_text()):
            assert process.poll() is None, f"the emulator exited early:\n{process.stdout.read()}"  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the emulator did not write its env file within 30 s"
            time.sleep(0.1)
        yield _read_exports(env_file)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0, "the emulator must stop cleanly on SIGTERM"


@pytest.mark.parametrize("profile", ["v2020_09_01_hybrid", "v2019_03_01_hybrid", "v2017_03_09_profile"])
def test_sample_style_script_completes(standalone_emulator: dict[str, str], profile: str) -> None:
    expected = {
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_SUBSCRIPTION_ID",
        "ARM_ENDPOINT",
        "AZURE_RESOURCE_LOCATION",
        "REQUESTS_CA_BUNDLE",
        "SSL_CERT_FILE",
    }
    assert expected <= set(standalone_emulator)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ARM_", "AZURESTACK_"))}
    env.update(standalone_emulator)
    result = subprocess.run(
        [sys.executable, str(SCRIPT), profile], env=env, capture_output=True, text=True, timeout=300
    )
    assert SUCCESS in result.stdout, result.stdout + result.stderr
    assert result.returncode == 0
