"""The results model and the matrix rendering, from pytest's own report objects."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_azurestack.report.matrix import format_duration, plain, render
from pytest_azurestack.report.results import Results
from pytest_azurestack.verdicts import PROP_ID, PROP_OUTCOME, PROP_PROFILE, PROP_TITLE, Outcome

PROFILES = ("2020-09-01-hybrid", "2019-03-01-hybrid", "2018-03-01-hybrid", "2017-03-09-profile", "latest")


def report(
    cid: str,
    profile: str,
    when: str,
    outcome: str,
    *,
    line: int = 1,
    duration: float = 0.1,
    longrepr: Any = None,
    category: str | None = None,
) -> pytest.TestReport:
    props = [
        (PROP_ID, cid),
        (PROP_TITLE, cid.lower().removeprefix("azs-").replace("-", " ")),
        (PROP_PROFILE, profile),
    ]
    if category:
        props.append((PROP_OUTCOME, category))
    return pytest.TestReport(
        nodeid=f"suites/test_vm.py::test_{cid.lower()}[{profile}]",
        location=("suites/test_vm.py", line, f"test_{cid.lower()}[{profile}]"),
        keywords={},
        outcome=outcome,  # type: ignore[arg-type]
        longrepr=longrepr,
        when=when,  # type: ignore[arg-type]
        duration=duration,
        user_properties=props,
    )


def passed(results: Results, cid: str, profile: str, line: int = 1, call: float = 0.4) -> None:
    results.add_report(report(cid, profile, "setup", "passed", line=line, duration=0.05))
    results.add_report(report(cid, profile, "call", "passed", line=line, duration=call))
    results.add_report(report(cid, profile, "teardown", "passed", line=line, duration=0.05))


def test_phases_fold_into_one_verdict_with_the_total_duration() -> None:
    results = Results()
    passed(results, "AZS-VM-START", "2020-09-01-hybrid")
    (result,) = list(results)
    assert (result.outcome, result.reason) == (Outcome.PASSED, "")
    assert result.duration == pytest.approx(0.5)


def test_a_teardown_error_turns_a_pass_into_a_failure_but_keeps_a_skip() -> None:
    results = Results()
    results.add_report(report("AZS-A", "latest", "call", "passed"))
    results.add_report(report("AZS-A", "latest", "teardown", "failed", longrepr="E   RuntimeError: cleanup"))
    results.add_report(report("AZS-B", "latest", "setup", "skipped", longrepr=("f.py", 3, "Skipped: nope")))
    results.add_report(report("AZS-B", "latest", "teardown", "failed", longrepr="E   RuntimeError: cleanup"))
    a, b = list(results)
    assert (a.outcome, a.reason) == (Outcome.FAILED, "error in teardown: E RuntimeError: cleanup")
    assert (b.outcome, b.reason) == (Outcome.SKIPPED, "nope")


def test_categories_come_from_user_properties() -> None:
    results = Results()
    reason = ("f.py", 3, "Skipped: not supported by this cloud: NoRegisteredProviderFound: no")
    results.add_report(
        report("AZS-A", "latest", "call", "skipped", longrepr=reason, category="not supported")
    )
    results.add_report(
        report("AZS-B", "latest", "setup", "skipped", longrepr=("f.py", 4, "not run: x"), category="not run")
    )
    a, b = list(results)
    assert (a.outcome, a.reason) == (
        Outcome.NOT_SUPPORTED,
        "not supported by this cloud: NoRegisteredProviderFound: no",
    )
    assert (b.outcome, b.reason) == (Outcome.NOT_RUN, "not run: x")


def test_xdist_group_suffix_is_dropped_from_node_ids() -> None:
    results = Results()
    r = report("AZS-A", "latest", "call", "passed")
    r.nodeid += "@azurestack-latest"
    results.add_report(r)
    assert next(iter(results)).nodeid == "suites/test_vm.py::test_azs-a[latest]"


def full_matrix() -> Results:
    results = Results()
    for profile in PROFILES:
        if profile == "latest":
            results.add_report(
                report(
                    "AZS-RG-CREATE",
                    profile,
                    "call",
                    "skipped",
                    line=1,
                    category="not supported",
                    longrepr=(
                        "f",
                        1,
                        "not supported by this cloud: InvalidApiVersionParameter: The api-version is "
                        "invalid.",
                    ),
                )
            )
            results.add_report(
                report(
                    "AZS-VM-CREATE-LINUX",
                    profile,
                    "setup",
                    "skipped",
                    line=2,
                    category="not run",
                    longrepr=("f", 2, "not run: prerequisite AZS-RG-CREATE not supported"),
                )
            )
            continue
        passed(results, "AZS-RG-CREATE", profile, line=1, call=0.3)
        if profile == "2018-03-01-hybrid":
            results.add_report(
                report(
                    "AZS-VM-CREATE-LINUX",
                    profile,
                    "call",
                    "failed",
                    line=2,
                    duration=130.0,
                    longrepr="E   AssertionError: PowerState/running expected",
                )
            )
        else:
            passed(results, "AZS-VM-CREATE-LINUX", profile, line=2, call=12.5)
    results.add_excluded(
        {
            "nodeid": "suites/test_vm.py::test_win[2017-03-09-profile]",
            "id": "AZS-VM-CREATE-WINDOWS",
            "title": "create windows vm",
            "profile": "2017-03-09-profile",
            "reason": "-m 'not windows'",
            "path": "suites/test_vm.py",
            "line": 3,
        }
    )
    return results


def test_matrix_at_wide_terminals_has_every_profile_side_by_side() -> None:
    lines = plain(render(full_matrix(), width=140)).splitlines()
    assert all(len(ln) <= 140 for ln in lines)
    header = lines[0].split()
    assert header[0] == "operation" and header[-5:] == list(PROFILES)
    rows = {ln.split()[0]: ln for ln in lines if ln.startswith("AZS-") and "[" not in ln}
    assert list(rows) == ["AZS-RG-CREATE", "AZS-VM-CREATE-LINUX", "AZS-VM-CREATE-WINDOWS"]
    assert rows["AZS-RG-CREATE"].count("passed 0.4s") == 4 and rows["AZS-RG-CREATE"].rstrip().endswith(
        "not supported"
    )
    assert "failed 2m10s" in rows["AZS-VM-CREATE-LINUX"] and "passed 13s" in rows["AZS-VM-CREATE-LINUX"]
    assert rows["AZS-VM-CREATE-LINUX"].rstrip().endswith("not run")
    # A cell that has no test under a profile says so rather than looking blank.
    assert rows["AZS-VM-CREATE-WINDOWS"].split()[-5:] == ["-", "-", "-", "excluded", "-"]
    totals = {
        ln.split()[0]: ln.split()[1:] for ln in lines if ln.split() and ln.split()[0] in ("passed", "failed")
    }
    assert totals["passed"] == ["2", "2", "1", "2", "0"]
    assert totals["failed"] == ["0", "0", "1", "0", "0"]
    text = "\n".join(lines)
    assert (
        "AZS-VM-CREATE-LINUX [2018-03-01-hybrid] failed: E AssertionError: PowerState/running expected"
        in text
    )
    assert (
        "AZS-RG-CREATE [latest] not supported by this cloud: InvalidApiVersionParameter: The api-version"
        in text
    )
    assert "AZS-VM-CREATE-LINUX [latest] not run: prerequisite AZS-RG-CREATE not supported" in text
    assert "AZS-VM-CREATE-WINDOWS [2017-03-09-profile] excluded (-m 'not windows')" in text


def test_titles_get_their_room_for_at_most_one_more_table() -> None:
    titles = ["rg create ", "vm create linux ", "create windows vm "]
    # 120 columns: the five profiles no longer fit beside full titles; two tables show them whole.
    lines = plain(render(full_matrix(), width=120)).splitlines()
    assert all(len(ln) <= 120 for ln in lines)
    headers = [ln.split()[1:] for ln in lines if ln.startswith("operation")]
    assert len(headers) == 2 and [p for h in headers for p in h] == list(PROFILES)
    for title in titles:
        assert sum(title in ln for ln in lines) == 2, title
    assert "…" not in "\n".join(ln for ln in lines if ln.startswith("AZS-") and "[" not in ln)
    # Two profiles at 120 columns: one table, whole titles.
    results = Results()
    for cid, line in (("AZS-VM-LIST-RESOURCE-GROUP", 1), ("AZS-VM-RG-CREATE", 2)):
        for profile in PROFILES[:2]:
            passed(results, cid, profile, line=line)
    text = plain(render(results, width=120))
    assert text.count("operation") == 1
    assert "AZS-VM-LIST-RESOURCE-GROUP vm list resource group  passed" in text


def test_narrow_terminals_get_more_tables_not_wrapped_lines() -> None:
    lines = plain(render(full_matrix(), width=80)).splitlines()
    assert all(len(ln) <= 80 for ln in lines if not ln.startswith(" "))
    headers = [ln.split()[1:] for ln in lines if ln.startswith("operation")]
    assert len(headers) >= 2 and [p for h in headers for p in h] == list(PROFILES)


def test_titles_are_shown_when_there_is_room_and_truncated_otherwise() -> None:
    results = Results()
    passed(results, "AZS-RG-CREATE", "2020-09-01-hybrid")
    wide = plain(render(results, width=120)).splitlines()
    assert wide[1].startswith("AZS-RG-CREATE rg create  passed")


def test_colours_follow_pytest_conventions() -> None:
    lines = render(full_matrix(), width=120)
    cells = {text.strip(): m for line in lines if line[0][0].startswith("AZS-") for text, m in line[1:]}
    assert cells["passed 0.4s"] == {"green": True}
    assert cells["failed 2m10s"] == {"red": True, "bold": True}
    assert cells["not supported"] == {"purple": True}
    assert cells["not run"] == {"yellow": True}


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.04, "0.0s"), (0.4, "0.4s"), (12.5, "12s"), (75, "75s"), (130, "2m10s"), (3600, "60m00s")],
)
def test_durations(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_no_conformance_results_no_matrix() -> None:
    assert render(Results()) == []


def test_tests_blocked_by_one_cause_share_one_note() -> None:
    results = Results()
    refusal = ("f", 1, "not supported by this cloud: InvalidApiVersionParameter: no.")
    results.add_report(
        report("AZS-RG", "latest", "call", "skipped", line=1, category="not supported", longrepr=refusal)
    )
    reasons = {
        "AZS-NET": "not run: prerequisite AZS-RG not supported",
        "AZS-NIC": "not run: prerequisite AZS-NET not run (because AZS-RG not supported)",
        "AZS-VM": "not run: prerequisite AZS-NIC not run (because AZS-RG not supported)",
    }
    for line, (cid, reason) in enumerate(reasons.items(), start=2):
        results.add_report(
            report(
                cid, "latest", "setup", "skipped", line=line, category="not run", longrepr=("f", line, reason)
            )
        )
    notes = plain(render(results, width=120)).split("\n\n")[-1].splitlines()
    assert notes == [
        "AZS-RG [latest] not supported by this cloud: InvalidApiVersionParameter: no.",
        "3 tests [latest] not run because AZS-RG not supported: AZS-NET, AZS-NIC, AZS-VM",
    ]


def test_ids_are_never_split_across_note_lines() -> None:
    results = Results()
    reason = "not run: prerequisite AZS-VM-CREATE-DATA-DISK-WITH-A-LONG-NAME failed"
    for line in range(1, 30):
        cid = f"AZS-VM-OPERATION-NUMBER-{line}"
        results.add_report(
            report(
                cid, "latest", "setup", "skipped", line=line, category="not run", longrepr=("f", line, reason)
            )
        )
    notes = plain(render(results, width=80)).split("\n\n")[-1].splitlines()
    assert len(notes) == 8 and notes[-1].endswith("\u2026")  # long lists are cut, not endless
    assert not any(line.endswith("-") for line in notes)


def test_a_plugin_text_failure_is_reported_by_its_first_line() -> None:
    """The recorder's cassette miss ends with "to re-record: ...": the first line says what broke."""
    miss = (
        "cassette miss: PUT /subscriptions/s/resourceGroups/rg?api-version=2019-10-01 is not in "
        "cassettes/latest/test_vm/test_rg.yaml\n"
        "closest recorded request (#1 of 2): PUT /subscriptions/s/resourceGroups/rg?api-version=2018-05-01\n"
        "  query differs: api-version 2019-10-01 != 2018-05-01\n"
        "to re-record: pytest --azurestack-record=all suites/test_vm.py::test_rg"
    )
    results = Results()
    results.add_report(report("AZS-A", "latest", "call", "failed", longrepr=miss))
    results.add_report(
        report("AZS-B", "latest", "setup", "failed", longrepr="CassetteError: no cassette; record")
    )
    a, b = list(results)
    assert a.reason == (
        "cassette miss: PUT /subscriptions/s/resourceGroups/rg?api-version=2019-10-01 is not in "
        "cassettes/latest/test_vm/test_rg.yaml"
    )
    assert b.reason == "error in setup: CassetteError: no cassette; record"


