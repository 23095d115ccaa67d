"""The tables as SQLAlchemy Core sees them, and the schema: its version, checked or created.

The tables are declared once, as SQLModel classes in :mod:`carewatch.model`; the store reads
and writes them through Core (``insert``/``select`` on these :class:`~sqlalchemy.Table`
objects), which is several times faster than the ORM's unit of work for bulk ingest.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, Table, insert, select
from sqlmodel import SQLModel

from carewatch.model import (
    SCHEMA_VERSION,
    AgentEventRow,
    Call,
    Issue,
    Meta,
    SourcePosition,
    TagEvent,
)
from carewatch.records import CallRow, IssueRow
from carewatch.store.database import StoreError


def _table(name: str) -> Table:
    # SQLModel's metaclass sets ``Model.__table__``, which its type hints do not declare;
    # the metadata holds the same Table under the model's table name, typed.
    return SQLModel.metadata.tables[name]


CALLS = _table(Call.__tablename__)
TAGS = _table(TagEvent.__tablename__)
ISSUES = _table(Issue.__tablename__)
POSITIONS = _table(SourcePosition.__tablename__)
AGENT_EVENTS = _table(AgentEventRow.__tablename__)
META = _table(Meta.__tablename__)

#: The call columns in the order of :class:`CallRow` (a selected row unpacks into one).
CALL_COLUMNS: list[Column[Any]] = [CALLS.c[name] for name in CallRow._fields]
#: The issue columns in the order of :class:`IssueRow`.
ISSUE_COLUMNS: list[Column[Any]] = [ISSUES.c[name] for name in IssueRow._fields]


def check_schema(conn: Connection, *, name: str, is_sqlite: bool, create: bool) -> None:
    """Check that the database holds carewatch's tables of this version, inside ``conn``'s
    transaction; create them in an empty database when ``create``.

    Raises :class:`StoreError` for another schema version, a database another program
    wrote, or (without ``create``) a database with no carewatch tables. ``name`` is the
    database as the user knows it.
    """
    has_meta = conn.dialect.has_table(conn, META.name)
    has_calls = conn.dialect.has_table(conn, CALLS.name)
    if has_meta:
        found = conn.execute(
            select(META.c.value).where(META.c.key == "schema_version")
        ).scalar_one_or_none()
        if found != str(SCHEMA_VERSION):
            raise StoreError(
                f"database {name} has schema version {found or 'unknown'}; "
                f"this carewatch uses version {SCHEMA_VERSION}: use a new database file "
                "or the carewatch version that wrote it"
            )
        return
    if has_calls or (is_sqlite and _has_foreign_tables(conn)):
        raise StoreError(
            f"database {name} was not written by carewatch (no schema version); "
            "point --db at a new file"
        )
    if not create:
        raise StoreError(f"database {name} has no carewatch tables")
    SQLModel.metadata.create_all(conn)
    conn.execute(insert(META), [{"key": "schema_version", "value": str(SCHEMA_VERSION)}])


def _has_foreign_tables(conn: Connection) -> bool:
    names = (
        conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'").scalars().all()
    )
    return any(not n.startswith(("cw_", "sqlite_")) for n in names)
