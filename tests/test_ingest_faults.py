"""A one-shot ``carewatch ingest`` of files or folders where some files cannot be read.

A cron job runs ``carewatch ingest /var/log/asterisk/queue_log*`` or a folder of rotations and
learns from the exit status alone whether something went wrong. A file that could not be read
(permission denied, an I/O error, a damaged archive, a compression carewatch does not read) is
exit status 1 with one ``error:`` line on standard error, the other files still read; a file
that is no call log (notes beside the logs) is listed in the summary and is not a failure, and
one with no complete line yet (a log just rotated) has nothing to read yet.
"""

from __future__ import annotations

import errno
import gzip
import os
import re
from pathlib import Path

import pytest

from carewatch.cli import main
from carewatch.config import parse_config
from carewatch.ingest import Follower, ingest_paths
from carewatch.sources import tail as tail_module
from carewatch.sources.reader import LogReader
from carewatch.store import Store
from tests.test_ingest import call

CONFIG = parse_config({"timezone": "UTC"})


def _logs(tmp_path: Path) -> Path:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "queue_log.1").write_text(call(1))
    (logs / "queue_log").write_text(call(2))
    return logs


def _deny(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    """``denied`` opens as a file of mode 000 does for a user other than root."""
    real = tail_module.open_log

    def open_log(path: str) -> int:
        if os.path.abspath(path) == str(denied):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real(path)

    monkeypatch.setattr(tail_module, "open_log", open_log)


def test_an_unreadable_file_in_a_folder_fails_the_ingest_and_the_rest_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = _logs(tmp_path)
    (logs / "other_log").write_text(call(3).replace("call-", "other-"))
    _deny(monkeypatch, logs / "other_log")
    db = str(tmp_path / "cw.db")
    assert main(["ingest", str(logs), "--db", db]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("2 calls added, 0 updated, 0 lines skipped, 1 file not read")
    assert captured.err == "error: other_log: cannot read it: Permission denied\n"
    with Store(db) as store:
        assert store.count_calls() == 2
    # the same as a single unreadable file, which fails before anything is read
    assert main(["ingest", str(logs / "other_log"), "--db", db]) == 1
    assert "Permission denied" in capsys.readouterr().err


def test_a_damaged_archive_in_a_folder_fails_the_ingest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = _logs(tmp_path)
    (logs / "queue_log.2.gz").write_bytes(b"\x1f\x8b\x08\x00binary")  # a gzip cut short
    (logs / "queue_log.3.lz4").write_bytes(b"\x04\x22\x4d\x18")  # lz4: not read
    db = str(tmp_path / "cw.db")
    assert main(["ingest", str(logs), "--db", db]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("2 calls added, 0 updated, 0 lines skipped, 2 files not read")
    err = captured.err.splitlines()
    assert len(err) == 2
    assert err[0].startswith("error: queue_log.3.lz4: compressed in a format carewatch does not")
    assert err[1].startswith("error: queue_log.2.gz: damaged or incomplete archive")


def test_files_that_are_no_call_log_do_not_fail_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = _logs(tmp_path)
    (logs / "notes.txt").write_text("remember to call the supplier\n")
    (logs / "queue_log.new").write_bytes(b"")  # just created by a rotation: nothing yet
    db = str(tmp_path / "cw.db")
    assert main(["ingest", str(logs), "--db", db]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("2 calls added, 0 updated, 0 lines skipped, 1 file not read")
    assert "notes.txt: cannot tell the format" in captured.out
    assert captured.err == ""


def test_an_io_error_while_reading_one_file_leaves_the_others_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs = _logs(tmp_path)
    (logs / "other_log").write_text(call(3).replace("call-", "other-"))
    real = LogReader.read

    def read(self: LogReader, *args: object, **kwargs: object) -> list:
        if self.path.endswith("other_log"):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(LogReader, "read", read)
    with Store(str(tmp_path / "cw.db")) as store:
        summary = ingest_paths(store, CONFIG, [str(logs)])
        assert store.count_calls() == 2
    assert [(Path(p).name, why) for p, why in summary.files_not_read] == [
        ("other_log", "cannot read it: Input/output error")
    ]
    assert [Path(p).name for p in summary.files_failed] == ["other_log"]


def _fail_after_the_first_batch(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Reading the file ``name`` fails with an I/O error once its first batch is committed
    (a disk that gives up part-way through a file)."""
    real = LogReader.next_batch

    def next_batch(self: LogReader, offset: int, line_no: int, *, final: bool) -> object:
        if os.path.basename(self.path) == name and offset > 0:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(self, offset, line_no, final=final)

    monkeypatch.setattr(LogReader, "next_batch", next_batch)


def test_an_io_error_part_way_through_a_file_counts_the_calls_stored_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The summary a cron job keeps says as many calls as the database holds, and the file
    that failed is still named, with exit status 1."""
    logs = _logs(tmp_path)
    # 21,000 lines: two batches of a one-shot ingest, the second one fails
    calls = (call(i).replace("call-", "other-") for i in range(10, 7010))
    (logs / "other_log").write_text("".join(calls))
    _fail_after_the_first_batch(monkeypatch, "other_log")
    db = str(tmp_path / "cw.db")
    assert main(["ingest", str(logs), "--db", db]) == 1
    captured = capsys.readouterr()
    with Store(db) as store:
        stored = store.count_calls()
    assert stored > 6_000  # the first batch of other_log, and the two other files
    added = re.match(r"([\d,]+) calls added, 0 updated, ", captured.out)
    assert added is not None, captured.out
    assert int(added.group(1).replace(",", "")) == stored
    assert "1 file not read (other_log: cannot read it: Input/output error)" in captured.out
    assert captured.err == "error: other_log: cannot read it: Input/output error\n"


@pytest.mark.parametrize("name", ["other_log", "other_log.1.gz"])
def test_the_summary_of_a_file_cut_by_an_io_error_is_what_the_database_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    logs = _logs(tmp_path)
    text = "".join(call(i).replace("call-", "other-") for i in range(10, 20))  # 30 lines
    if name.endswith(".gz"):
        (logs / name).write_bytes(gzip.compress(text.encode()))
    else:
        (logs / name).write_text(text)
    _fail_after_the_first_batch(monkeypatch, name)
    with Store(str(tmp_path / "cw.db")) as store:
        summary = ingest_paths(store, CONFIG, [str(logs)], batch_lines=6)
        assert summary.added == store.count_calls() == 4  # 2 calls in the first batch of 6
        assert summary.lines_read == 3 + 3 + 6
    assert [Path(p).name for p in summary.files_failed] == [name]


def test_a_follower_poll_cut_by_an_io_error_counts_what_it_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "other_log"
    log.write_text("".join(call(i).replace("call-", "other-") for i in range(10, 20)))
    _fail_after_the_first_batch(monkeypatch, "other_log")
    with Store(str(tmp_path / "cw.db")) as store:
        follower = Follower(store, CONFIG, [(str(log), "queue_log")], batch_lines=6)
        try:
            summary = follower.poll_once()
            assert summary.added == store.count_calls() == 2
            assert follower.problems() == {
                str(log): "other_log: cannot read it: Input/output error"
            }
        finally:
            follower.close()


def test_a_log_with_no_complete_line_yet_is_no_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a cron job right after a rotation: the new log is empty, or its first line unfinished
    log = tmp_path / "queue_log"
    log.write_bytes(b"")
    db = str(tmp_path / "cw.db")
    assert main(["ingest", str(log), "--db", db]) == 0
    assert capsys.readouterr().out == "0 calls added, 0 updated, 0 lines skipped\n"
    first = call(1).splitlines(keepends=True)
    log.write_text(first[0][:20])
    assert main(["ingest", str(log), "--db", db]) == 0
    out = capsys.readouterr().out
    assert (
        out == "0 calls added, 0 updated, 0 lines skipped, 1 incomplete last line left for later\n"
    )
    log.write_text("".join(first))
    assert main(["ingest", str(log), "--db", db]) == 0
    assert capsys.readouterr().out.startswith("1 call added")
    (tmp_path / "blank_log").write_text("\n\n")
    assert main(["ingest", str(tmp_path / "blank_log"), "--db", db]) == 0
    assert capsys.readouterr().out == "0 calls added, 0 updated, 0 lines skipped\n"


def test_a_database_lost_in_the_middle_says_the_rerun_continues(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The database goes away after the first file's commit (a PostgreSQL server stopped):
    exit 1 with one line saying what is kept; the same command then adds the rest, once."""
    from carewatch.store import StoreError
    from carewatch.store.facade import Store as Facade

    logs = _logs(tmp_path)
    db = str(tmp_path / "cw.db")
    real = Facade.apply
    commits = []

    def lost_after_one(self: Store, *args: object, **kwargs: object) -> object:
        if commits:
            raise StoreError("database cw.db: server closed the connection unexpectedly")
        commits.append(1)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Facade, "apply", lost_after_one)
    with pytest.raises(SystemExit) as stop:
        main(["ingest", str(logs), "--db", db])
    assert stop.value.code == 1
    assert capsys.readouterr().err == (
        "carewatch: database cw.db: server closed the connection unexpectedly; what was read "
        "up to the last commit is stored: the same command continues from there\n"
    )
    monkeypatch.undo()
    assert main(["ingest", str(logs), "--db", db]) == 0
    assert "1 call added" in capsys.readouterr().out
    with Store(db) as store:
        assert sorted(c.call_id for c in store.recent_calls(10)) == ["call-1", "call-2"]


def test_a_damaged_archive_is_named_in_the_language_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = _logs(tmp_path)
    (logs / "queue_log.2.gz").write_bytes(b"\x1f\x8b\x08\x00binary")  # a gzip cut short
    db = str(tmp_path / "cw.db")
    assert main(["ingest", str(logs), "--db", db, "--lang", "it"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert "queue_log.2.gz: archivio danneggiato o incompleto (" in err[0]
