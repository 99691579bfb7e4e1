"""Soak (``--azurestack-iterations N``): the whole run N times, then the statistics.

The controlling process runs no tests: it starts ``pytest`` N times with the same arguments, one
after the other (each with ``-n`` as given), each told its iteration through
``AZURESTACK_SOAK_ITERATION`` and writing its JSON report and JUnit file to a scratch directory.
Every iteration is a fresh run: a new run id, new name seeds, so new resource names on a live
target (and a new emulator); in playback every iteration replays the same cassettes, so a
playback soak measures the plugin and the SDK, not a stamp. Then it merges the iterations into one
document (each result carries its iteration) with a ``soak`` section: pass rate, min / median /
max / stddev of each operation's wall time per profile, every failure with its iteration; and
writes the terminal summary, the JSON and HTML reports, a merged JUnit file and the archive.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from ..options import SOAK_ITERATION_ENV, Settings
from ..verdicts import Outcome

HTTP_LOG_ENV = "AZURESTACK_SOAK_HTTP_LOG"  # where each iteration appends its scrubbed HTTP log
SHOULD_PASS = (Outcome.PASSED.value, Outcome.FAILED.value, Outcome.NOT_RUN.value)  # in the pass rate
RAN = (Outcome.PASSED.value, Outcome.FAILED.value)  # whose wall times count


def statistics_of(results: Iterable[Mapping[str, Any]], iterations: int) -> dict[str, Any]:
    """The ``soak`` section of the merged document."""
    cells: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for r in results:
        cells.setdefault((r["id"], r["profile"]), []).append(r)
    operations = []
    for (cid, profile), runs in cells.items():
        counted = [r for r in runs if r["outcome"] in SHOULD_PASS]
        if not counted:
            continue
        times = [float(r["duration"]) for r in runs if r["outcome"] in RAN] or [0.0]
        operations.append(
            {
                "id": cid,
                "profile": profile,
                "ran": len(counted),
                "passed": sum(r["outcome"] == Outcome.PASSED.value for r in counted),
                "min": min(times),
                "median": statistics.median(times),
                "max": max(times),
                "stddev": statistics.stdev(times) if len(times) > 1 else 0.0,
            }
        )
    ran = sum(o["ran"] for o in operations)
    passed = sum(o["passed"] for o in operations)
    failures = [
        {
            "iteration": r.get("iteration", 0),
            "id": r["id"],
            "profile": r["profile"],
            "outcome": r["outcome"],
            "reason": r["reason"],
        }
        for r in results
        if r["outcome"] in (Outcome.FAILED.value, Outcome.NOT_RUN.value)
    ]
    return {
        "iterations": iterations,
        "ran": ran,
        "passed": passed,
        "pass_rate": passed / ran if ran else 1.0,
        "operations": operations,
        "failures": failures,
    }


def merge(documents: list[dict[str, Any]], iterations: int) -> dict[str, Any]:
    """One document for the whole soak; ``documents[i]`` is iteration ``i + 1``'s JSON report."""
    results: list[dict[str, Any]] = []
    totals: dict[str, dict[str, int]] = {}
    for n, document in enumerate(documents, start=1):
        for result in document.get("results", []):
            results.append({**result, "iteration": n})
        for profile, counts in document.get("totals", {}).items():
            row = totals.setdefault(profile, {})
            for outcome, count in counts.items():
                row[outcome] = row.get(outcome, 0) + count
    first = documents[0] if documents else {}
    run = dict(first.get("run", {}))
    if documents:
        run.update(
            started=documents[0]["run"].get("started"),
            finished=documents[-1]["run"].get("finished"),
            run_id=", ".join(str(d["run"].get("run_id", "")) for d in documents),
            exit_status=max(int(d["run"].get("exit_status", 0)) for d in documents),
            duration=round(sum(float(d["run"].get("duration", 0.0)) for d in documents), 3),
        )
    run["iterations"] = iterations
    return {
        "schema": first.get("schema", ""),
        "run": run,
        "totals": totals,
        "outcomes": first.get("outcomes", [o.value for o in Outcome]),
        "results": results,
        "soak": statistics_of(results, iterations),
        **({"stamp": first["stamp"]} if "stamp" in first else {}),
    }


