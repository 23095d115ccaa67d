"""When the screen's process collects its garbage: the collector's full passes are paced.

A full pass of Python's cyclic garbage collector looks at every object the process holds (a
day of calls, Textual's render caches): 100–300 ms on the project's 2-core machine, during
which nothing is painted and no key is handled. Left to itself the collector ran several a
minute while calls streamed in, each one a stall of the screen (measured: the slowest 5% of
"call appended → on the screen" were these stalls). While the screen runs, full passes happen
only every :data:`FULL_PASS_SECONDS` (half a minute), from the one-second tick; the young
generations are collected as usual. The collector's settings are given back when the screen closes.

What makes a full pass long is measured (``tests/bench``, a 10-second burst at 500 calls a second):
it is not the day's calls (kept in arrays, which the collector does not look into) but Textual's
render caches. A cached line (a ``Strip``) keeps caches of its own that refer back to it, so
each line the screen stops showing is a reference cycle that only the collector frees: 50,000 to
100,000 objects a burst, ``FIFOCache``, ``Segment``, ``Strip`` and ``Style``. They live a few
frames, long enough to outlive two collections of the youngest generation, so they reached the
oldest one and waited there for the full pass (160–270 ms). Two settings keep the full pass short:

* the middle generation is collected after :data:`MIDDLE_THRESHOLD` collections of the youngest
  (Python's default is 10), so those lines die there, in passes of 15–35 ms;
* the objects alive when the screen has started (modules, classes, the screen's widgets, about
  100,000) are frozen out of every pass (``gc.freeze``): they live as long as the screen does.

Together: full passes of 70–80 ms instead of 160–210 ms, and half the collector's time.
"""

from __future__ import annotations

import gc
import time

#: Seconds between full passes of the garbage collector while the screen runs.
FULL_PASS_SECONDS = 30.0
#: The third threshold while the screen runs: never reached, the tick runs the full passes.
_NO_AUTOMATIC_FULL_PASS = 1 << 30
#: Collections of the youngest generation between two of the middle one, while the screen runs.
MIDDLE_THRESHOLD = 100


class CollectorPace:
    """Full garbage-collector passes every :data:`FULL_PASS_SECONDS`, from :meth:`tick`."""

    def __init__(self, every: float = FULL_PASS_SECONDS) -> None:
        self.every = every
        self.passes = 0
        self._saved: tuple[int, int, int] | None = None
        self._last = time.monotonic()

    def start(self) -> None:
        """Take over the full passes (young generations stay automatic), keep what is alive
        now out of them, and let the middle generation hold objects longer."""
        if self._saved is None:
            self._saved = gc.get_threshold()
            young, _middle, _old = self._saved
            gc.collect()
            gc.freeze()
            gc.set_threshold(young, MIDDLE_THRESHOLD, _NO_AUTOMATIC_FULL_PASS)
            self._last = time.monotonic()

    def tick(self) -> None:
        """Run a full pass when one is due."""
        if self._saved is not None and time.monotonic() - self._last >= self.every:
            gc.collect()
            self.passes += 1
            self._last = time.monotonic()

    def stop(self) -> None:
        """Give the collector its settings back, and the frozen objects."""
        if self._saved is not None:
            gc.unfreeze()
            gc.set_threshold(*self._saved)
            self._saved = None
