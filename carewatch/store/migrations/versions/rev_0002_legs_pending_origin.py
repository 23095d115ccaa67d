"""Schema version 2: no reserved word as a column name, call legs, tag origins, events
waiting for their call, CDR legs, and PostgreSQL's change counter.

* ``cw_source_position.offset`` -> ``byte_offset``;
* ``cw_call.leg`` ('' for every existing call); a call is unique by (source, call_id, leg);
* ``cw_call.subcategory``: the request type within a call's category (a tag);
* ``cw_tag_event.origin`` ('operator' for every existing event);
* new tables ``cw_pending_event`` and ``cw_cdr_leg``;
* PostgreSQL only: the ``cw_change`` counter and the triggers that bump it
  (:mod:`carewatch.store.pgchanges`).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from carewatch.store.pgchanges import change_counter_ddl

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: The tables the change triggers watch at this revision (frozen here: a revision must not
#: change when the code's list of tables grows; a later table gets its trigger in its revision).
WATCHED = (
    "cw_call",
    "cw_tag_event",
    "cw_issue",
    "cw_source_position",
    "cw_agent_event",
    "cw_pending_event",
    "cw_cdr_leg",
)


def upgrade() -> None:
    with op.batch_alter_table("cw_source_position") as batch:
        batch.alter_column(
            "offset",
            new_column_name="byte_offset",
            existing_type=sa.BigInteger(),
            existing_nullable=False,
        )
    with op.batch_alter_table("cw_call") as batch:
        batch.add_column(sa.Column("leg", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("subcategory", sa.String(200), nullable=True))
        batch.drop_constraint("uq_call_source_call_id", type_="unique")
        batch.create_unique_constraint("uq_call_source_call_id_leg", ["source", "call_id", "leg"])
    with op.batch_alter_table("cw_tag_event") as batch:
        batch.add_column(sa.Column("origin", sa.Text(), nullable=False, server_default="operator"))
    op.create_table(
        "cw_pending_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("call_id", sa.String(200), nullable=False),
        sa.Column("leg", sa.Text(), nullable=False, server_default=""),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_pending_event_call", "cw_pending_event", ["source", "call_id"])
    op.create_table(
        "cw_cdr_leg",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("call_key", sa.String(200), nullable=False),
        sa.Column("leg_key", sa.String(200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.UniqueConstraint("source", "call_key", "leg_key", name="uq_cdr_leg_source_call_leg"),
    )
    op.execute("UPDATE cw_meta SET value = '2' WHERE key = 'schema_version'")
    if op.get_bind().dialect.name == "postgresql":
        for sql in change_counter_ddl(WATCHED):
            op.execute(sql)


def downgrade() -> None:
    raise RuntimeError("carewatch schemas are not downgraded: restore the backup")
