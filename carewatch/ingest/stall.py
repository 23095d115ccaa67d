"""A follower's poll that has committed nothing for a while: :class:`StallWatch`.

A poll's statement can wait without failing: for a lock another program's transaction holds
(a CRM's session left open after it wrote to carewatch's tables holds the writers' lock of
every site until it ends), or for a server that does not answer (a network cut, a server
frozen). The driver raises nothing meanwhile, so the follower would say nothing. The watch
runs beside the poll and tells once, after :data:`STALL_SECONDS` without a batch committed,
that the database does not answer; the follower tells its end as it tells any problem's. A
one-shot ``carewatch ingest`` (a cron job) says it the same way. A wait for a connection slot
(:mod:`carewatch.store.slots`) says so itself, and is not counted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from carewatch.store.slots import waiting_for_slot

#: Seconds a poll may go without committing a batch before the follower says it is waiting.
STALL_SECONDS = 10.0

# The clock of that wait (the tests put their own).
_clock = time.monotonic


def stalled_text(name: str, seconds: float) -> str:
    """What a stalled poll (or a one-shot ingest) says of the database ``name``."""
    from carewatch.i18n import _

    return _(
        "database {name}: no answer for {seconds:g} s (another program's transaction "
        "may hold a lock it needs, or its server is out of reach)"
    ).format(name=name, seconds=seconds)


class StallWatch:
    """Calls ``tell`` once (from a thread of its own) when the poll in progress, begun by
    :meth:`busy`, has gone ``seconds`` without a :meth:`beat` (a batch committed)."""

    def __init__(self, tell: Callable[[], None], seconds: float | None = None) -> None:
        self._tell = tell
        self.seconds = STALL_SECONDS if seconds is None else seconds
        self._since: float | None = None
        self._thread_id = 0
        self._told = False
        self._lock = threading.Lock()
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._run, name="carewatch-stall", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._halt.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)

    def busy(self) -> None:
        """A poll begins."""
        with self._lock:
            self._since, self._told = _clock(), False
            self._thread_id = threading.get_ident()

    def beat(self) -> None:
        """The poll committed a batch: it is not stalled."""
        with self._lock:
            if self._since is not None:
                self._since = _clock()

    def idle(self) -> bool:
        """The poll ended; whether it was told stalled (then its end is to be told)."""
        with self._lock:
            told, self._since, self._told = self._told, None, False
            return told

    def _run(self) -> None:
        step = min(self.seconds / 4, 0.5)
        while not self._halt.wait(step):
            with self._lock:
                since = self._since
                if since is None or self._told:
                    continue
                if waiting_for_slot(self._thread_id):
                    self._since = _clock()
                    continue
                if _clock() - since < self.seconds:
                    continue
                self._told = True
                self._tell()
