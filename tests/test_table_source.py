"""Asterisk's realtime queue_log table followed on PostgreSQL exactly once, by its ids.

The table is Asterisk's (``contrib/realtime/postgresql/postgresql_queue_log.sql``): written by
other connections while carewatch follows it, read again after restarts, and the calls and the
day's figures compared with those of the same events read from a queue_log file. The carewatch
database is SQLite or PostgreSQL (the ``database`` fixture); the table is always in a
PostgreSQL database of its own.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from carewatch.config import Config, parse_config
from carewatch.figures import window_kpis
from carewatch.ingest import Follower, ingest_paths, ingest_tables
from carewatch.kpi.windows import day_window
from carewatch.simulate import generate_calls, write_queue_log
from carewatch.sources.pgtable import TableWatch
from carewatch.sources.table_tail import TableTail
from carewatch.store import Store

ROOT = Path(__file__).resolve().parent.parent
TZ = "Europe/Rome"
DAY = date(2024, 3, 6)
#: The table as Asterisk's contrib/realtime/postgresql/postgresql_queue_log.sql creates it.
ASTERISK_TABLE = """CREATE TABLE queue_log (
    id BIGSERIAL NOT NULL PRIMARY KEY, time TIMESTAMP WITHOUT TIME ZONE, callid VARCHAR(80),
    queuename VARCHAR(256), agent VARCHAR(80), event VARCHAR(32), data1 VARCHAR(100),
    data2 VARCHAR(100), data3 VARCHAR(100), data4 VARCHAR(100), data5 VARCHAR(100))"""
INSERT = (
    "INSERT INTO queue_log (time, callid, queuename, agent, event, data1, data2, data3, "
    "data4, data5) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)

Event = list[str]  # the fields of a queue_log line


def table_config(url: str, **extra: Any) -> Config:
    return parse_config(
        {"timezone": TZ, "sources": [{"kind": "table", "url": url, "table": "queue_log", **extra}]}
    )


def day_events(seed: int = 11, bad_every: int = 97) -> list[Event]:
    """A simulated day of queue_log events, with an event of an unknown name every
    ``bad_every`` events (a bad line in a file, a bad row in a table)."""
    config = parse_config({"timezone": TZ})
    buf = io.StringIO()
    write_queue_log(generate_calls(seed, DAY, 1, config.tz, config), buf)
    out = []
    for i, line in enumerate(buf.getvalue().splitlines(), 1):
        out.append(line.split("|"))
        if i % bad_every == 0:
            out.append([line.split("|")[0], f"bad-{i}", "support", "NONE", "NOSUCHEVENT"])
    return out


def row_values(event: Event) -> tuple[Any, ...]:
    """An event as Asterisk stores it: the local time without zone, data1..data4, and
    data5 holding the fifth data field and any after it, joined by "|"."""
    config = parse_config({"timezone": TZ})
    at = datetime.fromtimestamp(float(event[0]), config.tz).replace(tzinfo=None)
    data = event[5:]
    data = [*data[:4], "|".join(data[4:])] + [""] * max(0, 4 - len(data))
    return (at, *event[1:5], *data[:5])


def insert(url: str, events: Sequence[Event], per_transaction: int = 1) -> None:
    """Insert events as Asterisk does, through a connection of another program."""
    with psycopg.connect(url) as conn:
        for i in range(0, len(events), per_transaction):
            with conn.transaction():
                conn.cursor().executemany(
                    INSERT, [row_values(e) for e in events[i : i + per_transaction]]
                )


def calls(store: Store) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Every call as its full row minus ``id`` and ``updated_at``."""
    return {
        (row.source, row.call_id): row._replace(id=0, updated_at=0.0)
        for row in store.recent_calls(limit=1_000_000)
    }


def from_a_file(tmp_path: Path, events: Sequence[Event]) -> tuple[dict, dict[str, Any]]:
    """The calls and the day's figures of the same events read from a queue_log file."""
    folder = tmp_path / "file"
    folder.mkdir()
    log = folder / "queue_log"
    log.write_text("".join("|".join(e) + "\n" for e in events))
    config = parse_config({"timezone": TZ})
    with Store(str(folder / "ref.db")) as ref:
        summary = ingest_paths(ref, config, [str(log)])
        assert summary.skipped == sum(1 for e in events if e[4] == "NOSUCHEVENT")
        return calls(ref), figures(ref, config)


