"""The tail's pieces: complete lines, fingerprints, names, positions, headers, atomic batches."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from carewatch.config import parse_config
from carewatch.sources.base import MAX_LINE_BYTES
from carewatch.sources.csvjson import CsvParser
from carewatch.sources.fileid import (
    FINGERPRINT_BYTES,
    FileId,
    fingerprint,
    folder_files,
    prefix_matches,
    rotation_sort_key,
    source_name_for,
    split_rotation,
)
from carewatch.sources.positions import Position, load_positions
from carewatch.sources.queue_log import QueueLogParser
from carewatch.sources.reader import LogReader, read_lines
from carewatch.sources.tail import LogTail
from carewatch.store import Store

CONFIG = parse_config({"timezone": "UTC"})
UTC = CONFIG.tz
T0 = 1_700_000_000


def call(i: int) -> str:
    """Three queue_log lines of one answered call."""
    t = T0 + 100 * i
    return (
        f"{t}|call-{i}|support|NONE|ENTERQUEUE||+3900000{i:04d}|1\n"
        f"{t + 5}|call-{i}|support|Agent/{i % 3}|CONNECT|5|x|2\n"
        f"{t + 65}|call-{i}|support|Agent/{i % 3}|COMPLETECALLER|5|60|1\n"
    )


def open_fd(path: Path) -> int:
    return os.open(path, os.O_RDONLY)


@pytest.fixture
def store(database: str) -> Store:
    s = Store(database)
    yield s
    s.close()


# -- read_lines -------------------------------------------------------------------------------


def test_read_lines_returns_complete_lines_only(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b"one\ntwo\r\n\nthree-half")
    fd = open_fd(path)
    try:
        got = read_lines(fd, 0, 0)
        assert [(r.line_no, r.data) for r in got.lines] == [
            (1, b"one"),
            (2, b"two\r"),
            (3, b""),
        ]
        assert got.offset == len(b"one\ntwo\r\n\n")
        assert got.line_no == 3
        assert got.pending == len(b"three-half")
        assert got.at_end
        final = read_lines(fd, got.offset, got.line_no, final=True)
        assert [(r.line_no, r.data) for r in final.lines] == [(4, b"three-half")]
        assert final.offset == path.stat().st_size and final.pending == 0
    finally:
        os.close(fd)


def test_read_lines_stops_at_batch_size_and_resumes(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b"".join(f"line {i}\n".encode() for i in range(1, 11)))
    fd = open_fd(path)
    try:
        seen, offset, line_no = [], 0, 0
        while True:
            got = read_lines(fd, offset, line_no, max_lines=3)
            seen += [(r.line_no, r.data) for r in got.lines]
            assert len(got.lines) <= 3
            offset, line_no = got.offset, got.line_no
            if got.at_end:
                break
        assert seen == [(i, f"line {i}".encode()) for i in range(1, 11)]
        assert offset == path.stat().st_size
    finally:
        os.close(fd)


def test_read_lines_huge_line_is_marked_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "log"
    huge = b"x" * (1024 * 1024)
    path.write_bytes(b"before\n" + huge + b"\nafter\n" + huge)
    fd = open_fd(path)
    try:
        got = read_lines(fd, 0, 0)
        assert [(r.line_no, r.data, r.length) for r in got.lines] == [
            (1, b"before", 6),
            (2, None, len(huge)),
            (3, b"after", 5),
        ]
        assert got.pending == len(huge)  # unterminated: waits, and is not held in memory
        final = read_lines(fd, got.offset, got.line_no, final=True)
        assert [(r.line_no, r.data) for r in final.lines] == [(4, None)]
    finally:
        os.close(fd)


def test_read_lines_keeps_a_line_of_exactly_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "log"
    line = b"y" * MAX_LINE_BYTES
    path.write_bytes(line + b"\n")
    fd = open_fd(path)
    try:
        (raw,) = read_lines(fd, 0, 0).lines
        assert raw.data == line
    finally:
        os.close(fd)


# -- fingerprints and names -------------------------------------------------------------------


def test_fingerprint_of_a_short_file_grows_with_it(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b"abc\n")
    fd = open_fd(path)
    try:
        digest, length = fingerprint(fd, FINGERPRINT_BYTES)
        assert length == 4
        assert digest == hashlib.sha256(b"abc\n").hexdigest()
        with path.open("ab") as fh:
            fh.write(b"z" * 2000)
        size = path.stat().st_size
        # compared on the stored length while the stored fingerprint is shorter
        assert prefix_matches(fd, size, digest, 4)
        assert fingerprint(fd, FINGERPRINT_BYTES)[1] == FINGERPRINT_BYTES
        assert not prefix_matches(fd, size, hashlib.sha256(b"abd\n").hexdigest(), 4)
        assert not prefix_matches(fd, 3, digest, 4)  # a file shorter than the prefix
    finally:
        os.close(fd)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("queue_log", ("queue_log", None)),
        ("queue_log.1", ("queue_log", 1)),
        ("Master.csv.12", ("Master.csv", 12)),
        ("calls.csv", ("calls.csv", None)),
    ],
)
def test_split_rotation(name: str, expected: tuple[str, int | None]) -> None:
    assert split_rotation(name) == expected


def test_source_name_is_configured_name_else_file_name_without_rotation() -> None:
    assert source_name_for("/var/log/asterisk/queue_log") == "queue_log"
    assert source_name_for("/var/log/asterisk/queue_log.3") == "queue_log"
    assert source_name_for("/x/queue_log.1", "site-a") == "site-a"


def test_folder_files_oldest_rotation_first_and_no_hidden(tmp_path: Path) -> None:
    for name in ("queue_log", "queue_log.1", "queue_log.2", ".hidden", "a.csv"):
        (tmp_path / name).write_text("x\n")
    (tmp_path / "sub").mkdir()
    names = [os.path.basename(p) for p in folder_files(str(tmp_path))]
    assert names == ["a.csv", "queue_log.2", "queue_log.1", "queue_log"]
    paths = [str(tmp_path / n) for n in ("queue_log", "queue_log.10", "queue_log.9")]
    assert sorted(paths, key=rotation_sort_key)[0].endswith("queue_log.10")


# -- positions --------------------------------------------------------------------------------


def test_position_round_trips_through_the_store(store: Store) -> None:
    pos = Position(
        source="queue_log",
        path="/x/queue_log",
        format="queue_log",
        device=2**40,
        inode=2**35,
        fingerprint="ab" * 32,
        fingerprint_len=1024,
        offset=2**33,
        line_no=10,
        lines_read=9,
        bad_lines=2,
        last_bad_line=7,
        last_bad_reason="malformed",
        bad_by_reason={"malformed": 1, "unknown event": 1},
        updated_at=5.0,
        last_line_at=4.0,
    )
    pos.id = store.retrying(lambda conn: store.save_position(conn, pos.values()))
    (back,) = load_positions(store, "queue_log")
    assert back == pos
    assert back.file_id == FileId(2**40, 2**35)


# -- LogReader --------------------------------------------------------------------------------


def new_reader(store: Store, path: Path, parser, *, batch_lines: int = 2000) -> LogReader:
    fd = open_fd(path)
    st = os.fstat(fd)
    positions = load_positions(store, "log")
    position = next((p for p in positions if p.matches(fd, st)), None) or Position(
        source="log", path=str(path), format=parser.format, device=st.st_dev, inode=st.st_ino
    )
    return LogReader(store, fd, str(path), position, parser, batch_lines=batch_lines)


def test_reader_commits_batches_with_their_position(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_text("".join(call(i) for i in range(10)))  # 30 lines
    reader = new_reader(store, path, QueueLogParser(UTC), batch_lines=7)
    results = reader.read()
    reader.close()
    assert [r.lines_read for r in results] == [7, 7, 7, 7, 2]
    assert sum(r.added for r in results) == 10
    (row,) = store.positions("log")
    assert row["byte_offset"] == path.stat().st_size
    assert row["line_no"] == 30 and row["lines_read"] == 30
    assert row["fingerprint_len"] == FINGERPRINT_BYTES
    assert row["fingerprint"] == hashlib.sha256(path.read_bytes()[:1024]).hexdigest()


def test_a_failed_commit_keeps_calls_and_position_together(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "log"
    path.write_text("".join(call(i) for i in range(4)) + "junk\n")  # 13 lines
    original = store.save_position
    saves = []

    def flaky(conn, values):
        saves.append(values["byte_offset"])
        if len(saves) == 2:
            raise RuntimeError("disk gone")  # after apply() of the second batch
        return original(conn, values)

    monkeypatch.setattr(store, "save_position", flaky)
    reader = new_reader(store, path, QueueLogParser(UTC), batch_lines=6)
    with pytest.raises(RuntimeError):
        reader.read()
    reader.close()
    # only the first batch (6 lines: calls 0 and 1) is in the database, with its position
    assert store.count_calls() == 2
    (row,) = store.positions("log")
    assert row["line_no"] == 6 and row["lines_read"] == 6 and row["bad_lines"] == 0
    monkeypatch.setattr(store, "save_position", original)
    again = new_reader(store, path, QueueLogParser(UTC), batch_lines=6)
    again.read()
    again.close()
    assert store.count_calls() == 4
    (row,) = store.positions("log")
    assert row["line_no"] == 13 and row["lines_read"] == 13 and row["bad_lines"] == 1
    assert row["byte_offset"] == path.stat().st_size
    assert [c.talk_seconds for c in store.recent_calls()] == [60.0] * 4


class CountingCsvParser(CsvParser):
    headers: list[str]

    def read_header(self, line: str) -> None:
        self.headers.append(line)
        super().read_header(line)


def csv_row(i: int) -> str:
    return f"c{i},2024-03-06T08:{i:02d}:00+00:00,support,{i * 10}\n"


def test_header_is_read_again_when_resuming_mid_file(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "log"
    header = "call_id,started_at,queue,talk_seconds\n"
    path.write_text("\n" + header + "".join(csv_row(i) for i in range(3)))
    first = CountingCsvParser(UTC)
    first.headers = []
    reader = new_reader(store, path, first)
    reader.read()
    reader.close()
    assert first.headers == [header.strip()]
    with path.open("a") as fh:
        fh.write("".join(csv_row(i) for i in range(3, 6)))
    second = CountingCsvParser(UTC)
    second.headers = []
    reader = new_reader(store, path, second)
    assert second.headers == [header.strip()]  # before any other line
    results = reader.read()
    reader.close()
    assert sum(r.added for r in results) == 3 and not any(r.skipped for r in results)
    assert sorted(c.talk_seconds for c in store.recent_calls()) == [i * 10.0 for i in range(6)]
    (row,) = store.positions("log")
    assert row["line_no"] == 8 and row["lines_read"] == 7  # the blank line 1 is not "read"


def test_bad_header_is_counted_once_not_again_on_resume(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_text("no,such,columns\nc1,2024-03-06T08:00:00+00:00\n")
    reader = new_reader(store, path, CsvParser(UTC))
    reader.read()
    reader.close()
    with path.open("a") as fh:
        fh.write("c2,2024-03-06T08:01:00+00:00\n")
    reader = new_reader(store, path, CsvParser(UTC))
    reader.read()
    reader.close()
    (row,) = store.positions("log")
    assert row["bad_lines"] == 3
    assert row["last_bad_line"] == 3
    assert json.loads(row["bad_by_reason"]) == {"bad header": 1, "no header": 2}
    assert store.count_calls() == 0


def test_tail_with_an_injected_parser_counts_parser_crashes(store: Store, tmp_path: Path) -> None:
    class Crashing(QueueLogParser):
        def parse_line(self, line: str, line_no: int):
            if "boom" in line:
                raise KeyError("bug")
            return super().parse_line(line, line_no)

    path = tmp_path / "queue_log"
    path.write_text(call(1) + f"{T0}|x|q|NONE|boom\n" + call(2))
    tail = LogTail(
        store,
        CONFIG,
        str(path),
        "queue_log",
        factories=(lambda fmt: Crashing(UTC), lambda head, p: "queue_log"),
    )
    results = tail.poll()
    tail.close()
    assert sum(r.added for r in results) == 2
    assert [s for r in results for s in r.skipped] == [(4, "parser error")]
