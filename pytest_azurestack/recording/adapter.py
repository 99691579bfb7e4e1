"""The one place that reaches into vcrpy's and azure-core's private API.

Playback answers requests in memory from the cassette vcrpy loaded, without the requests/urllib3
stack vcrpy would fake a socket under, and the persister reads and writes vcrpy's cassette format
itself. Both need what neither library documents: vcrpy's cassette state (its interactions, play
counts, matchers, file path, play bookkeeping), its request (de)serialization and body reader,
and azure-core's requests-based response classes. Every such access is here and nowhere else, so
an upgrade that moves one of them breaks this module only; ``missing()`` names what is gone, and
tests/test_adapter.py runs it and pins the versions it was checked against (``CHECKED``).

vcrpy 7.0 to 9.x are supported. For ``drop_unused_requests`` vcrpy 9 remembers a loaded
interaction on its first play (and counts the loaded ones), vcrpy 8 every play, and vcrpy 7 keeps
no such list: that state is read with getattr, and required only from the release that has it.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from importlib import metadata
from typing import Any

import requests
from vcr.cassette import Cassette
from vcr.request import Request
from vcr.serializers import compat
from vcr.util import read_body as _read_body

# (oldest, newest) release each private here was checked against: the tox floors env and the newest.
CHECKED: dict[str, tuple[str, str]] = {"vcrpy": ("7.0.0", "9.4.2"), "azure-core": ("1.30.0", "1.41.0")}

Interaction = tuple[Request, dict[str, Any]]

# vcrpy: the state of a Cassette playback reads and books plays in (every supported release).
_CASSETTE_STATE = (
    "_path",
    "_match_on",
    "data",
    "play_counts",
    "allow_playback_repeats",
    "dirty",
    "write_protected",
    "filter_request",
    "play_response",
)
# The interactions played (for drop_unused_requests; vcrpy 8+), how many came from the file (9+).
_PLAYED_STATE = {"_played_interactions": 8, "_loaded_count": 9}
VCRPY_MAJOR = int(metadata.version("vcrpy").split(".")[0])


def _private(module: str, name: str) -> Any:
    """``module.name``, or None when the installed release has no such thing (see ``missing``)."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


# azure-core: how a legacy HttpRequest is told from an azure.core.rest one, and the response of each.
_AZURE_CORE = {
    "azure.core.pipeline._tools.is_rest": ("azure.core.pipeline._tools", "is_rest"),
    "azure.core.pipeline.transport._requests_basic.RequestsTransportResponse": (
        "azure.core.pipeline.transport._requests_basic",
        "RequestsTransportResponse",
    ),
    "azure.core.rest._requests_basic.RestRequestsTransportResponse": (
        "azure.core.rest._requests_basic",
        "RestRequestsTransportResponse",
    ),
}
_is_rest, _LegacyResponse, _RestResponse = (_private(*where) for where in _AZURE_CORE.values())


def missing() -> list[str]:
    """Every private this module uses that the installed vcrpy or azure-core lacks ([]: none)."""
    probe = Cassette("probe.yaml", record_mode="none")  # reads no file until it is loaded
    gone = _lacking(probe, "vcr.cassette.Cassette", _CASSETTE_STATE)
    since = [name for name, major in _PLAYED_STATE.items() if major <= VCRPY_MAJOR]
    gone += _lacking(probe, "vcr.cassette.Cassette", since)
    gone += _lacking(Request, "vcr.request.Request", ("_from_dict", "_to_dict"))
    gone += _lacking(compat, "vcr.serializers.compat", ("convert_to_bytes", "convert_to_unicode"))
    found = (_is_rest, _LegacyResponse, _RestResponse)
    gone += [name for name, value in zip(_AZURE_CORE, found, strict=True) if value is None]
    return gone


def _lacking(owner: Any, label: str, names: Sequence[str]) -> list[str]:
    return [f"{label}.{name}" for name in names if not hasattr(owner, name)]