def figures(store: Store, config: Config) -> dict[str, Any]:
    return window_kpis(store, config, day_window(DAY, config.tz), now=1e10)


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> float:
    """Poll ``condition`` until it holds; the seconds it took. Fails after ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
    return time.monotonic() - start


def lines_read(store: Store) -> int:
    return sum(p["lines_read"] for p in store.positions())


@pytest.fixture
def pbx(pg_url: str) -> str:
    """The URL of a PostgreSQL database holding Asterisk's empty queue_log table."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(ASTERISK_TABLE)
    return pg_url


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    s = Store(database)
    yield s
    s.close()


# -- exactly once ---------------------------------------------------------------------------


def test_the_table_followed_while_other_connections_insert_equals_the_file(
    store: Store, pbx: str, tmp_path: Path
) -> None:
    events = day_events()
    expected_calls, expected_figures = from_a_file(tmp_path, events)
    config = table_config(pbx)
    follower = Follower(store, config, [], poll_interval=0.2)
    stop = threading.Event()
    thread = threading.Thread(target=follower.run, args=(stop,))
    thread.start()
    try:
        # three writers at once, each with its share of the calls (a call's events in order):
        # their transactions commit ids out of order
        shares: list[list[Event]] = [[], [], []]
        for event in events:
            shares[sum(map(ord, event[1])) % 3].append(event)
        writers = [threading.Thread(target=insert, args=(pbx, share, 3)) for share in shares]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(120)
        wait_until(lambda: lines_read(store) == len(events), "every row read")
    finally:
        stop.set()
        thread.join(30)
    assert calls(store) == expected_calls
    assert figures(store, config) == expected_figures
    (status,) = follower.status()
    assert (status.path, status.lines_read) == ("table queue_log", len(events))
    assert status.bad_lines == sum(1 for e in events if e[4] == "NOSUCHEVENT")
    assert follower.last_error is None and status.problem is None


def test_exactly_once_across_restarts(store: Store, pbx: str, tmp_path: Path) -> None:
    events = day_events(seed=12)
    expected_calls, _ = from_a_file(tmp_path, events)
    config = table_config(pbx)
    third = len(events) // 3
    insert(pbx, events[:third], per_transaction=50)
    first = ingest_tables(store, config, config.table_sources)
    assert first.lines_read == third and first.added > 0
    again = ingest_tables(store, config, config.table_sources)
    assert (again.lines_read, again.added, again.updated) == (0, 0, 0)
    insert(pbx, events[third:], per_transaction=50)
    for batch_rows in (100, 100_000):  # restarted mid-way, then to the end
        tail = TableTail(store, config, config.sources[0], batch_rows=batch_rows)
        try:
            tail.poll()
        finally:
            tail.close()
    assert calls(store) == expected_calls
    assert lines_read(store) == len(events)
    (position,) = store.positions()
    with psycopg.connect(pbx) as conn:
        (top,) = conn.execute("SELECT max(id) FROM queue_log").fetchone()
    assert (position["path"], position["byte_offset"]) == ("table queue_log", top)


FOLLOW_SCRIPT = f"""
import sys, threading
from carewatch.config import parse_config
from carewatch.ingest import Follower
from carewatch.store import Store
config = parse_config({{"timezone": "{TZ}", "sources": [
    {{"kind": "table", "url": sys.argv[2], "table": "queue_log"}}]}})
Follower(Store(sys.argv[1]), config, [], poll_interval=0.05).run(threading.Event())
"""


def test_a_follower_killed_mid_way_restarts_without_loss_or_duplicates(
    store: Store, pbx: str, tmp_path: Path
) -> None:
    events = day_events(seed=13)
    expected_calls, _ = from_a_file(tmp_path, events)

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-c", FOLLOW_SCRIPT, store.url, pbx],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )

    half = len(events) // 2
    first = start()
    try:
        insert(pbx, events[:half], per_transaction=3)
        wait_until(lambda: store.count_calls() > 20, "the first follower to read")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    insert(pbx, events[half:], per_transaction=3)  # partly while nobody follows
    second = start()
    try:
        wait_until(lambda: lines_read(store) >= len(events), "the second follower to the end")
    finally:
        second.send_signal(signal.SIGKILL)
        second.wait(30)
    assert calls(store) == expected_calls
    assert lines_read(store) == len(events)


