"""Opening one test's cassette: replayed (playback), recorded (a live run that records), or
bypassed (a live run that records nothing, or ``once`` with the cassette already there), with its
scrubber, its persister and its recorded variables."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ..errors import CassetteError
from ..options import Settings
from .adapter import mark_changed, write_protected
from .config import build_vcr, cassette_path, display_path
from .items import module_and_test, rerecord_command
from .names import RecordedVariables
from .persister import CassetteFile, provenance
from .sanitize import MIN_RUN_ID_LENGTH, RunValues, Scrubber
from .session import RecordingSession


@contextmanager
def open_session(
    settings: Settings, item: pytest.Item, profile: str, discovered: Callable[[], dict[str, Any]]
) -> Iterator[RecordingSession]:
    """The test's recording session, its cassette open (None when bypassed) until the block ends.

    ``discovered``: endpoints and ids the run found (the emulator's, say), scrubbed from what is
    recorded; asked for only when recording.
    """
    module, test = module_and_test(item, profile)
    path = cassette_path(settings.cassette_dir, profile, module, test)
    keep_existing = settings.record_mode == "once" and path.is_file()
    if settings.is_live and (not settings.recording or keep_existing):
        yield RecordingSession(RecordedVariables({}, frozen=False))
        return
    rerecord = rerecord_command(item, profile)
    _check(settings, item, path, rerecord)
    values = RunValues.from_environment(settings.run_id, **(discovered() if settings.recording else {}))
    scrubber = Scrubber(values, drop_identity_traffic=settings.recording)
    store = CassetteFile(
        path,
        fresh=settings.record_mode == "rewrite",
        provenance=provenance(
            target=settings.target,
            endpoint=scrubber.text(values.arm_endpoint),
            profile=profile,
            record_mode=settings.record_mode,
            test=item.nodeid,
            emulator_build=settings.emulator_build,
        ),
        forbidden=[(what, value) for what, value, _ in values.replacements()],
        required=not settings.is_live,
        rerecord=rerecord,
    )
    recorder = build_vcr(settings, scrubber)
    # Registered, not passed to use_cassette: vcrpy below 9.1 ignores use_cassette(persister=...).
    recorder.register_persister(store)
    with recorder.use_cassette(str(path)) as cassette:
        variables = RecordedVariables(
            store.variables,
            frozen=write_protected(cassette),
            rerecord_hint=f"re-record: {rerecord}",
            on_change=lambda: mark_changed(cassette),  # new variables alone are worth saving
        )
        yield RecordingSession(variables, cassette, store, rerecord)


def _check(settings: Settings, item: pytest.Item, path: Path, rerecord: str) -> None:
    """Playback needs the cassette; recording needs a run id long enough to scrub."""
    if not settings.is_live and not path.is_file():
        raise CassetteError(
            f"no cassette for {item.nodeid}: looked for {display_path(path)}",
            f"record it with its module: {rerecord}",
        )
    if settings.recording and len(settings.run_id) < MIN_RUN_ID_LENGTH:
        raise CassetteError(
            f"run id {settings.run_id!r} is too short to be scrubbed from recordings",
            f"unset AZURESTACK_RUN_ID or give it at least {MIN_RUN_ID_LENGTH} characters",
        )
