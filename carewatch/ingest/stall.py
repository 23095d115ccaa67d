"""A follower's poll that has waited a while on what does not answer: :class:`StallWatch`.

A poll's statement can wait without failing: for a lock another program's transaction holds
(a CRM's session left open after it wrote to carewatch's tables holds the writers' lock of
every site until it ends), for a server that does not answer (a network cut, a server
frozen), for a connection slot of a server that has none free. The driver raises nothing
meanwhile, so the follower would say nothing. The watch runs beside the poll and tells once,
after :data:`STALL_SECONDS` of one such wait, what waits (:func:`stalled_problem`): the
database being written, the queue_log table being read from another database, or the slot;
the follower tells its end as it tells any problem's. A one-shot ``carewatch ingest`` (a
cron job) says it the same way.

Only those waits count (:mod:`carewatch.store.waits`): the time a poll spends decompressing a
big archive (a 2 GB ``.gz`` rotation read on a first start), reading and parsing its text
between two commits, is no wait on a database and is never told as one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from carewatch.store.slots import no_slot_text
from carewatch.store.waits import Wait, now, waits_of

#: Seconds a poll may wait on a database before the follower says it is waiting.
STALL_SECONDS = 10.0


def stalled_text(name: str, seconds: float) -> str:
    """What a stalled poll (or a one-shot ingest) says of the database ``name``."""
    from carewatch.i18n import _

    return _(
        "database {name}: no answer for {seconds:g} s (another program's transaction "
        "may hold a lock it needs, or its server is out of reach)"
    ).format(name=name, seconds=seconds)


def stalled_problem(waits: tuple[Wait, ...], seconds: float) -> tuple[str, str] | None:
    """What a poll that has waited ``seconds`` on the innermost of ``waits`` says, and what
    the problem is about (the follower's key: ``"database"``, or the source table's label):
    ``None`` for no wait on a database (decompressing an archive)."""
    from carewatch.i18n import _

    if not waits or waits[-1].kind == "archive":
        return None
    wait = waits[-1]
    table = next((w for w in waits if w.kind == "table"), None)
    if wait.kind == "slot":
        text = no_slot_text(wait.name, wait.detail)
    elif wait.kind == "table":
        text = _(
            "no answer for {seconds:g} s from {database} (its server is out of reach, or "
            "another program holds a lock on the table)"
        ).format(seconds=seconds, database=wait.detail)
    else:
        text = stalled_text(wait.name, seconds)
    if table is None:
        return "database", text
    return table.name, f"{table.name}: {text}"


class StallWatch:
    """Calls ``tell(key, text)`` (:func:`stalled_problem`) once, from a thread of its own,
    when the poll in progress, begun by :meth:`busy` on its thread, has waited ``seconds`` on
    one database (:mod:`carewatch.store.waits`). Without ``slots``, a wait for a connection
    slot is not counted (a one-shot command says it itself: the ``waiting`` of its store)."""

    def __init__(
        self,
        tell: Callable[[str, str], None],
        seconds: float | None = None,
        *,
        slots: bool = True,
    ) -> None:
        self._tell = tell
        self._slots = slots
        self.seconds = STALL_SECONDS if seconds is None else seconds
        self._thread_id: int | None = None
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
        """A poll begins, on the calling thread."""
        with self._lock:
            self._thread_id, self._told = threading.get_ident(), False

    def idle(self) -> bool:
        """The poll ended; whether it was told stalled (then its end is to be told)."""
        with self._lock:
            told, self._thread_id, self._told = self._told, None, False
            return told

    def check(self) -> None:
        """Tell the poll in progress stalled if it has waited long enough (once a poll)."""
        with self._lock:
            if self._thread_id is None or self._told:
                return
            waits = waits_of(self._thread_id)
            if not waits or now() - waits[-1].since < self.seconds:
                return
            if waits[-1].kind == "slot" and not self._slots:
                return
            problem = stalled_problem(waits, self.seconds)
            if problem is not None:
                self._told = True
                self._tell(*problem)

    def _run(self) -> None:
        step = min(self.seconds / 4, 0.5)
        while not self._halt.wait(step):
            self.check()