def test_two_followers_at_once_apply_nothing_twice(store: Store, pbx: str, tmp_path: Path) -> None:
    events = day_events(seed=14)
    expected_calls, _ = from_a_file(tmp_path, events)
    insert(pbx, events, per_transaction=100)
    config = table_config(pbx)
    with Store(store.url) as other:
        tails = [TableTail(s, config, config.sources[0], batch_rows=37) for s in (store, other)]
        threads = [threading.Thread(target=t.poll) for t in tails]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        for tail in tails:
            tail.close()
    assert calls(store) == expected_calls
    assert lines_read(store) == len(events)


# -- rows committed out of id order ---------------------------------------------------------


def pause(agent: str) -> Event:
    return ["1709715600", "NONE", "support", agent, "PAUSE", "lunch"]


def paused(store: Store) -> list[str]:
    return sorted(e["agent"] for e in store.agent_events_between(0, 2e9))


def test_a_later_id_committed_first_waits_for_the_earlier_one(store: Store, pbx: str) -> None:
    config = table_config(pbx)
    insert(pbx, [pause("a1")])
    slow = psycopg.connect(pbx)  # takes id 2 and commits late
    try:
        slow.execute(INSERT, row_values(pause("a2")))
        insert(pbx, [pause("a3")])  # id 3, committed first
        tail = TableTail(store, config, config.sources[0])
        tail.poll()
        assert paused(store) == ["a1"]  # id 3 waits: id 2 may still come
        assert store.positions()[0]["byte_offset"] == 1
        tail.close()  # and a restart in between changes nothing
        slow.commit()
    finally:
        slow.close()
    tail = TableTail(store, config, config.sources[0])
    tail.poll()
    tail.close()
    assert paused(store) == ["a1", "a2", "a3"]
    assert lines_read(store) == 3


def test_a_rolled_back_id_is_passed_at_once(store: Store, pbx: str) -> None:
    config = table_config(pbx)
    with psycopg.connect(pbx) as conn:
        conn.execute(INSERT, row_values(pause("a1")))
        conn.rollback()  # id 1 is never committed
    insert(pbx, [pause("a2")])
    tail = TableTail(store, config, config.sources[0])
    tail.poll()
    tail.close()
    assert paused(store) == ["a2"]
    assert store.positions()[0]["byte_offset"] == 2


def test_a_writer_idle_for_longer_than_the_wait_does_not_hold_the_rest(
    store: Store, pbx: str
) -> None:
    config = table_config(pbx)
    now = [1000.0]
    tail = TableTail(store, config, config.sources[0], gap_wait=30, clock=lambda: now[0])
    idle = psycopg.connect(pbx)  # inserted id 1, then left idle in its transaction
    try:
        idle.execute(INSERT, row_values(pause("a1")))
        insert(pbx, [pause("a2")])
        tail.poll()
        assert paused(store) == []
        now[0] += 29
        tail.poll()
        assert paused(store) == []
        now[0] += 1
        tail.poll()
        assert paused(store) == ["a2"]  # given up on id 1: a row committed later is not read
    finally:
        idle.close()
        tail.close()


def test_a_one_shot_ingest_waits_for_a_writer_that_is_finishing(store: Store, pbx: str) -> None:
    config = table_config(pbx)
    slow = psycopg.connect(pbx)
    slow.execute(INSERT, row_values(pause("a1")))
    insert(pbx, [pause("a2")])
    committer = threading.Timer(0.5, slow.commit)
    committer.start()
    try:
        summary = ingest_tables(store, config, config.table_sources)
    finally:
        committer.join()
        slow.close()
    assert summary.lines_read == 2
    assert paused(store) == ["a1", "a2"]


# -- the layouts of real tables -------------------------------------------------------------