# -- vcrpy: a cassette's state ------------------------------------------------------------------
def cassette_file(cassette: Any) -> str:
    """The path vcrpy loads the cassette from (what a miss report names)."""
    return str(cassette._path)


def matchers_of(cassette: Any) -> Sequence[Any] | None:
    """The matcher functions the cassette compares requests with; None when it has none."""
    return getattr(cassette, "_match_on", None)


def has_play_state(cassette: Any) -> bool:
    """True when the cassette keeps its plays the way ``book_play`` books them."""
    return all(hasattr(cassette, name) for name in ("data", "play_counts", "allow_playback_repeats"))


def interactions(cassette: Any) -> Sequence[Interaction]:
    """The cassette's (request, response) pairs, in recorded order."""
    data: Sequence[Interaction] = cassette.data
    return data


def play_count(cassette: Any, index: int) -> int:
    return int(cassette.play_counts[index])


def repeats_allowed(cassette: Any) -> bool:
    return bool(cassette.allow_playback_repeats)


def book_play(cassette: Any, index: int) -> Interaction:
    """Book interaction ``index`` as played, as vcrpy's ``play_response`` does; return it."""
    recorded, response = cassette.data[index]
    # For drop_unused_requests vcrpy 9 remembers a loaded interaction on its first play,
    # vcrpy 8 every play; vcrpy 7 and older keep no such list.
    played = getattr(cassette, "_played_interactions", None)
    first_load = cassette.play_counts[index] == 0 and index < getattr(cassette, "_loaded_count", 0)
    if played is not None and (first_load or VCRPY_MAJOR < 9):
        played.append((recorded, response))
    cassette.play_counts[index] += 1
    return recorded, response


def scrubbed(cassette: Any, request: Request) -> Request | None:
    """``request`` as the cassette's recorder filters it (None: a request it ignores)."""
    filtered: Request | None = cassette.filter_request(request)
    return filtered


def write_protected(cassette: Any) -> bool:
    """True when the cassette records nothing (playback, or ``once`` with a file)."""
    return bool(cassette.write_protected)


def mark_changed(cassette: Any) -> None:
    """Make vcrpy save the cassette at exit although no interaction was added."""
    cassette.dirty = True


# -- vcrpy: requests and the cassette format ----------------------------------------------------
def read_body(request: Request) -> Any:
    """The body as vcrpy's matchers read it (a file-like body read, an iterator materialized)."""
    return _read_body(request)


def request_from_dict(data: Any) -> Request:
    return Request._from_dict(data)


def request_to_dict(request: Request) -> Any:
    return compat.convert_to_unicode(request._to_dict())


def response_from_dict(data: Any) -> dict[str, Any]:
    converted: dict[str, Any] = compat.convert_to_bytes(data)
    return converted


def response_to_dict(response: Any) -> Any:
    return compat.convert_to_unicode(response)


class LiveRequest(Request):
    """A request as vcrpy sees it, built by playback from the request about to be sent.

    vcrpy deep-copies a request before scrubbing it; this one's method, URL and body are immutable
    (playback passes only bytes, str or None) and its headers a plain dict of strings, so a new
    request from the same values is that copy, made without ``copy.deepcopy``'s generic walk.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> Request:
        return Request(self.method, self.uri, self.body, dict(self.headers))


# -- azure-core ---------------------------------------------------------------------------------
def azure_response(request: Any, raw: requests.Response, block_size: int, *, stream: bool) -> Any:
    """The azure-core response a ``RequestsTransport`` would return for ``raw``; read unless streamed."""
    if _is_rest is None or _LegacyResponse is None or _RestResponse is None:
        raise RuntimeError(f"this azure-core lacks what in-memory playback builds on: {', '.join(missing())}")
    if not _is_rest(request):  # azure-core's legacy HttpRequest
        return _LegacyResponse(request, raw, block_size)
    response = _RestResponse(request=request, internal_response=raw, block_size=block_size)
    if not stream:
        response.read()
        response.close()
    return response
