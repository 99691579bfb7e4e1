"""The scrubbed HTTP log of a live run (emulator or stamp), for the run archive.

Every attempt a test's transport sends is kept as one JSON line, scrubbed exactly as a cassette
is (``recording.sanitize``: secrets, tokens, ids, host names) before it is written, so nothing
unscrubbed reaches the disk. Each process (the controller, each xdist worker) appends to a file
of its own in the directory the controller chose; :func:`collect` merges them in time order.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from vcr.request import Request

from ..recording.sanitize import RunValues, Scrubber

MAX_BODY = 256 * 1024  # characters kept of one body: enough for any ARM document
STREAMED = "(streamed body, not logged)"


def _text(body: Any) -> str:
    if body is None:
        return ""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes | bytearray) else str(body)
    return (
        text if len(text) <= MAX_BODY else text[:MAX_BODY] + f"... ({len(text) - MAX_BODY} more characters)"
    )


class HttpLog:
    """A transport observer (``AzureStackTransport.observers``) writing scrubbed exchanges."""

    def __init__(self, directory: Path, values: RunValues, nodeid: str) -> None:
        self.path = directory / f"http-{os.getpid()}.jsonl"
        self.scrubber = Scrubber(values, drop_identity_traffic=False)
        self.nodeid = nodeid
        self._lock = threading.Lock()

    def watch(self, request: Any, response: Any, stream: bool, started: float, finished: float) -> None:
        raw_body = getattr(request, "body", None) if not hasattr(request, "content") else request.content
        sent = Request(request.method, request.url, raw_body, dict(request.headers))
        scrubbed = self.scrubber.request(sent)
        entry: dict[str, Any] = {
            "test": self.nodeid,
            "started": round(started, 3),
            "duration": round(finished - started, 3),
            "request": {
                "method": scrubbed.method if scrubbed else request.method,
                "uri": scrubbed.uri if scrubbed else "(not logged)",
                "headers": dict(scrubbed.headers) if scrubbed else {},
                "body": _text(scrubbed.body) if scrubbed else "",
            },
        }
        if response is None:
            entry["response"] = None  # the attempt raised (a connection error, a TLS failure)
        else:
            answer = {
                "status": {"code": response.status_code, "message": getattr(response, "reason", "") or ""},
                "headers": {k: [v] for k, v in response.headers.items()},
                "body": {"string": b"" if stream else response.body()},
            }
            cleaned = self.scrubber.response(answer)
            entry["response"] = {
                "status": response.status_code,
                "headers": {k: v[0] if len(v) == 1 else v for k, v in cleaned["headers"].items()},
                "body": STREAMED if stream else _text(cleaned["body"]["string"]),
            }
        line = json.dumps(entry) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line)


def collect(directory: Path) -> list[dict[str, Any]]:
    """Every process's exchanges, in the order they started."""
    entries: list[dict[str, Any]] = []
    for path in sorted(directory.glob("http-*.jsonl")):
        entries += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return sorted(entries, key=lambda e: e["started"])


HTTP_LOG_DIR_KEY = pytest.StashKey[Path]()
WORKER_INPUT = "azurestack_http_log_dir"


def watch(item: pytest.Item, transport: Any, live: Any, run_id: str) -> None:
    """Log ``transport``'s exchanges for ``item`` when this run keeps an HTTP log (an archive of a
    live run); ``live`` (a ``LiveTarget``) says what to scrub."""
    directory = item.config.stash.get(HTTP_LOG_DIR_KEY, None)
    if directory is None or live is None:
        return
    values = RunValues.from_environment(
        run_id,
        arm_endpoint=live.cloud.arm_endpoint,
        login_endpoints=[live.cloud.login_endpoint],
        subscription_id=live.env.subscription_id,
    )
    transport.observers.append(HttpLog(directory, values, item.nodeid).watch)