def test_an_excluded_variant_gives_way_to_the_variant_that_ran() -> None:
    results = Results()
    passed(results, "AZS-VM-ATTACH", "2017-03-09-profile")
    for variant in ("managed", "other"):
        results.add_excluded(
            {
                "nodeid": f"suites/test_vm.py::test_attach_{variant}[2017-03-09-profile]",
                "id": "AZS-VM-ATTACH",
                "title": "vm attach",
                "profile": "2017-03-09-profile",
                "reason": "profile 2017-03-09-profile has no managed disks",
                "path": "suites/test_vm.py",
                "line": 1,
            }
        )
    assert [r.outcome for r in results] == [Outcome.PASSED]
    assert results.totals()["2017-03-09-profile"][Outcome.EXCLUDED] == 0


def _refused(results: Results, cid: str, line: int, kind: str, suffix: str = "") -> None:
    reason = (
        "not supported by this cloud: NoRegisteredProviderFound: No registered resource provider found "
        f"for location 'local' and API version '2024-11-01' for type '{kind}'. The supported "
        f"api-versions are '2020-06-01'.{suffix}"
    )
    results.add_report(
        report(
            cid,
            "latest",
            "call",
            "skipped",
            line=line,
            category="not supported",
            longrepr=("f", line, reason),
        )
    )


