"""The database itself: its URL, connections, transactions, retries and one-line errors.

The store runs SQL text through the DB-API drivers (``sqlite3``, psycopg 3), not through an
ORM: statements are written once, with ``?`` placeholders, and translated for psycopg
(:mod:`carewatch.store.backends`). A :class:`Tx` is one transaction on one connection; every
function of the store's modules takes one.

Threads: connections come from a small pool; a transaction takes one, and gives it back when
it ends, so a connection is only ever used by one thread at a time, and a screen's worker
threads each get their own while they read.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from itertools import chain
from operator import itemgetter
from pathlib import Path
from threading import Lock
from typing import Any, TypeVar

from carewatch.i18n import _
from carewatch.store import slots
from carewatch.store.backends import PostgresBackend, SqliteBackend
from carewatch.store.changeseq import NEXT_SEQ
from carewatch.store.errors import StoreError
from carewatch.store.slots import Waiting
from carewatch.store.waits import waiting_on

T = TypeVar("T")

Backend = SqliteBackend | PostgresBackend

#: Connections kept open between transactions (more are opened while threads need them).
POOL_IDLE = 4
#: Mode of a database file carewatch creates (it holds callers' numbers).
FILE_MODE = 0o640
#: Rows of one multi-row INSERT on SQLite at most (:meth:`Tx.insert_rows`; a power of two).
INSERT_ROWS = 1024
_PG_SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")


def database_url(db: str | None) -> str:
    """A ``--db`` value (a path or a URL) -> URL. ``None`` -> ``carewatch.db``."""
    if not db:
        db = "carewatch.db"
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser()}"


def is_sqlite_url(url: str) -> bool:
    """Whether ``url`` names an SQLite database."""
    return url.startswith("sqlite")


def sqlite_path(url: str) -> str:
    """The file of an ``sqlite:///`` URL (``""`` for an in-memory database)."""
    return url.split("://", 1)[1].removeprefix("/").split("?", 1)[0]


def display_name(url: str) -> str:
    """The database as a user names it: an SQLite file's path, else the URL without credentials."""
    if is_sqlite_url(url):
        return sqlite_path(url) or ":memory:"
    scheme, _, rest = url.partition("://")
    rest = re.sub(r"(?i)(password=)[^&]*", r"\1***", rest.rsplit("@", 1)[-1])
    return f"{scheme.split('+')[0]}://{rest}"


def make_backend(url: str, *, read_only: bool) -> Backend:
    """The backend for ``url``: SQLite for ``sqlite:`` URLs, psycopg for PostgreSQL ones."""
    if is_sqlite_url(url):
        if not url.startswith(("sqlite:///", "sqlite://")) or "+" in url.split("://")[0]:
            raise StoreError(f"unsupported SQLite URL {display_name(url)}: use sqlite:///PATH")
        return SqliteBackend(sqlite_path(url), read_only=read_only)
    if url.startswith(_PG_SCHEMES):
        conninfo = "postgresql://" + url.split("://", 1)[1]
        return PostgresBackend(conninfo, read_only=read_only)
    scheme = url.split("://", 1)[0]
    raise StoreError(
        f"unsupported database URL scheme {scheme}://: give a file path, sqlite:///PATH "
        "or postgresql://…"
    )


#: Values per ``IN (…)`` list (well under SQLite's and PostgreSQL's limits on parameters).
IN_CHUNK = 500


