"""An SQLite database found damaged while carewatch uses it ("database disk image is
malformed", "file is not a database") is no passing fault: the follower stops with one line
naming the file and what to do, exit status 1, and the live screen keeps saying so; a file
that is no database at the start is still told as one that cannot be opened."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from carewatch.config import Config
from carewatch.ingest import Follower, ingest_paths
from carewatch.store import Store, StoreError
from tests.test_cli import _wait_for
from tests.test_db_faults import run_until_it_stops

CONFIG = Config(timezone="UTC")
T0 = 1_700_000_000
DEADLINE = 60.0
PAGE = 4096


def enters(first: int, last: int) -> str:
    return "".join(
        f"{T0 + i}|c{i}|support|NONE|ENTERQUEUE||06{i:08d}|1\n" for i in range(first, last)
    )


def damage(db: Path, *, header: bool = False) -> None:
    """What a failing disk or a stray program does to the file while carewatch has it open:
    its pages (or its header) overwritten. The WAL is first written back by another program,
    as SQLite does now and then, so every connection reads the file again."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    with db.open("r+b") as fh:
        if header:
            fh.write(b"\xff" * 100)
        else:
            fh.seek(3 * PAGE)
            fh.write(b"\xff" * PAGE * 20)


def told(db: Path, error: str) -> str:
    name = str(db)
    recovered = name.removesuffix(".db") + "-recovered.db"
    return (
        f"the database {name} is damaged ({error}): stop carewatch, then restore a backup or "
        f"recover it: sqlite3 {name} .recover | sqlite3 {recovered}"
    )


def test_damage_found_while_following_stops_the_follower_with_what_to_do(
    tmp_path: Path,
) -> None:
    log, db = tmp_path / "queue_log", tmp_path / "cw.db"
    log.write_text(enters(0, 200))
    with Store(str(db)) as store:
        follower = Follower(store, CONFIG, [(str(log), None)], poll_interval=0.05)
        follower.poll_once()
        assert store.count_calls() == 200
        damage(db)
        with log.open("a") as fh:
            fh.write(enters(200, 210))
        exc, problems = run_until_it_stops(follower)
        assert str(exc) == follower.last_error == told(db, "database disk image is malformed")
        assert problems == []  # not "problem: …; still trying"


def test_a_file_that_is_no_database_at_the_start_is_told_as_such(tmp_path: Path) -> None:
    db = tmp_path / "cw.db"
    Store(str(db)).close()
    damage(db, header=True)
    with pytest.raises(StoreError) as raised:
        Store(str(db))
    assert str(raised.value) == f"cannot open database {db}: file is not a database"


@pytest.mark.parametrize("command", [["report"], ["db", "status"]])
def test_a_file_damaged_before_the_start_is_told_with_what_to_do(
    tmp_path: Path, command: list[str]
) -> None:
    log, db = tmp_path / "queue_log", tmp_path / "cw.db"
    log.write_text(enters(0, 200))
    with Store(str(db)) as store:
        ingest_paths(store, CONFIG, [str(log)])
    damage(db)
    done = subprocess.run(
        [sys.executable, "-m", "carewatch", *command, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr == f"carewatch: {told(db, 'database disk image is malformed')}\n"


@pytest.mark.parametrize(
    ("header", "error"),
    [(False, "database disk image is malformed"), (True, "file is not a database")],
)
def test_ingest_follow_ends_with_one_line_and_status_1_on_a_damaged_database(
    tmp_path: Path, header: bool, error: str
) -> None:
    log, db, err = tmp_path / "queue_log", tmp_path / "cw.db", tmp_path / "err.txt"
    log.write_text(enters(0, 200))
    with err.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "carewatch", "ingest", str(log), "--follow", "--db", str(db)],
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    try:

        def read_all() -> bool:
            try:
                with Store(str(db), read_only=True) as store:
                    return store.count_calls() == 200
            except StoreError:  # still being created
                return False

        assert _wait_for(lambda: db.exists() and read_all(), DEADLINE)
        damage(db, header=header)
        with log.open("a") as fh:
            fh.write(enters(200, 210))
        proc.wait(timeout=DEADLINE)  # it ends by itself
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=DEADLINE)
    lines = err.read_text().splitlines()
    assert proc.returncode == 1, lines
    assert lines[-1] == f"error: {told(db, error)}"
    assert not any(line.startswith("problem:") for line in lines), lines
    assert "Traceback" not in err.read_text()


async def test_the_screen_keeps_saying_the_database_is_damaged(tmp_path: Path) -> None:
    import asyncio

    from carewatch.tui.app import CarewatchApp
    from carewatch.tui.panels.alerts import AlertsLine

    log, db = tmp_path / "queue_log", tmp_path / "cw.db"
    log.write_text(enters(0, 200))
    store = Store(str(db))
    ingest_paths(store, CONFIG, [str(log)])
    app = CarewatchApp(CONFIG, store, sources=[(str(log), None)])
    expected = told(db, "database disk image is malformed")

    async with app.run_test(size=(120, 36)) as pilot:
        loop = asyncio.get_running_loop()

        async def alerts_until(condition: Callable[[list[str]], bool]) -> list[str]:
            deadline = loop.time() + 30.0
            said: list[str] = []
            while loop.time() < deadline:
                await pilot.pause(0.05)
                said = [a.text for a in app.screen.query_one(AlertsLine).alerts or []]
                if condition(said):
                    break
            return said

        await alerts_until(lambda said: app.refresh_count >= 1)
        damage(db)
        with log.open("a") as fh:
            fh.write(enters(200, 210))
        app.request_refresh(force=True)
        said = await alerts_until(lambda said: any(expected in text for text in said))
        assert said[0] == f"{said[0].split(': ', 1)[0]}: {expected}", said  # first, in red
        assert said[0].startswith("cannot read the database since")
        notes = [str(n.message) for n in app._notifications]
        assert f"Cannot read the database: {expected}" in notes
        # the follower beside the screen stops too, and the alert stays: no read makes it go
        stopped = f"Stopped following the call logs: {expected}"
        deadline = loop.time() + 30.0
        while stopped not in notes and loop.time() < deadline:
            await pilot.pause(0.05)
            notes = [str(n.message) for n in app._notifications]
        assert stopped in notes, notes
        await pilot.pause(2.0)
        app.request_refresh(force=True)
        await pilot.pause(0.5)
        still = [a.text for a in app.screen.query_one(AlertsLine).alerts or []]
        assert still[0].endswith(expected), still
