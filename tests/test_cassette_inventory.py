"""The committed cassettes and the suite agree: every suite test under every recorded profile has
its cassette, and no cassette is left over from a test that was renamed or removed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from pytest_azurestack.recording.config import CASSETTE_SUFFIX, cassette_path
from pytest_azurestack.recording.names import cassette_test_name

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = ROOT / "cassettes"
NODE = re.compile(r"^(?P<path>suites/[^:]+\.py)::(?P<function>[^\[]+)\[(?P<profile>[^\]]+)\]$")


def _collected_suite_tests() -> list[re.Match[str]]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "suites", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return [m for line in result.stdout.splitlines() if (m := NODE.match(line.strip()))]


def test_every_suite_test_has_a_cassette_and_every_cassette_a_test() -> None:
    collected = _collected_suite_tests()
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
