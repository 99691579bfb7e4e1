"""The manifest machinery on small synthetic suites: write, check, precise diffs, the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from plugin_helpers import REPORT_PLUGIN_ONLY

from pytest_azurestack.conformance import manifest
from pytest_azurestack.conformance.marks import ConformanceError, ConformanceSpec

ISOLATED = REPORT_PLUGIN_ONLY

SUITE = """
import pytest

PROFILES = ["2020-09-01-hybrid", "2017-03-09-profile"]

@pytest.fixture(params=PROFILES)
def azurestack_profile(request):
    return request.param

@pytest.mark.conformance("AZS-VM-CREATE", "The VM is created.", requires=("AZS-RG-CREATE",))
def test_vm(azurestack_profile):
    pass

@pytest.mark.conformance("AZS-RG-CREATE", "The group is created.", title="create resource group")
def test_rg(azurestack_profile):
    pass

@pytest.mark.conformance("AZS-DISK-CREATE", "A managed disk is created.", requires=("AZS-RG-CREATE",))
@pytest.mark.managed_disks
def test_disk(azurestack_profile):
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> Path:
    directory = pytester.mkdir("suites")
    directory.joinpath("test_vm.py").write_text(SUITE)
    return directory


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_azurestack.conformance", *args, "--", *ISOLATED],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def spec(
    cid: str, description: str = "d.", title: str = "t", requires: tuple[str, ...] = ()
) -> ConformanceSpec:
    return ConformanceSpec(cid, description, title, requires)


def test_diff_names_added_removed_and_changed_fields() -> None:
    old = {s.id: s for s in (spec("AZS-A"), spec("AZS-B", "B works."), spec("AZS-C", requires=("AZS-A",)))}
    new = {s.id: s for s in (spec("AZS-A"), spec("AZS-B", "B really works."), spec("AZS-D"), spec("AZS-C"))}
    found = manifest.diff(old, new)
    assert found.lines() == [
        "added AZS-D: 'd.' (in the suite, not in the manifest)",
        "changed AZS-B description: 'B works.' -> 'B really works.'",
        "changed AZS-C requires: ['AZS-A'] -> []",
    ]
    assert not manifest.diff(new, dict(reversed(list(new.items()))))  # order does not matter
    removed = manifest.diff(new, {k: v for k, v in new.items() if k != "AZS-D"})
    assert removed.lines() == ["removed AZS-D: 'd.' (in the manifest, not in the suite)"]


def test_write_then_check_round_trips(suite: Path) -> None:
    written = cli("--write-manifest", str(suite), cwd=suite.parent)
    assert written.returncode == 0, written.stderr
    assert written.stdout.strip() == f"wrote 3 conformance ids to {suite / manifest.MANIFEST_NAME}"
    text = (suite / manifest.MANIFEST_NAME).read_text()
    assert "python -m pytest_azurestack.conformance --write-manifest" in text  # says how to regenerate
    # Prerequisites first, otherwise in source order; every field present.
    loaded = manifest.load(suite / manifest.MANIFEST_NAME)
    assert list(loaded) == ["AZS-RG-CREATE", "AZS-VM-CREATE", "AZS-DISK-CREATE"]
    assert loaded["AZS-RG-CREATE"] == spec("AZS-RG-CREATE", "The group is created.", "create resource group")
    assert loaded["AZS-VM-CREATE"].requires == ("AZS-RG-CREATE",)
    checked = cli("--check", str(suite), cwd=suite.parent)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_check_fails_with_a_precise_diff(suite: Path) -> None:
    assert cli("--write-manifest", str(suite), cwd=suite.parent).returncode == 0
    edited = SUITE.replace("The VM is created.", "The VM is created and running.").replace(
        '@pytest.mark.conformance("AZS-DISK-CREATE"', '@pytest.mark.conformance("AZS-DISK-CREATE-EMPTY"'
    )
    (suite / "test_vm.py").write_text(edited)
    checked = cli("--check", str(suite), cwd=suite.parent)
    assert checked.returncode == 1
    assert checked.stdout.splitlines()[1:] == [
        "  added AZS-DISK-CREATE-EMPTY: 'A managed disk is created.' (in the suite, not in the manifest)",
        "  removed AZS-DISK-CREATE: 'A managed disk is created.' (in the manifest, not in the suite)",
        "  changed AZS-VM-CREATE description: 'The VM is created.' -> 'The VM is created and running.'",
        f"if the change is intended: python -m pytest_azurestack.conformance --write-manifest {suite}",
    ]


