"""Creating a new database at the current schema, in the store's own write transaction.

On SQLite the tables are created from plain SQL (:data:`SQLITE_DDL`): opening a new database
imports neither SQLAlchemy, SQLModel nor alembic (about 0.3 s and 35 MB saved for every new
file, which a first ``carewatch ingest`` pays). The
statements are those the model compiles to (:func:`carewatch.store.model_ddl.create_ddl`;
``tests/test_schema_upgrade.py`` checks that they are equal, and that a database created either
way has the same tables, columns, indexes, triggers and version). PostgreSQL's are compiled from
the model (:mod:`carewatch.store.model_ddl`, imported only then).

Every new database gets the change sequence and its triggers, PostgreSQL's change counter, and
the head revision in the version table (and ``cw_meta.schema_version``).
"""

from __future__ import annotations

from collections.abc import Sequence

from carewatch.store.changeseq import change_seq_ddl
from carewatch.store.database import Tx
from carewatch.store.pgchanges import change_counter_ddl
from carewatch.store.schema import (
    DATA_TABLES,
    HEAD_REVISION,
    SCHEMA_VERSION,
    VERSION_TABLE,
    check_schema,
)

#: The ``CREATE TABLE``/``CREATE INDEX`` statements of the current schema on SQLite: those of
#: the model (``carewatch/model.py``), tables in dependency order, each with its indexes by name.
SQLITE_DDL: tuple[str, ...] = (
    """CREATE TABLE cw_agent_event (
    id INTEGER NOT NULL,
    source VARCHAR(200) NOT NULL,
    at FLOAT NOT NULL,
    agent VARCHAR(200) NOT NULL,
    event VARCHAR(32) NOT NULL,
    queue VARCHAR(200),
    reason VARCHAR(200),
    call_id VARCHAR(200),
    ring_ms INTEGER,
    dedupe_key VARCHAR(40) NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_agent_event_dedupe UNIQUE (source, dedupe_key)
)""",
    "CREATE INDEX ix_agent_event_at ON cw_agent_event (at)",
    """CREATE TABLE cw_call (
    id INTEGER NOT NULL,
    source VARCHAR(200) NOT NULL,
    call_id VARCHAR(200) NOT NULL,
    started_at FLOAT NOT NULL,
    answered_at FLOAT,
    ended_at FLOAT,
    wait_seconds FLOAT,
    talk_seconds FLOAT,
    queue VARCHAR(200),
    agent VARCHAR(200),
    caller VARCHAR(200),
    direction VARCHAR(8) NOT NULL,
    disposition VARCHAR(16),
    transferred BOOLEAN NOT NULL,
    category VARCHAR(200),
    outcome VARCHAR(200),
    resolved BOOLEAN,
    csat INTEGER,
    nps INTEGER,
    note TEXT,
    updated_at FLOAT NOT NULL,
    subcategory VARCHAR(200),
    leg TEXT DEFAULT '' NOT NULL,
    change_seq BIGINT DEFAULT '0' NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_call_source_call_id_leg UNIQUE (source, call_id, leg)
)""",
    "CREATE INDEX ix_call_agent_started_at ON cw_call (agent, started_at)",
    "CREATE INDEX ix_call_change_seq ON cw_call (change_seq)",
    "CREATE INDEX ix_call_started_at ON cw_call (started_at)",
    "CREATE INDEX ix_call_updated_at ON cw_call (updated_at)",
    """CREATE TABLE cw_cdr_leg (
    id INTEGER NOT NULL,
    source VARCHAR(200) NOT NULL,
    call_key VARCHAR(200) NOT NULL,
    leg_key VARCHAR(200) NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_cdr_leg_source_call_leg UNIQUE (source, call_key, leg_key)
)""",
    """CREATE TABLE cw_change_seq (
    id INTEGER NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (id)
)""",
    """CREATE TABLE cw_meta (
    "key" VARCHAR(64) NOT NULL,
    value VARCHAR(256) NOT NULL,
    PRIMARY KEY ("key")
)""",
    """CREATE TABLE cw_pending_event (
    id INTEGER NOT NULL,
    source VARCHAR(200) NOT NULL,
    call_id VARCHAR(200) NOT NULL,
    leg TEXT DEFAULT '' NOT NULL,
    at FLOAT NOT NULL,
    line_no INTEGER NOT NULL,
    payload TEXT NOT NULL,
    received_at FLOAT NOT NULL,
    PRIMARY KEY (id)
)""",
    "CREATE INDEX ix_pending_event_call ON cw_pending_event (source, call_id)",
    """CREATE TABLE cw_source_position (
    id INTEGER NOT NULL,
    source VARCHAR(200) NOT NULL,
    path TEXT NOT NULL,
    format VARCHAR(16) NOT NULL,
    device BIGINT NOT NULL,
    inode BIGINT NOT NULL,
    fingerprint VARCHAR(64) NOT NULL,
    fingerprint_len INTEGER NOT NULL,
    byte_offset BIGINT NOT NULL,
    line_no INTEGER NOT NULL,
    lines_read INTEGER NOT NULL,
    bad_lines INTEGER NOT NULL,
    last_bad_line INTEGER,
    last_bad_reason VARCHAR(200),
    bad_by_reason TEXT NOT NULL,
    updated_at FLOAT NOT NULL,
    last_line_at FLOAT,
    finished BOOLEAN NOT NULL,
    PRIMARY KEY (id)
)""",
    "CREATE INDEX ix_source_position_source ON cw_source_position (source)",
    """CREATE TABLE cw_issue (
    id INTEGER NOT NULL,
    call_pk INTEGER,
    title TEXT NOT NULL,
    category VARCHAR(200),
    opened_by VARCHAR(200) NOT NULL,
    opened_at FLOAT NOT NULL,
    resolved_at FLOAT,
    resolved_by VARCHAR(200),
    PRIMARY KEY (id),
    FOREIGN KEY(call_pk) REFERENCES cw_call (id)
)""",
    "CREATE INDEX ix_issue_opened_at ON cw_issue (opened_at)",
    "CREATE INDEX ix_issue_resolved_at ON cw_issue (resolved_at)",
    """CREATE TABLE cw_tag_event (
    id INTEGER NOT NULL,
    call_pk INTEGER NOT NULL,
    field VARCHAR(16) NOT NULL,
    old_value TEXT,
    new_value TEXT,
    operator VARCHAR(200) NOT NULL,
    at FLOAT NOT NULL,
    undo_of INTEGER,
    undone BOOLEAN NOT NULL,
    origin TEXT DEFAULT 'operator' NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(call_pk) REFERENCES cw_call (id)
)""",
    "CREATE INDEX ix_cw_tag_event_call_pk ON cw_tag_event (call_pk)",
    "CREATE INDEX ix_tag_event_operator_at ON cw_tag_event (operator, at)",
)


def create_schema(tx: Tx, ddl: Sequence[str] | None = None) -> None:
    """Create every table of the current schema (``ddl``: its ``CREATE`` statements, else
    :data:`SQLITE_DDL` or the model's for PostgreSQL), stamped with the head revision."""
    if ddl is None:
        if tx.is_sqlite:
            ddl = SQLITE_DDL
        else:
            from carewatch.store.model_ddl import create_ddl  # SQLAlchemy: only here

            ddl = create_ddl(is_sqlite=False)
    for sql in ddl:
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


def create_if_empty(tx: Tx, name: str) -> bool:
    """Create the tables at the head revision when the database is still empty, inside a
    write transaction (another carewatch may have created them since it was checked). Returns
    whether it created them; :class:`~carewatch.store.errors.StoreError` for a database it
    cannot use."""
    state = check_schema(tx, name)
    if state.kind != "empty":
        return False
    create_schema(tx)
    return True
