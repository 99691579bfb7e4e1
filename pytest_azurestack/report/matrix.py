"""The conformance matrix: operations as rows, profiles as columns, totals, then the reasons.

Rendering returns lines of (text, markup) segments, so the plugin can colour them through the
terminal reporter exactly like pytest does, and tests can read them as plain text. Profile
columns that do not fit the terminal width go to a second table instead of wrapping; the titles
get their full width when that costs at most one more table (see ``_layout``).

A pass whose requests pin mode rewrote to the profile's api-version reads ``passed*``: the cloud
did not accept what the SDK sent, and a note lists the rewritten requests.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from ..verdicts import Outcome
from .results import Result, Results

Markup = dict[str, bool]
Segment = tuple[str, Markup]
Line = list[Segment]

MARKUP: dict[Outcome, Markup] = {
    Outcome.PASSED: {"green": True},
    Outcome.FAILED: {"red": True, "bold": True},
    Outcome.NOT_SUPPORTED: {"purple": True},
    Outcome.NOT_RUN: {"yellow": True},
    Outcome.EXCLUDED: {"cyan": True},
    Outcome.SKIPPED: {"yellow": True},
    Outcome.XFAILED: {"yellow": True},
}
TIMED = (Outcome.PASSED, Outcome.FAILED, Outcome.XFAILED)
GAP = "  "
LABEL = "operation"
MIN_TITLE = 8
MAX_NOTE_LINES = 4
PINNED_MARK = "*"
EXTRA_TABLES_FOR_TITLES = 1  # full titles are worth one more table, not a table per profile


def format_duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 100:
        return f"{seconds:.0f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02d}s"


def cell_text(result: Result | None) -> str:
    if result is None:
        return "-"
    verdict = result.outcome.value + (PINNED_MARK if result.pinned else "")
    if result.outcome in TIMED:
        return f"{verdict} {format_duration(result.duration)}"
    return verdict


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "\u2026"


def _chunks(widths: Sequence[int], room: int) -> list[list[int]]:
    """Column indices per table so that each table's columns fit in ``room``."""
    chunks: list[list[int]] = [[]]
    used = 0
    for i, w in enumerate(widths):
        if chunks[-1] and used + len(GAP) + w > room:
            chunks.append([])
            used = 0
        chunks[-1].append(i)
        used += len(GAP) + w
    return chunks


def _layout(col_widths: Sequence[int], id_width: int, title_width: int, width: int) -> list[list[int]]:
    """The tables' columns: as few tables as possible, then as much room for titles as possible.

    The titles get their full width if that costs at most ``EXTRA_TABLES_FOR_TITLES`` more
    tables; otherwise the fewest tables, with the widest titles those tables leave room for.
    """
    fewest = _chunks(col_widths, width - id_width)
    widest = max(col_widths, default=0) + len(GAP)
    for title in range(title_width, MIN_TITLE - 1, -1):
        room = width - id_width - 1 - title
        if room < widest:
            continue
        chunks = _chunks(col_widths, room)
        limit = len(fewest) + (EXTRA_TABLES_FOR_TITLES if title == title_width else 0)
        if len(chunks) <= limit:
            return chunks
    return fewest


def render(results: Results, width: int = 120) -> list[Line]:
    """The matrix, its totals and the notes (every verdict other than passed, with its reason)."""
    profiles = results.profiles()
    operations = results.operations()
    if not operations:
        return []
    cells = {(r.conformance_id, r.profile): r for r in results}
    id_width = max(len(LABEL), *(len(cid) for cid, _ in operations), len("not supported"))
    col_widths = [
        max(len(p), *(len(cell_text(cells.get((cid, p)))) for cid, _ in operations), 5) for p in profiles
    ]
    lines: list[Line] = []
    full_title = max(len(t) for _, t in operations)
    for chunk in _layout(col_widths, id_width, full_title, width):
        cols_width = sum(len(GAP) + col_widths[i] for i in chunk)
        title_width = min(width - id_width - cols_width - 1, full_title)
        label_width = id_width + (1 + title_width if title_width >= MIN_TITLE else 0)
        if lines:
            lines.append([("", {})])
        header: Line = [(LABEL.ljust(label_width), {"bold": True})]
        header += [(GAP + profiles[i].ljust(col_widths[i]), {"bold": True}) for i in chunk]
        lines.append(header)
        for cid, title in operations:
            label = cid.ljust(id_width)
            if title_width >= MIN_TITLE:
                label += " " + _fit(title, title_width).ljust(title_width)
            row: Line = [(label, {})]
            for i in chunk:
                result = cells.get((cid, profiles[i]))
                markup = MARKUP[result.outcome] if result else {}
                row.append((GAP + cell_text(result).ljust(col_widths[i]), markup))
            lines.append(row)
        lines.append([("-" * (label_width + cols_width), {})])
        lines.extend(
            _totals(results, [profiles[i] for i in chunk], [col_widths[i] for i in chunk], label_width)
        )
    notes = _notes(results, profiles, width)
    if notes:
        lines.append([("", {})])
        lines.extend(notes)
    return lines