def in_marks(n: int) -> str:
    """``?, ?, …``: the parameters of an ``IN (…)`` list of ``n`` values."""
    return ", ".join("?" * n)


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in slices of ``size`` (one ``IN (…)`` list, or one batch, each)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Tx:
    """One transaction on one connection: SQL text with ``?`` placeholders."""

    __slots__ = ("_cur", "_fix", "_seq", "is_sqlite", "writable")

    def __init__(self, conn: Any, backend: Backend, *, writable: bool) -> None:
        self._cur = conn.cursor()
        self._fix = backend.placeholder_fix
        self._seq: int | None = None
        self.is_sqlite = backend.is_sqlite
        self.writable = writable

    def change_seq(self) -> int:
        """This write transaction's number in the store's change sequence (moved at the first
        call; :mod:`carewatch.store.changeseq`): stamp every call row it writes with it."""
        if self._seq is None:
            self._seq = int(self.scalar(NEXT_SEQ))
        return self._seq

    def _run(self, sql: str, params: Sequence[Any]) -> Any:
        cur = self._cur
        if self._fix is None:
            cur.execute(sql, params)
        elif params:
            cur.execute(_fixed(self._fix, sql), params)
        else:
            cur.execute(sql)  # no parameters: psycopg takes the text as it is
        return cur

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns the number of rows it changed (-1 if not told)."""
        return int(self._run(sql, params).rowcount)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Run one statement for each parameter row; returns the rows changed in all."""
        if not rows:
            return 0
        cur = self._cur
        cur.executemany(sql if self._fix is None else _fixed(self._fix, sql), rows)
        return int(cur.rowcount)

    def insert_rows(
        self,
        into: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        tail: str = "",
        *,
        nullable: Collection[str] = (),
    ) -> int:
        """``{into} (columns) VALUES (?, …){tail}`` for each row (its values in the order of
        ``columns``), in their order; returns the rows inserted.

        SQLite: many rows per statement, ``VALUES (?, …), (?, …), …``, as many as its limit
        on parameters lets (at most :data:`INSERT_ROWS`), in statements of a power-of-two
        number of rows, so that a few prepared statements serve every batch; and a column of
        ``nullable`` (``NULL`` when left out: no default) that is ``None`` in every row of a
        statement is left out of it, as sqlite3 binds each ``None`` after looking for an
        adapter (a third of the calls' inserts). PostgreSQL: ``executemany`` of the one-row
        statement.
        """
        if not rows:
            return 0
        names = ", ".join(columns)
        if not self.is_sqlite:
            marks = ", ".join("?" * len(columns))
            return self.executemany(f"{into} ({names}) VALUES ({marks}){tail}", rows)
        cur = self._cur
        limit = cur.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        size = 1 << (max(1, min(INSERT_ROWS, limit // len(columns))).bit_length() - 1)
        may_leave = [i for i, name in enumerate(columns) if name in nullable]
        done = 0
        start, count = 0, len(rows)
        while start < count:
            while size > count - start:
                size >>= 1
            chunk = rows[start : start + size]
            left = [i for i in may_leave if list(map(itemgetter(i), chunk)).count(None) == size]
            if left and len(left) < len(columns) - 1:  # two columns kept: tuples
                kept = [i for i in range(len(columns)) if i not in left]
                pick = itemgetter(*kept)
                params = list(chain.from_iterable(map(pick, chunk)))
                sql = _multi_row(into, tuple(columns[i] for i in kept), size, tail)
            else:
                params = list(chain.from_iterable(chunk))
                sql = _multi_row(into, tuple(columns), size, tail)
            cur.execute(sql, params)
            done += cur.rowcount
            start += size
        return done

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row a query returns, as tuples."""
        return self._run(sql, params).fetchall()

    def first(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """The first row a query returns, or ``None``."""
        found = self.rows(sql, params)
        return found[0] if found else None

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or ``None``."""
        row = self.first(sql, params)
        return row[0] if row else None

    def dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Every row a query returns, as ``{column: value}``."""
        cur = self._run(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an ``INSERT … RETURNING id`` of one row; returns the new row's id."""
        row = self.first(sql, params)
        if row is None:  # an INSERT … RETURNING of one row always returns it
            raise AssertionError("the INSERT returned no id")
        return int(row[0])


_FIXED: dict[str, str] = {}
_MULTI: dict[tuple[str, tuple[str, ...], int, str], str] = {}


def _multi_row(into: str, columns: tuple[str, ...], size: int, tail: str) -> str:
    """The text of an INSERT of ``size`` rows, the same object each time (the driver's
    statement cache then finds it by identity)."""
    key = (into, columns, size, tail)
    sql = _MULTI.get(key)
    if sql is None:
        one = f"({', '.join('?' * len(columns))})"
        sql = _MULTI[key] = f"{into} ({', '.join(columns)}) VALUES {', '.join([one] * size)}{tail}"
    return sql


def _fixed(fix: Callable[[str], str], sql: str) -> str:
    out = _FIXED.get(sql)
    if out is None:
        out = _FIXED[sql] = fix(sql)
    return out


class Database:
    """One database: a pool of connections, transactions, retries, one-line errors.

    ``name`` is the database as the user knows it (for messages). With ``read_only`` nothing
    is ever written: no file, no pragma that writes, and :meth:`run` refuses writes. Without
    ``create`` an SQLite file that does not exist is an error, as it is read-only.
    ``waiting`` is entered while a new connection waits for a PostgreSQL server to have a
    connection slot free: ``connect_wait`` seconds at most (default
    :data:`~carewatch.store.slots.CONNECT_WAIT_SECONDS`).
    """

    def __init__(
        self,
        url: str,
        *,
        name: str,
        read_only: bool = False,
        create: bool = True,
        waiting: Waiting | None = None,
        connect_wait: float | None = None,
    ) -> None:
        self.name = name
        self.waiting = waiting
        self.connect_wait = connect_wait
        self.read_only = read_only
        self.create = create and not read_only
        self.backend: Backend = make_backend(url, read_only=read_only)
        self.is_sqlite = self.backend.is_sqlite
        self._idle: list[Any] = []
        self._lock = Lock()
        self._closed = False
        self.created = False
        if isinstance(self.backend, SqliteBackend) and not self.backend.memory:
            self.created = self._prepare_file(self.backend)

    # -- opening --------------------------------------------------------------------------------
    def _prepare_file(self, backend: SqliteBackend) -> bool:
        """Check (read-only) or create (0640) an SQLite file; returns whether it was created."""
        path = backend.path
        parent = Path(path).parent
        if not parent.exists():
            raise StoreError(
                _("cannot open database {path}: folder {folder} does not exist").format(
                    path=path, folder=parent
                )
            )
        if os.path.isdir(path):
            raise StoreError(_("cannot open database {path}: it is a folder").format(path=path))
        if not self.create and not os.path.exists(path):  # read-only, or told not to create
            raise StoreError(
                _(
                    "database {path} does not exist (give --db, or read call logs with "
                    "carewatch ingest)"
                ).format(path=path)
            )
        if backend.read_only:
            if not os.access(parent, os.W_OK) and not _wal_files_exist(path):
                backend.use_immutable()
            return False
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except FileExistsError:
            return False
        except OSError as exc:
            reason = exc.strerror or exc
            cannot = _("cannot create database {path}: {reason}")
            raise StoreError(cannot.format(path=path, reason=reason)) from None
        os.close(fd)
        return True

    def prepare_sqlite(self) -> None:
        """WAL mode for a writable SQLite file (a pragma that writes: set once per file)."""
        if self.read_only or not isinstance(self.backend, SqliteBackend) or self.backend.memory:
            return
        with self.connection() as conn:
            ((mode,),) = conn.execute("PRAGMA journal_mode").fetchall()
            if str(mode).lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")

    # -- connections ---------------------------------------------------------------------------
    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A connection of the pool, for one thread, given back afterwards."""
        with self._lock:
            if self._closed:
                raise StoreError(f"database {self.name} is closed")
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._connect()
        try:
            yield conn
        finally:
            if self.backend.is_idle(conn):
                with self._lock:
                    if not self._closed and len(self._idle) < POOL_IDLE:
                        self._idle.append(conn)
                        conn = None
            if conn is not None:
                _close_quietly(conn)

    def _connect(self) -> Any:
        """A new connection, waited for while the server has no slot free
        (:func:`carewatch.store.slots.connect`)."""
        return slots.connect(self.backend, self.name, wait=self.connect_wait, waiting=self.waiting)

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Tx]:
        """One transaction: committed when the block ends, rolled back when it raises.

        Driver errors pass through unchanged (:meth:`run` reads them).
        """
        if write and self.read_only:
            raise StoreError(f"database {self.name} was opened read-only")
        backend = self.backend
        with self.connection() as conn:
            conn.execute(backend.begin_write if write else backend.begin_read)
            try:
                if write and backend.write_lock_sql:
                    conn.execute(backend.write_lock_sql)
                yield Tx(conn, backend, writable=write)
                conn.execute("COMMIT")
            except BaseException:
                if not backend.is_idle(conn) and not backend.is_broken(conn):
                    with suppress(Exception):  # the error that got us here is the one to tell
                        conn.execute("ROLLBACK")
                raise

    def run(self, fn: Callable[[Tx], T], *, write: bool = True, attempts: int = 5) -> T:
        """``fn`` in a transaction, run again while the database is locked (SQLite) or the
        transaction lost a serialization race or a deadlock (PostgreSQL).

        Every other driver error becomes one :class:`StoreError` line; one that waiting will
        not make go (a database this user may not write) is ``lasting``.
        """
        backend = self.backend
        delay = 0.05
        with waiting_on("database", self.name):  # (what a follower's stall watch reads)
            for attempt in range(attempts):
                try:
                    with self.transaction(write=write) as tx:
                        return fn(tx)
                except StoreError:
                    raise
                except Exception as exc:
                    if not backend.is_driver_error(exc):
                        raise
                    lasting = backend.lasting_error(exc, self.name)
                    if lasting is not None:
                        raise StoreError(lasting, lasting=True) from None
                    if not backend.is_retryable(exc) or attempt == attempts - 1:
                        short = backend.short_error(exc)
                        raise StoreError(f"database {self.name}: {short}") from None
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
        raise AssertionError("unreachable")

    def short_error(self, exc: BaseException) -> str:
        """The driver's message in one line, without SQL or parameters."""
        return self.backend.short_error(exc)

    def close(self) -> None:
        """Close every idle connection; those in use close when given back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            _close_quietly(conn)
        self.backend.close()


def _wal_files_exist(path: str) -> bool:
    return os.path.exists(f"{path}-wal") and os.path.exists(f"{path}-shm")


def _close_quietly(conn: Any) -> None:
    with suppress(Exception):  # closing a broken connection must not hide the real error
        conn.close()
