"""What a follower (and a one-shot ``carewatch ingest``) says when a poll waits: it names what
does not answer, the database being written or the queue_log table being read from another
database; and the time it spends decompressing a big archive is no wait on a database."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import IO

import psycopg
import pytest

import carewatch.ingest.stall as stall
import carewatch.sources.archive as archive
import carewatch.store.waits as waits
from carewatch.config import Config, Source
from carewatch.ingest import Follower
from carewatch.store import Store
from carewatch.store.database import display_name
from tests.test_archive_retry import rotated_while_stopped
from tests.test_follow_problems import Following, wait_for
from tests.test_pg_sites import QUEUE_LOG, in_thread, stderr_lines, table_config
from tests.test_rotation import ended

CONFIG = Config(timezone="UTC")
DEADLINE = 60.0


class FrozenClock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """A poll says it waits after 0.3 s."""
    monkeypatch.setattr(stall, "STALL_SECONDS", 0.3)


@pytest.fixture
def pbx(pg_url: str) -> str:
    """A phone system's database holding a queue_log table of one row."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(QUEUE_LOG)
        conn.execute(
            "INSERT INTO queue_log (time, callid, queuename, agent, event, data2, data3) "
            "VALUES ('2024-03-06 10:00:00', 'c1', 'sales', 'NONE', 'ENTERQUEUE', '555', '1')"
        )
    return pg_url


def table_text(url: str) -> str:
    return (
        f"table queue_log: no answer for 0.3 s from {display_name(url)} (its server is out of "
        "reach, or another program holds a lock on the table)"
    )


def test_a_follower_whose_source_table_does_not_answer_names_the_table(
    pbx: str, tmp_path: Path, quick: None
) -> None:
    source = Source(kind="table", url=pbx, table="queue_log", name="rome-pbx")
    told: list[tuple[str, str]] = []

    def on_problems(arose: list[str], gone: list[str]) -> None:
        told.extend([("recovered", t) for t in gone] + [("problem", t) for t in arose])

    stop = threading.Event()
    with Store(str(tmp_path / "cw.db")) as store:
        follower = Follower(store, CONFIG, [], tables=[source], poll_interval=0.05)
        thread = threading.Thread(target=follower.run, args=(stop, None, on_problems))
        thread.start()
        try:
            wait_for(lambda: store.count_calls() == 1, "the first row")
            locker = psycopg.connect(pbx)  # another program locks the table, and keeps it
            try:
                locker.execute("LOCK TABLE queue_log IN ACCESS EXCLUSIVE MODE")
                wait_for(lambda: told, "the problem")
                assert told == [("problem", table_text(pbx))]
                assert follower.problems() == {"table queue_log": table_text(pbx)}
            finally:
                locker.rollback()
                locker.close()
            wait_for(lambda: len(told) == 2, "the end of the problem")
            assert told[1] == ("recovered", table_text(pbx))
            assert follower.problems() == {}
        finally:
            stop.set()
            thread.join(timeout=DEADLINE)


def test_a_one_shot_ingest_of_a_table_that_does_not_answer_names_the_table(
    pbx: str, tmp_path: Path, quick: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = table_config(tmp_path, pbx)
    said = stderr_lines(monkeypatch)
    locker = psycopg.connect(pbx)  # another program locks the table
    locker.execute("LOCK TABLE queue_log IN ACCESS EXCLUSIVE MODE")
    db = str(tmp_path / "cw.db")
    ingesting, result = in_thread(["ingest", "--config", str(config), "--db", db])
    try:
        deadline = time.monotonic() + DEADLINE
        while not said and ingesting.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        locker.rollback()  # the lock is let go
        locker.close()
        ingesting.join(timeout=DEADLINE)
    assert said == [f"problem: {table_text(pbx)}; still trying"]
    assert result == [0]
    with Store(db) as store:
        assert [call.source for call in store.find_calls("c1")] == ["rome-pbx"]


def test_a_follower_decompressing_a_big_archive_does_not_say_the_database_is_stalled(
    tmp_path: Path, quick: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(str(tmp_path / "cw.db")) as store:
        log, _gz = rotated_while_stopped(store, tmp_path)
        real = archive._CODECS[".gz"]
        slow: list[float] = []

        def decompress_slowly(path: str, out: IO[bytes]) -> None:
            # a 2 GB archive, shortened: four times as long as a wait the follower tells
            slow.append(stall.STALL_SECONDS * 4)
            threading.Event().wait(slow[-1])
            real(path, out)

        monkeypatch.setitem(archive._CODECS, ".gz", decompress_slowly)
        with Following(store, log) as following:
            wait_for(lambda: ended(store) == {f"call-{i}" for i in range(5)}, "the archive")
            following.more_polls(1)
        assert slow  # (the archive was decompressed, slowly)
        assert following.told == []


def test_the_watch_counts_the_wait_for_a_database_and_not_an_archive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FrozenClock()
    monkeypatch.setattr(waits, "_clock", clock)
    told: list[tuple[str, str]] = []
    watch = stall.StallWatch(lambda about, text: told.append((about, text)), seconds=10)
    watch.busy()
    with waits.waiting_on("archive", "/var/log/asterisk/queue_log.1.gz"):
        clock.now += 600  # ten minutes decompressing it
        watch.check()
    assert told == []
    with waits.waiting_on("database", "cw.db"):
        clock.now += 9.9
        watch.check()
        assert told == []
        clock.now += 0.1
        watch.check()
        watch.check()
    assert told == [("database", stall.stalled_text("cw.db", 10))]
    assert watch.idle() is True


def test_a_lock_held_longer_than_the_retries_is_told_once_not_at_every_poll(
    tmp_path: Path, quick: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    import carewatch.store.backends as backends
    from tests.test_follow_problems import enter

    monkeypatch.setattr(backends, "SQLITE_WRITE_TIMEOUT", 0.2)  # each poll gives up soon
    db = tmp_path / "cw.db"
    log = tmp_path / "queue_log"
    log.write_text(enter(1))
    locked = f"database {db}: database is locked"
    with Store(str(db)) as store, Following(store, log) as following:
        wait_for(lambda: store.count_calls() == 1, "the first call")
        holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another program's transaction, left open
            with log.open("a") as fh:
                fh.write(enter(2))
            wait_for(lambda: ("problem", locked) in following.told, "the error")
            following.more_polls(3)  # polls that give up while the lock is held
        finally:
            holder.execute("COMMIT")
            holder.close()
        wait_for(lambda: store.count_calls() == 2, "the call logged while the lock was held")
        wait_for(lambda: following.told[-1][0] == "recovered", "the end of the problem")
    # the wait (told after 0.3 s), then the error when the retries gave up: each once, though
    # every poll meanwhile waited as long and gave up the same way
    problems = [text for kind, text in following.told if kind == "problem"]
    assert problems in ([stall.stalled_text(str(db), 0.3), locked], [locked]), following.told
    assert following.told[len(problems) :] == [("recovered", locked)]
