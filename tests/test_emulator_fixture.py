"""The `azurestack_emulator` fixture: the embedded emulator's admin API, from any xdist worker."""

from __future__ import annotations

import pytest

STEERED = """
import pytest
from azure.core.exceptions import HttpResponseError


def test_injected_fault_reaches_the_sdk(azurestack_emulator, resource_client, azurestack_profile):
    azurestack_emulator.clear_faults()
    rule = azurestack_emulator.add_fault(
        kind="status", status=409, code="Conflict", method="GET",
        provider="Microsoft.Resources", resource_type="resourceGroups", times=1,
    )
    with pytest.raises(HttpResponseError) as refused:
        resource_client.resource_groups.get("steered")
    assert refused.value.status_code == 409
    assert [f["fired"] for f in azurestack_emulator.faults() if f["id"] == rule["id"]] == [1]
    # Spent (times=1): the next GET reaches the provider, which knows no such group.
    with pytest.raises(HttpResponseError) as missing:
        resource_client.resource_groups.get("steered")
    assert missing.value.error.code == "ResourceGroupNotFound"


def test_request_log_shows_what_the_sdk_sent(azurestack_emulator, resource_client, azurestack_profile):
    azurestack_emulator.clear_requests()
    resource_client.resource_groups.check_existence("logged")
    assert any("resourcegroups/logged" in r["path"].lower() for r in azurestack_emulator.requests())
"""


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one-process", "xdist"])
def test_emulator_admin_fixture_steers_the_run_emulator(
    pytester: pytest.Pytester, clean_env: None, workers: tuple[str, ...]
) -> None:
    pytester.makepyfile(test_steered=STEERED)
    result = pytester.runpytest(
        "--azurestack-target", "emulator", "--azurestack-profile", "2020-09-01-hybrid", *workers
    )
    result.assert_outcomes(passed=2)


def test_emulator_admin_fixture_is_skipped_elsewhere(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_needs_it(azurestack_emulator):\n    pass\n")
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*steers the embedded emulator: needs --azurestack-target emulator*"])
