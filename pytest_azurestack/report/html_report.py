"""The HTML report: one self-contained page built from the JSON report's document.

No network, no CDN, no script: inline CSS and an inline SVG timeline. Everything from the run is
escaped by Jinja2's autoescaping. Facts are rendered generically, so whatever key/value facts a
document carries (``run``, and ``stamp`` when the stamp was described) appear without this module
knowing them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from ..verdicts import Outcome
from . import timeline
from .json_report import write_text

TEMPLATES = Path(__file__).with_name("templates")
CSS_CLASS = {o.value: o.name.lower().replace("_", "-") for o in Outcome}
# Run facts shown first, in this order; any other key follows, as it is.
FIRST_FACTS = (
    "target",
    "profiles",
    "run_id",
    "started",
    "finished",
    "duration",
    "exit_status",
    "location",
    "emulator_build",
    "iterations",
)
HIDDEN_FACTS = {"args", "packages", "sdk"}  # shown in their own tables
PROBLEM_ORDER = [
    Outcome.FAILED.value,
    Outcome.NOT_SUPPORTED.value,
    Outcome.NOT_RUN.value,
    Outcome.SKIPPED.value,
    Outcome.XFAILED.value,
    Outcome.EXCLUDED.value,
]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def fact_text(value: Any) -> str:
    """A fact's value on one line: lists joined, nested mappings as ``key: value`` pairs."""
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {fact_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(fact_text(v) for v in value)
    if value is None:
        return "-"
    return str(value)


def facts(
    section: Mapping[str, Any], first: tuple[str, ...] = (), hidden: set[str] | None = None
) -> list[tuple[str, str]]:
    keys = [k for k in first if k in section] + [k for k in section if k not in first]
    return [(k.replace("_", " "), fact_text(section[k])) for k in keys if k not in (hidden or set())]


def _matrix(results: list[dict[str, Any]], run_profiles: list[str]) -> dict[str, Any]:
    seen = list(dict.fromkeys(r["profile"] for r in results))
    profiles = [p for p in run_profiles if p in seen] + [p for p in seen if p not in run_profiles]
    rows: dict[str, dict[str, Any]] = {}
    severity = {o: n for n, o in enumerate(PROBLEM_ORDER)}
    for r in results:
        row = rows.setdefault(r["id"], {"id": r["id"], "title": r["title"], "cells": {}})
        cell = row["cells"].setdefault(r["profile"], {"runs": []})
        cell["runs"].append(r)
    for row in rows.values():
        for cell in row["cells"].values():
            runs = cell["runs"]
            # A soak's cell: its worst verdict over the iterations, and how many passed.
            cell["worst"] = min(runs, key=lambda r: severity.get(r["outcome"], len(severity)))
            cell["passed"] = sum(r["outcome"] == Outcome.PASSED.value for r in runs)
    return {"profiles": profiles, "rows": list(rows.values())}


def _problems(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every verdict but passed, grouped by identical reason: failures first, then by profile,
    in the matrix's row order."""
    order = {o: n for n, o in enumerate(PROBLEM_ORDER)}
    rows = {cid: n for n, cid in enumerate(dict.fromkeys(r["id"] for r in results))}
    problems = [r for r in results if r["outcome"] != Outcome.PASSED.value]
    problems.sort(
        key=lambda r: (
            order.get(r["outcome"], len(order)),
            r["profile"],
            r.get("iteration", 0),
            rows[r["id"]],
        )
    )
    # One block per verdict and reason, word for word, listing every test it applies to.
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for r in problems:
        key = (r["outcome"], r["reason"])
        groups.setdefault(key, {"outcome": r["outcome"], "reason": r["reason"], "tests": []})["tests"].append(
            r
        )
    return list(groups.values())


def render(document: Mapping[str, Any]) -> str:
    results: list[dict[str, Any]] = list(document.get("results", []))
    run: Mapping[str, Any] = document.get("run", {})
    counts: dict[str, int] = {}
    for r in results:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    chart = timeline.build(results)
    sdk: Mapping[str, Any] = run.get("sdk") or {}
    installed: Mapping[str, Any] = run.get("packages") or {}
    packages = {name: version for name, version in installed.items() if name not in sdk}
    template = _environment().get_template("report.html.j2")
    return template.render(
        run=run,
        run_facts=facts(run, FIRST_FACTS, HIDDEN_FACTS),
        stamp_facts=facts(document["stamp"]) if isinstance(document.get("stamp"), Mapping) else [],
        sdk=sdk,
        packages=packages,
        counts=counts,
        outcomes=[o.value for o in Outcome],
        css=CSS_CLASS,
        matrix=_matrix(results, [str(p) for p in run.get("profiles") or []]),
        totals=document.get("totals", {}),
        problems=_problems(results),
        timed=[r for r in results if (r.get("timings") or {}).get("requests")],
        timeline=chart,
        row_labels=timeline.row_labels(chart) if chart else [],
        soak=document.get("soak"),
        fact_text=fact_text,
        schema=document.get("schema", ""),
    )


def write(path: Path, document: Mapping[str, Any]) -> None:
    write_text(path, render(document))
