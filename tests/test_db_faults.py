"""Database faults a user meets, each told in one line and handled as it should be:

* a database this user may not write (a read-only file, a folder where SQLite cannot keep its
  journal) is no reason to retry for ever: ``ingest --follow`` and the screen's follower stop
  at it with one line saying what to check, and nothing committed before is lost;
* a PostgreSQL server with no connection slot free (SQLSTATE 53300) is waited for a while,
  with the "waiting for the database" line, then given up on in one line;
* a connection that fails is told in one short line: the reason, and the server or socket.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import errors as pg_errors

import carewatch.cli.common as common
import carewatch.store.slots as slots
from carewatch.cli import main
from carewatch.config import Config
from carewatch.ingest import Follower
from carewatch.store import Store, StoreError
from carewatch.store.backends import PostgresBackend, SqliteBackend
from carewatch.store.database import Database, display_name
from tests.pgserver import PostgresServer

CONFIG = Config(timezone="UTC")
T0 = 1_700_000_000
DEADLINE = 60.0


def enter(i: int) -> str:
    return f"{T0 + i}|c{i}|support|NONE|ENTERQUEUE||06{i:08d}|1\n"


def read_only_error(code: str | None = "SQLITE_READONLY") -> sqlite3.OperationalError:
    """What sqlite3 raises when this user may not write the database (seen as a user who is
    not root: ``SQLITE_READONLY`` for a read-only file, ``SQLITE_READONLY_DIRECTORY`` for a
    folder where it cannot make its journal)."""
    exc = sqlite3.OperationalError("attempt to write a readonly database")
    if code is not None:
        exc.sqlite_errorname = code  # type: ignore[attr-defined]
        exc.sqlite_errorcode = 8 if code == "SQLITE_READONLY" else 1544  # type: ignore[attr-defined]
    return exc


# -- 1. a database this user may not write -----------------------------------------------------


def test_sqlites_own_read_only_error_is_lasting(tmp_path: Path) -> None:
    path = str(tmp_path / "cw.db")
    Store(path).close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as raised:
        conn.execute("INSERT INTO cw_meta (key, value) VALUES ('x', 'y')")
    conn.close()
    backend = SqliteBackend(path, read_only=False)
    told = backend.lasting_error(raised.value, "cw.db")
    assert told == (
        "the database cw.db is read-only for this user: check its permissions "
        "(and those of its -wal and -shm files)"
    )


def test_a_folder_sqlite_cannot_write_its_journal_in_is_lasting(tmp_path: Path) -> None:
    backend = SqliteBackend(str(tmp_path / "cw.db"), read_only=False)
    told = backend.lasting_error(read_only_error("SQLITE_READONLY_DIRECTORY"), "cw.db")
    assert told == (
        f"the folder {tmp_path} of the database cw.db is read-only for this user (SQLite "
        "keeps its journal there): check the folder's permissions"
    )
    # the message alone (no extended code) reads as the file's
    assert "read-only for this user" in str(backend.lasting_error(read_only_error(None), "cw.db"))


@pytest.mark.parametrize(
    "error",
    [
        "database is locked",
        "database table is locked",
        "database schema is busy",
        "database or disk is full",
        "disk I/O error",
        "unable to open database file",
    ],
)
def test_faults_that_pass_are_not_lasting(tmp_path: Path, error: str) -> None:
    backend = SqliteBackend(str(tmp_path / "cw.db"), read_only=False)
    assert backend.lasting_error(sqlite3.OperationalError(error), "cw.db") is None
    recovery = read_only_error("SQLITE_READONLY_RECOVERY")  # another process recovers the WAL
    assert backend.lasting_error(recovery, "cw.db") is None


def failing_writes(monkeypatch: pytest.MonkeyPatch, store: Store, exc: Exception) -> None:
    """Every write transaction of ``store`` fails with the driver's ``exc`` (reads go on)."""
    db = store._db
    real = db.transaction

    @contextmanager
    def transaction(*, write: bool) -> Iterator[Any]:
        if write:
            raise exc
        with real(write=write) as tx:
            yield tx

    monkeypatch.setattr(db, "transaction", transaction)


