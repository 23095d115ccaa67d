"""Upgrading an older database to the current schema (alembic).

Imported only when a database is upgraded: it brings SQLAlchemy, SQLModel and alembic, which
other commands never import (a new database is created by :mod:`carewatch.store.create`).

* ``carewatch db upgrade`` runs the alembic revisions under ``carewatch/store/migrations``
  in one transaction (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: the writers' advisory lock),
  after stamping a version-1 database (which has no version table) with the baseline.
* It waits for the other writers' lock (a follower's batch, a tag) at most
  :data:`UPGRADE_WAIT_SECONDS`, the ``waiting`` context entered meanwhile (the command line
  says it waits after a few seconds), then gives up with one line, nothing changed.
  PostgreSQL: ``lock_timeout`` bounds each wait for a table's lock too (a screen's long read).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

import carewatch.store.create as create
from carewatch.i18n import _
from carewatch.store.backends import WRITE_LOCK, SqliteBackend
from carewatch.store.database import Database, Tx, is_sqlite_url, sqlite_path
from carewatch.store.errors import StoreError
from carewatch.store.schema import (
    SCHEMA_VERSION,
    VERSION_TABLE,
    SchemaState,
    schema_problem,
    schema_state,
)
from carewatch.store.slots import Waiting

T = TypeVar("T")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: PostgreSQL's SQLSTATE for "permission denied".
INSUFFICIENT_PRIVILEGE = "42501"
#: Seconds ``carewatch db upgrade`` waits for another program's write lock before giving up.
UPGRADE_WAIT_SECONDS = 60.0
#: Seconds of one try for SQLite's write lock (SQLite waits in C, deaf to Ctrl-C: it is
#: heard between tries).
_LOCK_TRY_SECONDS = 0.5


def alembic_config(connection: Connection | None = None) -> AlembicConfig:
    """alembic's configuration for carewatch's revisions (on ``connection``, if given)."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def sqlalchemy_engine(url: str, wait: float = UPGRADE_WAIT_SECONDS) -> Engine:
    """An engine for alembic: SQLite with our own ``BEGIN IMMEDIATE`` (each waiting ``wait``
    seconds for another writer's lock), PostgreSQL on psycopg."""
    if not is_sqlite_url(url):
        return create_engine("postgresql+psycopg://" + url.split("://", 1)[1])
    engine = create_engine(f"sqlite:///{sqlite_path(url)}", connect_args={"timeout": wait})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # DDL inside our transaction, all or nothing

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@dataclass(frozen=True)
class Upgrade:
    """What ``carewatch db upgrade`` did: the schema version before and after."""

    before: int | None
    after: int

    @property
    def changed(self) -> bool:
        return self.before != self.after


def upgrade(
    url: str,
    name: str,
    *,
    wait: float | None = None,
    waiting: Waiting | None = None,
) -> Upgrade:
    """Move the database at ``url`` to the head revision, keeping every row. A database of
    version 1 is stamped with the baseline first; an empty one is created at the head.

    Another program's write lock is waited for at most ``wait`` seconds (default
    :data:`UPGRADE_WAIT_SECONDS`), ``waiting`` (given the database's name) entered until the
    lock is had; then :class:`StoreError`."""
    if is_sqlite_url(url) and not Path(sqlite_path(url)).is_file():
        raise StoreError(_("database {name} does not exist: nothing to upgrade").format(name=name))
    wait = UPGRADE_WAIT_SECONDS if wait is None else wait
    deadline = time.monotonic() + wait
    with ExitStack() as told:
        if waiting is not None:
            told.enter_context(waiting(name))
        db = Database(url, name=name)
        try:
            _prepare(db, name, wait, deadline)
            state = db.run(schema_state, write=False)
            if state.kind == "empty":
                db.run(lambda tx: _create_if_still_empty(tx, name), attempts=1)
                return Upgrade(None, SCHEMA_VERSION)
        finally:
            db.close()
        _refuse_unless_upgradable(state, name)
        if state.current:
            return Upgrade(state.version, SCHEMA_VERSION)
        engine = sqlalchemy_engine(url, _LOCK_TRY_SECONDS)
        try:
            with _begin(engine, deadline) as conn:
                if conn.dialect.name == "postgresql":
                    ms = max(int((deadline - time.monotonic()) * 1000), 100)
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {ms}")
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
                told.close()  # the lock is had: what follows is the upgrade's own work
                stamped = conn.dialect.has_table(conn, VERSION_TABLE)
                cfg = alembic_config(conn)
                if not stamped:  # version 1: cw_meta only
                    command.stamp(cfg, "0001")
                command.upgrade(cfg, "head")
                conn.commit()
        except DBAPIError as exc:  # rolled back: the database is as it was
            raise StoreError(_upgrade_failed(db, name, exc.orig, wait)) from None
        finally:
            engine.dispose()
    return Upgrade(state.version, SCHEMA_VERSION)


