"""A follower started again after logrotate renamed and compressed the file it was reading
(``compress`` without ``delaycompress``): the lines written after its last reading are in
the archive only, and are read from it, once (carewatch.sources.rotation._read_archives)."""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import zstandard

from carewatch.ingest import ingest_paths
from carewatch.store import Store
from tests.test_rotation import (
    CONFIG,
    append,
    call,
    calls,
    end_of,
    ended,
    follow,
    make_old,
    totals,
)


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    with Store(database) as s:
        yield s


def compress(path: Path, suffix: str = ".gz") -> Path:
    """What logrotate's ``compress`` does: the file compressed beside it, keeping its
    modification time, and the original removed."""
    out = path.with_name(path.name + suffix)
    data = path.read_bytes()
    out.write_bytes(gzip.compress(data) if suffix == ".gz" else zstandard.compress(data))
    st = path.stat()
    os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns))
    path.unlink()
    return out


def stop_after_reading(store: Store, log: Path) -> None:
    first = follow(store, log)
    first.poll_once()
    first.close()


def test_lines_written_after_the_last_reading_are_read_from_the_archive(
    store: Store, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    log.write_text(calls(0, 3))
    stop_after_reading(store, log)
    append(log, calls(3, 5) + call(5, end=False))  # written while nobody was reading
    os.rename(log, tmp_path / "queue_log.1")
    archive = compress(tmp_path / "queue_log.1")
    log.write_text(end_of(5) + call(6))  # the call that started in the old file ends here
    second = follow(store, log)
    try:
        summary = second.poll_once()
        assert (summary.added, summary.updated) == (4, 0)
        assert ended(store) == {f"call-{i}" for i in range(7)}
        assert totals(store) == (21, 0)
        assert second.problems() == {}
        by_path = {p["path"]: p for p in store.positions()}
        assert by_path[str(archive)]["finished"] is True
        assert sorted(p["finished"] for p in store.positions() if p["path"] == str(log)) == [
            False,
            True,
        ]
    finally:
        second.close()
    # a one-shot ingest of the folder, and the next start, find nothing new
    assert ingest_paths(store, CONFIG, [str(tmp_path)]).lines_read == 0
    third = follow(store, log)
    try:
        assert third.poll_once().lines_read == 0
    finally:
        third.close()
    assert totals(store) == (21, 0)


def test_rotations_made_and_compressed_while_stopped_are_read_oldest_first(
    store: Store, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    log.write_text(calls(0, 2))
    stop_after_reading(store, log)
    append(log, call(2))  # then two nights' rotations, each compressed, zstd and gzip
    os.rename(log, tmp_path / "queue_log.1")
    log.write_text(calls(3, 5))
    os.rename(tmp_path / "queue_log.1", tmp_path / "queue_log.2")
    os.rename(log, tmp_path / "queue_log.1")
    compress(tmp_path / "queue_log.2", ".zst")
    compress(tmp_path / "queue_log.1")
    log.write_text(call(5))
    second = follow(store, log)
    try:
        summary = second.poll_once()
        assert summary.added == 4
        assert ended(store) == {f"call-{i}" for i in range(6)}
        assert totals(store) == (18, 0)
    finally:
        second.close()


def test_an_archive_still_being_written_is_a_problem_and_read_once_complete(
    store: Store, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    log.write_text(calls(0, 2))
    stop_after_reading(store, log)
    append(log, calls(2, 4))
    os.rename(log, tmp_path / "queue_log.1")
    archive = compress(tmp_path / "queue_log.1")
    whole = archive.read_bytes()
    archive.write_bytes(whole[: len(whole) // 2])  # logrotate has not finished compressing
    log.write_text(call(4))
    second = follow(store, log)
    try:
        second.poll_once()
        assert ended(store) == {"call-0", "call-1", "call-4"}
        (problem,) = second.problems().values()
        assert "queue_log.1.gz: damaged or incomplete archive" in problem
    finally:
        second.close()
    archive.write_bytes(whole)
    third = follow(store, log)
    try:
        third.poll_once()
        assert ended(store) == {f"call-{i}" for i in range(5)}
        assert third.problems() == {}
        assert totals(store) == (15, 0)
    finally:
        third.close()


def test_an_archive_older_than_the_last_reading_is_not_opened(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(calls(0, 2))
    old = tmp_path / "queue_log.9.gz"
    old.write_bytes(b"not a gzip file at all")  # would be a problem if it were opened
    make_old(old)
    stop_after_reading(store, log)
    os.rename(log, tmp_path / "queue_log.1")
    compress(tmp_path / "queue_log.1")
    log.write_text(call(2))
    second = follow(store, log)
    try:
        assert second.poll_once().added == 1
        assert second.problems() == {}
        assert totals(store) == (9, 0)
    finally:
        second.close()


def test_a_one_shot_ingest_of_the_path_reads_the_archive_too(store: Store, tmp_path: Path) -> None:
    # the cron deployment: `carewatch ingest` of the log's path every few minutes, and
    # logrotate renamed and compressed it between two runs
    log = tmp_path / "queue_log"
    log.write_text(calls(0, 2))
    assert ingest_paths(store, CONFIG, [str(log)]).added == 2
    append(log, calls(2, 4))
    os.rename(log, tmp_path / "queue_log.1")
    compress(tmp_path / "queue_log.1")
    log.write_text(call(4))
    summary = ingest_paths(store, CONFIG, [str(log)])
    assert (summary.added, summary.files_not_read) == (3, [])
    assert ended(store) == {f"call-{i}" for i in range(5)}
    assert ingest_paths(store, CONFIG, [str(tmp_path)]).lines_read == 0
    assert totals(store) == (15, 0)