def test_identical_refusals_fold_into_one_note_naming_every_test() -> None:
    results = Results()
    ids = [f"AZS-VM-OPERATION-{n:02d}" for n in range(22)]
    for n, cid in enumerate(ids):
        kind = "virtualMachines" if n % 3 else "disks"
        _refused(results, cid, n, kind, " (prerequisite AZS-VM-OPERATION-00)" if n == 5 else "")
    text = plain(render(results, width=80))
    notes = text.split("\n\n")[-1]
    assert notes.startswith("22 tests [latest] not supported by this cloud: NoRegisteredProviderFound")
    assert "(2 variants: see the JSON/HTML report)" in " ".join(notes.split())
    assert all(cid in notes for cid in ids) and "\u2026," not in notes  # every id, none cut
    assert len(notes.splitlines()) < 15  # not 22 notes of 4 lines
    assert all(len(line) <= 80 for line in text.splitlines())


def test_one_reason_word_for_word_is_given_in_full_once() -> None:
    results = Results()
    for n, cid in enumerate(("AZS-A", "AZS-B", "AZS-C")):
        _refused(results, cid, n, "virtualMachines")
    notes = " ".join(plain(render(results, width=120)).split("\n\n")[-1].split())
    assert notes.startswith("3 tests [latest] not supported by this cloud: NoRegisteredProviderFound: No")
    assert "'2024-11-01' for type 'virtualMachines'" in notes and "Tests: AZS-A, AZS-B, AZS-C" in notes