def run_until_it_stops(follower: Follower) -> tuple[StoreError, list[tuple[list[str], list[str]]]]:
    """Run ``follower`` until it stops by itself (no stop is asked for) at a lasting database
    fault: the fault, and the problems it told meanwhile (arisen, gone)."""
    told: list[tuple[list[str], list[str]]] = []
    stop = threading.Event()
    ended: list[BaseException] = []

    def run() -> None:
        try:
            follower.run(stop, on_problems=lambda arose, gone: told.append((arose, gone)))
        except BaseException as exc:
            ended.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=DEADLINE)
    alive = thread.is_alive()
    stop.set()
    assert not alive, "the follower kept retrying a fault that waiting does not put right"
    (exc,) = ended
    assert isinstance(exc, StoreError) and exc.lasting
    return exc, told


def test_the_follower_stops_at_a_read_only_database_and_keeps_what_was_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "queue_log"
    log.write_text(enter(1))
    with Store(str(tmp_path / "cw.db")) as store:
        follower = Follower(store, CONFIG, [(str(log), None)], poll_interval=0.05)
        follower.poll_once()
        committed = store.positions()
        assert store.count_calls() == 1
        with log.open("a") as fh:
            fh.write(enter(2))
        failing_writes(monkeypatch, store, read_only_error())
        exc, told = run_until_it_stops(follower)
        assert (
            str(exc)
            == follower.last_error
            == (
                f"the database {store.display_name} is read-only for this user: check its "
                "permissions (and those of its -wal and -shm files)"
            )
        )
        assert told == []  # no "problem: …; still trying"
        assert store.positions() == committed
        assert store.count_calls() == 1


def test_a_full_disk_is_still_retried_not_lasting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "queue_log"
    log.write_text(enter(1))
    with Store(str(tmp_path / "cw.db")) as store:
        failing_writes(monkeypatch, store, sqlite3.OperationalError("database or disk is full"))
        follower = Follower(store, CONFIG, [(str(log), None)])
        follower.poll_once()  # no exception: told, and tried again at the next poll
        assert follower.last_error == f"database {store.display_name}: database or disk is full"


