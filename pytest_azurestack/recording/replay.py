"""Playback's one object: a test's cassette answering the requests its transport sends.

The transport hands every request to ``Replayer.respond`` and sends it the ordinary way only when
that returns None. A request is answered in memory, through the cassette's index (``playback``),
with vcrpy's own scrubbing, matching and play counts but without the requests/urllib3 stack vcrpy
would otherwise fake a socket under.

Nothing of a changed request is lost: one that differs from its recording in query, body or
headers is answered with the first unplayed recording of its method and path, and every difference
is kept in ``changes`` (the transport adds the api-versions its guard rewrote), for the upgrade
gate (``gate``) to turn into the test's verdict.
"""

from __future__ import annotations

import io
import threading
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.structures import CaseInsensitiveDict
from vcr.errors import CannotOverwriteExistingCassetteException, UnhandledHTTPRequestError

from ..errors import CassetteError
from . import adapter
from .playback import play_nearest, play_response
from .wire import WireChange, compare

DEFAULT_BLOCK_SIZE = 4096  # azure-core's ConnectionConfiguration default


class Replayer:
    """Answers one test's requests from its vcrpy cassette and keeps every wire change.

    ``cassette=None`` (playback with no cassette active) refuses every request.
    """

    def __init__(self, cassette: Any) -> None:
        self.cassette = cassette
        self.changes: list[WireChange] = []
        self._lock = threading.Lock()  # LRO pollers send from their own threads

    def keep(self, change: WireChange) -> None:
        with self._lock:
            self.changes.append(change)

    def respond(self, request: Any, *, stream: bool = False, block_size: int = DEFAULT_BLOCK_SIZE) -> Any:
        """The cassette's response to ``request`` (azure-core's), or None to send it the ordinary way."""
        if self.cassette is None:
            raise CassetteError(
                f"playback: {request.method} {urlsplit(request.url).path} was sent with no cassette active",
                "use the azurestack client fixtures (they run inside the test's cassette)",
            )
        body = getattr(request, "data", None)
        if getattr(request, "files", None) or not isinstance(body, (bytes, str, type(None))):
            return None  # not a plain body: let vcrpy's patched socket see exactly what requests sends
        live = adapter.LiveRequest(request.method, request.url, body, dict(request.headers))
        scrubbed = adapter.scrubbed(self.cassette, live)
        if scrubbed is None:
            return None  # a request the recorder ignores: vcrpy lets it through, so do we
        try:
            # Scrubbed once, found through the cassette's index (vcrpy's own stub scrubs and scans
            # the whole cassette twice: can_play, then play).
            recorded = play_response(self.cassette, live, scrubbed)
        except UnhandledHTTPRequestError:
            nearest = play_nearest(self.cassette, scrubbed)
            if nearest is None:
                # The same miss vcrpy raises: the recorder's report explains it (closest request, diff).
                raise CannotOverwriteExistingCassetteException(
                    cassette=self.cassette, failed_request=live
                ) from None
            recorded_request, recorded = nearest
            with self._lock:
                self.changes.extend(compare(scrubbed, recorded_request))
        return adapter.azure_response(
            request, _raw_response(request.url, recorded), block_size, stream=stream
        )


def _raw_response(url: str, recorded: dict[str, Any]) -> requests.Response:
    """A ``requests`` response built in memory from a recorded one (vcrpy's cassette format)."""
    raw = requests.Response()
    raw.status_code = int(recorded["status"]["code"])
    raw.reason = recorded["status"].get("message", "")
    headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
    for name, values in recorded.get("headers", {}).items():
        headers[name] = ", ".join(values) if isinstance(values, list) else str(values)
    raw.headers = headers
    body = recorded.get("body", {}).get("string", b"")
    raw.raw = io.BytesIO(body.encode() if isinstance(body, str) else body or b"")
    raw.url = url
    return raw
