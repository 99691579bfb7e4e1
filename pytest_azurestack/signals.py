"""SIGTERM unwinds like Ctrl-C, so a cancelled CI job still runs teardowns and the sweeper."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def sigterm_as_keyboard_interrupt() -> Callable[[], None] | None:
    """Turn SIGTERM into ``KeyboardInterrupt``; returns the undo, or None when nothing was installed.

    Only from the main thread (Python's rule) and only over the default handler: a handler someone
    else installed (a CI wrapper, a test harness) is theirs to keep.
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.getsignal(signal.SIGTERM)
    if previous not in (signal.SIG_DFL, None):
        return None
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)

    def undo() -> None:
        signal.signal(signal.SIGTERM, previous)

    return undo
