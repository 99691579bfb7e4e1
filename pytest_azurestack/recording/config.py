"""From ``Settings`` to a configured ``vcr.VCR``: record mode, matchers, scrubbers, cassette paths."""

from __future__ import annotations

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
    hand the client placeholder hosts, ids and run ids. The record mode only decides what is
    written: ``once`` records missing cassettes (existing ones are left alone, the test runs live
    unrecorded), ``new_episodes``/``all`` re-record into the cassette keeping interactions that
    were not sent again, ``rewrite`` starts from an empty cassette.
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


def record_command(nodeid: str, profile: str, mode: RecordMode = "rewrite") -> str:
    """The exact command that (re-)records one test's cassette against the embedded emulator."""
    return (
        f"pytest {shlex.quote(nodeid)} --azurestack-target emulator --azurestack-profile {profile} "
        f"--azurestack-record-mode {mode} (or --azurestack-target live for a real stamp)"
    )