def test_failures_fold_only_when_their_reasons_are_identical() -> None:
    results = Results()
    for n, (cid, message) in enumerate((("AZS-A", "E   boom 'x'"), ("AZS-B", "E   boom 'y'"))):
        results.add_report(report(cid, "latest", "call", "failed", line=n, longrepr=message))
    notes = plain(render(results, width=120)).split("\n\n")[-1].splitlines()
    assert [n.split(" [")[0] for n in notes] == ["AZS-A", "AZS-B"]


def test_wire_totals_and_retries_are_shown() -> None:
    results = Results()
    for n, (cid, retried) in enumerate((("AZS-A", {}), ("AZS-B", {"429": 2, "503": 1}))):
        passed(results, cid, "2020-09-01-hybrid", line=n)
        teardown = report(cid, "2020-09-01-hybrid", "teardown", "passed", line=n)
        teardown.azurestack_timings = {  # type: ignore[attr-defined]
            "requests": 5 + n,
            "retries": sum(retried.values()),
            "retried": retried,
            "lro_wait": 12.5,
            "operations": [],
        }
        results.add_report(teardown)
    text = plain(render(results, width=100))
    rows = {line.split("  ")[0].strip(): line.split()[-1] for line in text.splitlines() if line[:1].isalpha()}
    assert (rows["requests"], rows["retries (429/5xx)"], rows["LRO wait"]) == ("11", "3", "25s")
    assert "AZS-B [2020-09-01-hybrid] 3 request(s) re-sent after 429 x2, 503 x1" in text


def test_without_timings_there_are_no_wire_rows() -> None:
    results = Results()
    passed(results, "AZS-A", "2020-09-01-hybrid")
    assert "requests" not in plain(render(results, width=100))
