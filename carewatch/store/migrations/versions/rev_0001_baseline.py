"""Schema version 1: the tables as carewatch 0.1 created them (the baseline).

A database of version 1 has no version table: ``carewatch db upgrade`` stamps it with this
revision before upgrading it. Run on an empty database, this revision builds one exactly as
carewatch 0.1 did (the tests build version-1 databases this way).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _text(n: int) -> sa.String:
    return sa.String(n)


def upgrade() -> None:
    op.create_table(
        "cw_meta",
        sa.Column("key", _text(64), primary_key=True),
        sa.Column("value", _text(256), nullable=False),
    )
    op.create_table(
        "cw_call",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", _text(200), nullable=False),
        sa.Column("call_id", _text(200), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("answered_at", sa.Float()),
        sa.Column("ended_at", sa.Float()),
        sa.Column("wait_seconds", sa.Float()),
        sa.Column("talk_seconds", sa.Float()),
        sa.Column("queue", _text(200)),
        sa.Column("agent", _text(200)),
        sa.Column("caller", _text(200)),
        sa.Column("direction", _text(8), nullable=False),
        sa.Column("disposition", _text(16)),
        sa.Column("transferred", sa.Boolean(), nullable=False),
        sa.Column("category", _text(200)),
        sa.Column("outcome", _text(200)),
        sa.Column("resolved", sa.Boolean()),
        sa.Column("csat", sa.Integer()),
        sa.Column("nps", sa.Integer()),
        sa.Column("note", sa.Text()),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.UniqueConstraint("source", "call_id", name="uq_call_source_call_id"),
    )
    op.create_index("ix_call_started_at", "cw_call", ["started_at"])
    op.create_index("ix_call_agent_started_at", "cw_call", ["agent", "started_at"])
    op.create_index("ix_call_updated_at", "cw_call", ["updated_at"])
    op.create_table(
        "cw_source_position",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", _text(200), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("format", _text(16), nullable=False),
        sa.Column("device", sa.BigInteger(), nullable=False),
        sa.Column("inode", sa.BigInteger(), nullable=False),
        sa.Column("fingerprint", _text(64), nullable=False),
        sa.Column("fingerprint_len", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("lines_read", sa.Integer(), nullable=False),
        sa.Column("bad_lines", sa.Integer(), nullable=False),
        sa.Column("last_bad_line", sa.Integer()),
        sa.Column("last_bad_reason", _text(200)),
        sa.Column("bad_by_reason", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("last_line_at", sa.Float()),
        sa.Column("finished", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_source_position_source", "cw_source_position", ["source"])
    op.create_table(
        "cw_agent_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", _text(200), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("agent", _text(200), nullable=False),
        sa.Column("event", _text(32), nullable=False),
        sa.Column("queue", _text(200)),
        sa.Column("reason", _text(200)),
        sa.Column("call_id", _text(200)),
        sa.Column("ring_ms", sa.Integer()),
        sa.Column("dedupe_key", _text(40), nullable=False),
        sa.UniqueConstraint("source", "dedupe_key", name="uq_agent_event_dedupe"),
    )
    op.create_index("ix_agent_event_at", "cw_agent_event", ["at"])
    op.create_table(
        "cw_tag_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("call_pk", sa.Integer(), sa.ForeignKey("cw_call.id"), nullable=False),
        sa.Column("field", _text(16), nullable=False),
        sa.Column("old_value", sa.Text()),
        sa.Column("new_value", sa.Text()),
        sa.Column("operator", _text(200), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("undo_of", sa.Integer()),
        sa.Column("undone", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_tag_event_operator_at", "cw_tag_event", ["operator", "at"])
    op.create_index("ix_cw_tag_event_call_pk", "cw_tag_event", ["call_pk"])
    op.create_table(
        "cw_issue",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("call_pk", sa.Integer(), sa.ForeignKey("cw_call.id")),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("category", _text(200)),
        sa.Column("opened_by", _text(200), nullable=False),
        sa.Column("opened_at", sa.Float(), nullable=False),
        sa.Column("resolved_at", sa.Float()),
        sa.Column("resolved_by", _text(200)),
    )
    op.create_index("ix_issue_resolved_at", "cw_issue", ["resolved_at"])
    op.create_index("ix_issue_opened_at", "cw_issue", ["opened_at"])
    op.bulk_insert(
        sa.table("cw_meta", sa.column("key"), sa.column("value")),
        [{"key": "schema_version", "value": "1"}],
    )


def downgrade() -> None:
    raise RuntimeError("carewatch schemas are not downgraded: restore the backup")
