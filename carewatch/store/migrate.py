"""Upgrading an older database to the current schema (alembic).

Imported only when a database is upgraded: it brings SQLAlchemy, SQLModel and alembic, which
other commands never import (a new database is created by :mod:`carewatch.store.create`).

* ``carewatch db upgrade`` runs the alembic revisions under ``carewatch/store/migrations``
  in one transaction (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: the writers' advisory lock),
  after stamping a version-1 database (which has no version table) with the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

import carewatch.store.create as create
from carewatch.i18n import _
from carewatch.store.backends import WRITE_LOCK
from carewatch.store.database import Database, Tx, is_sqlite_url, sqlite_path
from carewatch.store.errors import StoreError
from carewatch.store.schema import (
    SCHEMA_VERSION,
    VERSION_TABLE,
    SchemaState,
    schema_problem,
    schema_state,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: PostgreSQL's SQLSTATE for "permission denied".
INSUFFICIENT_PRIVILEGE = "42501"


def alembic_config(connection: Connection | None = None) -> AlembicConfig:
    """alembic's configuration for carewatch's revisions (on ``connection``, if given)."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def sqlalchemy_engine(url: str) -> Engine:
    """An engine for alembic: SQLite with our own ``BEGIN IMMEDIATE``, PostgreSQL on psycopg."""
    if not is_sqlite_url(url):
        return create_engine("postgresql+psycopg://" + url.split("://", 1)[1])
    engine = create_engine(f"sqlite:///{sqlite_path(url)}", connect_args={"timeout": 60})

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


def upgrade(url: str, name: str) -> Upgrade:
    """Move the database at ``url`` to the head revision, keeping every row. A database of
    version 1 is stamped with the baseline first; an empty one is created at the head."""
    if is_sqlite_url(url) and not Path(sqlite_path(url)).is_file():
        raise StoreError(_("database {name} does not exist: nothing to upgrade").format(name=name))
    db = Database(url, name=name)
    try:
        db.prepare_sqlite()
        state = db.run(schema_state, write=False)
        if state.kind == "empty":
            db.run(lambda tx: _create_if_still_empty(tx, name))
            return Upgrade(None, SCHEMA_VERSION)
    finally:
        db.close()
    _refuse_unless_upgradable(state, name)
    if state.current:
        return Upgrade(state.version, SCHEMA_VERSION)
    engine = sqlalchemy_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            stamped = conn.dialect.has_table(conn, VERSION_TABLE)
            cfg = alembic_config(conn)
            if not stamped:  # version 1: cw_meta only
                command.stamp(cfg, "0001")
            command.upgrade(cfg, "head")
    except DBAPIError as exc:  # rolled back: the database is as it was
        raise StoreError(_upgrade_failed(db, name, exc.orig)) from None
    finally:
        engine.dispose()
    return Upgrade(state.version, SCHEMA_VERSION)


def _upgrade_failed(db: Database, name: str, exc: BaseException | None) -> str:
    """One line for a driver error of the upgrade (SQLAlchemy's text holds the SQL)."""
    reason = db.short_error(exc) if exc is not None else _("the driver failed")
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
