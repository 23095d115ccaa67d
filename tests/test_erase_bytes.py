"""An erasure erases the bytes (README, "Retention and erasure"): after ``carewatch db forget
--yes`` or ``carewatch db purge --yes`` on an SQLite database in WAL mode, neither the file nor
its ``-wal`` holds the erased number (in the spellings it was written) or the notes, as
``strings FILE | grep`` would find them; and a reader that keeps older pages is said, not
hidden, and ``carewatch db compact`` finishes the job once it is gone.

The database is written through the normal paths (ingest of call updates, as a log's lines
update a call three times, and of CDR rows; tags; an issue opened from a call) while a live
screen has the database open, as it has in a contact centre: its connection keeps the
``-wal`` from being removed when the command ends. Each test runs with the SQLite build's own
``secure_delete`` default and as on a build whose default is off (as Python's own builds for
Windows and macOS have it): there the free space of the pages keeps the old versions of every
row a write changed, unless carewatch turns it on.
"""

from __future__ import annotations

import resource
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

import carewatch.store.compact as compacting
from carewatch.cli import main
from carewatch.config import parse_config
from carewatch.kpicache import KpiCache
from carewatch.records import CallUpdate
from carewatch.report import build_report
from carewatch.sources.cdr import CdrParser
from carewatch.store import Store
from carewatch.timeutil import get_timezone

TZ = get_timezone("Europe/Rome")
OLD = date(2024, 3, 4)
DAY = date(2024, 3, 5)
#: The caller to forget, as the phone system logs them: spaced, in E.164, in the CDR's digits.
SPACED = "+39 333 123 4567"
E164 = "+393331234567"
DIGITS = "3331234567"
#: What operators wrote of that caller (a note longer than a page: on overflow pages).
NOTES = ("PRIVATE-NOTE-ONE", "PRIVATE-NOTE-TWO", "PRIVATE-LONG " * 500)
#: Another caller, who stays.
OTHER = "+44 20 7946 0999"


def at(day: date, hh: int, mm: int = 0) -> float:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ).timestamp()


def _updates(call_id: str, start: float, caller: str, note: str | None) -> list[CallUpdate]:
    """A call as a log writes it: entered, answered, ended (three writes of its row)."""
    return [
        CallUpdate(call_id, {"started_at": start, "caller": caller, "queue": "support"}),
        CallUpdate(call_id, {"started_at": start, "answered_at": start + 9, "agent": "desk-1"}),
        CallUpdate(call_id, {"started_at": start, "ended_at": start + 200, "note": note}),
    ]


def _cdr_row(n: int, start: str, caller: str) -> str:
    """One answered CDR row of the call ``1709629200.{n}`` (Asterisk's Master.csv columns)."""
    return (
        f'"","{caller}","500","from-trunk","","SIP/trunk-01","SIP/1001-0{n}","Queue",'
        f'"support","{start}","{start}","{start}",60,50,"ANSWERED","DOCUMENTATION",'
        f'"1709629200.{n}","","","1709629200.{n}",{n}'
    )


#: The calls of each day (of 120) that are the caller's.
THEIRS = (7, 70)
OTHERS = [i for i in range(120) if i not in THEIRS]


def words(day: date, i: int) -> str:
    """The note of another caller's call ``i`` of ``day``."""
    return f"<asked about {day.day}-{i}>"


def number(day: date, i: int) -> str:
    """The number of another caller's call ``i`` of ``day`` (every other call is OTHER's)."""
    return OTHER if i % 2 else f"+39 02 {day.day}55 {i:04d}"


