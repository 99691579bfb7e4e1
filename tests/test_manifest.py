"""The VM conformance suite and its checked-in manifest agree (ids, titles, descriptions, prerequisites).

When this fails, the message lists every added, removed or changed id. If the change is intended,
review it and regenerate the manifest:

    python -m pytest_azurestack.conformance --write-manifest suites/
"""

from __future__ import annotations

from pathlib import Path

from pytest_azurestack.conformance.manifest import assert_manifest_matches

SUITE = Path(__file__).resolve().parent.parent / "suites"


def test_suite_matches_its_manifest() -> None:
    assert_manifest_matches(SUITE)
