"""After an erasure (``carewatch db forget``/``purge``) or on demand (``carewatch db compact``):
no copy of the erased rows left in the database's files, or what stays and why.

SQLite keeps old bytes in three places after a row is changed or deleted:

* the free space of the page the row was on, and pages freed whole: every writable connection
  runs with ``PRAGMA secure_delete=ON`` (:mod:`carewatch.store.backends`), which zeroes them
  as they are freed, but a file written without it (an SQLite built without
  ``SQLITE_SECURE_DELETE``, another program) may hold older copies, so ``VACUUM`` rebuilds the
  file from its live rows and gives the free pages back;
* the write-ahead log (``FILE-wal``), which holds the pages of the last transactions, the
  erasing one's and the old versions of earlier ones: ``PRAGMA wal_checkpoint(TRUNCATE)``
  copies it into the file and empties it. It cannot while another program (a live screen, a
  follower) is inside a read transaction begun before: it then says so (``busy``), and the
  copies stay until that program closes and a later checkpoint runs (``carewatch db
  compact``).

PostgreSQL keeps the old version of every row changed or deleted until ``VACUUM``; a plain
``VACUUM`` (what a forget or a purge runs on the tables they changed) removes them from the
tables and their indexes without locking readers out, and leaves their bytes in the pages
until they are reused; ``VACUUM FULL`` (``carewatch db compact``)
writes the tables anew, holding an exclusive lock on each while it runs. The server's
write-ahead log, archives, replicas and backups are the administrator's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from carewatch.store.backends import SQLITE_WRITE_TIMEOUT, SqliteBackend
from carewatch.store.database import Database
from carewatch.store.schema import DATA_TABLES

#: Milliseconds the checkpoint waits for the readers of older pages to finish (it holds the
#: writers' lock meanwhile, so followers wait too; a screen's reads last milliseconds).
CHECKPOINT_WAIT_MS = 5000


@dataclass(frozen=True)
class Compaction:
    """What :func:`compact` did: whether the file (the tables) was written anew
    (``rebuilt``), the one line of the driver's error that stopped it (``error``), and the
    SQLite write-ahead log's pages left (``wal_pages``, 0: emptied) because a reader held
    older ones (``busy``)."""

    rebuilt: bool
    busy: bool = False
    wal_pages: int = 0
    error: str | None = None

    @property
    def complete(self) -> bool:
        """Whether no old copy is left in the database's files (SQLite's main file and its
        ``-wal``; PostgreSQL: the tables written anew)."""
        return self.rebuilt and not self.busy and self.error is None


def compact(db: Database, *, erased: Collection[str] | None = None) -> Compaction:
    """SQLite: ``VACUUM``, then the write-ahead log copied into the file and emptied (a driver
    error of the ``VACUUM`` is kept as ``error`` and the checkpoint still runs). PostgreSQL:
    after an erasure of rows of the tables ``erased``, a plain ``VACUUM`` of them; without
    ``erased`` (``carewatch db compact``), ``VACUUM FULL`` of carewatch's tables."""
    backend = db.backend
    if not isinstance(backend, SqliteBackend):
        if erased is None:
            return vacuum_tables(db, DATA_TABLES, full=True)
        return vacuum_tables(db, sorted(erased), full=False)
    if backend.memory:
        return Compaction(rebuilt=True)
    error: str | None = None
    with db.connection() as conn:
        try:
            conn.execute("VACUUM")
        except Exception as exc:
            if not backend.is_driver_error(exc):
                raise
            error = backend.short_error(exc)
        rebuilt = error is None
        conn.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        try:
            ((busy, log, _done),) = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except Exception as exc:
            if not backend.is_driver_error(exc):
                raise
            busy, log, error = 0, 0, error or backend.short_error(exc)
        finally:
            conn.execute(f"PRAGMA busy_timeout={int(SQLITE_WRITE_TIMEOUT * 1000)}")
    left = max(0, int(log))  # -1: not in WAL mode, no log
    return Compaction(rebuilt=rebuilt, busy=bool(busy), wal_pages=left if busy else 0, error=error)


def vacuum_tables(db: Database, tables: Iterable[str], *, full: bool = False) -> Compaction:
    """PostgreSQL: ``VACUUM`` (``full``: ``VACUUM FULL``) of ``tables``, each on its own (a
    ``VACUUM`` runs outside any transaction: the pool's connections are in autocommit).

    A role that does not own a table is not refused: the server skips the table with a
    warning (``skipping "cw_call" --- only table or database owner can vacuum it``) and
    reports success; that warning is kept as the ``error``, as a failure is."""
    verb = "VACUUM FULL" if full else "VACUUM"
    error: str | None = None
    warned: list[str] = []

    def warning(diag: Any) -> None:
        if diag.severity_nonlocalized == "WARNING" and diag.message_primary:
            warned.append(str(diag.message_primary))

    with db.connection() as conn:
        conn.add_notice_handler(warning)
        try:
            for table in tables:
                try:
                    conn.execute(f"{verb} {table}")
                except Exception as exc:
                    if not db.backend.is_driver_error(exc):
                        raise
                    error = db.backend.short_error(exc)
                    break
                if warned:
                    error = warned[0]
                    break
        finally:
            conn.remove_notice_handler(warning)
    return Compaction(rebuilt=full and error is None, error=error)
