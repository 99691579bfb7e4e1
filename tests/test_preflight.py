"""The preflight against the emulator: what a stamp lacks stops the run before anything exists.

A standalone emulator (this process, its settings steered directly) is the run's live target, so
each test can set up the stamp (build, marketplace, quota, subscription state) and count what the
run left on it afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from pytest_azurestack.emulator import EmulatorConfig, EmulatorServer
from pytest_azurestack.emulator.providers.resources.models import set_registration

GROUP_TYPE = "Microsoft.Resources/resourceGroups"
LIVE_VARIABLES = (
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_SUBSCRIPTION_ID",
    "ARM_ENDPOINT",
    "AZURE_RESOURCE_LOCATION",
)
NEEDS = """
from pytest_azurestack.preflight.model import ProfileNeeds


def pytest_azurestack_profile_needs(config, profile):
    size = "Standard_DS1_v2" if profile.has_managed_disks else "Standard_A1"
    return ProfileNeeds(images=(("Canonical", "UbuntuServer", "16.04-LTS"),), vm_sizes=(size,))
"""
SUITE = """
import pytest


@pytest.mark.conformance("AZS-T-GROUP", "A resource group is created under the profile.")
def test_group(resource_group, azurestack_profile):
    assert resource_group.name
"""


class Stamp:
    """A running emulator and the knobs the tests turn."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.emulator = server.emulator
        assert server.info is not None
        self.info = server.info

    def reset(self) -> None:
        config = self.emulator.config
        config.subscription_state, config.images, config.quotas = "Enabled", None, {}
        with self.emulator.store.lock:
            self.emulator.store.clear()
        self.emulator.requests.clear()

    def groups(self) -> list[str]:
        return [g["name"] for g in self.emulator.store.list(self.info.subscription_id, GROUP_TYPE)]

    def writes(self) -> list[str]:
        """Every request of the run that was not a read."""
        return [
            f"{r['method']} {r['path']}" for r in self.emulator.requests if r["method"] not in ("GET", "HEAD")
        ]

    def api_versions(self) -> set[str]:
        return {str(r.get("apiVersion")) for r in self.emulator.requests}


def _stamp(build: str) -> Iterator[Stamp]:
    server = EmulatorServer(EmulatorConfig(build=build, retry_after=0.01))
    server.start()
    try:
        yield Stamp(server)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def stamp_1808() -> Iterator[Stamp]:
    yield from _stamp("1808")


@pytest.fixture(scope="module")
def stamp_2102() -> Iterator[Stamp]:
    yield from _stamp("2102")


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, stamp: Stamp, *args: str) -> Any:
    stamp.reset()
    env = stamp.info.env()
    for name in LIVE_VARIABLES:
        monkeypatch.setenv(name, env[name])
    pytester.makeconftest(NEEDS)
    pytester.makepyfile(test_mini=SUITE)
    return pytester.runpytest(
        "--azurestack-target",
        "live",
        "--azurestack-ca-bundle",
        str(stamp.info.ca_bundle),
        "-p",
        "no:randomly",
        *args,
    )


def _error_lines(result: Any) -> list[str]:
    return [line for line in result.stderr.lines if line.strip()]


@pytest.mark.parametrize("preflight", [(), ("--azurestack-no-preflight",)], ids=["preflight", "no-preflight"])
def test_every_profile_unsupported_stops_up_front_in_one_line(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    clean_env: None,
    stamp_1808: Stamp,
    preflight: Any,
) -> None:
    result = _run(pytester, monkeypatch, stamp_1808, "--azurestack-profile", "2020-09-01-hybrid", *preflight)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    lines = _error_lines(result)
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        "ERROR: azurestack: no selected profile is served by this stamp (build 1808): "
    )
    assert "2020-09-01-hybrid lacks Microsoft.Resources/resourceGroups 2019-10-01, " in lines[0]
    assert "Microsoft.Compute/virtualMachines 2020-06-01" in lines[0]
    assert (
        "(2018-03-01-hybrid, 2017-03-09-profile) with --azurestack-profile, or --azurestack-profile auto"
        in lines[0]
    )
    assert "cannot list resource groups" not in result.stdout.str()
    assert stamp_1808.groups() == [] and stamp_1808.writes() == []


