"""Change detection: a number that moves when anything is committed to the database, and (on
PostgreSQL) a wait that returns as soon as a change is announced.

A screen polls the number (cheaply) and reads again only when it moved. No writer's clock is
involved on either database.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

from carewatch.store.backends import PostgresBackend
from carewatch.store.database import Database
from carewatch.store.errors import StoreError
from carewatch.store.pgchanges import READ_COUNTER

#: Seconds before LISTEN is tried again after its connection failed (no connection slot free on
#: the server, the server restarting or out of reach), doubled after each failure up to
#: :data:`LISTEN_RETRY_MAX_SECONDS`; meanwhile the counter is polled through the connection
#: the screen reads with, so nothing is missed, only announced a poll later.
LISTEN_RETRY_SECONDS = 1.0
LISTEN_RETRY_MAX_SECONDS = 10.0

# The clock of those pauses (the tests put their own).
_clock = time.monotonic


class ChangeCounter:
    """The data version of one database, and the count of this process's writes.

    SQLite: ``PRAGMA data_version`` on a connection kept for this purpose (it moves when any
    other connection commits); this process's own writes, told by :meth:`touched`, are added
    so that a write through the same connection counts too. PostgreSQL: the ``cw_change``
    counter that carewatch's triggers bump on every write, by any program
    (:mod:`carewatch.store.pgchanges`), and LISTEN for :meth:`wait`.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._local_writes = 0
        # one connection each for data_version and for LISTEN, used by one thread at a time
        # (a screen polls from a worker thread while another may close the store)
        self._conn: Any = None
        self._listener: Any = None
        self._lock = threading.Lock()
        self._listen_lock = threading.Lock()
        self._closed = False
        # when LISTEN may be tried again after a failure, and the pause after the next one
        self._listen_after = 0.0
        self._listen_pause = LISTEN_RETRY_SECONDS

    @property
    def notifies(self) -> bool:
        """Whether :meth:`wait` can return early on a change (PostgreSQL's LISTEN)."""
        return isinstance(self._db.backend, PostgresBackend)

    def touched(self) -> None:
        """This process wrote something."""
        self._local_writes += 1

    def data_version(self) -> int:
        """A number that changes when any process commits to the database."""
        if not self._db.is_sqlite:
            return int(self._db.run(lambda tx: tx.scalar(READ_COUNTER) or 0, write=False))
        with self._lock:
            if self._conn is None:
                if self._closed:
                    raise StoreError(f"database {self._db.name} is closed")
                self._conn = self._db.backend.connect()
            # fetchall: the statement runs to its end, so no read transaction stays open
            # (one left open would keep this connection on an old snapshot for good)
            rows = self._conn.execute("PRAGMA data_version").fetchall()
        if not rows:  # the pragma always answers one row
            raise AssertionError("PRAGMA data_version returned no row")
        return int(rows[0][0]) * 1_000_000 + self._local_writes

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a change notification; ``True`` when one came.

        Returns ``False`` at once where there are no notifications (SQLite), and after the
        timeout when LISTEN cannot be used: its connection is opened again after a pause
        (:data:`LISTEN_RETRY_SECONDS`, growing), not at every call, so a screen does not ask a
        server with no connection slot free (or one that is restarting) ten times a second.
        """
        backend = self._db.backend
        if not isinstance(backend, PostgresBackend):
            return False
        with self._listen_lock:
            if self._closed:
                return False
            try:
                if self._listener is None:
                    if _clock() < self._listen_after:
                        threading.Event().wait(timeout)  # the caller polls the counter
                        return False
                    self._listener = backend.listen_connection()
                    self._listen_pause = LISTEN_RETRY_SECONDS
                for _ in self._listener.notifies(timeout=timeout, stop_after=1):
                    return True
                return False
            except Exception:  # server gone, no slot free, pooler: poll the counter meanwhile
                self._drop_listener()
                self._listen_after = _clock() + self._listen_pause
                self._listen_pause = min(self._listen_pause * 2, LISTEN_RETRY_MAX_SECONDS)
                threading.Event().wait(timeout)
                return False

    def _drop_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(Exception):  # already broken
                listener.close()

    def close(self) -> None:
        """Close the connections kept for ``data_version`` and LISTEN."""
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None
        with self._listen_lock:
            self._drop_listener()
