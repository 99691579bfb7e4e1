"""The regression the suite exists to catch (DESIGN section 4): replaying the recorded suite with
the single-API SDK generation fails with the guard's precise message, not a vague miss.

Runs only where azure-mgmt-compute >= 36 is installed: `tox -e guard-single-api`.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from typing import Any

import pytest

COMPUTE_MAJOR = int(importlib.metadata.version("azure-mgmt-compute").split(".")[0])


REPLAY = ("-q", "-n", "0", "--azurestack-profile", "2020-09-01-hybrid")


@pytest.mark.single_api
@pytest.mark.skipif(COMPUTE_MAJOR < 36, reason="needs azure-mgmt-compute>=36: tox -e guard-single-api")
def test_single_api_sdk_upgrade_is_caught_by_the_guard(run_suite: Callable[..., Any]) -> None:
    result = run_suite(*REPLAY)
    assert result.returncode == 1, result.stdout[-3000:]
    # The client-level profile is ignored by the new generation: it sends its own newest version.
    assert "api-version guard: PUT /subscriptions/" in result.stdout
    assert (
        "profile 2020-09-01-hybrid requires 2020-06-01 for microsoft.compute/virtualMachines" in result.stdout
    )
    assert "AZS-VM-CREATE-LINUX" in result.stdout  # the conformance matrix names the operation


@pytest.mark.single_api
@pytest.mark.skipif(COMPUTE_MAJOR < 36, reason="needs azure-mgmt-compute>=36: tox -e guard-single-api")
def test_pinned_single_api_sdk_shows_what_else_changed_on_the_wire(run_suite: Callable[..., Any]) -> None:
    result = run_suite(*REPLAY, "--azurestack-pin-api-versions")
    assert result.returncode == 1, result.stdout[-3000:]
    assert "azurestack: pinned api-versions" in result.stdout
    # With versions pinned, the next difference shows: the request body the recording never saw.
    assert "cassette miss: PUT /subscriptions/" in result.stdout
    assert "body differs:" in result.stdout
