"""Prerequisite order, "not run" verdicts and the one-line collection errors (pytester)."""

from __future__ import annotations

import pytest
from plugin_helpers import ISOLATED

CONFTEST = """
import pytest
PROFILES = ["2020-09-01-hybrid", "2017-03-09-profile"]
def pytest_generate_tests(metafunc):
    if "azurestack_profile" in metafunc.fixturenames:
        metafunc.parametrize("azurestack_profile", PROFILES, ids=PROFILES, scope="{scope}")
"""

# Declared in the "wrong" order: each test needs one declared below it.
SUITE = """
import pytest

@pytest.mark.conformance(
    "AZS-VM-ATTACH", "Attaching shows the disk.", requires=("AZS-VM-CREATE", "AZS-DISK-CREATE")
)
def test_attach(azurestack_profile):
    pass

@pytest.mark.conformance("AZS-VM-CREATE", "The VM is created.", requires=("AZS-RG-CREATE",))
def test_create(azurestack_profile):
    if azurestack_profile == "2017-03-09-profile":
        raise AssertionError("create broke")

@pytest.mark.conformance("AZS-DISK-CREATE", "The disk is created.", requires=("AZS-RG-CREATE",))
def test_disk(azurestack_profile):
    pass

@pytest.mark.conformance("AZS-RG-CREATE", "The group is created.")
def test_rg(azurestack_profile):
    pass

def test_plain():
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST.format(scope="function"))
    pytester.makepyfile(test_suite=SUITE)
    return pytester


def run_order(result: pytest.RunResult) -> list[str]:
    """Test names in the order ``-v`` reported them."""
    return [ln.split("::")[1].split()[0] for ln in result.outlines if ln.startswith("test_suite.py::")]


def test_prerequisites_run_first_within_each_profile(suite: pytest.Pytester) -> None:
    result = suite.runpytest(*ISOLATED, "-v")
    order = run_order(result)
    for profile in ("2020-09-01-hybrid", "2017-03-09-profile"):
        mine = [n.split("[")[0] for n in order if n.endswith(f"[{profile}]")]
        assert mine == ["test_rg", "test_create", "test_disk", "test_attach"], order
    result.assert_outcomes(passed=7, failed=1, skipped=1)


def test_order_is_stable_with_class_scoped_profiles(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST.format(scope="class"))
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest(*ISOLATED, "-v")
    result.assert_outcomes(passed=7, failed=1, skipped=1)
    order = run_order(result)
    # Class-scoped parameters keep pytest's grouping: every test of one profile, then the next.
    assert [n.split("[")[1] for n in order if "[" in n] == ["2020-09-01-hybrid]"] * 4 + [
        "2017-03-09-profile]"
    ] * 4


def test_failed_prerequisite_makes_dependants_not_run(suite: pytest.Pytester) -> None:
    result = suite.runpytest(*ISOLATED, "-rs")
    result.stdout.fnmatch_lines(["SKIPPED [[]1] test_suite.py:*: not run: prerequisite AZS-VM-CREATE failed"])
    # The dependant is a skip with that reason, not a failure; the other profile is untouched.
    result.assert_outcomes(passed=7, failed=1, skipped=1)


def test_not_run_names_the_root_cause(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST.format(scope="function"))
    pytester.makepyfile(
        test_chain="""
        import pytest

        @pytest.mark.conformance("AZS-A", "A works.")
        def test_a(azurestack_profile):
            raise AssertionError("a broke")

        @pytest.mark.conformance("AZS-B", "B works.", requires=("AZS-A",))
        def test_b(azurestack_profile):
            pass

        @pytest.mark.conformance("AZS-C", "C works.", requires=("AZS-B",))
        def test_c(azurestack_profile):
            pass
        """
    )
    result = pytester.runpytest(*ISOLATED, "-rs", "-p", "no:randomly")
    result.stdout.fnmatch_lines(["*not run: prerequisite AZS-B not run (because AZS-A failed)*"])
    result.assert_outcomes(failed=2, skipped=4)


def test_dependant_of_a_deselected_test_is_not_run(suite: pytest.Pytester) -> None:
    result = suite.runpytest(*ISOLATED, "-rs", "-k", "not test_disk")
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [[]1] test_suite.py:*: not run: prerequisite AZS-DISK-CREATE excluded",
            "SKIPPED [[]1] test_suite.py:*: not run: prerequisite AZS-VM-CREATE failed, "
            "AZS-DISK-CREATE excluded",
        ]
    )


def test_node_id_selection_reports_missing_prerequisites_as_not_run(suite: pytest.Pytester) -> None:
    result = suite.runpytest(*ISOLATED, "-rs", "test_suite.py::test_attach")
    result.stdout.fnmatch_lines(
        ["*not run: prerequisite AZS-VM-CREATE was not selected, AZS-DISK-CREATE was not selected*"]
    )
    result.assert_outcomes(skipped=2)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            """
            @pytest.mark.conformance("AZS-A", "A.", requires=("AZS-B",))
            def test_a(): pass
            @pytest.mark.conformance("AZS-B", "B.", requires=("AZS-A",))
            def test_b(): pass
            """,
            "ERROR: conformance: conformance prerequisites form a cycle (requires= and after=): "
            "AZS-? -> AZS-? -> AZS-?; *",
        ),
        (
            """
            @pytest.mark.conformance("AZS-A", "A.", requires=("AZS-TYPO",))
            def test_a(): pass
            """,
            "ERROR: conformance: test_bad.py::test_a: AZS-A requires AZS-TYPO, which no collected test "
            "has; *",
        ),
        (
            """
            @pytest.mark.conformance("AZS-A", "A.", title="a")
            def test_a(): pass
            @pytest.mark.conformance("AZS-A", "A.", title="a")
            def test_b(): pass
            """,
            "ERROR: conformance: conformance id AZS-A is used by two tests: test_bad.py::test_a and "
            "test_bad.py::test_b; give each test its own id*",
        ),
        (
            """
            @pytest.mark.conformance("AZS-A", "A.")
            def test_a(): pass
            @pytest.mark.conformance("AZS-A", "Something else.")
            def test_b(): pass
            """,
            "ERROR: conformance: conformance id AZS-A has two different marks (test_bad.py::test_a and "
            "test_bad.py::test_b); give each test its own id*",
        ),
        (
            """
            @pytest.mark.conformance("vm-attach", "A.")
            def test_a(): pass
            """,
            "ERROR: conformance: test_bad.py::test_a: 'vm-attach' is not a conformance id; *AZS-*",
        ),
        (
            """
            @pytest.mark.conformance("AZS-A")
            def test_a(): pass
            """,
            "ERROR: conformance: test_bad.py::test_a: the conformance mark needs an id and a description; *",
        ),
        (
            """
            @pytest.mark.conformance("AZS-A", "A.", requires="AZS-B")
            def test_a(): pass
            """,
            "ERROR: conformance: test_bad.py::test_a: requires= of AZS-A must be a tuple of ids; *",
        ),
        (
            """
            @pytest.mark.conformance("AZS-A", "A.", after=("AZS-B",))
            def test_a(): pass
            @pytest.mark.conformance("AZS-B", "B.", requires=("AZS-A",))
            def test_b(): pass
            """,
            "ERROR: conformance: conformance prerequisites form a cycle (requires= and after=): "
            "AZS-? -> AZS-? -> AZS-?; *",
        ),
        (
            """
            @pytest.mark.conformance("AZS-A", "A.", after=("AZS-TYPO",))
            def test_a(): pass
            """,
            "ERROR: conformance: test_bad.py::test_a: AZS-A runs after (after=) AZS-TYPO, which no "
            "collected test has; fix the id in after=*",
        ),
        (
            """
            @pytest.mark.conformance("AZS-A", "A.", after="AZS-B")
            def test_a(): pass
            """,
            "ERROR: conformance: test_bad.py::test_a: after= of AZS-A must be a tuple of ids; *",
        ),
        (
            """
            @pytest.mark.conformance("AZS-A", "A.", after=("AZS-A",))
            def test_a(): pass
            """,
            "ERROR: conformance: test_bad.py::test_a: AZS-A names itself in after=; *",
        ),
        (
            """
            @pytest.mark.conformance("AZS-A", "A.", requires=("AZS-B",), after=("AZS-B",))
            def test_a(): pass
            @pytest.mark.conformance("AZS-B", "B.")
            def test_b(): pass
            """,
            "ERROR: conformance: test_bad.py::test_a: AZS-A names AZS-B in both requires= and after=; *",
        ),
    ],
    ids=[
        "cycle",
        "unknown-id",
        "duplicate-id",
        "two-marks-one-id",
        "bad-id",
        "no-description",
        "requires-string",
        "cycle-through-after",
        "unknown-after-id",
        "after-string",
        "after-itself",
        "requires-and-after",
    ],
)
def test_bad_marks_are_one_line_usage_errors(pytester: pytest.Pytester, body: str, message: str) -> None:
    pytester.makepyfile(test_bad="import pytest\n" + "\n".join(ln.strip() for ln in body.splitlines()))
    result = pytester.runpytest(*ISOLATED)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_markers_are_registered_for_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_marked="""
        import pytest

        @pytest.mark.conformance("AZS-A", "A works.")
        @pytest.mark.linux
        @pytest.mark.windows
        @pytest.mark.slow
        @pytest.mark.managed_disks
        @pytest.mark.unmanaged_disks
        def test_a():
            pass
        """
    )
    result = pytester.runpytest(*ISOLATED, "--strict-markers", "-p", "no:xdist")
    result.assert_outcomes(passed=1)
    result = pytester.runpytest(*ISOLATED, "--markers")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.conformance(id, description, *, requires=(), after=(), title=None):*"]
    )


# The VM delete declared first: it must run after every reader of the VM, whatever their outcome.
AFTER_SUITE = """
import pytest

