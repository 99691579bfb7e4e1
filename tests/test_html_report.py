"""The HTML report: built from the JSON report's document, self-contained, escaped, and read in a
real headless Chromium (Playwright driving the system's browser)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_azurestack.report import html_report, timeline

ROOT = Path(__file__).resolve().parents[1]
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def result(cid: str, profile: str, outcome: str, start: float, **extra: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "title": cid.lower(),
        "description": "",
        "profile": profile,
        "outcome": outcome,
        "reason": extra.pop("reason", ""),
        "duration": 1.0,
        "nodeid": f"t.py::{cid}[{profile}]",
        "pinned": [],
        "wire_changes": [],
        "recorded_with": {},
        "started": start,
        "finished": start + 1.0,
        "timings": extra.pop("timings", {}),
        **extra,
    }


LRO = {
    "operation": "PUT virtualMachines",
    "resource": "vm-1",
    "started": 100.2,
    "first_response": 0.1,
    "terminal": 0.7,
    "polls": 3,
    "state": "Succeeded",
}
DOCUMENT = {
    "schema": "pytest-azurestack/conformance-results/v1",
    "run": {
        "target": "emulator",
        "profiles": ["2020-09-01-hybrid", "latest"],
        "run_id": "abc123",
        "sdk": {"azure-mgmt-compute": {"version": "35.0.0"}},
        "packages": {"pytest": "9"},
    },
    "stamp": {
        "arm_endpoint": "https://management.local.azurestack.external",
        "is_adfs": False,
        "provider_versions": {"Microsoft.Compute": ["2020-06-01"]},
    },
    "totals": {"2020-09-01-hybrid": {"passed": 1, "failed": 1}, "latest": {"not supported": 1}},
    "results": [
        result(
            "AZS-VM-CREATE",
            "2020-09-01-hybrid",
            "passed",
            100.0,
            timings={
                "requests": 5,
                "retries": 1,
                "retried": {"429": 1},
                "lro_wait": 0.6,
                "operations": [LRO],
            },
        ),
        result(
            "AZS-VM-GET",
            "2020-09-01-hybrid",
            "failed",
            101.0,
            reason="AssertionError: <script>alert('x')</script> & more\nsecond line of the failure",
        ),
        result("AZS-VM-CREATE", "latest", "not supported", 100.5, reason="not supported by this cloud: Nope"),
    ],
}


def test_the_page_is_self_contained_and_escapes_what_the_run_said() -> None:
    page = html_report.render(DOCUMENT)
    assert "<script" not in page.replace("&lt;script", "")  # no script of ours, the failure's escaped
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more\nsecond line of the failure" in page
    for external in ('src="http', 'href="http', "@import", "url(http"):
        assert external not in page


def test_stamp_facts_are_rendered_whatever_they_are() -> None:
    page = html_report.render(DOCUMENT)
    assert "<th>arm endpoint</th><td>https://management.local.azurestack.external</td>" in page
    assert "<th>provider versions</th><td>Microsoft.Compute: 2020-06-01</td>" in page
    assert "stamp-facts" not in html_report.render({k: v for k, v in DOCUMENT.items() if k != "stamp"})


def test_the_timeline_has_a_bar_per_operation_and_profile_and_shades_lro_waits() -> None:
    chart = timeline.build(DOCUMENT["results"])
    assert chart is not None
    assert [(b.profile, b.label) for b in chart.bars] == [
        ("2020-09-01-hybrid", "AZS-VM-CREATE"),
        ("2020-09-01-hybrid", "AZS-VM-GET"),
        ("latest", "AZS-VM-CREATE"),
    ]
    (wait,) = chart.bars[0].waits
    scale = timeline.CHART_WIDTH / 2.0  # the run spans 100.0 .. 102.0
    assert wait.x == pytest.approx(timeline.LABEL_WIDTH + 0.3 * scale)
    assert wait.width == pytest.approx(0.6 * scale)
    assert timeline.build([result("AZS-X", "p", "excluded", 0.0) | {"started": 0, "finished": 0}]) is None


@pytest.mark.parametrize(("span", "step"), [(0.9, 0.2), (2.0, 0.5), (95.0, 20.0), (1500.0, 200.0)])
def test_ticks_are_round(span: float, step: float) -> None:
    assert timeline.nice_step(span) == pytest.approx(step)


def _browser() -> str:
    found = os.environ.get("AZURESTACK_CHROMIUM") or next(filter(None, map(shutil.which, BROWSERS)), None)
    if found is None:
        pytest.skip(
            "no Chromium to render the HTML report in: apt-get install chromium (or set AZURESTACK_CHROMIUM)"
        )
    return found


def test_a_real_browser_shows_the_matrix_and_the_timeline(tmp_path: Path) -> None:
    """The real suite (playback, -n 2) writes the report; headless Chromium renders it."""
    browser = _browser()
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright drives the browser: pip install -e '.[browser]'"
    )
    page_path = tmp_path / "report.html"
    json_path = tmp_path / "results.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "suites",
            "-q",
            "-p",
            "no:cacheprovider",
            "-n",
            "2",
            "--azurestack-profile",
            "2020-09-01-hybrid",
            "--azurestack-profile",
            "latest",
            "--azurestack-report-html",
            str(page_path),
            "--azurestack-report-json",
            str(json_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=browser, args=["--no-sandbox"])
        try:
            context = chromium.new_context(viewport={"width": 1280, "height": 900}, offline=True)
            page = context.new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_path.as_uri())
            assert requests == [page_path.as_uri()]  # nothing but the page itself is fetched
            cells = page.locator("#matrix td.cell")
            tests = len(json.loads(json_path.read_text())["results"]) // 2  # per profile
            assert cells.count() == 2 * tests
            assert page.locator('#matrix td[data-outcome="passed"]').count() == tests
            assert page.locator('#matrix td[data-outcome="not supported"]').count() == tests
            colour = cells.first.evaluate("cell => getComputedStyle(cell).backgroundColor")
            assert colour == "rgb(26, 127, 55)"  # passed is green
            svg = page.locator("svg#timeline")
            box = svg.bounding_box()
            assert box is not None and box["width"] > 800 and box["height"] > 2 * tests * timeline.ROW_HEIGHT
            assert page.locator("svg#timeline g.bar").count() == 2 * tests
            assert page.locator("svg#timeline rect.lro-wait").count() >= 15  # the LROs of the hybrid profile
            assert page.locator("#problems .problem").count() >= 1  # the refusals under latest, by reason
            assert (
                sum(
                    int(n)
                    for n in page.locator("#problems .problem").evaluate_all(
                        "els => els.map(e => e.dataset.tests)"
                    )
                )
                == tests
            )
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            chromium.close()
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_the_json_report_and_the_page_come_from_one_document(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "suites",
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            "resource_group",
            "--azurestack-profile",
            "2020-09-01-hybrid",
            "--azurestack-report-json",
            str(tmp_path / "r.json"),
            "--azurestack-report-html",
            str(tmp_path / "r.html"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    document = json.loads((tmp_path / "r.json").read_text())
    assert (
        html_report.render(document).split("<tbody>")[1]
        == (tmp_path / "r.html").read_text().split("<tbody>")[1]
    )
    assert "HTML report written to" in run.stdout
