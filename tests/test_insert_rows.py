"""A one-shot ingest on SQLite writes many rows per INSERT, leaving out the columns that are
NULL in every row of one: the rows and their order stay those of one INSERT per row."""

from __future__ import annotations

import sqlite3

import pytest

from carewatch.model import AgentEventRow, Call
from carewatch.store.apply import NULLABLE_AGENT_EVENT_COLUMNS, NULLABLE_CALL_COLUMNS
from carewatch.store.backends import SqliteBackend
from carewatch.store.database import INSERT_ROWS, Tx

INTO = "INSERT INTO t"
COLUMNS = ("a", "b", "c")


def _tx(conn: sqlite3.Connection) -> Tx:
    return Tx(conn, SqliteBackend(":memory:", read_only=False), writable=True)


def _table(limit: int) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b REAL, c INTEGER)")
    conn.execute("CREATE UNIQUE INDEX t_a ON t (a)")
    return conn


@pytest.mark.parametrize(("limit", "count"), [(10, 37), (32766, 2 * INSERT_ROWS + 333), (5, 1)])
def test_rows_inserted_many_per_statement_are_every_row_in_order(limit: int, count: int) -> None:
    conn = _table(limit)
    # c is NULL in whole statements of some sizes and not of others
    rows = [(f"r{i}", i / 4, None if i % 3 or i > count // 2 else i) for i in range(count)]
    tx = _tx(conn)
    assert tx.insert_rows(INTO, COLUMNS, rows, nullable={"b", "c"}) == count
    assert conn.execute("SELECT a, b, c FROM t ORDER BY id").fetchall() == rows
    # rows that conflict are left out, and not counted
    again = [(f"r{i}", None, None) for i in range(count - 1, count + 3)]
    added = tx.insert_rows(INTO, COLUMNS, again, " ON CONFLICT (a) DO NOTHING", nullable={"b"})
    assert added == 3
    assert conn.execute("SELECT count(*), count(b) FROM t").fetchone() == (count + 3, count)
    assert tx.insert_rows(INTO, COLUMNS, []) == 0


def test_a_null_where_the_column_may_not_be_left_out_is_still_refused() -> None:
    conn = _table(999)
    with pytest.raises(sqlite3.IntegrityError):
        _tx(conn).insert_rows(INTO, COLUMNS, [(None, 1.0, 2), (None, 2.0, 3)], nullable={"b"})


def test_more_parameters_in_a_row_than_the_limit_is_the_driver_s_error() -> None:
    conn = _table(2)
    with pytest.raises(sqlite3.OperationalError):
        _tx(conn).insert_rows(INTO, COLUMNS, [("x", 2, 3)])


@pytest.mark.parametrize(
    ("model", "columns"),
    [(Call, NULLABLE_CALL_COLUMNS), (AgentEventRow, NULLABLE_AGENT_EVENT_COLUMNS)],
)
def test_the_columns_an_insert_may_leave_out_are_those_null_when_left_out(
    model: type, columns: frozenset[str]
) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    null_by_default = {
        c.name
        for c in table.columns
        if c.nullable and c.server_default is None and not c.primary_key
    }
    assert columns == null_by_default
