"""End to end: the standalone emulator started as a user would, then a plain sample-style script
that knows only the exported variables runs every VM operation to the end."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "vm_sample.py"
SUCCESS = "All example operations completed successfully!"


@pytest.fixture(scope="module")
def standalone_emulator(
    tmp_path_factory: pytest.TempPathFactory,
    launch_emulator: Callable[..., Any],  # tests/conftest.py: StandaloneEmulator
) -> Iterator[dict[str, str]]:
    emulator = launch_emulator(tmp_path_factory.mktemp("emulator") / "azurestack.env")
    yield emulator.exports()
    assert emulator.stop() == 0, "the emulator must stop cleanly on SIGTERM"


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