def without_root_powers() -> list[str]:
    """The prefix that runs a command as root without the power to write any file whatever
    its mode (the tests run as root here; a user's read-only file is read-only to them)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to drop root's powers over file modes"
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def carewatch(*args: str, prefix: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(prefix or []), sys.executable, "-m", "carewatch", *args],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=False,
    )


def test_ingest_follow_ends_with_one_error_line_on_a_read_only_database(tmp_path: Path) -> None:
    log, db = tmp_path / "queue_log", tmp_path / "cw.db"
    log.write_text(enter(1))
    assert carewatch("ingest", str(log), "--db", str(db)).returncode == 0
    with log.open("a") as fh:
        fh.write(enter(2))
    db.chmod(0o444)
    try:
        done = carewatch(
            "ingest", str(log), "--follow", "--db", str(db), prefix=without_root_powers()
        )
    finally:
        db.chmod(0o644)
        for extra in tmp_path.glob("cw.db-*"):  # SQLite made them as read-only as the file
            extra.chmod(0o644)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    assert lines[-1] == (
        f"error: the database {db} is read-only for this user: check its permissions "
        "(and those of its -wal and -shm files)"
    ), lines
    assert [line for line in lines if line.startswith("error:")] == lines[-1:]
    assert not any(line.startswith("problem:") for line in lines), lines
    assert "Traceback" not in done.stderr
    # nothing lost: writable again, the same command goes on from the last commit
    again = carewatch("ingest", str(log), "--db", str(db))
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("1 call added, 0 updated"), again.stdout
    with Store(str(db)) as store:
        assert store.count_calls() == 2


def test_a_folder_that_cannot_hold_the_journal_is_told_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    log, db = tmp_path / "queue_log", folder / "cw.db"
    log.write_text(enter(1))
    assert carewatch("ingest", str(log), "--db", str(db)).returncode == 0
    folder.chmod(0o555)
    try:
        done = carewatch(
            "ingest", str(log), "--follow", "--db", str(db), prefix=without_root_powers()
        )
    finally:
        folder.chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[-1].endswith(
        f"the folder {folder} of the database {db} is read-only for this user (SQLite keeps "
        "its journal there): check the folder's permissions"
    ), done.stderr
    assert "Traceback" not in done.stderr


async def test_the_screen_stops_following_a_read_only_database_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from carewatch.tui.app import CarewatchApp
    from carewatch.tui.panels.alerts import AlertsLine

    log = tmp_path / "queue_log"
    log.write_text(enter(1))
    store = Store(str(tmp_path / "cw.db"))
    failing_writes(monkeypatch, store, read_only_error())
    app = CarewatchApp(CONFIG, store, sources=[(str(log), None)])
    expected = (
        f"the database {store.display_name} is read-only for this user: check its "
        "permissions (and those of its -wal and -shm files)"
    )
    async with app.run_test(size=(120, 36)) as pilot:
        deadline = asyncio.get_running_loop().time() + 30.0
        said: list[str] = []
        while asyncio.get_running_loop().time() < deadline:
            await pilot.pause(0.05)
            said = [a.text for a in app.screen.query_one(AlertsLine).alerts or []]
            notes = [str(n.message) for n in app._notifications]
            if f"reading the call logs failed: {expected}" in said:
                break
        assert f"Stopped following the call logs: {expected}" in notes
        assert f"reading the call logs failed: {expected}" in said


# -- 2. a PostgreSQL server with no connection slot free ----------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(slots, "_clock", fake)
    monkeypatch.setattr(slots, "_sleep", fake.sleep)
    return fake


def refusing(
    times: int | None, error: Callable[[], Exception]
) -> tuple[Callable[[], Any], list[int]]:
    """A connect that raises ``error()`` ``times`` times (``None``: always), then connects."""
    calls: list[int] = []

    def connect() -> Any:
        calls.append(1)
        if times is None or len(calls) <= times:
            raise error()
        return sqlite3.connect(":memory:")

    return connect, calls


def no_slot() -> Exception:
    return pg_errors.TooManyConnections("sorry, too many clients already")


def pg_database(monkeypatch: pytest.MonkeyPatch, connect: Callable[[], Any]) -> Database:
    db = Database("postgresql://cw@db.example:5432/cw", name="postgresql://db.example:5432/cw")
    monkeypatch.setattr(db.backend, "connect", connect)
    monkeypatch.setattr(db.backend, "is_idle", lambda conn: False)
    return db


def test_a_server_with_no_slot_free_is_waited_for(
    monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    connect, calls = refusing(3, no_slot)
    waits: list[str] = []

    @contextmanager
    def waiting(name: str) -> Iterator[None]:
        waits.append(name)
        yield

    db = pg_database(monkeypatch, connect)
    db.waiting = waiting
    with db.connection() as conn:
        assert conn is not None
    assert len(calls) == 4
    assert waits == ["postgresql://db.example:5432/cw"]  # entered once, for the whole wait
    assert 0 < clock.now < slots.CONNECT_WAIT_SECONDS


def test_a_server_with_no_slot_free_for_too_long_is_one_line(
    monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    connect, _calls = refusing(None, no_slot)
    db = pg_database(monkeypatch, connect)
    with pytest.raises(StoreError) as raised, db.connection():
        pass
    assert str(raised.value) == (
        "database postgresql://db.example:5432/cw: no connection free on its server after 30 s "
        "(sorry, too many clients already): try again later"
    )
    assert clock.now == pytest.approx(slots.CONNECT_WAIT_SECONDS)
    assert max(clock.slept) <= slots.CONNECT_RETRY_MAX_DELAY
    assert not raised.value.lasting


def test_libpqs_words_for_no_slot_are_known_without_an_sqlstate() -> None:
    backend = PostgresBackend("postgresql://x", read_only=False)
    for words in (
        "FATAL:  sorry, too many clients already",
        "FATAL:  remaining connection slots are reserved for roles with the SUPERUSER attribute",
        'FATAL:  too many connections for role "clerk"',
    ):
        exc = psycopg.OperationalError(
            f'connection failed: connection to server on socket "/s" failed: {words}'
        )
        assert backend.no_slot_free(exc)
    assert not backend.no_slot_free(psycopg.OperationalError("connection refused"))


def test_a_server_that_refuses_is_not_waited_for(
    monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    refused = (
        'connection failed: connection to server at "10.0.0.5", port 5432 failed: '
        "Connection refused"
    )
    connect, calls = refusing(None, lambda: psycopg.OperationalError(refused))
    db = pg_database(monkeypatch, connect)
    with pytest.raises(StoreError), db.connection():
        pass
    assert len(calls) == 1 and clock.now == 0


def test_report_waits_for_a_connection_slot_then_reads(
    clerk: tuple[str, list[psycopg.Connection[Any]]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, held = clerk
    said: list[str] = []
    monkeypatch.setattr(common, "PATIENCE_SECONDS", 0.1)
    monkeypatch.setattr(common, "say", lambda text, out=False: said.append(text))
    result: list[object] = []
    reporting = threading.Thread(
        target=lambda: result.append(main(["report", "--format", "json", "--db", url]))
    )
    reporting.start()
    try:
        deadline = time.monotonic() + DEADLINE
        while not any(text.startswith("waiting for the database") for text in said):
            assert time.monotonic() < deadline, said
            time.sleep(0.01)
    finally:
        for conn in held:  # slots come free
            conn.close()
        reporting.join(timeout=DEADLINE)
    assert result == [0], said
    name = display_name(url)
    assert [text for text in said if text.startswith("waiting")] == [
        f"waiting for the database {name} (its server has no connection free; Ctrl-C gives up)"
    ]
    assert '"kpis"' in capsys.readouterr().out


@pytest.mark.parametrize("command", [["report"], ["db", "status"], ["tag", "c1", "--note", "x"]])
def test_no_slot_free_for_too_long_is_one_line(
    clerk: tuple[str, list[psycopg.Connection[Any]]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    url, _held = clerk
    monkeypatch.setattr(slots, "CONNECT_WAIT_SECONDS", 0.5)
    monkeypatch.setattr(common, "PATIENCE_SECONDS", 60.0)
    with pytest.raises(SystemExit) as exited:
        main([*command, "--db", url])
    assert exited.value.code == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert "no connection free on its server after 0.5 s (too many connections for role" in line
    assert line.endswith("): try again later"), line


# -- 3. a connection that fails, in one short line ---------------------------------------------


@pytest.mark.parametrize(
    ("message", "short"),
    [
        (
            'connection failed: connection to server at "127.0.0.1", port 1 failed: '
            "Connection refused\n\tIs the server running on that host and accepting TCP/IP "
            "connections?",
            "connection refused (server 127.0.0.1, port 1)",
        ),
        (
            'connection failed: connection to server at "db.example" (192.0.2.7), port 5433 '
            "failed: timeout expired",
            "no answer (timeout expired) (server db.example, port 5433)",
        ),
        (
            'connection failed: connection to server at "10.0.0.5", port 5432 failed: FATAL:  '
            'password authentication failed for user "cw"',
            'password authentication failed for user "cw" (server 10.0.0.5, port 5432)',
        ),
        (
            'connection failed: connection to server on socket "/run/pg/.s.PGSQL.5432" failed: '
            'FATAL:  database "calls" does not exist',
            'database "calls" does not exist (socket /run/pg/.s.PGSQL.5432)',
        ),
        (
            'connection is bad: connection to server on socket "/tmp/x/.s.PGSQL.5432" failed: '
            "No such file or directory\n\tIs the server running locally and accepting "
            "connections on that socket?",
            "no server is listening there (socket /tmp/x/.s.PGSQL.5432)",
        ),
        (
            "failed to resolve host 'db.invalid': [Errno -2] Name or service not known",
            "cannot find the host db.invalid: Name or service not known",
        ),
    ],
)
def test_a_failed_connection_is_one_short_line(message: str, short: str) -> None:
    backend = PostgresBackend("postgresql://x", read_only=False)
    assert backend.short_error(psycopg.OperationalError(message)) == short


def test_a_failed_connection_to_a_real_server_is_one_short_line(
    postgres: PostgresServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--db", f"postgresql://carewatch@/nodb?host={postgres.socket_dir}"])
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"carewatch: cannot open database postgresql:///nodb?host={postgres.socket_dir}: "
        f'database "nodb" does not exist (socket {postgres.socket_dir}/.s.PGSQL.5432)'
    )
    with pytest.raises(SystemExit):
        main(["report", "--db", f"postgresql://carewatch@/postgres?host={tmp_path}"])
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"carewatch: cannot open database postgresql:///postgres?host={tmp_path}: "
        f"no server is listening there (socket {tmp_path}/.s.PGSQL.5432)"
    )


def test_a_shorter_wait_for_a_slot_gives_up_sooner(
    monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    connect, _calls = refusing(None, no_slot)
    db = pg_database(monkeypatch, connect)
    db.connect_wait = 5.0
    refused = pytest.raises(StoreError, match="no connection free on its server after 5 s")
    with refused, db.connection():
        pass
    assert clock.now == pytest.approx(5.0)


def test_a_served_scrape_waits_for_a_slot_less_than_prometheus_waits_for_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Prometheus gives up on a scrape after 10 s by default: the endpoint must answer "down"
    # before that, not wait the 30 s a one-shot command waits for a connection slot
    import carewatch.metrics
    import carewatch.store
    from carewatch.cli import main

    opened: list[dict[str, Any]] = []
    served: list[Any] = []

    def store(db: str, **options: Any) -> Any:
        opened.append(options)
        raise StoreError("no slot")

    def serve(collector: Any, host: str, port: int) -> Any:
        served.append(collector)
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(carewatch.store, "Store", store)
    monkeypatch.setattr(carewatch.metrics, "serve", serve)
    db = "postgresql://cw@db.example:5432/cw"
    with pytest.raises(SystemExit) as ended:
        main(["metrics", "--listen", "127.0.0.1:9464", "--db", db])
    assert ended.value.code == 1
    (collector,) = served
    assert "carewatch_database_up 0.0" in carewatch.metrics.metrics_text(collector)
    assert opened and all(0 < o["connect_wait"] < 10 for o in opened)


def test_a_postgresql_connection_gives_up_on_a_vanished_server_within_a_minute(
    pg_url: str,
) -> None:
    """A server gone for good (a failover that moved its address) used to hold a connection
    until the kernel gave up, about 15 minutes: every connection now carries libpq's keepalive
    and TCP_USER_TIMEOUT settings, and a value the URL gives itself wins."""
    from carewatch.store.database import make_backend

    with make_backend(pg_url, read_only=True).connect() as conn:
        given = conn.info.get_parameters()
    assert given["tcp_user_timeout"] == "60000"  # an unanswered request: 60 s
    keepalive = [
        int(given[k]) for k in ("keepalives_idle", "keepalives_interval", "keepalives_count")
    ]
    assert keepalive[0] + keepalive[1] * keepalive[2] <= 60  # an idle LISTEN: a minute
    assert (given["connect_timeout"], given["application_name"]) == ("10", "carewatch")
    own = pg_url + ("&" if "?" in pg_url else "?") + "keepalives_idle=5&application_name=site-b"
    with make_backend(own, read_only=True).connect() as conn:
        given = conn.info.get_parameters()
    assert (given["keepalives_idle"], given["application_name"]) == ("5", "site-b")
    assert given["tcp_user_timeout"] == "60000"
