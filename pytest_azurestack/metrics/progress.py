"""The live status line of a long-running operation that is taking a while (live targets only).

An LRO not finished ``AFTER`` seconds after it started gets one status line: operation, resource,
elapsed time, the state the last poll reported. On a terminal the line sits to the right of
whatever pytest last wrote (its dots, or the test's name with -v), rewritten in place every second
with the cursor saved and restored around it (ANSI DECSC/DECRC), and erased to the end of the line
before pytest writes again; pytest's own partly written line and its bookkeeping are untouched,
which a ``\\r`` rewrite would destroy. Not a terminal: plain lines, when the operation passes
``AFTER``, when its state changes, every ``PLAIN_EVERY`` seconds, and when it ends.

It writes to a duplicate of the terminal's descriptor taken at configure time, so output capture
during a test does not swallow it. Never in playback (nothing waits) and never in an xdist worker
(its stdout is the channel to the controller): under ``-n N`` the controller shows pytest-xdist's
progress only; run ``-n 0`` to watch each operation.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import IO

from .meter import LongRunningOperation, RequestMeter

AFTER = 3.0  # seconds before an operation gets a status line
PLAIN_EVERY = 30.0  # seconds between plain lines of an unchanged operation
TICK = 1.0
MIN_ROOM = 24  # columns a status line needs beside pytest's current line
SAVE, RESTORE, ERASE = "\x1b7", "\x1b8", "\x1b[K"


def elapsed_text(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{rest}s"


def status_text(operation: LongRunningOperation, now: float) -> str:
    state = operation.state or "waiting"
    return f"{operation.operation} {operation.resource}: {elapsed_text(now - operation.started)}, {state}"


class ProgressLine:
    """Draws the status of the oldest open LRO of the current test's meter.

    ``room()`` gives the columns left on pytest's current line (terminal mode). Thread-safe: the
    ticker thread draws, pytest's hooks ``clear()`` before they write.
    """

    def __init__(
        self,
        stream: IO[str],
        *,
        tty: bool,
        room: Callable[[], int],
        meter: Callable[[], RequestMeter | None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.stream = stream
        self.tty = tty
        self.room = room
        self.meter = meter  # the running test's meter, or None between tests
        self.clock = clock
        self._lock = threading.Lock()
        self._paused = 0
        self._shown = False  # terminal: a status is on the line now
        self._plain: dict[int, tuple[str, float]] = {}  # id(operation) -> (state, when) of its last line

    def pause(self) -> None:
        """Erase the status and draw nothing until ``resume()``: pytest is about to write."""
        with self._lock:
            self._erase()
            self._paused += 1

    def resume(self) -> None:
        with self._lock:
            self._paused = max(self._paused - 1, 0)

    def clear(self) -> None:
        with self._lock:
            self._erase()

    def settle(self) -> None:
        """The test is over: erase the status; in plain lines, say how each slow operation ended."""
        with self._lock:
            self._erase()
            meter = self.meter()
            if meter is not None and not self.tty:
                self._lines(meter, [], self.clock())

    def tick(self) -> None:
        with self._lock:
            meter = self.meter()
            if meter is None or self._paused:
                return
            now = self.clock()
            slow = [o for o in meter.open_operations() if now - o.started >= AFTER]
            if self.tty:
                self._draw(slow[0] if slow else None, now)
            else:
                self._lines(meter, slow, now)

    def _erase(self) -> None:
        if self._shown:
            self._write(ERASE)
            self._shown = False

    def _draw(self, operation: LongRunningOperation | None, now: float) -> None:
        room = self.room() - 2
        if operation is None or room < MIN_ROOM:
            self._erase()
            return
        text = status_text(operation, now)
        if len(text) > room:
            text = text[: room - 1] + "\u2026"
        self._write(f"{SAVE} {text}{ERASE}{RESTORE}")
        self._shown = True

    def _lines(self, meter: RequestMeter, slow: list[LongRunningOperation], now: float) -> None:
        for operation in slow:
            last = self._plain.get(id(operation))
            if last is None or last[0] != operation.state or now - last[1] >= PLAIN_EVERY:
                self._plain[id(operation)] = (operation.state, now)
                self._write(f"\nazurestack: {status_text(operation, now)}\n")
        for operation in meter.operations:  # the ones that had a line and have ended since
            if operation.finished and id(operation) in self._plain:
                del self._plain[id(operation)]
                took = elapsed_text(operation.terminal or 0.0)
                what = f"{operation.operation} {operation.resource}"
                self._write(f"\nazurestack: {what}: {operation.state or 'done'} after {took}\n")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: progress is not worth an error
            pass


class Ticker:
    """A daemon thread calling ``line.tick()`` every ``TICK`` seconds until ``stop()``."""

    def __init__(self, line: ProgressLine) -> None:
        self.line = line
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="azurestack-progress", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(TICK):
            self.line.tick()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2 * TICK)
        self.line.clear()


def terminal_stream(fd: int = 1) -> tuple[IO[str], bool] | None:
    """A text stream on a duplicate of ``fd`` (immune to output capture) and whether it is a TTY."""
    try:
        duplicate = os.dup(fd)
    except OSError:
        return None
    return os.fdopen(duplicate, "w", encoding="utf-8", errors="replace", buffering=1), os.isatty(duplicate)
