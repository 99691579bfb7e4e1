"""What one test's cassette fixture leaves for the report hooks (the recording plugin's and the
core plugin's upgrade gate), in a module of its own so importing it registers no plugin."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from vcr.cassette import Cassette

from .config import display_path
from .names import RecordedVariables
from .persister import CassetteFile


@dataclass
class RecordingSession:
    """What one test's cassette fixture leaves for the report hooks."""

    variables: RecordedVariables
    cassette: Cassette | None = None
    store: CassetteFile | None = None
    rerecord: str = ""
    failed: bool = False


SESSION_KEY = pytest.StashKey[RecordingSession]()


def replayed_cassette(item: pytest.Item) -> tuple[dict[str, str], str, str] | None:
    """(SDK versions it was recorded with, its path, the command that re-records it) of the
    cassette ``item`` replays, or None when it replays none."""
    session = item.stash.get(SESSION_KEY, None)
    if session is None or session.store is None:
        return None
    made = session.store.loaded_metadata.get("provenance") or {}
    packages = made.get("packages") if isinstance(made, dict) else None
    recorded = {str(k): str(v) for k, v in (packages or {}).items()}
    return recorded, display_path(session.store.path), session.rerecord
