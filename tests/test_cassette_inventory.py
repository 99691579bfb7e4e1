"""The committed cassettes and the suite agree: every suite test under every recorded profile has
its cassette, and no cassette is left over from a test that was renamed or removed."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytest_azurestack.recording.config import CASSETTE_SUFFIX, cassette_path
from pytest_azurestack.recording.names import cassette_test_name

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
NODE = re.compile(r"^(?P<path>suites/[^:]+\.py)::(?P<function>[^\[]+)\[(?P<profile>[^\]]+)\]$")


def _collected_suite_tests(run_suite: Callable[..., Any]) -> list[re.Match[str]]:
    # Every recorded profile, latest too (a playback run covers it only when asked).
    profiles = [f"--azurestack-profile={p.name}" for p in sorted(CASSETTES.iterdir()) if p.is_dir()]
    result = run_suite("--collect-only", "-q", *profiles)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return [m for line in result.stdout.splitlines() if (m := NODE.match(line.strip()))]


def test_every_suite_test_has_a_cassette_and_every_cassette_a_test(run_suite: Callable[..., Any]) -> None:
    collected = _collected_suite_tests(run_suite)
    assert collected, "the suite collected no profile-parametrized tests"
    expected = {
        cassette_path(
            CASSETTES,
            m["profile"],
            Path(m["path"]).stem,
            cassette_test_name(m["function"], None, m["profile"], m["profile"]),
        )
        for m in collected
    }
    on_disk = {p for p in CASSETTES.glob(f"*/*/*{CASSETTE_SUFFIX}")}
    rerecord = "re-record: pytest suites --azurestack-target emulator --azurestack-record-mode rewrite"
    assert sorted(map(str, expected - on_disk)) == [], f"tests without a cassette; {rerecord}"
    assert sorted(map(str, on_disk - expected)) == [], "cassettes of no collected test: delete them"