def fill(store: Store) -> None:
    """Two days of calls: the caller's on both, many others' around them."""
    records: list[Any] = []
    for day in (OLD, DAY):
        for i in range(120):
            start = at(day, 8) + i * 120
            if i in THEIRS:
                caller, note = (SPACED, NOTES[0]) if i == 7 else (E164, None)
            else:
                caller, note = number(day, i), words(day, i)
            records += _updates(f"{day.day}-{i}", start, caller, note)
    store.ingest("pbx", list(enumerate(records, 1)))
    parser = CdrParser(TZ)
    rows = [_cdr_row(1, "2024-03-04 11:00:00", DIGITS), _cdr_row(2, "2024-03-05 11:00:00", DIGITS)]
    store.ingest("cdr", [(n, *parser.parse_line(row, n)) for n, row in enumerate(rows, 1)])
    pk = {c.call_id: c.id for c in store.calls_between(at(OLD, 0), at(DAY, 23))}
    for day in (OLD, DAY):
        store.tag(pk[f"{day.day}-7"], "note", NOTES[1], "desk-1", now=at(day, 12))
        store.tag(pk[f"{day.day}-70"], "note", NOTES[2], "desk-1", now=at(day, 12))
    store.open_issue(NOTES[0], "desk-1", call_pk=pk[f"{OLD.day}-7"], now=at(OLD, 12))