def test_the_layouts_of_asterisk_and_wazo(store: Store, pg_url: str) -> None:
    """Asterisk's non-adaptive realtime (one ``data`` column, epoch text in ``time``, as
    older versions wrote), Wazo's (TIMESTAMPTZ time, data1..data5) and a table whose columns
    another program named otherwise."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE old_log (id SERIAL PRIMARY KEY, time VARCHAR(26), callid CHAR(50), "
            "queuename CHAR(50), agent CHAR(50), event CHAR(20), data VARCHAR(255))"
        )
        conn.execute(
            "INSERT INTO old_log (time, callid, queuename, agent, event, data) VALUES "
            "('1709715600', 'c1', 'sales', 'NONE', 'ENTERQUEUE', '|+39333111|1'), "
            "('1709715605', 'c1', 'sales', 'SIP/1001', 'CONNECT', '5|c1.2|3'), "
            "('1709715665', 'c1', 'sales', 'SIP/1001', 'COMPLETECALLER', '5|60|1')"
        )
        conn.execute(
            "CREATE TABLE wazo_log (id SERIAL PRIMARY KEY, time TIMESTAMPTZ, "
            "callid VARCHAR(80), queuename VARCHAR(256), agent TEXT, event VARCHAR(20), "
            "data1 TEXT, data2 TEXT, data3 TEXT, data4 TEXT, data5 TEXT)"
        )
        conn.execute(
            "INSERT INTO wazo_log (time, callid, queuename, agent, event, data1, data2, data3) "
            "VALUES ('2024-03-06 09:00:00+00', 'w1', 'support', 'NONE', 'ENTERQUEUE', '', "
            "'+39333222', '1'), ('2024-03-06 09:00:30+00', 'w1', 'support', NULL, 'ABANDON', "
            "'1', '1', '30'), (NULL, 'w2', 'support', 'NONE', 'ENTERQUEUE', '', '', '1')"
        )
        conn.execute(
            "CREATE TABLE renamed (seq BIGSERIAL PRIMARY KEY, logged_at TIMESTAMP, "
            "call_id TEXT, queuename TEXT, agent TEXT, verb TEXT, data1 TEXT, data2 TEXT, "
            "data3 TEXT)"
        )
        conn.execute(
            "INSERT INTO renamed (logged_at, call_id, queuename, agent, verb, data1, data2, "
            "data3) VALUES ('2024-03-06 10:00:00', 'r1', 'sales', 'NONE', 'ENTERQUEUE', '', "
            "'+39333333', '1')"
        )
    config = parse_config(
        {
            "timezone": TZ,
            "sources": [
                {"kind": "table", "url": pg_url, "table": "old_log"},
                {"kind": "table", "url": pg_url, "table": "wazo_log", "name": "wazo"},
                {
                    "kind": "table",
                    "url": pg_url,
                    "table": "renamed",
                    "timezone": "UTC",
                    "columns": {
                        "id": "seq",
                        "time": "logged_at",
                        "callid": "call_id",
                        "event": "verb",
                    },
                },
            ],
        }
    )
    summary = ingest_tables(store, config, config.table_sources)
    assert (summary.added, summary.files_not_read) == (3, [])
    assert summary.skipped_by_reason == {"bad timestamp": 1}  # a row without a time
    (old,) = store.find_calls("c1")
    assert (old.source, old.started_at, old.caller, old.agent) == (
        "old_log",
        1709715600.0,
        "+39333111",
        "SIP/1001",
    )
    assert (old.wait_seconds, old.talk_seconds, old.disposition) == (5.0, 60.0, "answered")
    (wazo,) = store.find_calls("w1")
    assert (wazo.source, wazo.started_at, wazo.disposition, wazo.wait_seconds) == (
        "wazo",
        datetime.fromisoformat("2024-03-06T09:00:00+00:00").timestamp(),
        "abandoned",
        30.0,
    )
    (renamed,) = store.find_calls("r1")
    assert renamed.started_at == datetime.fromisoformat("2024-03-06T10:00:00+00:00").timestamp()


def test_a_table_that_cannot_be_read_is_one_line(store: Store, pbx: str) -> None:
    missing = table_config(
        pbx.replace("postgres?", "no_such_db?").replace("carewatch@", "carewatch:s3cret@")
    )
    summary = ingest_tables(store, missing, missing.table_sources)
    ((name, why),) = summary.files_not_read
    assert name == "table queue_log"
    assert "no_such_db" in why and "s3cret" not in why and "\n" not in why
    wrong = parse_config(
        {
            "sources": [
                {"kind": "table", "url": pbx, "table": "queue_log", "columns": {"event": "verb"}}
            ]
        }
    )
    ((_, why),) = ingest_tables(store, wrong, wrong.table_sources).files_not_read
    assert why == "it has no column verb (see the source's columns)"
    assert store.count_calls() == 0


# -- new rows announced -----------------------------------------------------------------------

TRIGGERS = (
    "SELECT tgname FROM pg_trigger WHERE tgrelid = 'queue_log'::regclass AND NOT tgisinternal"
)


def test_new_rows_are_announced_by_the_trigger_carewatch_installs(pbx: str) -> None:
    config = table_config(pbx)
    with Store(":memory:") as store:
        tail = TableTail(store, config, config.sources[0])
        watch = TableWatch(tail.table)
        try:
            assert watch.wait(0.05) is True  # installs the trigger and listens: look now
            assert watch.wait(0.05) is False  # nothing new since
            writer = threading.Timer(0.2, insert, (pbx, [pause("a1")]))
            writer.start()
            took = wait_until(lambda: watch.wait(0.5), "the announcement", timeout=30)
            writer.join()
            assert took < 1.5
        finally:
            watch.close()
            tail.close()
    with psycopg.connect(pbx) as conn:
        found = conn.execute(TRIGGERS).fetchall()
    assert found == [("carewatch_notify",)]


def test_a_role_that_may_only_read_the_table_polls_and_installs_nothing(pbx: str) -> None:
    schema = pbx.rsplit("%3D", 1)[1]
    with psycopg.connect(pbx, autocommit=True) as conn:
        for sql in (
            "DROP ROLE IF EXISTS cw_reader",
            "CREATE ROLE cw_reader LOGIN",
            f"GRANT USAGE ON SCHEMA {schema} TO cw_reader",
            f"GRANT SELECT ON {schema}.queue_log TO cw_reader",
        ):
            conn.execute(sql)
    reader_url = pbx.replace("postgresql://carewatch@", "postgresql://cw_reader@")
    config = table_config(reader_url)
    with Store(":memory:") as store:
        tail = TableTail(store, config, config.sources[0])
        watch = TableWatch(tail.table)
        slow = psycopg.connect(pbx)
        try:
            assert tail.table.announced() is False
            watch.wait(0.05)
            insert(pbx, [pause("a1")])
            wait_until(lambda: watch.wait(0.5), "the new id to be seen", timeout=30)
            slow.execute(INSERT, row_values(pause("a2")))  # and a writer still at it (pg_locks)
            insert(pbx, [pause("a3")])
            tail.poll()
            assert tail.problem is None and paused(store) == ["a1"]
            slow.commit()
            tail.poll()
            assert paused(store) == ["a1", "a2", "a3"]
        finally:
            slow.close()
            watch.close()
            tail.close()
    with psycopg.connect(pbx) as conn:
        found = conn.execute(TRIGGERS).fetchall()
    assert found == []


# -- the command line -------------------------------------------------------------------------


def write_config(path: Path, url: str, table: str = "queue_log") -> Path:
    path.write_text(
        f'timezone = "{TZ}"\n\n[[sources]]\nkind = "table"\nurl = "{url}"\n'
        f'table = "{table}"\nname = "rome-pbx"\n'
    )
    return path


def test_carewatch_ingest_reads_the_configs_table(
    pbx: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from carewatch.cli import main

    events = day_events(seed=15)
    insert(pbx, events, per_transaction=100)
    config, db = write_config(tmp_path / "cw.toml", pbx), str(tmp_path / "cw.db")
    log = tmp_path / "queue_log"  # the same events in a file, whose line numbers are the ids
    log.write_text("".join("|".join(e) + "\n" for e in events))
    with Store(str(tmp_path / "file.db")) as ref:
        from_file = ingest_paths(ref, parse_config({"timezone": TZ}), [str(log)])
    assert from_file.skipped > 0
    assert main(["ingest", "--config", str(config), "--db", db]) == 0
    out = capsys.readouterr().out.strip()
    assert out == from_file.summary_line().replace("queue_log line", "table queue_log line")
    with Store(db) as store:
        assert {c.source for c in store.recent_calls(10)} == {"rome-pbx"}
        assert lines_read(store) == len(events)
    assert main(["ingest", "--config", str(config), "--db", db]) == 0
    assert capsys.readouterr().out.strip() == "0 calls added, 0 updated, 0 lines skipped"


def test_carewatch_ingest_of_a_table_it_cannot_read_fails_in_one_line(
    pbx: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from carewatch.cli import main

    config = write_config(tmp_path / "cw.toml", pbx, table="no_such_table")
    assert main(["ingest", "--config", str(config), "--db", str(tmp_path / "cw.db")]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert "1 file not read (table no_such_table: no such table in postgresql://" in out


def test_a_table_source_without_its_table_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from carewatch.cli import main

    config = tmp_path / "cw.toml"
    config.write_text('[[sources]]\nkind = "table"\nurl = "postgresql://pbx/asterisk"\n')
    with pytest.raises(SystemExit) as info:
        main(["config", "check", str(config)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        f"carewatch: {config}: sources[0]: a table source needs table = 'queue_log'"
    ]
