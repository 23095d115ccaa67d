"""A one-shot ingest whose lines a child process reads and parses (carewatch.sources.ahead)
stores what one process reading batch after batch stores; what fails in the child, in a
commit, or because another process moved the position, ends as it does in one process, and no
child is left behind."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

import carewatch.sources.ahead as ahead
import carewatch.sources.reader as reader_module
from carewatch.ingest import ingest_paths
from carewatch.sources.positions import Position, load_positions
from carewatch.sources.queue_log import QueueLogParser
from carewatch.sources.reader import LogReader
from carewatch.store import Store, StoreError
from tests.conftest import Children
from tests.test_ingest_batches import CONFIG, _changes_in_order, _pending, _tables
from tests.test_ingest_batches import log_bytes as the_file_they_read  # noqa: F401 - a fixture


@pytest.fixture(scope="module")
def odd_log(request: pytest.FixtureRequest) -> bytes:
    """The simulated days and odd lines of test_ingest_batches, and half a line at the end
    (left for later)."""
    data: bytes = request.getfixturevalue("the_file_they_read")
    return data + data.splitlines(keepends=True)[-1][:20]


@pytest.fixture
def forks(children: Children, monkeypatch: pytest.MonkeyPatch) -> Children:
    """Every file read ahead, however small; the children forked."""
    monkeypatch.setattr(ahead, "AHEAD_BYTES", 0)
    return children


def _ingested(folder: Path, data: bytes, **kwargs: Any) -> tuple[dict[str, Any], str, Any]:
    log = folder / "logs" / "queue_log"
    log.parent.mkdir(parents=True)
    log.write_bytes(data)
    db = str(folder / "cw.db")
    with Store(db) as store:
        summary = ingest_paths(store, CONFIG, [str(log)], "queue_log", **kwargs)
        return _tables(store), db, summary


def _call(i: int) -> bytes:
    t = 1_709_712_000 + i * 60
    return (
        f"{t}|call-{i}|support|NONE|ENTERQUEUE||+3900{i}|1\n"
        f"{t + 5}|call-{i}|support|Agent/1|CONNECT|5|b{i}|2\n"
        f"{t + 65}|call-{i}|support|Agent/1|COMPLETECALLER|5|60|1\n"
    ).encode()


def _counts(summary: Any) -> tuple[Any, ...]:
    return (summary.added, summary.updated, summary.agent_events, summary.lines_read)


def test_read_ahead_stores_what_one_process_stores(
    odd_log: bytes, tmp_path: Path, forks: list[int]
) -> None:
    ahead_small, small_db, small = _ingested(tmp_path / "a", odd_log, batch_lines=7)
    ahead_whole, whole_db, whole = _ingested(tmp_path / "b", odd_log)
    assert forks and forks.all_ended()
    forks.clear()
    ahead.AHEAD_BYTES = 1 << 60  # the monkeypatch restores it: every file read in one process
    one_small, one_db, one = _ingested(tmp_path / "c", odd_log, batch_lines=7)
    assert not forks
    assert ahead_small == one_small and ahead_whole == one_small
    assert _pending(small_db) == _pending(one_db) == _pending(whole_db)
    assert _changes_in_order(small_db) == _changes_in_order(one_db)
    assert _counts(small) == _counts(one) == _counts(whole)
    assert small.incomplete == one.incomplete == whole.incomplete == 1
    assert small.skipped == one.skipped


def test_a_read_error_in_the_child_fails_the_file_after_the_batches_before_it(
    tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(b"".join(_call(i) for i in range(10)))  # 30 lines
    read_lines = reader_module.read_lines
    reads: list[int] = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)  # in the child (forked first): the second batch's read is its first
        if len(reads) == 3:
            raise OSError(errno.EIO, "Input/output error")
        return read_lines(*args, **kwargs)

    monkeypatch.setattr(reader_module, "read_lines", failing)
    with Store(str(tmp_path / "cw.db")) as store:
        # the file is not read further, said why (the ingest goes on with other files)
        summary = ingest_paths(store, CONFIG, [str(log)], "queue_log", batch_lines=6)
        assert summary.files_not_read == [(str(log), "cannot read it: Input/output error")]
        assert summary.files_failed == [str(log)]
        assert forks and forks.all_ended()
        (pos,) = store.positions()
        assert (pos["line_no"], pos["lines_read"]) == (18, 18)  # the three batches read
        assert store.count_calls() == 6
        assert (summary.added, summary.lines_read) == (6, 18)  # counted as stored


def test_a_failed_commit_stops_the_child_and_a_second_run_completes_the_file(
    tmp_path: Path, forks: list[int]
) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(b"".join(_call(i) for i in range(10)))
    with Store(str(tmp_path / "cw.db")) as store:
        store.retrying(
            lambda tx: tx.execute(
                "CREATE TRIGGER no_room BEFORE INSERT ON cw_call WHEN NEW.call_id = 'call-5' "
                "BEGIN SELECT RAISE(FAIL, 'no room left'); END"
            )
        )
        with pytest.raises(StoreError, match="no room left"):
            ingest_paths(store, CONFIG, [str(log)], "queue_log", batch_lines=6)
        assert forks and forks.all_ended()
        # batches of 6 lines, two calls each: call-5 starts in the third; two committed
        assert store.count_calls() == 4
        (pos,) = store.positions()
        assert pos["line_no"] == 12
        store.retrying(lambda tx: tx.execute("DROP TRIGGER no_room"))
        again = ingest_paths(store, CONFIG, [str(log)], "queue_log", batch_lines=6)
        assert (again.added, again.lines_read) == (6, 18)
        got = _tables(store)
    with Store(str(tmp_path / "whole.db")) as whole:
        ingest_paths(whole, CONFIG, [str(log)], "queue_log")
        assert got == _tables(whole)


def test_a_position_moved_by_another_process_while_reading_ahead_is_taken_over(
    tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(b"".join(_call(i) for i in range(10)))
    db = str(tmp_path / "cw.db")
    with Store(db) as store, Store(db) as other:
        fd = os.open(log, os.O_RDONLY)
        st = os.fstat(fd)
        start = Position("queue_log", str(log), "queue_log", st.st_dev, st.st_ino)
        mine = LogReader(
            store,
            fd,
            str(log),
            start,
            QueueLogParser(CONFIG.tz),
            batch_lines=6,
            ahead=True,
        )
        commit = mine._commit
        commits: list[int] = []

        def after_another_reader(*args: Any, **kwargs: Any) -> Any:
            commits.append(1)
            if len(commits) == 2:  # meanwhile another process reads the whole file
                theirs = LogReader(
                    other,
                    os.open(log, os.O_RDONLY),
                    str(log),
                    load_positions(other, "queue_log")[0],
                    QueueLogParser(CONFIG.tz),
                )
                theirs.read()
                theirs.close()
            return commit(*args, **kwargs)

        monkeypatch.setattr(mine, "_commit", after_another_reader)
        results = mine.read()
        mine.close()
        assert [r.lines_read for r in results] == [6]  # then the other process's position
        assert forks and forks.all_ended()
        assert store.count_calls() == 10
        (pos,) = store.positions()
        assert (pos["line_no"], pos["lines_read"]) == (30, 30)


def test_without_a_child_process_the_file_is_read_here(
    tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fork() -> int:
        raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    log = tmp_path / "queue_log"
    log.write_bytes(b"".join(_call(i) for i in range(10)))
    with Store(str(tmp_path / "cw.db")) as store:
        summary = ingest_paths(store, CONFIG, [str(log)], "queue_log", batch_lines=6)
        assert (summary.added, summary.lines_read) == (10, 30)


def test_a_first_batch_that_does_not_end_where_the_child_started_reads_the_rest_here(
    tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(b"".join(_call(i) for i in range(10)))
    read_lines = ahead.read_lines

    def one_line_less(fd: int, offset: int, line_no: int, **kwargs: Any) -> Any:
        kwargs["max_lines"] -= 1  # as if the parser had cut the first batch's last record
        return read_lines(fd, offset, line_no, **kwargs)

    monkeypatch.setattr(ahead, "read_lines", one_line_less)
    db = str(tmp_path / "cw.db")
    with Store(db) as store:
        summary = ingest_paths(store, CONFIG, [str(log)], "queue_log", batch_lines=6)
        assert forks and forks.all_ended()
        assert (summary.added, summary.lines_read) == (10, 30)
    assert _changes_in_order(db)[0] == 5  # five batches of 6 lines, each its transaction


def test_a_child_that_fails_at_once_fails_the_file_after_the_first_batch(
    tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(ahead, "read_lines", failing)  # the child's first read
    log = tmp_path / "queue_log"
    log.write_bytes(b"".join(_call(i) for i in range(10)))
    with Store(str(tmp_path / "cw.db")) as store:
        summary = ingest_paths(store, CONFIG, [str(log)], "queue_log", batch_lines=6)
        assert summary.files_failed == [str(log)]
        assert forks and forks.all_ended()
        (pos,) = store.positions()
        assert pos["line_no"] == 6  # the first batch, parsed here


def test_off_linux_the_file_is_read_in_one_process(
    odd_log: bytes, tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where no child may read ahead (macOS documents a fork without an exec unsafe, Windows
    has none) the ingest forks nothing and stores the same tables."""
    monkeypatch.setattr(ahead, "FORKS", False)
    tables, _, summary = _ingested(tmp_path / "mac", odd_log, batch_lines=7)
    assert not forks
    monkeypatch.setattr(ahead, "FORKS", True)
    same, _, again = _ingested(tmp_path / "linux", odd_log, batch_lines=7)
    assert forks and forks.all_ended()
    assert tables == same and _counts(summary) == _counts(again)


