"""A one-shot ingest on SQLite writes many rows per INSERT and commits each batch in a thread
while the next one is parsed: the rows, their order and the commit points stay those of one
INSERT per row, one batch after the other; what the commit raises reaches the caller."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from carewatch.config import Config
from carewatch.ingest import ingest_paths
from carewatch.sources.parse import BatchParser
from carewatch.store import Store, StoreError
from carewatch.store.backends import SqliteBackend
from carewatch.store.database import INSERT_ROWS, Tx

CONFIG = Config(timezone="UTC")
T0 = 1_709_712_000  # 2024-03-06 08:00 UTC


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


def _call(i: int) -> str:
    t = T0 + i * 60
    return (
        f"{t}|call-{i}|support|NONE|ENTERQUEUE||+3900{i}|1\n"
        f"{t + 5}|call-{i}|support|Agent/1|CONNECT|5|b{i}|2\n"
        f"{t + 65}|call-{i}|support|Agent/1|COMPLETECALLER|5|60|1\n"
    )


def _calls(store: Store) -> list[tuple[Any, ...]]:
    return sorted(
        (c.call_id, c.started_at, c.ended_at, c.talk_seconds, c.caller)
        for c in store.recent_calls(limit=1000)
    )


def _no_commit_thread_left() -> bool:
    return not [t for t in threading.enumerate() if t.name == "carewatch-commit"]


def test_a_failed_write_in_the_commit_thread_stops_the_ingest_at_the_last_commit(
    tmp_path: Path,
) -> None:
    log = tmp_path / "queue_log"
    log.write_text("".join(_call(i) for i in range(10)))  # 30 lines
    with Store(str(tmp_path / "cw.db")) as store:
        store.retrying(
            lambda tx: tx.execute(
                "CREATE TRIGGER no_room BEFORE INSERT ON cw_call WHEN NEW.call_id = 'call-5' "
                "BEGIN SELECT RAISE(FAIL, 'no room left'); END"
            )
        )
        with pytest.raises(StoreError, match="no room left"):
            ingest_paths(store, CONFIG, [str(log)], "queue_log", batch_lines=6)
        assert _no_commit_thread_left()
        # batches of 6 lines, two calls each: call-5 starts in the third; two committed
        assert [c[0] for c in _calls(store)] == ["call-0", "call-1", "call-2", "call-3"]
        (pos,) = store.positions()
        assert (pos["line_no"], pos["lines_read"]) == (12, 12)
        store.retrying(lambda tx: tx.execute("DROP TRIGGER no_room"))
        again = ingest_paths(store, CONFIG, [str(log)], "queue_log", batch_lines=6)
        assert (again.added, again.lines_read) == (6, 18)
        got = _calls(store)
    with Store(str(tmp_path / "whole.db")) as whole:
        ingest_paths(whole, CONFIG, [str(log)], "queue_log")
        assert got == _calls(whole)


def test_a_failed_read_waits_for_the_commit_under_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "queue_log"
    log.write_text("".join(_call(i) for i in range(10)))
    parse = BatchParser.parse
    calls = []

    def failing(self: BatchParser, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:  # while the second batch commits
            raise OSError("read error")
        return parse(self, *args, **kwargs)

    monkeypatch.setattr(BatchParser, "parse", failing)
    with Store(str(tmp_path / "cw.db")) as store:
        with pytest.raises(OSError, match="read error"):
            ingest_paths(store, CONFIG, [str(log)], "queue_log", batch_lines=6)
        assert _no_commit_thread_left()
        # the two batches parsed were committed, each with its position
        assert len(_calls(store)) == 4
        (pos,) = store.positions()
        assert pos["line_no"] == 12