def test_the_embedded_emulator_1808_with_the_newest_profile_and_no_preflight_is_not_a_green_run(
    pytester: pytest.Pytester, clean_env: None
) -> None:
    """Issue 8's case: 22 "not supported", a failed sweep and exit 0 before."""
    pytester.makepyfile(test_mini=SUITE)
    result = pytester.runpytest(
        "--azurestack-target", "emulator", "--azurestack-emulator-build", "1808",
        "--azurestack-profile", "2020-09-01-hybrid", "--azurestack-no-preflight",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: azurestack: no selected profile is served by this stamp (build 1808): *"]
    )
    assert "cannot list resource groups" not in result.stdout.str()


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["n0", "n2"])
def test_an_unsupported_profile_is_reported_and_the_others_run(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    clean_env: None,
    stamp_1808: Stamp,
    workers: Any,
) -> None:
    result = _run(
        pytester,
        monkeypatch,
        stamp_1808,
        "--azurestack-profile", "2020-09-01-hybrid", "--azurestack-profile", "2018-03-01-hybrid",
        "-rs", *workers,
    )  # fmt: skip
    result.assert_outcomes(passed=1, skipped=1)
    out = result.stdout.str()
    assert "azurestack preflight: 2020-09-01-hybrid not supported by this stamp: it lacks " in out
    result.stdout.fnmatch_lines(["*[[]2020-09-01-hybrid[]]*not supported by this stamp: it lacks*"])
    result.stdout.fnmatch_lines(["AZS-T-GROUP*not supported*passed*"])
    # Nothing was sent at 2020-09-01-hybrid's versions, and the run cleaned up after itself.
    assert not {"2019-10-01", "2020-06-01", "2018-11-01"} & stamp_1808.api_versions()
    assert stamp_1808.groups() == []
    # The preflight ran once, in the controller: each provider document was read once.
    reads = [
        r["path"] for r in stamp_1808.emulator.requests if r["path"].endswith("/providers/Microsoft.Compute")
    ]
    assert len(reads) == 1, reads


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        (
            "images",
            [
                {
                    "publisher": "MicrosoftWindowsServer",
                    "offer": "WindowsServer",
                    "sku": "2012-R2-Datacenter",
                    "version": "1.0.0",
                    "os_type": "Windows",
                    "size_gb": 127,
                }
            ],
            "the marketplace in location 'local' does not offer image Canonical:UbuntuServer:16.04-LTS (404 "
            "*), needed under 2018-03-01-hybrid; ask the stamp's operator to download it (administrator "
            "portal: Marketplace management > Add from Azure), or deselect the tests that boot it",
        ),
        (
            "quotas",
            {"cores": 0},
            "the compute quota in location 'local' leaves 0 of 0 Total Regional vCPUs (0 in use); the run "
            "needs 1; delete what uses them, or ask the stamp's operator to raise the plan's compute quota *",
        ),
        (
            "subscription_state",
            "Disabled",
            "subscription * is Disabled, not Enabled: Resource Manager refuses every write to it; ask the "
            "stamp's operator to re-enable it *, or set AZURE_SUBSCRIPTION_ID to an enabled one",
        ),
    ],
    ids=["missing-image", "exhausted-quota", "disabled-subscription"],
)
@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["n0", "n2"])
def test_what_the_stamp_lacks_stops_the_run_with_one_line_and_its_fix(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    clean_env: None,
    stamp_1808: Stamp,
    setting: str,
    value: Any,
    expected: str,
    workers: Any,
) -> None:
    stamp_1808.reset()
    monkeypatch.setattr(stamp_1808.emulator.config, setting, value)
    monkeypatch.setattr(stamp_1808, "reset", lambda: stamp_1808.emulator.requests.clear())
    result = _run(pytester, monkeypatch, stamp_1808, "--azurestack-profile", "2018-03-01-hybrid", *workers)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    lines = _error_lines(result)
    assert lines[0].startswith("ERROR: azurestack preflight of https://127.0.0.1:")
    assert lines[0].endswith(
        "found 1 problem(s); nothing was created (--azurestack-no-preflight skips the checks):"
    )
    assert len(lines) == 2, lines
    result.stderr.fnmatch_lines([f"  {expected}"])
    assert stamp_1808.groups() == [] and stamp_1808.writes() == []


