"""The JSON report and the JUnit properties of a conformance run."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from plugin_helpers import ISOLATED

# Settings as the core plugin would resolve them (it is switched off here).
CONFTEST = """
from pathlib import Path
import pytest
from pytest_azurestack.options import SETTINGS_KEY, Settings
from pytest_azurestack.profiles import V2020_09_01_HYBRID, V2017_03_09_PROFILE

def pytest_configure(config):
    config.stash[SETTINGS_KEY] = Settings(
        target="emulator", profiles=(V2020_09_01_HYBRID, V2017_03_09_PROFILE), profiles_explicit=True,
        record_mode="none", ca_bundle=None, keep="never", location="local",
        cassette_dir=Path("cassettes"), pin_api_versions=False, api_version_guard=True,
        emulator_build="2102", report_json=Path({report!r}), run_id="run123",
    )

def pytest_generate_tests(metafunc):
    if "azurestack_profile" in metafunc.fixturenames:
        metafunc.parametrize("azurestack_profile", ["2020-09-01-hybrid", "2017-03-09-profile"])
"""

SUITE = """
import pytest

@pytest.mark.conformance("AZS-RG-CREATE", "The group is created.", title="create resource group")
def test_rg(azurestack_profile):
    pass

@pytest.mark.conformance("AZS-DISK-CREATE", "A managed disk is created.", requires=("AZS-RG-CREATE",))
@pytest.mark.managed_disks
def test_disk(azurestack_profile):
    assert azurestack_profile == "nope", "disk broke"

@pytest.mark.conformance("AZS-DISK-ATTACH", "The disk attaches.", requires=("AZS-DISK-CREATE",))
def test_attach(azurestack_profile):
    pass

def test_not_conformance():
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST.format(report=str(pytester.path / "out" / "results.json")))
    pytester.makepyfile(test_suite=SUITE)
    return pytester


def test_json_report_has_every_verdict_and_the_run(suite: pytest.Pytester) -> None:
    result = suite.runpytest(*ISOLATED)
    result.stdout.fnmatch_lines([f"conformance results written to {suite.path / 'out' / 'results.json'}"])
    doc = json.loads((suite.path / "out" / "results.json").read_text())
    assert doc["schema"] == "pytest-azurestack/conformance-results/v1"
    run = doc["run"]
    assert (run["run_id"], run["target"], run["emulator_build"]) == ("run123", "emulator", "2102")
    assert run["profiles"] == ["2020-09-01-hybrid", "2017-03-09-profile"]
    assert run["exit_status"] == 1 and run["packages"]["azure-mgmt-compute"]
    by_key = {(r["id"], r["profile"]): r for r in doc["results"]}
    assert set(by_key) == {
        (cid, p)
        for cid in ("AZS-RG-CREATE", "AZS-DISK-CREATE", "AZS-DISK-ATTACH")
        for p in ("2020-09-01-hybrid", "2017-03-09-profile")
    }  # the plain test is not a conformance result
    rg = by_key[("AZS-RG-CREATE", "2020-09-01-hybrid")]
    assert rg["title"] == "create resource group" and rg["outcome"] == "passed" and rg["duration"] >= 0
    disk = by_key[("AZS-DISK-CREATE", "2020-09-01-hybrid")]
    assert disk["outcome"] == "failed" and "disk broke" in disk["reason"]
    attach = by_key[("AZS-DISK-ATTACH", "2020-09-01-hybrid")]
    assert 0 < attach["started"] <= attach["finished"]  # epoch seconds: setup start, teardown end
    assert attach | {"duration": 0, "started": 0, "finished": 0} == {
        "id": "AZS-DISK-ATTACH",
        "title": "attach",
        "description": "The disk attaches.",
        "profile": "2020-09-01-hybrid",
        "outcome": "not run",
        "reason": "not run: prerequisite AZS-DISK-CREATE failed",
        "duration": 0,
        "nodeid": "test_suite.py::test_attach[2020-09-01-hybrid]",
        "pinned": [],
        "wire_changes": [],
        "recorded_with": {},
        "started": 0,
        "finished": 0,
        "timings": {},  # no transport (the core plugin is off): nothing on the wire
    }
    excluded = by_key[("AZS-DISK-CREATE", "2017-03-09-profile")]
    assert excluded["outcome"] == "excluded" and "has no managed disks" in excluded["reason"]
    assert excluded["description"] == "A managed disk is created."
    assert by_key[("AZS-DISK-ATTACH", "2017-03-09-profile")]["reason"] == (
        "not run: prerequisite AZS-DISK-CREATE excluded"
    )
    assert doc["totals"]["2020-09-01-hybrid"] == {"passed": 1, "failed": 1, "not run": 1}
    assert doc["totals"]["2017-03-09-profile"] == {"passed": 1, "not run": 1, "excluded": 1}