def test_a_follower_reading_ahead_as_the_file_grows_stores_what_one_process_stores(
    odd_log: bytes, tmp_path: Path, forks: list[int]
) -> None:
    """``ingest --follow`` started behind a file reads it ahead as the one-shot does; then the
    file grows (the rest of it in three appends, the last ending in half a line) and each
    poll forks again. The tables are those of one reading in one process."""
    from carewatch.ingest import Follower

    expected, _, _ = _ingested(tmp_path / "one", odd_log, batch_lines=7)
    lines = odd_log.splitlines(keepends=True)
    cuts = [len(lines) // 2, 2 * len(lines) // 3, 5 * len(lines) // 6, len(lines)]
    log = tmp_path / "logs" / "queue_log"
    log.parent.mkdir(parents=True)
    db = str(tmp_path / "cw.db")
    with Store(db) as store:
        follower = Follower(store, CONFIG, [(str(log), "queue_log")], batch_lines=7, ahead=True)
        try:
            done = 0
            for cut in cuts:
                with log.open("ab") as fh:
                    fh.write(b"".join(lines[done:cut]))
                done = cut
                follower.poll_once()
        finally:
            follower.close()
        assert len(forks) >= len(cuts) and forks.all_ended()  # each poll read ahead
        assert _tables(store) == expected


def test_a_restart_read_ahead_ends_the_open_entries_as_one_process_does(
    tmp_path: Path, forks: list[int]
) -> None:
    """A QUEUESTART the child parses comes back as the same record: the entries still open
    before it are ended in both ways of reading."""
    t = 1_709_712_000
    data = b"".join(_call(i) for i in range(40))
    data += f"{t + 4000}|open-1|support|NONE|ENTERQUEUE||+39555|1\n".encode()
    data += b"".join(_call(i) for i in range(40, 80))
    data += f"{t + 9000}|NONE|NONE|NONE|QUEUESTART|\n".encode()
    read_ahead, ahead_db, _summary = _ingested(tmp_path / "a", data, batch_lines=7)
    assert forks and forks.all_ended()
    ahead.AHEAD_BYTES = 1 << 60  # the monkeypatch restores it
    in_one, _one_db, _summary = _ingested(tmp_path / "b", data, batch_lines=7)
    assert read_ahead == in_one
    with Store(ahead_db) as store:
        (entry,) = store.find_calls("open-1")
        assert (entry.ended_at, entry.disposition) == (t + 9000, "missed")
