"""How soon the screen's event loop gets the interpreter back from the screen's own threads.

The screen's follower parses and commits the log and its refresh reads and sums, each in a
thread of its own, and only one thread runs Python at a time: a thread that wants to run asks
the running one to let go, which it does after the interpreter's switch interval (5 ms by
default). A key press takes the event loop several such turns before its frame reaches the
terminal, so at 500 calls a second the key waited for the follower again and again. While the
screen runs live, the interval is :data:`SWITCH_SECONDS`; it is given back when the screen
closes.

Measured with ``bench_terminal.py`` (a real terminal, 500 calls a second, seven runs each in
turn with the interval left at 5 ms): the key ``w`` at p95 65–208 ms, the median run 94 ms,
against 92–324 ms and 115 ms; the middle press 9–74 ms against 37–59 ms. A call appended was
on the screen at p95 171–201 ms against 165–214 ms.
"""

from __future__ import annotations

import sys

#: The interpreter's switch interval while the screen runs live (seconds).
SWITCH_SECONDS = 0.001


class SwitchPace:
    """The interpreter's switch interval set while the screen runs, given back after."""

    def __init__(self, interval: float = SWITCH_SECONDS) -> None:
        self.interval = interval
        self._saved: float | None = None

    def start(self) -> None:
        """Switch threads every :attr:`interval` seconds (the saved one is given back)."""
        if self._saved is None:
            self._saved = sys.getswitchinterval()
            sys.setswitchinterval(self.interval)

    def stop(self) -> None:
        """Give the interpreter its switch interval back."""
        if self._saved is not None:
            sys.setswitchinterval(self._saved)
            self._saved = None