def test_json_report_under_xdist_matches(suite: pytest.Pytester) -> None:
    suite.runpytest(*ISOLATED, "-p", "xdist", "-n", "2")
    doc = json.loads((suite.path / "out" / "results.json").read_text())
    outcomes = sorted((r["id"], r["profile"], r["outcome"]) for r in doc["results"])
    suite.runpytest(*ISOLATED)
    single = json.loads((suite.path / "out" / "results.json").read_text())
    assert outcomes == sorted((r["id"], r["profile"], r["outcome"]) for r in single["results"])
    assert all("@" not in r["nodeid"] for r in doc["results"])


def test_junit_carries_the_conformance_id_title_description_and_profile(suite: pytest.Pytester) -> None:
    suite.runpytest(*ISOLATED, "--junitxml=junit.xml")
    tree = ET.parse(suite.path / "junit.xml")
    props = {}
    for case in tree.iter("testcase"):
        props[case.get("name")] = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props["test_rg[2020-09-01-hybrid]"] == {
        "conformance_id": "AZS-RG-CREATE",
        "conformance_title": "create resource group",
        "conformance_description": "The group is created.",
        "azurestack_profile": "2020-09-01-hybrid",
    }
    assert props["test_attach[2020-09-01-hybrid]"]["azurestack_outcome"] == "not run"
    assert props["test_not_conformance"] == {}


def test_no_settings_no_json_and_no_crash(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_one="""
        import pytest

        @pytest.mark.conformance("AZS-A", "A works.")
        def test_a():
            pass
        """
    )
    result = pytester.runpytest(*ISOLATED)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*Azure Stack conformance matrix*", "operation*-", "AZS-A*passed*"])
    assert "written to" not in result.stdout.str()


def test_runs_without_conformance_tests_print_no_matrix(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_one="def test_a(): pass")
    result = pytester.runpytest(*ISOLATED)
    assert "conformance matrix" not in result.stdout.str()


PINNED_SUITE = """
import pytest

@pytest.fixture
def transport(request):
    yield
    # What the core plugin's transport fixture records when pin mode rewrote requests.
    request.node.user_properties.append(
        ("azurestack_pinned", ["PUT /subscriptions/s/resourceGroups/rg: api-version 2024-03-01 -> "
                               "2019-10-01"])
    )

@pytest.mark.conformance("AZS-RG-CREATE", "The group is created.", title="create resource group")
def test_rg(azurestack_profile, transport):
    pass

@pytest.mark.conformance("AZS-VNET-CREATE", "The network is created.", title="create network")
def test_vnet(azurestack_profile):
    pass
"""


@pytest.mark.parametrize("xdist", [(), ("-p", "xdist", "-n", "2")], ids=["one-process", "xdist"])
def test_pinned_requests_are_reported_per_test(pytester: pytest.Pytester, xdist: tuple[str, ...]) -> None:
    pytester.makeconftest(CONFTEST.format(report=str(pytester.path / "results.json")))
    pytester.makepyfile(test_suite=PINNED_SUITE)
    result = pytester.runpytest(*ISOLATED, *xdist)
    result.assert_outcomes(passed=4)
    doc = json.loads((pytester.path / "results.json").read_text())
    pinned = {(r["id"], r["profile"]): r["pinned"] for r in doc["results"]}
    assert pinned[("AZS-RG-CREATE", "2020-09-01-hybrid")] == [
        "PUT /subscriptions/s/resourceGroups/rg: api-version 2024-03-01 -> 2019-10-01"
    ]
    assert pinned[("AZS-VNET-CREATE", "2017-03-09-profile")] == []
    # The matrix flags the pinned pass, so it is not read as a plain pass, and says why.
    row = next(ln for ln in result.outlines if ln.startswith("AZS-RG-CREATE"))
    assert row.count("passed*") == 2
    row = next(ln for ln in result.outlines if ln.startswith("AZS-VNET-CREATE"))
    assert "passed*" not in row and row.count("passed") == 2
    result.stdout.fnmatch_lines(
        [
            "AZS-RG-CREATE [[]all profiles] passed[*] (pinned): only with 1 request(s) rewritten*",
        ]
    )