def merge_junit(paths: list[Path]) -> bytes:
    """One ``<testsuites>`` holding each iteration's suites, named with their iteration."""
    merged = ET.Element("testsuites")
    for n, path in enumerate(paths, start=1):
        if not path.is_file():
            continue
        root = ET.parse(path).getroot()
        for suite in [root] if root.tag == "testsuite" else list(root):
            suite.set("name", f"{suite.get('name', 'pytest')} (iteration {n})")
            merged.append(suite)
    return ET.tostring(merged, encoding="utf-8", xml_declaration=True)


def summary_lines(soak: Mapping[str, Any]) -> list[str]:
    """The soak's terminal summary."""
    lines = [
        f"{soak['iterations']} iterations: pass rate {soak['pass_rate'] * 100:.1f}% "
        f"({soak['passed']} of {soak['ran']} runs of an operation passed)",
        f"{'operation':28} {'profile':20} {'passed':>7} {'min':>8} {'median':>8} {'max':>8} {'stddev':>8}",
    ]
    for o in soak["operations"]:
        lines.append(
            f"{o['id']:28} {o['profile']:20} {str(o['passed']) + '/' + str(o['ran']):>7} "
            f"{o['min']:7.2f}s {o['median']:7.2f}s {o['max']:7.2f}s {o['stddev']:7.2f}s"
        )
    for f in soak["failures"]:
        lines.append(f"iteration {f['iteration']}: {f['id']} [{f['profile']}] {f['outcome']}: {f['reason']}")
    return lines


def drive(config: pytest.Config, settings: Settings) -> int:
    """Run the N iterations and write the soak's reports; the exit status of the worst iteration."""
    scratch = Path(tempfile.mkdtemp(prefix="azurestack-soak-"))
    try:
        return _drive(config, settings, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _drive(config: pytest.Config, settings: Settings, scratch: Path) -> int:
    from ..report import archive, configuration, html_report, http_log, json_report

    args = list(config.invocation_params.args)
    statuses, documents, junits = [], [], []
    if settings.archive is not None and settings.is_live:
        (scratch / "http").mkdir()
    for n in range(1, settings.iterations + 1):
        print(f"\n=== azurestack soak: iteration {n} of {settings.iterations} ===", flush=True)
        report, junit = scratch / f"iteration-{n}.json", scratch / f"junit-{n}.xml"
        env = {**os.environ, SOAK_ITERATION_ENV: str(n)}
        env.pop("AZURESTACK_RUN_ID", None)  # every iteration is a run of its own
        if (scratch / "http").is_dir():
            env[HTTP_LOG_ENV] = str(scratch / "http")
        command = [
            sys.executable,
            "-m",
            "pytest",
            *args,
            f"--azurestack-report-json={report}",
            f"--junitxml={junit}",
        ]
        statuses.append(
            subprocess.run(command, cwd=config.invocation_params.dir, env=env, check=False).returncode
        )
        if report.is_file():
            documents.append(json.loads(report.read_text(encoding="utf-8")))
        junits.append(junit)
    if not documents:
        print("azurestack soak: no iteration wrote a report (see the output above)")
        return max(statuses, default=1) or 1
    document = merge(documents, settings.iterations)
    print(f"\n=== azurestack soak: {settings.iterations} iterations ===")
    for line in summary_lines(document["soak"]):
        print(line)
    if settings.report_json is not None:
        json_report.write(settings.report_json, document)
        print(f"soak results written to {settings.report_json}")
    if settings.report_html is not None:
        html_report.write(settings.report_html, document)
        print(f"HTML report written to {settings.report_html}")
    junit_xml = merge_junit(junits)
    given_junit = getattr(config.option, "xmlpath", None)
    if given_junit:
        json_report.write_text(Path(given_junit), junit_xml.decode("utf-8"))
    if settings.archive is not None:
        members = {
            "configuration.json": archive.as_json(configuration.effective(config)),
            "results.json": archive.as_json(document),
            "report.html": html_report.render(document).encode("utf-8"),
            "junit.xml": junit_xml,
        }
        if (scratch / "http").is_dir():
            members["http-log.json"] = archive.as_json(http_log.collect(scratch / "http"))
        archive.write(settings.archive, members, folder="azurestack-soak")
        print(f"run archive written to {settings.archive}")
    failed = [s for s in statuses if s != 0]
    return failed[0] if failed else 0
