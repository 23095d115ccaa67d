"""A one-shot ingest on SQLite writes many rows per INSERT: the rows and their order stay
those of one INSERT per row."""

from __future__ import annotations

import sqlite3

import pytest

from carewatch.store.backends import SqliteBackend
from carewatch.store.database import INSERT_ROWS, Tx


def _tx(conn: sqlite3.Connection) -> Tx:
    return Tx(conn, SqliteBackend(":memory:", read_only=False), writable=True)


@pytest.mark.parametrize(("limit", "count"), [(10, 37), (32766, 2 * INSERT_ROWS + 333), (5, 1)])
def test_rows_inserted_many_per_statement_are_every_row_in_order(limit: int, count: int) -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b REAL, c INTEGER)")
    conn.execute("CREATE UNIQUE INDEX t_a ON t (a)")
    rows = [(f"r{i}", i / 4, None if i % 3 else i) for i in range(count)]
    tx = _tx(conn)
    assert tx.insert_rows("INSERT INTO t (a, b, c)", rows) == count
    assert conn.execute("SELECT a, b, c FROM t ORDER BY id").fetchall() == rows
    # rows that conflict are left out, and not counted
    again = [(f"r{i}", 0.0, 0) for i in range(count - 1, count + 3)]
    added = tx.insert_rows("INSERT INTO t (a, b, c)", again, " ON CONFLICT (a) DO NOTHING")
    assert added == 3
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (count + 3,)
    assert tx.insert_rows("INSERT INTO t (a, b, c)", []) == 0


def test_more_parameters_in_a_row_than_the_limit_is_the_driver_s_error() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 2)
    conn.execute("CREATE TABLE t (a, b, c)")
    with pytest.raises(sqlite3.OperationalError):
        _tx(conn).insert_rows("INSERT INTO t (a, b, c)", [(1, 2, 3)])