def test_an_unregistered_provider_stops_the_run_with_the_register_call(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, clean_env: None, stamp_1808: Stamp
) -> None:
    stamp_1808.reset()
    set_registration(stamp_1808.emulator.store, "Microsoft.Compute", "Unregistered")
    monkeypatch.setattr(stamp_1808, "reset", lambda: stamp_1808.emulator.requests.clear())
    try:
        result = _run(pytester, monkeypatch, stamp_1808, "--azurestack-profile", "2018-03-01-hybrid")
    finally:
        set_registration(stamp_1808.emulator.store, "Microsoft.Compute", "Registered")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "  resource provider Microsoft.Compute is Unregistered in subscription *; register it: POST "
            "/subscriptions/*/providers/Microsoft.Compute/register?api-version=2016-02-01 *"
        ]
    )
    assert stamp_1808.groups() == [] and stamp_1808.writes() == []


def test_a_location_the_stamp_lacks_is_one_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, clean_env: None, stamp_1808: Stamp
) -> None:
    result = _run(
        pytester,
        monkeypatch,
        stamp_1808,
        "--azurestack-profile",
        "2018-03-01-hybrid",
        "--azurestack-location",
        "westus",
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    lines = _error_lines(result)
    assert len(lines) == 2, lines
    assert lines[1] == (
        f"  location 'westus' is not offered to subscription {stamp_1808.info.subscription_id} "
        "(it offers local); set AZURE_RESOURCE_LOCATION (or --azurestack-location) to local"
    )
    assert stamp_1808.groups() == [] and stamp_1808.writes() == []


def test_every_problem_is_listed_in_one_pass(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, clean_env: None, stamp_1808: Stamp
) -> None:
    config = stamp_1808.emulator.config
    monkeypatch.setattr(config, "quotas", {"virtualMachines": 0, "cores": 0})
    monkeypatch.setattr(config, "subscription_state", "Disabled")
    monkeypatch.setattr(stamp_1808, "reset", lambda: stamp_1808.emulator.requests.clear())
    result = _run(pytester, monkeypatch, stamp_1808, "--azurestack-profile", "2018-03-01-hybrid")
    lines = _error_lines(result)
    assert "found 3 problem(s)" in lines[0]
    assert [line.split(" ", 3)[2] for line in lines[1:]] == ["*", "quota", "quota"] or len(lines) == 4
    assert (
        any("is Disabled" in line for line in lines) and sum("compute quota" in line for line in lines) == 2
    )
    assert stamp_1808.groups() == []


def test_no_preflight_runs_an_unsupported_profile_and_says_what_happens(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, clean_env: None, stamp_1808: Stamp
) -> None:
    result = _run(
        pytester,
        monkeypatch,
        stamp_1808,
        "--azurestack-profile", "2020-09-01-hybrid", "--azurestack-profile", "2018-03-01-hybrid",
        "--azurestack-no-preflight",
    )  # fmt: skip
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "azurestack preflight: 2020-09-01-hybrid not supported by this stamp: it lacks * "
            "(--azurestack-no-preflight: its tests run, and the stamp refuses their requests)",
            "AZS-T-GROUP*not supported*passed*",
        ]
    )
    assert "InvalidApiVersionParameter" in result.stdout.str()  # the stamp's own refusal is the reason
    assert stamp_1808.groups() == []


def test_no_preflight_skips_the_checks(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, clean_env: None, stamp_1808: Stamp
) -> None:
    monkeypatch.setattr(stamp_1808.emulator.config, "quotas", {"cores": 0})
    monkeypatch.setattr(stamp_1808, "reset", lambda: stamp_1808.emulator.requests.clear())
    result = _run(
        pytester,
        monkeypatch,
        stamp_1808,
        "--azurestack-profile",
        "2018-03-01-hybrid",
        "--azurestack-no-preflight",
    )
    result.assert_outcomes(passed=1)  # the group test needs no core: it runs
    assert "azurestack preflight" not in result.stdout.str()
    assert stamp_1808.groups() == []


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["n0", "n2"])
def test_auto_chooses_the_profiles_the_stamp_serves_and_says_why(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    clean_env: None,
    stamp_1808: Stamp,
    workers: Any,
) -> None:
    result = _run(pytester, monkeypatch, stamp_1808, "--azurestack-profile", "auto", "-v", *workers)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "azurestack: --azurestack-profile auto chose 2018-03-01-hybrid, 2017-03-09-profile: the stamp's "
            "provider documents serve every api-version they pin (build 1808); "
            "not 2020-09-01-hybrid (lacks *); 2019-03-01-hybrid (lacks *)"
        ]
    )
    out = result.stdout.str()
    assert "test_group[2018-03-01-hybrid]" in out and "test_group[2017-03-09-profile]" in out
    assert "test_group[2020-09-01-hybrid]" not in out


