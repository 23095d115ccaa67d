"""``carewatch db upgrade`` while another program holds the database's write lock: it says
it waits (as ``carewatch tag`` does) and upgrades once the lock is free, or gives up after
its documented wait with one line, the database as it was."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import carewatch.cli.common as common
import carewatch.store.migrate as migrate
from carewatch.cli import main
from carewatch.store.schema import SCHEMA_VERSION
from tests.test_schema_upgrade import build_v1

DEADLINE = 30.0


class Holder:
    """Another program's write transaction on the database, open until :meth:`release`."""

    def __init__(self, db: Path) -> None:
        self.conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("UPDATE cw_meta SET value = value WHERE key = 'schema_version'")
        self.open = True
        self.lock = threading.Lock()

    def release(self) -> None:
        with self.lock:
            if self.open:
                self.open = False
                self.conn.execute("COMMIT")
                self.conn.close()


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The lines the command says on standard error, kept (and still printed)."""
    lines: list[str] = []
    real = common.say

    def say(text: str, *, out: bool = False) -> None:
        if not out:
            lines.append(text)
        real(text, out=out)

    monkeypatch.setattr(common, "say", say)
    monkeypatch.setattr(common, "PATIENCE_SECONDS", 0.2)
    yield lines


def version_1(db: Path, journal: str) -> None:
    build_v1(str(db))
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA journal_mode={journal}")


def schema_version(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        ((value,),) = conn.execute(
            "SELECT value FROM cw_meta WHERE key = 'schema_version'"
        ).fetchall()
    return str(value)


def waiting_line(name: str) -> str:
    return (
        f"waiting for the database {name} (another program may be writing to it; Ctrl-C gives up)"
    )


def assert_gave_up(
    said: list[str], capsys: pytest.CaptureFixture[str], name: str, reason: str
) -> None:
    """The command said once that it waits, then, after its wait of 1 s, why it gave up."""
    assert said == [waiting_line(name)]
    assert capsys.readouterr().err.splitlines()[-1:] == [
        f"carewatch: database {name}: another program kept it locked for 1 s ({reason}): "
        "nothing was changed; stop the programs that write to it (ingest --follow, the live "
        "screens) and run the upgrade again"
    ]


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_db_upgrade_says_it_waits_and_upgrades_once_the_lock_is_free(
    tmp_path: Path, journal: str, said: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cw.db"
    version_1(db, journal)
    holder = Holder(db)
    waiting = waiting_line(str(db))

    def release_once_told() -> None:  # the other program ends its write after the line
        deadline = threading.Event()
        for _ in range(int(DEADLINE / 0.05)):
            if waiting in said:
                break
            deadline.wait(0.05)
        holder.release()

    releasing = threading.Thread(target=release_once_told, daemon=True)
    releasing.start()
    try:
        assert main(["db", "upgrade", "--db", str(db)]) == 0
    finally:
        releasing.join(timeout=DEADLINE)
        holder.release()
    assert said == [waiting]  # once
    assert capsys.readouterr().out == (
        f"database {db}: upgraded from schema version 1 to {SCHEMA_VERSION}\n"
    )
    assert schema_version(db) == str(SCHEMA_VERSION)


def test_db_upgrade_gives_up_after_its_wait_with_one_line(
    tmp_path: Path,
    said: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = tmp_path / "cw.db"
    version_1(db, "wal")
    monkeypatch.setattr(migrate, "UPGRADE_WAIT_SECONDS", 1.0)
    holder = Holder(db)
    try:
        with pytest.raises(SystemExit) as ended:
            main(["db", "upgrade", "--db", str(db)])
    finally:
        holder.release()
    assert ended.value.code == 1
    assert_gave_up(said, capsys, str(db), "database is locked")
    assert schema_version(db) == "1"  # as it was


def test_db_upgrade_on_postgresql_waits_for_the_writers_lock_then_gives_up(
    pg_url: str,
    said: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import psycopg

    from carewatch.store.backends import WRITE_LOCK
    from carewatch.store.database import display_name

    build_v1(pg_url)
    monkeypatch.setattr(migrate, "UPGRADE_WAIT_SECONDS", 1.0)
    name = display_name(pg_url)
    with psycopg.connect(pg_url) as writer:  # another carewatch's write transaction
        writer.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
        with pytest.raises(SystemExit) as ended:
            main(["db", "upgrade", "--db", pg_url])
        writer.rollback()
    assert ended.value.code == 1
    assert_gave_up(said, capsys, name, "canceling statement due to lock timeout")
    # once the lock is free, the same command upgrades
    assert main(["db", "upgrade", "--db", pg_url]) == 0
    assert f"upgraded from schema version 1 to {SCHEMA_VERSION}" in capsys.readouterr().out


def test_ctrl_c_gives_up_the_wait_at_once_and_changes_nothing(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    db, err = tmp_path / "cw.db", tmp_path / "err.txt"
    version_1(db, "wal")
    holder = Holder(db)
    try:
        with err.open("w") as sink:
            proc = subprocess.Popen(
                [sys.executable, "-m", "carewatch", "db", "upgrade", "--db", str(db)],
                stderr=sink,
                stdout=subprocess.DEVNULL,
            )
        try:
            deadline = time.monotonic() + DEADLINE
            while "waiting for the database" not in err.read_text():
                assert time.monotonic() < deadline, "no waiting line"
                time.sleep(0.05)
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=5) == 130  # at once, not when the lock is free
        finally:
            if proc.poll() is None:
                proc.kill()
    finally:
        holder.release()
    assert "Traceback" not in err.read_text()
    assert schema_version(db) == "1"
