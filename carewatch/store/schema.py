"""The schema's version: which one a database has, checked when a store opens it.

The tables are declared once, as SQLModel classes in :mod:`carewatch.model`; schema changes
are alembic revisions in ``carewatch/store/migrations``. This module reads a database's
revision with plain SQL, so opening a current database imports neither SQLAlchemy nor alembic;
:mod:`carewatch.store.migrate` (which does) is imported only to create or upgrade one.

Where the revision is kept: the alembic version table :data:`VERSION_TABLE`. Databases of
schema version 1 predate it: they are told by ``cw_meta.schema_version = '1'``, and
``carewatch db upgrade`` stamps them with the baseline revision before upgrading.
"""

from __future__ import annotations

from dataclasses import dataclass

from carewatch.i18n import _, pgettext
from carewatch.store.database import Tx
from carewatch.store.errors import StoreError

#: The schema version this carewatch reads and writes (also in ``cw_meta.schema_version``).
SCHEMA_VERSION = 3
#: Alembic revision of each schema version, oldest first; the last one is the head.
REVISIONS: dict[str, int] = {"0001": 1, "0002": 2, "0003": 3}
HEAD_REVISION = "0003"
#: Alembic's version table, under a name of carewatch's own (a PostgreSQL database may hold
#: another program's ``alembic_version``).
VERSION_TABLE = "cw_alembic_version"
#: Tables carewatch writes (the change triggers on PostgreSQL watch them).
DATA_TABLES = (
    "cw_call",
    "cw_tag_event",
    "cw_issue",
    "cw_source_position",
    "cw_agent_event",
    "cw_pending_event",
    "cw_cdr_leg",
)


@dataclass(frozen=True)
class SchemaState:
    """What a database holds: nothing yet, carewatch's tables at some revision, or another
    program's tables (``foreign``). ``revision`` is ``None`` unless carewatch's."""

    kind: str  # "empty", "carewatch", "foreign" or "no schema" (PostgreSQL's search path)
    revision: str | None = None
    #: ``cw_meta.schema_version`` where the revision is not a known one.
    version_text: str | None = None

    @property
    def current(self) -> bool:
        return self.kind == "carewatch" and self.revision == HEAD_REVISION

    @property
    def outdated(self) -> bool:
        return (
            self.kind == "carewatch"
            and self.revision in REVISIONS
            and self.revision != HEAD_REVISION
        )

    @property
    def version(self) -> int | None:
        return REVISIONS.get(self.revision or "")


def table_names(tx: Tx) -> set[str] | None:
    """The tables of the database (of the current schema, on PostgreSQL).

    PostgreSQL: read from the catalog, which lists every table whatever the role may do with
    it (``information_schema`` shows only the tables the role has a privilege on, so a role
    without grants took a database full of tables for an empty one). ``None`` when the
    search path names no schema that exists and that the role may use: nothing can be read
    there, and there is nowhere to create the tables.
    """
    if tx.is_sqlite:
        rows = tx.rows("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(name) for (name,) in rows}
    if tx.scalar("SELECT current_schema()") is None:
        return None
    rows = tx.rows(
        "SELECT c.relname FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
    )
    return {str(name) for (name,) in rows}


def schema_state(tx: Tx) -> SchemaState:
    """Which schema the database holds (reads only)."""
    names = table_names(tx)
    if names is None:
        return SchemaState("no schema")
    if VERSION_TABLE in names:
        found = tx.scalar(f"SELECT version_num FROM {VERSION_TABLE}")
        return SchemaState("carewatch", revision=str(found) if found else None)
    if "cw_meta" in names:
        text = tx.scalar('SELECT value FROM cw_meta WHERE "key" = ?', ("schema_version",))
        if text == "1":  # before alembic: the baseline, not stamped yet
            return SchemaState("carewatch", revision="0001")
        return SchemaState("carewatch", version_text=str(text) if text else None)
    if "cw_call" in names or (tx.is_sqlite and _has_foreign_tables(names)):
        return SchemaState("foreign")
    return SchemaState("empty")


def _has_foreign_tables(names: set[str]) -> bool:
    return any(not n.startswith(("cw_", "sqlite_")) for n in names)


def schema_problem(state: SchemaState, name: str) -> str | None:
    """Why a database at ``state`` cannot be used as it is (one line), or ``None``."""
    if state.current:
        return None
    if state.outdated:
        return _(
            "database {name} has schema version {found}; this carewatch uses "
            "version {version}: back it up, then run 'carewatch db upgrade'"
        ).format(name=name, found=state.version, version=SCHEMA_VERSION)
    if state.kind == "carewatch":
        found = state.revision or state.version_text or pgettext("schema version", "unknown")
        return _(
            "database {name} has schema version {found}; this carewatch uses version "
            "{version}: use the carewatch version that wrote it"
        ).format(name=name, found=found, version=SCHEMA_VERSION)
    if state.kind == "foreign":
        return _(
            "database {name} was not written by carewatch (no schema version); "
            "point --db at a new file"
        ).format(name=name)
    if state.kind == "no schema":
        return _(
            "database {name}: no schema to use: the search_path names none that exists "
            "and that this role has USAGE on"
        ).format(name=name)
    return _("database {name} has no carewatch tables").format(name=name)


def check_schema(tx: Tx, name: str) -> SchemaState:
    """The database's state; :class:`StoreError` unless it is current or empty."""
    state = schema_state(tx)
    if state.kind != "empty":
        problem = schema_problem(state, name)
        if problem is not None:
            raise StoreError(problem)
    return state
