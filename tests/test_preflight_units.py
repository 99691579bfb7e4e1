"""The preflight's decisions on data: profile verdicts, the build, versions to ask with, the options."""

from __future__ import annotations

import json

import pytest

from pytest_azurestack import profiles
from pytest_azurestack.emulator.arm.versions import VersionTable
from pytest_azurestack.preflight import facts, providers
from pytest_azurestack.preflight.model import PreflightReport, Problem


def _documents(build: str) -> dict[str, dict[str, list[str]]]:
    """Provider documents as a stamp of ``build`` lists them (the emulator's version table)."""
    table = VersionTable(build)
    out: dict[str, dict[str, list[str]]] = {}
    for provider, types in providers.SUITE_TYPES.items():
        out[providers.canonical(provider)] = {t: sorted(table.served(provider, t)) for t in types}
    return out


@pytest.mark.parametrize(
    ("build", "served", "indicated"),
    [
        ("2102", [p.name for p in profiles.HYBRID_PROFILES], "2102 or later"),
        ("2008", ["2019-03-01-hybrid", "2018-03-01-hybrid", "2017-03-09-profile"], "1904 to 2008"),
        ("1808", ["2018-03-01-hybrid", "2017-03-09-profile"], "1808"),
    ],
)
def test_served_profiles_and_build_follow_the_provider_versions(
    build: str, served: list[str], indicated: str
) -> None:
    documents = _documents(build)
    assert [p.name for p in providers.served_profiles(documents)] == served
    assert providers.indicated_build(documents) == indicated


def test_a_profile_lacks_exactly_the_pins_the_stamp_does_not_list() -> None:
    documents = _documents("1808")
    assert providers.lacks(profiles.V2019_03_01_HYBRID, documents) == [
        "Microsoft.Resources/resourceGroups 2018-05-01",
        "Microsoft.Storage/storageAccounts 2017-10-01",
        "Microsoft.Compute/virtualMachines 2017-12-01",
    ]
    # No managed disks in 2017-03-09-profile: nothing to lack there.
    assert providers.lacks(profiles.V2017_03_09_PROFILE, documents) == []
    # A type the stamp does not list at all is lacking too, whatever its case.
    documents["Microsoft.Compute"] = {"VIRTUALMACHINES": ["2017-03-30"]}
    assert providers.lacks(profiles.V2018_03_01_HYBRID, documents) == ["Microsoft.Compute/disks 2017-03-30"]


def test_no_hybrid_profile_served_is_said() -> None:
    assert providers.indicated_build({}).startswith("older than 1808, or not an Azure Stack Hub stamp")


def test_the_version_asked_with_is_one_the_stamp_lists() -> None:
    documents = {"Microsoft.Compute": {"locations/usages": ["2015-06-15", "2017-03-30", "2099-01-01"]}}
    assert providers.api_version_for(documents, profiles.COMPUTE, "locations/usages") == "2017-03-30"
    documents = {"Microsoft.Compute": {"locations/usages": ["2015-06-15"]}}
    assert providers.api_version_for(documents, profiles.COMPUTE, "locations/usages") == "2015-06-15"
    assert providers.api_version_for(documents, profiles.COMPUTE, "locations/vmSizes") is None


def test_registration_problem_names_the_fix() -> None:
    (problem,) = providers.registration_problems(
        {"Microsoft.Compute": "NotRegistered", "Microsoft.Network": "Registered"}, "s1"
    )
    assert str(problem) == (
        "resource provider Microsoft.Compute is NotRegistered in subscription s1; register it: POST "
        "/subscriptions/s1/providers/Microsoft.Compute/register?api-version=2016-02-01 (or the user portal: "
        "Subscription > Resource providers)"
    )


def test_the_report_crosses_to_workers_as_plain_data() -> None:
    report = PreflightReport(
        checked=True, unsupported={"2020-09-01-hybrid": ["Microsoft.Compute/disks 2019-07-01"]}
    )
    report.problems.append(Problem("quota", "no room", "raise it"))
    again = PreflightReport.from_dict(report.as_dict())
    assert again == report
    assert (
        again.reason("2020-09-01-hybrid")
        == "not supported by this stamp: it lacks Microsoft.Compute/disks 2019-07-01"
    )
    assert again.reason("2018-03-01-hybrid") is None


def test_fact_rows_render_any_value_as_text() -> None:
    rows = dict(facts.rows({"adfs": True, "provider_api_versions": {"a/b": ["1", "2"]}, "finished": None}))
    assert rows == {"adfs": "yes", "provider api versions": "a/b 1, 2", "finished": "-"}


def _settings(pytester: pytest.Pytester, *args: str) -> dict[str, object]:
    pytester.makeconftest(
        """
import json
from pytest_azurestack.options import SETTINGS_KEY

def pytest_configure(config):
    s = config.stash[SETTINGS_KEY]
    print("SETTINGS", json.dumps({"profiles": [p.name for p in s.profiles], "auto": s.profiles_auto,
                                  "preflight": s.preflight}))
"""
    )
    result = pytester.runpytest("--collect-only", "-q", "-s", *args)
    line = next(ln for ln in result.stdout.lines if ln.startswith("SETTINGS "))
    return dict(json.loads(line.removeprefix("SETTINGS ")))


def test_options_auto_and_no_preflight(
    pytester: pytest.Pytester, clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = _settings(pytester, "--azurestack-target", "live", "--azurestack-profile", "AUTO")
    assert live == {"profiles": [p.name for p in profiles.HYBRID_PROFILES], "auto": True, "preflight": True}
    monkeypatch.setenv("AZURESTACK_NO_PREFLIGHT", "1")
    assert _settings(pytester)["preflight"] is False
    monkeypatch.delenv("AZURESTACK_NO_PREFLIGHT")
    pytester.makeini("[pytest]\nazurestack_no_preflight = true\n")
    assert _settings(pytester)["preflight"] is False


def test_auto_with_named_profiles_is_one_line(pytester: pytest.Pytester, clean_env: None) -> None:
    result = pytester.runpytest("--azurestack-profile", "auto", "--azurestack-profile", "2018-03-01-hybrid")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: --azurestack-profile: auto chooses the profiles itself; "
            "give auto alone, or name the profiles"
        ]
    )
