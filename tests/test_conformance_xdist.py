"""Under pytest-xdist: one worker per profile, prerequisites in order, the whole matrix on the controller."""

from __future__ import annotations

import re

import pytest
from plugin_helpers import ISOLATED

PROFILES = ("2020-09-01-hybrid", "2019-03-01-hybrid", "2018-03-01-hybrid", "2017-03-09-profile")

CONFTEST = f"""
def pytest_generate_tests(metafunc):
    if "azurestack_profile" in metafunc.fixturenames:
        metafunc.parametrize("azurestack_profile", {list(PROFILES)!r})
"""

SUITE = """
import time
import pytest

@pytest.mark.conformance("AZS-RG-CREATE", "The group is created.")
def test_rg(azurestack_profile):
    time.sleep(0.05)  # long enough for the other worker to ask for work meanwhile

@pytest.mark.conformance("AZS-VM-CREATE", "The VM is created.", requires=("AZS-RG-CREATE",))
@pytest.mark.linux
def test_vm(azurestack_profile):
    time.sleep(0.05)
    assert azurestack_profile != "2018-03-01-hybrid", "create broke"

@pytest.mark.conformance("AZS-VM-START", "The VM starts.", requires=("AZS-VM-CREATE",))
def test_start(azurestack_profile):
    time.sleep(0.05)

@pytest.mark.conformance("AZS-DISK-ATTACH", "The disk attaches.", requires=("AZS-VM-CREATE",))
@pytest.mark.managed_disks
def test_attach(azurestack_profile):
    pass

@pytest.mark.conformance("AZS-VM-CREATE-WINDOWS", "The Windows VM is created.", requires=("AZS-RG-CREATE",))
@pytest.mark.windows
def test_windows(azurestack_profile):
    pass
"""


def test_two_workers_keep_profiles_together_and_the_matrix_complete(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")  # four profiles fit side by side at 120 columns
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest(*ISOLATED, "-p", "xdist", "-n", "2", "-v", "-m", "not windows", "-rs")
    result.stdout.fnmatch_lines(["azurestack: --dist load -> loadgroup*"])
    # 4 profiles x 4 tests, minus attach under 2017-03-09-profile (no managed disks); 2018 breaks.
    result.assert_outcomes(passed=12, failed=1, skipped=2)

    workers: dict[str, set[str]] = {}
    for line in result.outlines:
        found = re.match(r"\[(gw\d)\] .*(PASSED|FAILED|SKIPPED) test_suite.py::\w+\[([\w-]+)\]", line)
        if found:
            workers.setdefault(found.group(3), set()).add(found.group(1))
    assert set(workers) == set(PROFILES)
    assert all(len(w) == 1 for w in workers.values()), workers
    assert len(set().union(*workers.values())) == 2  # both workers did work

    # Prerequisites were honoured on the workers: only 2018's dependants are "not run".
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [[]1] test_suite.py:*: not run: prerequisite AZS-VM-CREATE failed",
            "SKIPPED [[]1] test_suite.py:*: not run: prerequisite AZS-VM-CREATE failed",
        ]
    )
    # The controller printed every cell, including the exclusions only workers saw at collection.
    rows = {ln.split()[0]: ln for ln in result.outlines if ln.startswith("AZS-") and "[" not in ln}
    assert list(rows) == [
        "AZS-RG-CREATE",
        "AZS-VM-CREATE",
        "AZS-VM-START",
        "AZS-DISK-ATTACH",
        "AZS-VM-CREATE-WINDOWS",
    ]  # source order, whatever order the workers reported in
    assert rows["AZS-RG-CREATE"].count("passed") == 4
    assert rows["AZS-VM-CREATE"].count("passed") == 3 and rows["AZS-VM-CREATE"].count("failed") == 1
    assert rows["AZS-VM-START"].count("passed") == 3 and rows["AZS-VM-START"].count("not run") == 1
    assert rows["AZS-DISK-ATTACH"].rstrip().endswith("excluded")
    assert rows["AZS-VM-CREATE-WINDOWS"].count("excluded") == 4
    result.stdout.fnmatch_lines(
        [
            "AZS-DISK-ATTACH [[]2017-03-09-profile] excluded (profile 2017-03-09-profile has no managed*",
            "AZS-VM-CREATE-WINDOWS [[]all profiles] excluded (-m 'not windows')",
        ],
        consecutive=False,
    )


def test_an_explicit_grouping_mode_is_kept(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest(*ISOLATED, "-p", "xdist", "-n", "2", "--dist", "loadfile")
    assert "loadgroup" not in result.stdout.str()
    result.assert_outcomes(passed=16, failed=1, skipped=2)


CRASHING = """
import os, signal
import pytest

@pytest.mark.conformance("AZS-RG-CREATE", "The group is created.")
def test_rg(azurestack_profile):
    pass

@pytest.mark.conformance("AZS-VM-CREATE", "The VM is created.", requires=("AZS-RG-CREATE",))
def test_vm(azurestack_profile):
    if azurestack_profile == "2020-09-01-hybrid":
        os.kill(os.getpid(), signal.SIGKILL)  # the worker dies mid-test

@pytest.mark.conformance("AZS-VM-START", "The VM starts.", requires=("AZS-VM-CREATE",))
def test_start(azurestack_profile):
    pass

@pytest.mark.conformance("AZS-VM-GET", "The VM reads.", requires=("AZS-RG-CREATE",))
def test_get(azurestack_profile):
    pass
"""


@pytest.mark.parametrize("dist", ["load", "loadfile"], ids=["profile-groups", "another-scheduler"])
def test_a_worker_crash_is_a_failure_and_its_dependants_are_not_run_because_of_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, dist: str
) -> None:
    """Issue 8, item 6: kill -9 of a worker under -n 2."""
    monkeypatch.setenv("COLUMNS", "400")  # the matrix's reasons on one line each
    two = repr(["2020-09-01-hybrid", "2019-03-01-hybrid"])
    pytester.makeconftest(CONFTEST.replace(repr(list(PROFILES)), two))
    pytester.makepyfile(test_suite=CRASHING)
    result = pytester.runpytest(*ISOLATED, "-p", "xdist", "-n", "2", "--dist", dist, "-rs")
    # Given to the new worker again (another scheduler), the crashed test fails at once, not reruns.
    result.assert_outcomes(failed=1 if dist == "load" else 2, passed=6, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "AZS-VM-CREATE [[]2020-09-01-hybrid[]] failed: *worker crashed: worker 'gw?' crashed while*",
            "AZS-VM-START [[]2020-09-01-hybrid[]] not run: prerequisite AZS-VM-CREATE failed (because "
            "worker crashed*",
        ]
    )
    # What passed on the dead worker still counts on its replacement: only the dependant is not run.
    rows = {ln.split()[0]: ln.split() for ln in result.outlines if ln.startswith("AZS-") and "[" not in ln}
    assert rows["AZS-RG-CREATE"][1] == "passed" and rows["AZS-VM-GET"][1] == "passed"
    assert rows["AZS-VM-CREATE"][1] == "failed" and rows["AZS-VM-START"][1:3] == ["not", "run"]