def _totals(results: Results, profiles: list[str], widths: list[int], label_width: int) -> list[Line]:
    totals = results.totals()
    durations = results.durations()
    present = [o for o in Outcome if any(totals[p][o] for p in totals)]
    lines: list[Line] = []
    for outcome in present:
        row: Line = [(outcome.value.ljust(label_width), {"bold": True})]
        for p, w in zip(profiles, widths, strict=True):
            count = totals[p][outcome]
            row.append((GAP + str(count).ljust(w), MARKUP[outcome] if count else {}))
        lines.append(row)
    time_row: Line = [("time".ljust(label_width), {"bold": True})]
    time_row += [
        (GAP + format_duration(durations[p]).ljust(w), {}) for p, w in zip(profiles, widths, strict=True)
    ]
    lines.append(time_row)
    wire = results.wire_totals()
    if any(row["requests"] for row in wire.values()):  # what the wire showed (metrics.meter)
        for label, key, show in (
            ("requests", "requests", lambda v: str(int(v))),
            ("retries (429/5xx)", "retries", lambda v: str(int(v))),
            ("LRO wait", "lro_wait", format_duration),
        ):
            wire_row: Line = [(label.ljust(label_width), {"bold": True})]
            for p, w in zip(profiles, widths, strict=True):
                markup = {"yellow": True} if key == "retries" and wire[p][key] else {}
                wire_row.append((GAP + show(wire[p][key]).ljust(w), markup))
            lines.append(wire_row)
    return lines


def _scope(where: Sequence[str], profiles: Sequence[str]) -> str:
    return "all profiles" if len(profiles) > 1 and set(where) == set(profiles) else ", ".join(where)


def _root_cause(reason: str) -> str:
    """What ultimately blocked a "not run" test: ``AZS-X not supported``."""
    found = re.search(r"\(because (.+)\)$", reason)
    return found.group(1) if found else reason.removeprefix("not run: prerequisite ")


def _note(head: str, text: str, outcome: Outcome, width: int, max_lines: int = MAX_NOTE_LINES) -> list[Line]:
    wrapped = textwrap.wrap(
        text,
        width=max(width - len(head), 40),
        max_lines=max_lines,
        placeholder=" \u2026",
        break_on_hyphens=False,  # never split a conformance id
    )
    return [
        [(head if n == 0 else " " * len(head), {"bold": n == 0}), (chunk, MARKUP[outcome])]
        for n, chunk in enumerate(wrapped or [""])
    ]


_QUOTED = re.compile(r"'[^']*'")
# A "not supported" verdict inherited from a refused prerequisite (conformance/prerequisites.py).
_INHERITED_REFUSAL = re.compile(r"\(prerequisite (\S+)\)$")


def fold_key(outcome: Outcome, reason: str) -> str:
    """What makes two reasons "the same" for folding: a refusal's shape, without its quoted values
    (the api-version and type a "not supported" names differ by operation); anything else as is."""
    if outcome is Outcome.NOT_SUPPORTED:
        return _QUOTED.sub("'\u2026'", _INHERITED_REFUSAL.sub("", reason).rstrip())
    return reason


def _first_sentence(text: str) -> str:
    found = re.search(r"\.(\s|$)", text)
    return text[: found.start() + 1] if found else text


def _fold(
    grouped: dict[tuple[str, Outcome, str], list[str]],
) -> dict[tuple[Outcome, str], list[tuple[str, str, list[str]]]]:
    """(outcome, fold key) -> [(conformance id, reason, profiles)], in first-seen order."""
    folded: dict[tuple[Outcome, str], list[tuple[str, str, list[str]]]] = {}
    for (cid, outcome, reason), where in grouped.items():
        folded.setdefault((outcome, fold_key(outcome, reason)), []).append((cid, reason, where))
    return folded


def _verdict_text(outcome: Outcome, reason: str) -> str:
    verdict = outcome.value
    if outcome is Outcome.EXCLUDED:
        return f"{verdict} ({reason})"
    if reason.startswith(verdict) or not reason:
        return reason or verdict
    return f"{verdict}: {reason}"