def test_the_test_helper_fails_the_calling_test_with_the_diff(pytester: pytest.Pytester, suite: Path) -> None:
    assert cli("--write-manifest", str(suite), cwd=suite.parent).returncode == 0
    (suite / "test_vm.py").write_text(SUITE.replace("The group is created.", "The group exists."))
    pytester.makepyfile(
        test_check=f"""
        from pathlib import Path
        from pytest_azurestack.conformance.manifest import assert_manifest_matches

        def test_manifest():
            assert_manifest_matches(Path({str(suite)!r}), pytest_args={list(ISOLATED)!r})
        """
    )
    result = pytester.runpytest(*ISOLATED, "test_check.py")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            f"the suite {suite} and its manifest {suite / manifest.MANIFEST_NAME} disagree:",
            "  changed AZS-RG-CREATE description: 'The group is created.' -> 'The group exists.'",
            "if the change is intended, regenerate the manifest: *--write-manifest*",
        ]
    )


def test_a_missing_manifest_says_how_to_create_it(suite: Path) -> None:
    checked = cli("--check", str(suite), cwd=suite.parent)
    assert checked.returncode == 2
    assert checked.stderr.strip() == (
        f"error: conformance manifest {suite / manifest.MANIFEST_NAME} does not exist; "
        f"generate it with: python -m pytest_azurestack.conformance --write-manifest {suite}"
    )


def test_a_suite_that_does_not_collect_is_one_clear_error(suite: Path) -> None:
    (suite / "test_broken.py").write_text("import no_such_module_here\n")
    with pytest.raises(ConformanceError, match=r"^collecting .*suites failed: .*no_such_module_here"):
        manifest.collect([suite], ISOLATED)


def test_a_malformed_manifest_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / manifest.MANIFEST_NAME
    path.write_text("tests:\n- title: no id here\n")
    with pytest.raises(ConformanceError, match=r"is malformed \(KeyError: 'id'\); regenerate it with"):
        manifest.load(path)


def test_after_is_listed_only_where_used_and_round_trips(suite: Path) -> None:
    edited = SUITE.replace(
        '"The VM is created.", requires=("AZS-RG-CREATE",)',
        '"The VM is created.", requires=("AZS-RG-CREATE",), after=("AZS-DISK-CREATE",)',
    )
    (suite / "test_vm.py").write_text(edited)
    assert cli("--write-manifest", str(suite), cwd=suite.parent).returncode == 0
    text = (suite / manifest.MANIFEST_NAME).read_text()
    assert "after: []" not in text and text.count("after:\n") == 1
    assert "  after:\n  - AZS-DISK-CREATE\n" in text
    loaded = manifest.load(suite / manifest.MANIFEST_NAME)
    # The after= edge orders the manifest too: the disk before the VM that runs after it.
    assert list(loaded) == ["AZS-RG-CREATE", "AZS-DISK-CREATE", "AZS-VM-CREATE"]
    assert loaded["AZS-VM-CREATE"].after == ("AZS-DISK-CREATE",)
    assert loaded["AZS-RG-CREATE"].after == ()
    assert cli("--check", str(suite), cwd=suite.parent).returncode == 0
    (suite / "test_vm.py").write_text(SUITE)  # the after= edge removed
    checked = cli("--check", str(suite), cwd=suite.parent)
    assert checked.returncode == 1
    assert "  changed AZS-VM-CREATE after: ['AZS-DISK-CREATE'] -> []" in checked.stdout.splitlines()
