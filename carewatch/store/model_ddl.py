"""The ``CREATE`` statements of the model (:mod:`carewatch.model`), compiled by SQLAlchemy for
a dialect: what a new PostgreSQL database is created with, and what the plain SQL a new SQLite
database is created with (:data:`carewatch.store.create.SQLITE_DDL`) is checked against."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlmodel import SQLModel

import carewatch.model  # noqa: F401  (declares the tables on SQLModel.metadata)


def create_ddl(is_sqlite: bool) -> list[str]:
    """The ``CREATE TABLE``/``CREATE INDEX`` statements of the current schema."""
    dialect = sqlite.dialect() if is_sqlite else postgresql.dialect()
    out: list[str] = []
    for table in SQLModel.metadata.sorted_tables:
        out.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            out.append(str(CreateIndex(index).compile(dialect=dialect)).strip())
    return out
