"""Change detection: a number that moves when anything is committed to the database.

A screen polls it (cheaply) and reads again only when it moved.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, func, select
from sqlalchemy.pool import PoolProxiedConnection

from carewatch.store.database import read_transaction
from carewatch.store.schema import CALLS, ISSUES, POSITIONS, TAGS


class ChangeCounter:
    """The data version of one engine's database, and the count of this process's writes.

    SQLite: ``PRAGMA data_version`` on a connection kept for this purpose (it only moves
    for commits by *other* connections, so our own writes, told by :meth:`touched`, bump a
    local counter too). Elsewhere: the newest change time of calls, tags, issues and
    positions.
    """

    def __init__(self, engine: Engine, *, is_sqlite: bool) -> None:
        self._engine = engine
        self._is_sqlite = is_sqlite
        self._local_writes = 0
        # one connection, used by one thread at a time (a screen polls from a worker
        # thread while another may close the store)
        self._conn: PoolProxiedConnection | None = None
        self._lock = threading.Lock()

    def touched(self) -> None:
        """This process wrote something."""
        self._local_writes += 1

    def data_version(self) -> int:
        """A number that changes when any process commits to the database."""
        if self._is_sqlite:
            with self._lock:
                if self._conn is None:
                    self._conn = self._engine.raw_connection()
                cur = self._conn.cursor()
                try:
                    cur.execute("PRAGMA data_version")
                    row = cur.fetchone()
                finally:
                    cur.close()
            if row is None:  # the pragma always answers one row
                raise AssertionError("PRAGMA data_version returned no row")
            (value,) = row
            return int(value) * 1_000_000 + self._local_writes
        with read_transaction(self._engine) as conn:
            parts = [
                conn.execute(select(func.max(CALLS.c.updated_at))).scalar() or 0,
                conn.execute(select(func.max(TAGS.c.id))).scalar() or 0,
                conn.execute(select(func.max(ISSUES.c.id))).scalar() or 0,
                conn.execute(select(func.max(ISSUES.c.resolved_at))).scalar() or 0,
                conn.execute(select(func.max(POSITIONS.c.updated_at))).scalar() or 0,
            ]
        return hash(tuple(parts))

    def close(self) -> None:
        """Close the connection kept for ``PRAGMA data_version``, if one was opened."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