def _while_locked(
    attempt: Callable[[], T], locked: Callable[[Exception], bool], deadline: float
) -> T:
    """``attempt()``, tried again while it fails because another program holds a lock on the
    database (``locked``), until ``deadline``: then its last error is raised."""
    delay = 0.05
    while True:
        try:
            return attempt()
        except Exception as exc:
            left = deadline - time.monotonic()
            if not locked(exc) or left <= 0:
                raise
        time.sleep(min(delay, left))
        delay = min(delay * 2, _LOCK_TRY_SECONDS)


def _begin(engine: Engine, deadline: float) -> Connection:
    """A connection inside a write transaction (SQLite: ``BEGIN IMMEDIATE``), tried again
    while another program holds SQLite's write lock, until ``deadline``."""

    def attempt() -> Connection:
        conn = engine.connect()
        try:
            conn.begin()
        except BaseException:
            conn.close()
            raise
        return conn

    def locked(exc: Exception) -> bool:
        orig = getattr(exc, "orig", None) if isinstance(exc, DBAPIError) else None
        return orig is not None and SqliteBackend.is_retryable(orig)

    return _while_locked(attempt, locked, deadline)


def _prepare(db: Database, name: str, wait: float, deadline: float) -> None:
    """WAL mode for an SQLite file that has none yet, tried again until ``deadline`` while
    another program holds a lock on it (SQLite does not wait for a change of journal mode)."""
    backend = db.backend
    try:
        _while_locked(
            db.prepare_sqlite,
            lambda exc: backend.is_driver_error(exc) and backend.is_retryable(exc),
            deadline,
        )
    except Exception as exc:
        if not backend.is_driver_error(exc):
            raise
        raise StoreError(_upgrade_failed(db, name, exc, wait)) from None


def _upgrade_failed(db: Database, name: str, exc: BaseException | None, wait: float) -> str:
    """One line for a driver error of the upgrade (SQLAlchemy's text holds the SQL)."""
    reason = db.short_error(exc) if exc is not None else _("the driver failed")
    if exc is not None and db.backend.is_retryable(exc):  # another program kept its lock
        return _(
            "database {name}: another program kept it locked for {seconds:g} s ({reason}): "
            "nothing was changed; stop the programs that write to it (ingest --follow, the "
            "live screens) and run the upgrade again"
        ).format(name=name, seconds=wait, reason=reason)
    if getattr(exc, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
        return _(
            "database {name}: {reason}: nothing was changed; run 'carewatch db upgrade' as "
            "the role that owns carewatch's tables"
        ).format(name=name, reason=reason)
    return _("database {name}: {reason}: nothing was changed").format(name=name, reason=reason)


def _create_if_still_empty(tx: Tx, name: str) -> None:
    state = schema_state(tx)
    if state.kind == "empty":
        create.create_schema(tx)
    else:
        _refuse_unless_upgradable(state, name)


def _refuse_unless_upgradable(state: SchemaState, name: str) -> None:
    if state.current or state.outdated:
        return
    problem = schema_problem(state, name)
    raise StoreError(problem or f"database {name} cannot be upgraded")