def _folded_note(
    notes: list[tuple[str, str, list[str]]],
    outcome: Outcome,
    profiles: list[str],
    width: int,
    order: dict[str, int],
) -> list[Line]:
    """One note for every test that shares a reason: its reason once, then the tests it names."""
    if len(notes) == 1:
        cid, reason, where = notes[0]
        return _note(f"{cid} [{_scope(where, profiles)}] ", _verdict_text(outcome, reason), outcome, width)
    where = list(dict.fromkeys(p for _, _, ps in notes for p in ps))
    reasons = list(dict.fromkeys(_INHERITED_REFUSAL.sub("", reason).rstrip() for _, reason, _ in notes))
    if len(reasons) == 1:
        text = _verdict_text(outcome, reasons[0])
    else:  # the shape once; each reason in full is in the JSON and HTML reports
        text = _verdict_text(outcome, _first_sentence(fold_key(outcome, reasons[0])))
        text += f" ({len(reasons)} variants: see the JSON/HTML report)"
    ids = ", ".join(sorted((cid for cid, _, _ in notes), key=lambda cid: order.get(cid, len(order))))
    text += " Tests: " if text.endswith(".") else ": "
    head = f"{len(notes)} tests [{_scope(where, profiles)}] "
    # Every id is named: the note is as long as its list of tests needs.
    return _note(head, text + ids, outcome, width, max_lines=MAX_NOTE_LINES + len(notes))


def _notes(results: Results, profiles: list[str], width: int) -> list[Line]:
    """Every verdict other than passed, with its reason and the profiles it applies to.

    Tests blocked by the same root cause are listed together, so one refusal under ``latest`` is
    one note, not one per dependant.
    """
    ordered = sorted(results, key=lambda r: r.location)
    order = {cid: n for n, (cid, _) in enumerate(results.operations())}
    grouped: dict[tuple[str, Outcome, str], list[str]] = {}
    blocked: dict[tuple[str, str], list[Result]] = {}  # (root cause, profile) -> not-run results
    pinned: dict[str, list[Result]] = {}  # conformance id -> passes with pinned requests
    for r in ordered:
        inherited = _INHERITED_REFUSAL.search(r.reason) if r.outcome is Outcome.NOT_SUPPORTED else None
        if r.outcome is Outcome.NOT_RUN:
            blocked.setdefault((_root_cause(r.reason), r.profile), []).append(r)
        elif inherited:
            refused = f"not supported, as {inherited.group(1)} was refused"
            blocked.setdefault((refused, r.profile), []).append(r)
        elif r.outcome is not Outcome.PASSED:
            grouped.setdefault((r.conformance_id, r.outcome, r.reason), []).append(r.profile)
        if r.pinned and r.outcome is Outcome.PASSED:
            pinned.setdefault(r.conformance_id, []).append(r)
    merged: dict[tuple[str, tuple[str, ...]], tuple[list[str], str]] = {}  # (root, ids) -> (profiles, reason)
    for (root, profile), blocked_results in blocked.items():
        ids = tuple(r.conformance_id for r in blocked_results)
        merged.setdefault((root, ids), ([], blocked_results[0].reason))[0].append(profile)
    for (root, ids), (where, reason) in list(merged.items()):
        if len(ids) == 1 and root.startswith("not supported"):
            # One test refused through its prerequisite: folded with the refusals it repeats.
            grouped.setdefault((ids[0], Outcome.NOT_SUPPORTED, reason), []).extend(where)
            del merged[(root, ids)]
    lines: list[Line] = []
    for (outcome, _), notes in _fold(grouped).items():
        lines += _folded_note(notes, outcome, profiles, width, order)
    for (root, ids), (where, reason) in merged.items():
        scope = _scope(where, profiles)
        outcome = Outcome.NOT_SUPPORTED if root.startswith("not supported") else Outcome.NOT_RUN
        if len(ids) == 1:
            lines += _note(f"{ids[0]} [{scope}] ", reason, outcome, width)
        else:
            because = root if outcome is Outcome.NOT_SUPPORTED else f"not run because {root}"
            text = f"{because}: {', '.join(ids)}"
            lines += _note(f"{len(ids)} tests [{scope}] ", text, outcome, width, max_lines=8)
    for r in ordered:  # a caveat: the stamp throttled or failed requests that a retry recovered
        if r.retries:
            statuses = ", ".join(
                f"{status} x{n}" for status, n in sorted(r.timings.get("retried", {}).items())
            )
            text = f"{r.retries} request(s) re-sent after {statuses or 'a retryable answer'}"
            lines += _note(f"{r.conformance_id} [{r.profile}] ", text, Outcome.SKIPPED, width)
    for cid, pinned_results in pinned.items():  # last: a caveat on a pass, not a problem
        requests = list(dict.fromkeys(req for r in pinned_results for req in r.pinned))
        text = (
            f"passed{PINNED_MARK} (pinned): only with {len(requests)} request(s) rewritten to the "
            f"profile's api-version: {'; '.join(requests)}"
        )
        scope = _scope([r.profile for r in pinned_results], profiles)
        lines += _note(f"{cid} [{scope}] ", text, Outcome.SKIPPED, width)
    return lines


def plain(lines: list[Line]) -> str:
    """The rendered matrix without colours (for tests and logs)."""
    return "\n".join("".join(text for text, _ in line).rstrip() for line in lines)
