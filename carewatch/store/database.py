"""The database itself: its URL, the engine and SQLite's pragmas, transactions, errors.

SQLite (the default, embedded) runs in WAL mode with a busy timeout; every transaction that
reads and then writes starts with ``BEGIN IMMEDIATE`` so concurrent writers queue up instead of
failing (:func:`write_transaction`), and :func:`run_retrying` retries one while the database
stays locked. Nothing here is SQLite-only: another database is reached through its URL.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, CursorResult, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import StaticPool

T = TypeVar("T")


class StoreError(Exception):
    """The database cannot be used; ``str()`` is one clear line for the user."""


def database_url(db: str | None) -> str:
    """A ``--db`` value (a path or an SQLAlchemy URL) -> URL. ``None`` -> ``carewatch.db``."""
    if not db:
        db = "carewatch.db"
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser()}"


def is_sqlite_url(url: str) -> bool:
    """Whether ``url`` names an SQLite database."""
    return url.startswith("sqlite")


def display_name(url: str) -> str:
    """The database as a user names it: an SQLite file's path, else the URL without credentials."""
    if is_sqlite_url(url):
        return url.removeprefix("sqlite:///") or ":memory:"
    return url.split("@")[-1]


def make_engine(url: str) -> Engine:
    """An engine for ``url``; on SQLite with WAL, a busy timeout and our own ``BEGIN``.

    Raises :class:`StoreError` when an SQLite file's folder does not exist.
    """
    if not is_sqlite_url(url):
        return create_engine(url, pool_pre_ping=True)
    path = url.removeprefix("sqlite:///")
    if path and path != ":memory:":
        parent = Path(path).parent
        if not parent.exists():
            raise StoreError(f"cannot open database {path}: folder {parent} does not exist")
    engine = create_engine(
        url,
        connect_args={"timeout": 30, "check_same_thread": False},
        **({"poolclass": StaticPool} if path in ("", ":memory:") else {}),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("cw_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A read-then-write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
    with engine.connect() as conn:
        conn = conn.execution_options(cw_immediate=True)
        with conn.begin():
            yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction: one consistent snapshot."""
    with engine.connect() as conn, conn.begin():
        yield conn


def run_retrying(engine: Engine, fn: Callable[[Connection], T], *, name: str, attempts: int) -> T:
    """Run ``fn`` in a write transaction, retrying while the database is locked.

    ``name`` is the database as the user knows it (for the :class:`StoreError`).
    """
    delay = 0.05
    for attempt in range(attempts):
        try:
            with write_transaction(engine) as conn:
                return fn(conn)
        except OperationalError as exc:
            if not is_locked(exc) or attempt == attempts - 1:
                raise StoreError(f"database {name}: {short_error(exc)}") from None
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key of the row an ``INSERT`` of one row created."""
    key = result.inserted_primary_key
    if key is None:  # only for a statement that inserted no single row: a bug
        raise AssertionError("the INSERT returned no primary key")
    return int(key[0])


def is_locked(exc: BaseException) -> bool:
    """Whether ``exc`` says another connection holds the database (worth a retry)."""
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text


def short_error(exc: BaseException) -> str:
    """The first line of the driver's message: what a user needs, without SQL or parameters."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig).splitlines()[0]
    return str(exc).splitlines()[0]
