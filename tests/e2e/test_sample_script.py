"""End to end: the standalone emulator started as a user would, then a plain sample-style script
that knows only the exported variables runs every VM operation to the end.

The script keeps azure-core's default polling, which waits what Retry-After says before each
poll. One run keeps the emulator's default (1 s, ARM's usual value); the others run against an
emulator that says 0.01 s, which azure-core honours (0 would not help: azure-core then falls back
to its 30 s polling_interval).
"""

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
REALISTIC: tuple[str, ...] = ()  # the defaults a user gets
FAST = ("--retry-after", "0.01")


@pytest.fixture(scope="module")
def standalone_emulator(
    tmp_path_factory: pytest.TempPathFactory,
    launch_emulator: Callable[..., Any],  # tests/conftest.py: StandaloneEmulator
) -> Iterator[Callable[[tuple[str, ...]], dict[str, str]]]:
    """``standalone_emulator(args)``: the exports of an emulator started with ``args`` (one per args)."""
    started: dict[tuple[str, ...], Any] = {}

    def exports(args: tuple[str, ...]) -> dict[str, str]:
        if args not in started:
            env_file = tmp_path_factory.mktemp("emulator") / "azurestack.env"
            started[args] = launch_emulator(env_file, *args)
        return dict(started[args].exports())

    yield exports
    for emulator in started.values():
        assert emulator.stop() == 0, "the emulator must stop cleanly on SIGTERM"


@pytest.mark.parametrize(
    ("profile", "emulator_args"),
    [
        pytest.param("v2020_09_01_hybrid", REALISTIC, id="v2020_09_01_hybrid-retry-after-1s"),
        pytest.param("v2019_03_01_hybrid", FAST, id="v2019_03_01_hybrid-fast"),
        pytest.param("v2017_03_09_profile", FAST, id="v2017_03_09_profile-fast"),
    ],
)
def test_sample_style_script_completes(
    standalone_emulator: Callable[[tuple[str, ...]], dict[str, str]],
    profile: str,
    emulator_args: tuple[str, ...],
) -> None:
    exported = standalone_emulator(emulator_args)
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
    assert expected <= set(exported)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ARM_", "AZURESTACK_"))}
    env.update(exported)
    result = subprocess.run(
        [sys.executable, str(SCRIPT), profile], env=env, capture_output=True, text=True, timeout=300
    )
    assert SUCCESS in result.stdout, result.stdout + result.stderr
    assert result.returncode == 0
