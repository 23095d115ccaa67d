"""When the screen's process collects its garbage: the collector's full passes are paced.

A full pass of Python's cyclic garbage collector looks at every object the process holds (a
day of calls, Textual's render caches): 100–300 ms on the project's 2-core machine, during
which nothing is painted and no key is handled. Left to itself the collector ran several a
minute while calls streamed in, each one a stall of the screen (measured: the slowest 5% of
"call appended → on the screen" were these stalls). While the screen runs, full passes happen
only every :data:`FULL_PASS_SECONDS` (half a minute), from the one-second tick; the young
generations are collected as usual. The collector's settings are given back when the screen closes.
"""

from __future__ import annotations

import gc
import time

#: Seconds between full passes of the garbage collector while the screen runs.
FULL_PASS_SECONDS = 30.0
#: The third threshold while the screen runs: never reached, the tick runs the full passes.
_NO_AUTOMATIC_FULL_PASS = 1 << 30


class CollectorPace:
    """Full garbage-collector passes every :data:`FULL_PASS_SECONDS`, from :meth:`tick`."""

    def __init__(self, every: float = FULL_PASS_SECONDS) -> None:
        self.every = every
        self.passes = 0
        self._saved: tuple[int, int, int] | None = None
        self._last = time.monotonic()

    def start(self) -> None:
        """Take over the full passes (young generations stay automatic)."""
        if self._saved is None:
            self._saved = gc.get_threshold()
            young, middle, _old = self._saved
            gc.set_threshold(young, middle, _NO_AUTOMATIC_FULL_PASS)
            self._last = time.monotonic()

    def tick(self) -> None:
        """Run a full pass when one is due."""
        if self._saved is not None and time.monotonic() - self._last >= self.every:
            gc.collect()
            self.passes += 1
            self._last = time.monotonic()

    def stop(self) -> None:
        """Give the collector its settings back."""
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
