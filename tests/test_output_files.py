"""The files carewatch writes for a user (``report --output``, ``config init``, ``simulate
--out``) are replaced whole or not at all: a reader of the file (a web server, a mail script)
never meets a part of one, a failure half-way leaves the previous file as it was and no
temporary file, and a replaced file keeps its permissions.

The failure half-way is a real one: the command runs with a limit on the size of the files it
may write (``RLIMIT_FSIZE``, as a full disk, it refuses the write that goes past it), so the
new content stops part-way through.
"""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from carewatch.cli import main
from carewatch.outfile import replacing

ROOT = Path(__file__).resolve().parent.parent
DAY = "2026-03-02"


def run_limited(args: list[str], limit: int, **env: str) -> subprocess.CompletedProcess[str]:
    """``carewatch ARGS`` allowed to write no file past ``limit`` bytes (a write past it fails
    with EFBIG, as one on a full disk fails with ENOSPC)."""

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails instead of the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    return subprocess.run(
        [sys.executable, "-m", "carewatch", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env},
        preexec_fn=limited,
    )


@pytest.fixture(scope="module")
def day_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database with one simulated day of calls (a report of it with ``--calls`` is 60 KiB)."""
    folder = tmp_path_factory.mktemp("day")
    log, db = folder / "queue_log", str(folder / "cw.db")
    assert main(["simulate", "--out", str(log), "--days", "1", "--start", DAY, "--seed", "3"]) == 0
    assert main(["ingest", str(log), "--db", db]) == 0
    return db


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_report_cut_short_leaves_the_previous_one_and_no_temporary_file(
    day_db: str, tmp_path: Path
) -> None:
    out = tmp_path / "evening.txt"
    out.write_text("yesterday's report, whole\n", encoding="utf-8")
    args = ["report", "--db", day_db, "--date", DAY, "--calls", "--output", str(out)]
    # past the database's 32 KiB shared-memory file, not past two thirds of the report
    done = run_limited(args, limit=40_000)
    assert done.returncode == 1
    assert done.stderr == f"carewatch: cannot write {out}: File too large\n"
    assert out.read_text(encoding="utf-8") == "yesterday's report, whole\n"
    assert _files(tmp_path) == ["evening.txt"]


def test_a_report_replaces_the_file_and_keeps_its_permissions(
    day_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "evening.txt"
    out.write_text("yesterday's report\n", encoding="utf-8")
    out.chmod(0o640)  # read by the web server's group, not by everyone
    args = ["report", "--db", day_db, "--date", DAY, "--calls", "--output", str(out)]
    assert main(args) == 0
    assert capsys.readouterr().err == f"report for {DAY} written to {out}\n"
    text = out.read_text(encoding="utf-8")
    assert text.startswith("CAREWATCH · END-OF-DAY SUMMARY")
    assert out.stat().st_size > 40_000  # longer than the limit of the test before
    assert _mode(out) == 0o640
    assert _files(tmp_path) == ["evening.txt"]


def test_a_new_report_file_has_the_umasks_permissions(
    day_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "new.json"
    before = os.umask(0o027)
    try:
        args = ["report", "--db", day_db, "--date", DAY, "--format", "json", "--output", str(out)]
        assert main(args) == 0
    finally:
        os.umask(before)
    assert _mode(out) == 0o640
    assert _files(tmp_path) == ["new.json"]


def test_a_report_through_a_symlink_replaces_the_file_it_points_to(
    day_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "2026-03-02.txt"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "today.txt"
    link.symlink_to(target)
    assert main(["report", "--db", day_db, "--date", DAY, "--output", str(link)]) == 0
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text(encoding="utf-8").startswith("CAREWATCH")
    assert _files(tmp_path / "reports") == ["2026-03-02.txt"]


def test_config_init_cut_short_keeps_the_config(tmp_path: Path) -> None:
    config = tmp_path / "carewatch" / "carewatch.toml"
    config.parent.mkdir()
    config.write_text('timezone = "Europe/Rome"\n', encoding="utf-8")
    done = run_limited(["config", "init", "--force"], limit=512, XDG_CONFIG_HOME=str(tmp_path))
    assert done.returncode == 1
    assert done.stderr == f"carewatch: cannot write {config}: File too large\n"
    assert config.read_text(encoding="utf-8") == 'timezone = "Europe/Rome"\n'
    assert _files(config.parent) == ["carewatch.toml"]


def test_a_simulated_history_cut_short_leaves_the_previous_log(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text("1772409600|NONE|NONE|NONE|QUEUESTART|\n", encoding="utf-8")
    args = ["simulate", "--out", str(log), "--days", "1", "--start", DAY, "--seed", "3"]
    done = run_limited(args, limit=16_384)
    assert done.returncode == 1
    assert done.stderr == f"carewatch: cannot write {log}: File too large\n"
    assert log.read_text(encoding="utf-8") == "1772409600|NONE|NONE|NONE|QUEUESTART|\n"
    assert _files(tmp_path) == ["queue_log"]


def test_an_interrupt_while_writing_removes_the_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text("<p>old</p>\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), replacing(out) as fh:
        fh.write("<p>new, half")
        fh.flush()
        assert len(_files(tmp_path)) == 2  # the new content goes to a file of its own
        raise KeyboardInterrupt
    assert out.read_text(encoding="utf-8") == "<p>old</p>\n"
    assert _files(tmp_path) == ["report.html"]


def test_something_that_is_no_regular_file_is_written_as_it_is(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        with replacing(fifo) as fh:
            fh.write("through the pipe\n")
        assert os.read(reader, 100) == b"through the pipe\n"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert _files(tmp_path) == ["pipe"]