def _no_secure_delete(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every SQLite connection opened with ``secure_delete`` off, as some builds have it."""
    connect = sqlite3.connect

    def without(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)
        conn.execute("PRAGMA secure_delete=OFF")
        return conn

    monkeypatch.setattr(sqlite3, "connect", without)


@pytest.fixture(params=["build-default", "secure-delete-off"])
def path(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if request.param == "secure-delete-off":
        _no_secure_delete(monkeypatch)
    return tmp_path / "cw.db"


@pytest.fixture
def screen(path: Path) -> Iterator[Store]:
    """The database, written, and held open by a live screen (which has read it)."""
    store = Store(str(path))
    fill(store)
    store.recent_calls(10)
    yield store
    store.close()


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    file = tmp_path / "carewatch.toml"
    file.write_text('timezone = "Europe/Rome"\n', encoding="utf-8")
    return file


def db(path: Path, config_file: Path, *args: str) -> int:
    """The exit status of ``carewatch db ARGS`` on the database ``path``."""
    try:
        return main(["db", *args, "--db", str(path), "--config", str(config_file)])
    except SystemExit as exc:
        return int(exc.code or 0)


def found(path: Path, *texts: str) -> dict[str, list[str]]:
    """Which of ``texts`` the raw bytes of the database file and of its ``-wal`` hold (read
    last: closing a file of the database drops this process's SQLite locks on it)."""
    out: dict[str, list[str]] = {}
    for file in (path, Path(f"{path}-wal")):
        data = file.read_bytes() if file.exists() else b""
        out[file.name] = [t for t in texts if t.encode() in data]
    return out


ERASED = (SPACED, E164, DIGITS, "333 123 4567", *NOTES)


def test_a_forget_leaves_no_copy_in_the_file_or_its_wal(
    screen: Store, path: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert db(path, config_file, "forget", "--caller", SPACED, "--yes") == 0
    out, err = capsys.readouterr()
    assert "erased the number and the notes of 6 calls" in out
    assert err.count("\n") == 1 and "no copy of what was erased is left" in err
    assert Path(f"{path}-wal").exists()  # the screen keeps it
    assert found(path, *ERASED, OTHER) == {"cw.db": [OTHER], "cw.db-wal": []}


def test_a_purge_leaves_no_copy_of_the_deleted_calls(
    screen: Store, path: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The numbers and notes of the day purged are gone from the bytes; the day kept, whose
    calls the same callers made, has its own."""
    assert db(path, config_file, "purge", "--before", DAY.isoformat(), "--yes") == 0
    assert "deleted 121 calls" in capsys.readouterr().out
    gone = [words(OLD, i) for i in OTHERS] + [number(OLD, i) for i in OTHERS if i % 2 == 0]
    kept = [words(DAY, i) for i in OTHERS] + [number(DAY, i) for i in OTHERS if i % 2 == 0]
    assert screen.count_calls() == 121
    assert found(path, *gone, *kept) == {"cw.db": kept, "cw.db-wal": []}


def test_a_reader_that_keeps_old_pages_is_said_and_compact_ends_it(
    screen: Store,
    path: Path,
    config_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(compacting, "CHECKPOINT_WAIT_MS", 100)  # not the 5 s it waits
    reader = sqlite3.connect(str(path), isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT COUNT(*) FROM cw_call").fetchone() == (242,)
        assert db(path, config_file, "forget", "--caller", SPACED, "--yes") == 1
        out, err = capsys.readouterr()
        assert "erased the number and the notes of 6 calls" in out  # done, and said
        assert err.count("\n") == 1 and "Traceback" not in err
        assert f"stay in {path}-wal until it closes" in err and "carewatch db compact" in err
        # the reader's snapshot is whole: it still reads the rows as they were
        assert reader.execute(
            "SELECT COUNT(*) FROM cw_call WHERE caller = ?", (SPACED,)
        ).fetchone() == (2,)
        reader.execute("COMMIT")
    finally:
        reader.close()
    assert db(path, config_file, "compact") == 0
    assert "write-ahead log emptied" in capsys.readouterr().out
    assert found(path, *ERASED) == {"cw.db": [], "cw.db-wal": []}


def test_the_report_cache_holds_nothing_of_a_forgotten_caller(
    screen: Store, path: Path, config_file: Path, tmp_path: Path
) -> None:
    """The report cache keeps calls by their keys (FORMAT 2): before and after a forget, no
    cache file holds the number or a note; the report read afterwards has neither."""
    config = parse_config({"timezone": "Europe/Rome"})
    folder = tmp_path / "cache"
    for day in (OLD, DAY):
        build_report(screen, config, day, now=at(DAY, 23), cache=KpiCache(screen, config, folder))
    files = [f for f in folder.rglob("*") if f.is_file()]
    assert files

    def kept() -> list[str]:
        data = b"".join(f.read_bytes() for f in folder.rglob("*") if f.is_file())
        return [t for t in (*ERASED, words(OLD, 8), number(OLD, 8)) if t.encode() in data]

    assert kept() == []
    assert db(path, config_file, "forget", "--caller", SPACED, "--yes") == 0
    again = build_report(
        screen, config, OLD, now=at(DAY, 23), cache=KpiCache(screen, config, folder)
    )
    assert kept() == []
    assert not any(SPACED in str(c.caller) for c in again.callbacks)


def test_a_replaced_note_leaves_no_copy_in_the_file(path: Path) -> None:
    """What a write frees is zeroed on every carewatch connection, whatever the build's
    default: a note a later log line replaced is nowhere in the file (which a failed rebuild
    after an erasure then relies on)."""
    longer = "later words " * 20  # (not where the first was)
    with Store(str(path)) as store:
        fill(store)
        later = CallUpdate("4-8", {"started_at": at(OLD, 8) + 8 * 120, "note": longer})
        store.ingest("pbx", [(1, later)])
        assert [c.note for c in store.find_calls("4-8")] == [longer]
    assert not Path(f"{path}-wal").exists()  # the last connection closed: all in the file
    expected = {"cw.db": [words(OLD, 9), longer], "cw.db-wal": []}
    assert found(path, words(OLD, 8), words(OLD, 9), longer) == expected


def test_a_file_that_cannot_be_rebuilt_is_said(
    path: Path, config_file: Path, tmp_path: Path
) -> None:
    """No room for ``VACUUM`` (its copy of the file in the write-ahead log would be larger
    than this process may write a file): the rows are erased, the line says the file could
    not be rebuilt and what to do, exit status 1; and what the erasure freed is zeroed, and
    the write-ahead log emptied, all the same."""
    with Store(str(path)) as store:
        fill(store)
    # room for the file as it is and for the erasure's pages in the write-ahead log, not for
    # a copy of the whole file there
    limit = path.stat().st_size + 4096

    def no_room() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    command = [sys.executable, "-m", "carewatch", "db", "forget", "--caller", SPACED, "--yes"]
    command += ["--db", str(path), "--config", str(config_file)]
    done = subprocess.run(command, capture_output=True, text=True, preexec_fn=no_room, check=False)
    assert done.returncode == 1, done.stderr
    assert "erased the number and the notes of 6 calls" in done.stdout
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "the file could not be rebuilt" in done.stderr and "carewatch db compact" in done.stderr
    assert found(path, *ERASED) == {"cw.db": [], "cw.db-wal": []}
