"""The cassette file: vcrpy persister with deferred, atomic, checked writes and provenance.

vcrpy calls ``save_cassette`` when the cassette closes, which is before pytest knows whether
the test passed. So the text is only held; :meth:`CassetteFile.commit` writes it (temp file +
``os.replace``), from the teardown report of a test that did not fail, to a staging copy that
``publish`` moves into place with the rest of its group. Before writing, the text is checked for
every secret value of the run: a scrubbing bug can never reach disk.

The file stays a plain vcrpy cassette (``version``, ``interactions``) with one more top-level
key, ``metadata``: ``provenance`` (where and how it was made) and ``variables`` (recorded values).
"""

from __future__ import annotations

import datetime
import os
import platform
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.request import Request

from .. import __version__
from ..errors import CassetteError
from ..packages import installed_versions
from .adapter import request_from_dict, request_to_dict, response_from_dict, response_to_dict

CASSETTE_FORMAT_VERSION = 1  # vcrpy's


def provenance(
    *,
    target: str,
    endpoint: str,
    profile: str,
    record_mode: str,
    test: str,
    emulator_build: str | None = None,
) -> dict[str, Any]:
    """Where and how a cassette was made; ``endpoint`` must already be scrubbed."""
    made: dict[str, Any] = {"target": target, "endpoint": endpoint}
    if target == "emulator":
        made["emulator"] = {"build": emulator_build, "version": __version__}
    made |= {
        "profile": profile,
        "test": test,
        "record_mode": record_mode,
        "pytest_azurestack": __version__,
        "python": platform.python_version(),
        "packages": installed_versions(),
    }
    return made


def read_metadata(path: Path) -> dict[str, Any]:
    """The ``metadata`` of a cassette file ({} when there is none)."""
    from vcr.serializers import yamlserializer

    data = yamlserializer.deserialize(path.read_text(encoding="utf-8"))
    return dict(data.get("metadata") or {}) if isinstance(data, dict) else {}


class CassetteFile:
    """One test's cassette, as a vcrpy persister (an instance per cassette)."""

    def __init__(
        self,
        path: Path,
        *,
        fresh: bool,
        provenance: Mapping[str, Any],
        forbidden: Sequence[tuple[str, str]] = (),
        required: bool = False,
        rerecord: str = "",
    ) -> None:
        self.path = path
        self.required = required  # playback: the file must be a whole cassette
        self.rerecord = rerecord  # the command that re-records it, for error lines
        self.fresh = fresh  # rewrite: ignore what is on disk, record from scratch
        self.provenance = dict(provenance)
        self.forbidden = tuple(forbidden)  # (what, value) that must not be in the written text
        self.variables: dict[str, str] = {}
        self.loaded_metadata: dict[str, Any] = {}
        self.pending: str | None = None

    # -- vcrpy persister interface -------------------------------------------------------------
    def load_cassette(
        self, cassette_path: str, serializer: Any
    ) -> tuple[list[Request], list[dict[str, Any]]]:
        path = Path(cassette_path)
        if self.fresh or not path.is_file():
            raise CassetteNotFoundError()
        text = path.read_text(encoding="utf-8")
        if not text.strip():
            if self.required:  # playback: an empty file is a damaged cassette, not a missing one
                raise CassetteError(f"cassette {path} is empty", self._fix("it was truncated"))
            raise CassetteNotFoundError()
        try:
            data = serializer.deserialize(text)
            interactions = data["interactions"]
        except Exception as exc:  # any parse problem is one line naming the file
            raise CassetteError(
                f"cannot read cassette {path}: {type(exc).__name__}: {exc}".replace("\n", " "),
                self._fix("it was edited or truncated"),
            ) from None
        problem = malformed(interactions)
        if problem is not None:
            raise CassetteError(f"cassette {path} is malformed: {problem}", self._fix("it was edited"))
        self.loaded_metadata = dict(data.get("metadata") or {})
        self.variables.update(
            {str(k): str(v) for k, v in (self.loaded_metadata.get("variables") or {}).items()}
        )
        requests = [request_from_dict(i["request"]) for i in interactions]
        responses = [response_from_dict(i["response"]) for i in interactions]
        return requests, responses

    def _fix(self, what: str) -> str:
        how = f": {self.rerecord}" if self.rerecord else ""
        return f"{what}; re-record it (cassettes are never edited by hand){how}"

    def save_cassette(self, cassette_path: str, cassette_dict: Mapping[str, Any], serializer: Any) -> None:
        interactions = [
            {
                "request": request_to_dict(request),
                "response": response_to_dict(response),
            }
            for request, response in zip(cassette_dict["requests"], cassette_dict["responses"], strict=True)
        ]
        made = dict(self.provenance)
        made["date"] = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
        data = {
            "version": CASSETTE_FORMAT_VERSION,
            "metadata": {"provenance": made, "variables": dict(self.variables)},
            "interactions": interactions,
        }
        self.pending = serializer.serialize(data)

    # -- deferred write ------------------------------------------------------------------------
    def check(self, text: str) -> None:
        """Raise :class:`CassetteError` if any secret value of the run is in ``text``."""
        lowered = text.lower()
        for what, value in self.forbidden:
            if value and value.lower() in lowered:
                raise CassetteError(
                    f"refusing to write {self.path}: it still contains the run's {what} after scrubbing",
                    "nothing was written; this is a scrubbing bug in pytest_azurestack.recording.sanitize",
                )

    def commit(self, to: Path | None = None) -> Path | None:
        """Write the held text atomically to ``to`` (default: the cassette's path, else a staging
        copy); None when there was nothing to write."""
        if self.pending is None:
            return None
        text, self.pending = self.pending, None
        self.check(text)
        path = to or self.path
        write_atomic(path, text)
        return path


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def malformed(interactions: Any) -> str | None:
    """What makes recorded ``interactions`` unusable (a parse that yields the wrong shapes: a null
    header value, a status without a code), or None when each has what playback reads."""
    if not isinstance(interactions, list):
        return f"'interactions' is {type(interactions).__name__}, not a list"
    for n, interaction in enumerate(interactions, start=1):
        request = interaction.get("request") if isinstance(interaction, dict) else None
        response = interaction.get("response") if isinstance(interaction, dict) else None
        if not isinstance(request, dict) or not isinstance(response, dict):
            return f"interaction #{n} lacks its request or response"
        for side, part in (("request", request), ("response", response)):
            headers = part.get("headers", {})
            if not isinstance(headers, dict):
                return f"interaction #{n} {side} headers are not a mapping"
            for name, values in headers.items():
                listed = values if isinstance(values, list) else [values]
                if not all(isinstance(v, str) for v in listed):
                    return (
                        f"interaction #{n} {side} header {name!r} holds a value that is not text: {values!r}"
                    )
        if not isinstance(request.get("method"), str) or not isinstance(request.get("uri"), str):
            return f"interaction #{n} request lacks its method or uri"
        status = response.get("status")
        if not isinstance(status, dict) or not isinstance(status.get("code"), int):
            return f"interaction #{n} response has no status code"
        body = response.get("body")
        if not isinstance(body, dict) or not isinstance(body.get("string", ""), str | bytes):
            return f"interaction #{n} response body is not text"
    return None
