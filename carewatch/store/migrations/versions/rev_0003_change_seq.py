"""Schema version 3: the store's change sequence.

* ``cw_change_seq``: one number, moved once by every write transaction;
* ``cw_call.change_seq`` (0 for every existing call) and its index;
* triggers that number the rows other programs write (:mod:`carewatch.store.changeseq`).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from carewatch.store.changeseq import change_seq_ddl

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cw_change_seq",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.add_column(
        "cw_call", sa.Column("change_seq", sa.BigInteger(), nullable=False, server_default="0")
    )
    op.create_index("ix_call_change_seq", "cw_call", ["change_seq"])
    for sql in change_seq_ddl(op.get_bind().dialect.name == "sqlite"):
        op.execute(sql)
    op.execute("UPDATE cw_meta SET value = '3' WHERE key = 'schema_version'")


def downgrade() -> None:
    raise RuntimeError("carewatch schemas are not downgraded: restore the backup")
