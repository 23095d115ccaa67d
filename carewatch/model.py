"""The tables: calls, tag events, issues, source positions, agent events, events waiting for
their call, and the CDR rows of multi-leg calls.

This is the schema's source of truth: a new database is created from these classes, and each
alembic revision under ``carewatch/store/migrations`` moves an older one here. It is imported
only to create or upgrade a database; the store's queries are plain SQL over these tables.

Times are UTC epoch seconds stored as floats: portable across SQLite and PostgreSQL,
cheap to index, and free of time-zone ambiguity. Days and hours are computed in the
configured time zone when reading (see :mod:`carewatch.timeutil`).
The KPI snapshot computed from these rows has the exact keys listed in docs/kpis.md.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Meta(SQLModel, table=True):
    """Key/value facts about the database itself (``schema_version``)."""

    __tablename__ = "cw_meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=256)


class Call(SQLModel, table=True):
    """One call as it is now: the merge of every log line about it, plus its tags."""

    __tablename__ = "cw_call"
    __table_args__ = (
        UniqueConstraint("source", "call_id", "leg", name="uq_call_source_call_id_leg"),
        Index("ix_call_started_at", "started_at"),
        Index("ix_call_agent_started_at", "agent", "started_at"),
        Index("ix_call_updated_at", "updated_at"),
        Index("ix_call_change_seq", "change_seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=200)
    call_id: str = Field(max_length=200)
    started_at: float
    answered_at: float | None = None
    ended_at: float | None = None
    wait_seconds: float | None = None
    talk_seconds: float | None = None
    queue: str | None = Field(default=None, max_length=200)
    agent: str | None = Field(default=None, max_length=200)
    caller: str | None = Field(default=None, max_length=200)
    direction: str = Field(default="in", max_length=8)
    disposition: str | None = Field(default=None, max_length=16)
    transferred: bool = False
    category: str | None = Field(default=None, max_length=200)
    outcome: str | None = Field(default=None, max_length=200)
    resolved: bool | None = None
    csat: int | None = None
    nps: int | None = None
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    #: When this row last changed (ingest or tag): lets a screen fetch only what changed.
    updated_at: float = 0.0
    #: The request type within the category (tagged by operators).
    subcategory: str | None = Field(default=None, max_length=200)
    #: Which queue entry of the call this row is ('' for a call of one entry); the last
    #: column, as in a database upgraded from version 1.
    leg: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    #: The store's change sequence at the last write of this row (:class:`ChangeSeq`): a
    #: screen reads the rows above the number it has seen. 0 for rows older than the column.
    change_seq: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default="0")
    )


class ChangeSeq(SQLModel, table=True):
    """The store's change sequence: one row, moved once by every write transaction (writers
    take turns, so the numbers follow the order of the commits; no writer's clock)."""

    __tablename__ = "cw_change_seq"

    id: int = Field(primary_key=True)
    value: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


class TagEvent(SQLModel, table=True):
    """An operator set a field of a call: who, when, which call, old and new value.

    ``field`` is category, outcome, resolved (``"true"``/``"false"``) or note. An undo
    writes a new event (``undo_of`` = the undone event's id) that puts the old value back.
    """

    __tablename__ = "cw_tag_event"
    __table_args__ = (Index("ix_tag_event_operator_at", "operator", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    call_pk: int = Field(foreign_key="cw_call.id", index=True)
    field: str = Field(max_length=16)
    old_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    operator: str = Field(max_length=200)
    at: float
    undo_of: int | None = None
    undone: bool = False
    #: Who made the change: ``operator``, or ``log:<source>`` for a log line that changed a
    #: tagged field.
    origin: str = Field(
        default="operator", sa_column=Column(Text, nullable=False, server_default="operator")
    )


class Issue(SQLModel, table=True):
    """Something a call raised that needs follow-up, open until someone resolves it."""

    __tablename__ = "cw_issue"
    __table_args__ = (
        Index("ix_issue_opened_at", "opened_at"),
        Index("ix_issue_resolved_at", "resolved_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    call_pk: int | None = Field(default=None, foreign_key="cw_call.id")
    title: str = Field(sa_column=Column(Text, nullable=False))
    category: str | None = Field(default=None, max_length=200)
    opened_by: str = Field(max_length=200)
    opened_at: float
    resolved_at: float | None = None
    resolved_by: str | None = Field(default=None, max_length=200)


class SourcePosition(SQLModel, table=True):
    """How far one log file has been read, committed with the calls it produced.

    A file is identified by more than its path: device + inode and a fingerprint
    (hash of its first ``fingerprint_len`` bytes), as log shippers do, so a rotated
    or truncated file is told apart from the one that was read.
    """

    __tablename__ = "cw_source_position"
    __table_args__ = (Index("ix_source_position_source", "source"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=200)
    path: str = Field(sa_column=Column(Text, nullable=False))
    format: str = Field(max_length=16)
    device: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    inode: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    fingerprint: str = Field(default="", max_length=64)
    fingerprint_len: int = 0
    byte_offset: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    line_no: int = 0
    lines_read: int = 0
    bad_lines: int = 0
    last_bad_line: int | None = None
    last_bad_reason: str | None = Field(default=None, max_length=200)
    #: JSON object reason -> count of skipped lines.
    bad_by_reason: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    updated_at: float = 0.0
    #: When a line was last read from this file (for "stale source").
    last_line_at: float | None = None
    #: The file has been read to its end and replaced (rotated away); nothing more to read.
    finished: bool = False


class AgentEventRow(SQLModel, table=True):
    """An operator's state change (login, pause with reason…) or a missed ring."""

    __tablename__ = "cw_agent_event"
    __table_args__ = (
        UniqueConstraint("source", "dedupe_key", name="uq_agent_event_dedupe"),
        Index("ix_agent_event_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=200)
    at: float
    agent: str = Field(max_length=200)
    event: str = Field(max_length=32)
    queue: str | None = Field(default=None, max_length=200)
    reason: str | None = Field(default=None, max_length=200)
    call_id: str | None = Field(default=None, max_length=200)
    ring_ms: int | None = None
    #: Hash of the event's content: the same line read twice is stored once.
    dedupe_key: str = Field(max_length=40)


class PendingEvent(SQLModel, table=True):
    """A log event that arrived before its call's start, kept until the start arrives."""

    __tablename__ = "cw_pending_event"
    __table_args__ = (Index("ix_pending_event_call", "source", "call_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=200)
    call_id: str = Field(max_length=200)
    leg: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    at: float
    line_no: int
    #: The event's fields, as a JSON object.
    payload: str = Field(sa_column=Column(Text, nullable=False))
    received_at: float


class CdrLeg(SQLModel, table=True):
    """One CDR row of a multi-leg call, kept to derive the call again from all its legs."""

    __tablename__ = "cw_cdr_leg"
    __table_args__ = (
        UniqueConstraint("source", "call_key", "leg_key", name="uq_cdr_leg_source_call_leg"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=200)
    call_key: str = Field(max_length=200)
    leg_key: str = Field(max_length=200)
    #: The CDR row, as a JSON object.
    payload: str = Field(sa_column=Column(Text, nullable=False))
