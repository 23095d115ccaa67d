"""Creating a database at the current schema, and upgrading an older one (alembic).

Imported only when a database is created or upgraded: it brings SQLAlchemy, SQLModel and
alembic, which normal commands on a current database never import.

* A new database gets the tables of :mod:`carewatch.model` (``CREATE`` statements compiled
  for its dialect and run in the store's own write transaction), the change counter on
  PostgreSQL, and the head revision in the version table.
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
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlmodel import SQLModel

import carewatch.model  # noqa: F401  (declares the tables on SQLModel.metadata)
from carewatch.i18n import _
from carewatch.store.backends import WRITE_LOCK
from carewatch.store.changeseq import change_seq_ddl
from carewatch.store.database import Database, Tx, is_sqlite_url, sqlite_path
from carewatch.store.errors import StoreError
from carewatch.store.pgchanges import change_counter_ddl
from carewatch.store.schema import (
    DATA_TABLES,
    HEAD_REVISION,
    SCHEMA_VERSION,
    VERSION_TABLE,
    SchemaState,
    check_schema,
    schema_problem,
    schema_state,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_ddl(is_sqlite: bool) -> list[str]:
    """The ``CREATE TABLE``/``CREATE INDEX`` statements of the current schema."""
    dialect = sqlite.dialect() if is_sqlite else postgresql.dialect()
    out: list[str] = []
    for table in SQLModel.metadata.sorted_tables:
        out.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            out.append(str(CreateIndex(index).compile(dialect=dialect)).strip())
    return out


def create_schema(tx: Tx) -> None:
    """Create every table of the current schema, stamped with the head revision."""
    for sql in create_ddl(tx.is_sqlite):
        tx.execute(sql)
    tx.execute(
        f"CREATE TABLE {VERSION_TABLE} (version_num VARCHAR(32) NOT NULL, "
        f"CONSTRAINT {VERSION_TABLE}_pkc PRIMARY KEY (version_num))"
    )
    tx.execute(f"INSERT INTO {VERSION_TABLE} (version_num) VALUES (?)", (HEAD_REVISION,))
    tx.execute(
        'INSERT INTO cw_meta ("key", value) VALUES (?, ?)', ("schema_version", str(SCHEMA_VERSION))
    )
    for sql in change_seq_ddl(tx.is_sqlite):
        tx.execute(sql)
    if not tx.is_sqlite:
        for sql in change_counter_ddl(DATA_TABLES):
            tx.execute(sql)


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
    finally:
        engine.dispose()
    return Upgrade(state.version, SCHEMA_VERSION)


def create_if_empty(tx: Tx, name: str) -> bool:
    """Create the tables at the head revision when the database is still empty, inside a
    write transaction (another carewatch may have created them since it was checked). Returns
    whether it created them; :class:`StoreError` for a database it cannot use."""
    state = check_schema(tx, name)
    if state.kind != "empty":
        return False
    create_schema(tx)
    return True


def _create_if_still_empty(tx: Tx, name: str) -> None:
    state = schema_state(tx)
    if state.kind == "empty":
        create_schema(tx)
    else:
        _refuse_unless_upgradable(state, name)


def _refuse_unless_upgradable(state: SchemaState, name: str) -> None:
    if state.current or state.outdated:
        return
    problem = schema_problem(state, name)
    raise StoreError(problem or f"database {name} cannot be upgraded")