@pytest.mark.conformance(
    "AZS-VM-DELETE", "The VM is deleted.", requires=("AZS-VM-CREATE",), after=("AZS-VM-GET", "AZS-VM-LIST")
)
def test_delete(azurestack_profile):
    pass

@pytest.mark.conformance("AZS-VM-CREATE", "The VM is created.")
def test_create(azurestack_profile):
    pass

@pytest.mark.conformance("AZS-VM-GET", "The VM reads back.", requires=("AZS-VM-CREATE",))
def test_get(azurestack_profile):
    raise AssertionError("get broke")

@pytest.mark.conformance("AZS-VM-LIST", "The VM is listed.", requires=("AZS-VM-CREATE",))
def test_list(azurestack_profile):
    pass
"""


def test_after_orders_without_blocking(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST.format(scope="function"))
    pytester.makepyfile(test_suite=AFTER_SUITE)
    result = pytester.runpytest(*ISOLATED, "-v", "-rs")
    order = run_order(result)
    for profile in ("2020-09-01-hybrid", "2017-03-09-profile"):
        mine = [n.split("[")[0] for n in order if n.endswith(f"[{profile}]")]
        assert mine == ["test_create", "test_get", "test_list", "test_delete"], order
    # The failed GET does not make the delete "not run": after= is ordering only.
    result.assert_outcomes(passed=6, failed=2)
    result.stdout.fnmatch_lines(["*test_delete?2020-09-01-hybrid? PASSED*"])


def test_after_ids_need_not_be_selected(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST.format(scope="function"))
    pytester.makepyfile(test_suite=AFTER_SUITE)
    result = pytester.runpytest(*ISOLATED, "-k", "not test_get and not test_list")
    result.assert_outcomes(passed=4)


VARIANTS = """
import pytest

