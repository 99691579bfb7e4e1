"""From ``Settings`` to a configured ``vcr.VCR``: record mode, matchers, scrubbers, cassette paths."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import vcr

from ..options import RecordMode, Settings
from .matchers import MATCH_ON, MATCHERS
from .sanitize import Scrubber

CASSETTE_SUFFIX = ".yaml"


def vcr_record_mode(settings: Settings) -> str:
    """vcrpy's record mode: ``none`` in playback, ``all`` whenever a live run records.

    A live target always talks to the server: replaying a scrubbed response into a live run would
    hand the client placeholder hosts, ids and run ids, and a replayed PUT creates nothing for the
    next request to find. So vcrpy's ``new_episodes`` (replay what matches, record the rest) is
    never safe here. The record mode only decides what is written: ``once`` records tests without
    a cassette (a test whose cassette exists runs live, unrecorded), ``all`` and ``new_episodes``
    re-record every test into its cassette, keeping its recorded variables and the interactions
    that were not sent again, ``rewrite`` starts from an empty cassette with new variables.
    """
    return "all" if settings.recording else "none"


def build_vcr(settings: Settings, scrubber: Scrubber) -> vcr.VCR:
    recorder = vcr.VCR(
        record_mode=vcr_record_mode(settings),
        match_on=MATCH_ON,
        before_record_request=scrubber.request,
        before_record_response=scrubber.response,
        # gzip bodies cannot be scrubbed; decoded, they are also readable in review.
        decode_compressed_response=True,
    )
    for name, matcher in MATCHERS.items():
        recorder.register_matcher(name, matcher)
    return recorder


def cassette_path(cassette_dir: Path, profile: str, module: str, test: str) -> Path:
    """``<cassette_dir>/<profile>/<suite module>/<test>.yaml``."""
    return cassette_dir / profile / module / f"{test}{CASSETTE_SUFFIX}"


def display_path(path: Path, start: Path | None = None) -> str:
    """``path`` relative to ``start`` (default: the working directory) when inside it, else absolute."""
    relative = os.path.relpath(path, start)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def record_command(
    module: Path,
    profile: str,
    *,
    cassette_dir: Path,
    default_cassette_dir: Path,
    start: Path | None = None,
    mode: RecordMode = "rewrite",
) -> str:
    """The command that (re-)records a suite module's cassettes under one profile, against the
    embedded emulator (``--azurestack-target live`` records from a real stamp instead).

    The whole module: its tests share server state and a test with prerequisites cannot run
    alone, so a group's cassettes are recorded together. Paths are relative to ``start`` (the
    directory pytest was started in), so the command works pasted there.
    """
    words = ["pytest", display_path(module, start), "--azurestack-target", "emulator"]
    words += ["--azurestack-profile", profile, "--azurestack-record-mode", mode]
    if cassette_dir.resolve() != default_cassette_dir.resolve():
        words += ["--azurestack-cassette-dir", display_path(cassette_dir, start)]
    return shlex.join(words)
