"""The wire-change report at the end of a run: every change the upgrade gate found, by operation.

What a reviewer of an SDK upgrade acts on: for each operation and profile, each request that
changed (api-version, query, body, the headers that matter), recorded against sent, and the SDK
versions the cassettes were recorded with next to the installed ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..packages import installed_versions
from ..recording.gate import SDK_PREFIX
from ..recording.wire import WireChange, summary_lines
from .results import Result

TITLE = "azurestack: wire changes"


def _sdks(versions: Mapping[str, str]) -> str:
    named = [f"{n} {v}" for n, v in sorted(versions.items()) if n.startswith(SDK_PREFIX)]
    return ", ".join(named) or "unknown"


def render(results: Iterable[Result]) -> list[str]:
    """The section's lines; none when no operation's wire changed."""
    changed = sorted((r for r in results if r.wire_changes), key=lambda r: (r.profile, r.location))
    if not changed:
        return []
    total = sum(len(r.wire_changes) for r in changed)
    recorded = {_sdks(r.recorded_with) for r in changed}
    lines = [
        f"{total} request change(s) in {len(changed)} operation(s) (full list in the JSON report)",
        f"cassettes recorded with: {'; '.join(sorted(recorded))}",
        f"installed:               {_sdks(installed_versions())}",
    ]
    for result in changed:
        lines.append(f"{result.conformance_id} [{result.profile}] {result.outcome.value}")
        changes = [WireChange.from_dict(c) for c in result.wire_changes]
        for text in summary_lines(changes):
            lines += [f"  {row}" for row in text.splitlines()]
    return lines