@pytest.mark.conformance("AZS-VM-ATTACH", "A data disk is attached.", title="attach disk")
@pytest.mark.managed_disks
def test_attach_managed(azurestack_profile):
    assert azurestack_profile != "2017-03-09-profile"

@pytest.mark.conformance("AZS-VM-ATTACH", "A data disk is attached.", title="attach disk")
@pytest.mark.unmanaged_disks
def test_attach_vhd(azurestack_profile):
    assert azurestack_profile == "2017-03-09-profile"
"""


def test_one_id_may_have_a_managed_and_an_unmanaged_variant(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST.format(scope="function"))
    pytester.makepyfile(test_suite=VARIANTS)
    result = pytester.runpytest(*ISOLATED, "-p", "no:xdist")
    result.assert_outcomes(passed=2, deselected=2)
    row = next(ln for ln in result.outlines if ln.startswith("AZS-VM-ATTACH "))
    assert row.count("passed") == 2 and "excluded" not in row


def test_variants_that_both_run_under_one_profile_are_still_duplicates(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST.format(scope="function"))
    pytester.makepyfile(test_suite=VARIANTS.replace("@pytest.mark.unmanaged_disks", "@pytest.mark.linux"))
    result = pytester.runpytest(*ISOLATED)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: conformance: conformance id AZS-VM-ATTACH is used by two tests: *test_attach_managed*"]
    )
