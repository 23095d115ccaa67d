"""Faults a database can have, as a user meets them: readers never wait on a writer or write
anything, a read-only folder still gives a report, and a corrupt, foreign or unreachable
database is one line without SQL or callers' numbers."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from carewatch.cli import main
from carewatch.records import CallUpdate
from carewatch.store import Store, StoreError

ROOT = Path(__file__).resolve().parent.parent
T0 = 1_700_000_000.0
DAY = "2023-11-14"  # T0's day in UTC
CALLERS = [f"+39 555 01{i:02d}" for i in range(40)]


def fill(db: str) -> None:
    with Store(db) as store:
        store.ingest(
            "pbx",
            [
                (i, CallUpdate(f"c{i}", {"started_at": T0 + 60 * i, "caller": caller}))
                for i, caller in enumerate(CALLERS, 1)
            ],
        )


def report(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carewatch", "report", "--date", DAY, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TZ": "UTC"},
    )


def one_line_without_data(stderr: str) -> str:
    line = stderr.strip()
    assert "\n" not in line, stderr
    assert "Traceback" not in line and "SELECT" not in line and "INSERT" not in line
    assert not any(caller in line for caller in CALLERS)
    assert "555" not in line
    return line


def test_read_only_open_of_a_missing_file_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["report", "--db", str(tmp_path / "cw.db")])
    assert info.value.code == 1
    assert "does not exist" in one_line_without_data(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def test_read_only_open_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "cw.db"
    fill(str(db))
    before = db.read_bytes()
    with Store(str(db), read_only=True) as store:
        assert len(store.calls_between(T0, T0 + 86_400)) == len(CALLERS)
        with pytest.raises(StoreError, match="opened read-only"):
            store.tag(1, "category", "order", "ana")
    assert db.read_bytes() == before


def test_readers_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    db = tmp_path / "cw.db"
    fill(str(db))
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another program holds the write lock ...
    writer.execute("UPDATE cw_call SET queue = 'held' WHERE id = 1")
    try:
        # ... a report and a tagging command's open go ahead (they would fail as "locked"
        # after the 30 s busy timeout if they waited for it)
        result = report("--db", str(db), "--format", "json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["kpis"]["offered"] == len(CALLERS)
        with Store(str(db)) as store:
            assert store.get_call(1).queue is None  # the snapshot before the writer's change
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_readers_do_not_wait_for_a_writer_on_postgresql(pg_url: str) -> None:
    fill(pg_url)
    with Store(pg_url) as writer, Store(pg_url, read_only=True) as reader:
        held = threading.Event()
        release = threading.Event()

        def hold(tx: object) -> None:
            held.set()
            assert release.wait(60)

        thread = threading.Thread(target=writer.retrying, args=(hold,))
        thread.start()
        try:
            assert held.wait(30)
            assert len(reader.calls_between(T0, T0 + 86_400)) == len(CALLERS)
        finally:
            release.set()
            thread.join(60)


def _read_only_folder_command(folder: Path, db: Path) -> list[str]:
    command = [sys.executable, "-m", "carewatch", "report", "--date", DAY, "--db", str(db)]
    command += ["--format", "json"]
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return command
    # root writes anywhere: mount the folder read-only in a mount namespace of its own
    unshare = shutil.which("unshare")
    assert unshare, "the read-only folder test needs unshare (util-linux) when run as root"
    script = f'mount --bind -o ro "{folder}" "{folder}" && exec "$@"'
    return [unshare, "-m", "sh", "-c", script, "sh", *command]


def test_report_from_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "cw.db"
    fill(str(db))
    assert sorted(p.name for p in folder.iterdir()) == ["cw.db"]  # closed: no -wal, no -shm
    try:
        result = subprocess.run(
            _read_only_folder_command(folder, db),
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "TZ": "UTC"},
        )
    finally:
        folder.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["kpis"]["offered"] == len(CALLERS)
    assert sorted(p.name for p in folder.iterdir()) == ["cw.db"]


def test_corrupt_database_is_one_line_without_callers(tmp_path: Path) -> None:
    db = tmp_path / "cw.db"
    fill(str(db))
    data = bytearray(db.read_bytes())
    page = 4096
    for start in range(page, len(data), page):  # every page but the first (the schema)
        data[start + 8 : start + 200] = b"\xa5" * 192
    db.write_bytes(bytes(data))
    for args in (["report"], ["tag", "c1", "--category", "order"]):
        result = subprocess.run(
            [sys.executable, "-m", "carewatch", *args, "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert result.returncode == 1
        line = one_line_without_data(result.stderr)
        assert str(db) in line and "malformed" in line


def test_unreachable_postgresql_is_one_line(postgres: object, tmp_path: Path) -> None:
    for url in (
        f"postgresql://carewatch:secret@/postgres?host={tmp_path}",  # no server there
        f"postgresql://carewatch@/postgres?host={tmp_path}&password=secret",
    ):
        with pytest.raises(StoreError) as info:
            Store(url)
        line = one_line_without_data(str(info.value))
        assert line.startswith("cannot open database postgresql://")
        assert "secret" not in line


def test_postgresql_database_of_another_program_is_refused(pg_url: str) -> None:
    with Store(pg_url):
        pass
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP TABLE cw_meta")
        conn.execute("DROP TABLE cw_alembic_version")
    with pytest.raises(StoreError, match="not written by carewatch"):
        Store(pg_url)


def test_a_full_disk_is_named_when_sqlite_only_says_io_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no room left for the -wal and -shm files, SQLite opens nothing and says only
    "disk I/O error": the message says the disk is full (seen with a full tmpfs)."""
    from carewatch.store import backends

    backend = backends.SqliteBackend(str(tmp_path / "cw.db"), read_only=False)
    error = sqlite3.OperationalError("disk I/O error")
    assert backend.short_error(error) == "disk I/O error"  # room left: as SQLite says it

    full = shutil.disk_usage(tmp_path)._replace(free=0)
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: full)
    assert backend.short_error(error) == f"disk I/O error (the disk of {tmp_path} is full)"
    other = sqlite3.OperationalError("no such table: cw_call")
    assert backend.short_error(other) == "no such table: cw_call"
