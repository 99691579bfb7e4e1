"""Playback needs no network at all: the whole conformance suite replays inside a network
namespace with no interface up (not even loopback), on one process and on two xdist workers."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest


def _no_network_namespace() -> bool:
    """unshare -n works here (root, or user namespaces allowed)."""
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _no_network_namespace(), reason="needs `unshare -n` (root or user namespaces)")
@pytest.mark.parametrize("workers", ["0", "2"])
def test_whole_suite_replays_with_the_network_cut_off(workers: str, run_suite: Callable[..., Any]) -> None:
    result = run_suite("-n", workers, wrapper=("unshare", "-n", "--"))
    tail = result.stdout[-4000:] + result.stderr[-2000:]
    assert result.returncode == 0, tail
    assert " failed" not in result.stdout.splitlines()[-1], tail
    assert "AZS-VM-CREATE-LINUX" in result.stdout, "the conformance matrix ends the run"
