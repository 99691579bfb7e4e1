"""Name seeds: the random part of a test's names, recorded in its cassette.

A test's own names use a seed of its own (``NAMES_SEED``); a scenario's shared names (a VM's lab,
used by every test of one profile and module) use one seed per profile and module for a whole
recording session (``LAB_SEED``). Re-recording some tests of a scenario reuses the seed already in
their sibling cassettes, so all the scenario's cassettes keep naming the same resources.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from .persister import read_metadata

NAMES_SEED = "names-seed"
LAB_SEED = "lab-seed"


def new_seed() -> str:
    return secrets.token_hex(4)


def recorded_lab_seed(siblings: Path) -> str | None:
    """The lab seed of the first cassette in ``siblings`` that has one (in name order), or None."""
    if not siblings.is_dir():
        return None
    for path in sorted(siblings.glob("*.yaml")):
        try:
            found = read_metadata(path).get("variables", {}).get(LAB_SEED)
        except Exception:  # a damaged sibling only means no seed to reuse
            continue
        if found:
            return str(found)
    return None


class LabSeeds:
    """One lab seed per scenario key for a whole session; ``reuse``: look in sibling cassettes first."""

    def __init__(self, *, reuse: bool) -> None:
        self._reuse = reuse
        self._seeds: dict[str, str] = {}

    def seed(self, key: str, siblings: Path) -> str:
        if key not in self._seeds:
            found = recorded_lab_seed(siblings) if self._reuse else None
            self._seeds[key] = found or new_seed()
        return self._seeds[key]