def test_auto_on_a_2102_stamp_is_every_hybrid_profile(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, clean_env: None, stamp_2102: Stamp
) -> None:
    result = _run(pytester, monkeypatch, stamp_2102, "--azurestack-profile", "auto")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        [
            "azurestack: --azurestack-profile auto chose 2020-09-01-hybrid, 2019-03-01-hybrid, "
            "2018-03-01-hybrid, 2017-03-09-profile: * (build 2102 or later)"
        ]
    )


def test_the_sweeper_uses_a_version_the_stamp_serves(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, clean_env: None, stamp_1808: Stamp
) -> None:
    """A group of this run left on the stamp is swept, although the run's only hybrid profile
    (2020-09-01-hybrid) pins a Resources version 1808 does not serve."""
    monkeypatch.setenv("AZURESTACK_RUN_ID", "sweeptest123")
    stamp = stamp_1808
    monkeypatch.setattr(stamp, "reset", lambda: stamp.emulator.requests.clear())
    stamp.emulator.store.clear()
    sub = stamp.info.subscription_id
    stamp.emulator.store.put(
        {
            "id": f"/subscriptions/{sub}/resourceGroups/leftover",
            "name": "leftover",
            "type": GROUP_TYPE,
            "location": "local",
            "tags": {"azurestack-run": "sweeptest123"},
            "properties": {"provisioningState": "Succeeded"},
        }
    )
    result = _run(
        pytester,
        monkeypatch,
        stamp,
        "--azurestack-profile",
        "2020-09-01-hybrid",
        "--azurestack-profile",
        "latest",
    )
    assert "cannot list resource groups" not in result.stdout.str()
    result.stdout.fnmatch_lines(["swept resource group leftover *"])
    assert stamp.groups() == []


def test_stamp_facts_reach_the_header_and_the_json_report(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, clean_env: None, stamp_1808: Stamp
) -> None:
    report = pytester.path / "results.json"
    result = _run(
        pytester,
        monkeypatch,
        stamp_1808,
        "--azurestack-profile",
        "2018-03-01-hybrid",
        "--azurestack-report-json",
        str(report),
    )
    result.assert_outcomes(passed=1)
    endpoint = stamp_1808.info.arm_endpoint
    result.stdout.fnmatch_lines(
        [
            f"azurestack stamp: {endpoint}, location local, build 1808",
            f"azurestack stamp: login {endpoint}/adfs/ (ADFS)",
            "azurestack stamp: api-versions served: "
            "Microsoft.Resources/resourceGroups 2018-02-01, 2016-02-01; *",
            "azurestack run: * started *",
        ]
    )
    stamp = json.loads(report.read_text())["stamp"]
    assert stamp["arm_endpoint"] == endpoint and stamp["adfs"] is True and stamp["source"] == "live"
    assert stamp["build"] == "1808" and stamp["location"] == "local"
    assert stamp["provider_api_versions"]["Microsoft.Compute/virtualMachines"] == ["2017-03-30", "2016-03-30"]
    assert stamp["run_id"] and stamp["started"] <= stamp["finished"]
    assert "azure-core" in stamp["sdk"] and stamp["plugin_version"]
    assert stamp["preflight"]["checked"] is True and stamp["preflight"]["not_supported"] == {}
    assert any("is Enabled" in line for line in stamp["preflight"]["passed"])


def test_playback_facts_are_the_recordings(pytester: pytest.Pytester, clean_env: None) -> None:
    cassettes = pytester.path / "cassettes" / "2018-03-01-hybrid" / "test_mini"
    cassettes.mkdir(parents=True)
    (cassettes / "test_group.yaml").write_text(
        "interactions: []\nmetadata:\n  provenance:\n    date: '2026-11-27T03:40:17+00:00'\n"
        "    emulator: {build: '1808', version: 0.1.0}\n"
        "    endpoint: https://management.local.azurestack.external\n    target: emulator\n"
        "    packages: {azure-core: 1.41.0}\nversion: 1\n"
    )
    pytester.makepyfile(test_mini="def test_x(azurestack_profile):\n    pass\n")
    result = pytester.runpytest("--azurestack-profile", "auto")
    result.stdout.fnmatch_lines(
        [
            "azurestack stamp, as recorded in the cassettes: https://management.local.azurestack.external, "
            "location local, build 1808 (as recorded on the emulator target)",
            "azurestack: --azurestack-profile auto chose 2018-03-01-hybrid: the hybrid profiles with "
            "cassettes under * (playback has no stamp to ask)",
        ]
    )
