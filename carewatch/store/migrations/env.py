"""alembic's environment for carewatch: revisions run on the connection that
:mod:`carewatch.store.migrate` opened (inside its transaction and lock), with SQLite's
batch mode for the changes SQLite's ``ALTER TABLE`` cannot make."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import carewatch.model  # noqa: F401  (declares the tables)
from carewatch.store.schema import VERSION_TABLE

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("carewatch's migrations run through 'carewatch db upgrade'")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
