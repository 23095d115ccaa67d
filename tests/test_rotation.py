"""Rotation and truncation: rename and create, copytruncate, deletion, a file that comes back.

Each test checks what Fluent Bit's in_tail rotation test checks: every call written is in
the database once, the lines counted equal the lines written (a line read twice would be
counted twice), and the position of the file followed equals its size.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from carewatch.config import parse_config
from carewatch.ingest import Follower, IngestSummary, ingest_paths
from carewatch.sources.tail import ROTATE_WAIT, LogTail
from carewatch.store import Store

CONFIG = parse_config({"timezone": "UTC"})
T0 = 1_700_000_000


def call(i: int, *, end: bool = True) -> str:
    t = T0 + 100 * i
    text = (
        f"{t}|call-{i}|support|NONE|ENTERQUEUE||+3900000{i:04d}|1\n"
        f"{t + 5}|call-{i}|support|Agent/{i % 3}|CONNECT|5|x|2\n"
    )
    if end:
        text += end_of(i)
    return text


def end_of(i: int) -> str:
    return f"{T0 + 100 * i + 65}|call-{i}|support|Agent/{i % 3}|COMPLETECALLER|5|60|1\n"


def calls(first: int, last: int) -> str:
    return "".join(call(i) for i in range(first, last))


def append(path: Path, text: str) -> None:
    with path.open("a") as fh:
        fh.write(text)


def copytruncate(path: Path, copy: Path) -> None:
    """What logrotate's copytruncate does: copy the file, then truncate it in place."""
    shutil.copyfile(path, copy)
    with path.open("r+") as fh:
        fh.truncate(0)


def make_old(path: Path) -> None:
    """Make a file look unchanged for a minute (a rotated file nobody writes any more)."""
    old = time.time() - 60
    os.utime(path, (old, old))


def ended(store: Store) -> set[str]:
    return {c.call_id for c in store.recent_calls(limit=100_000) if c.talk_seconds == 60.0}


def totals(store: Store) -> tuple[int, int]:
    """Lines counted and bad lines counted, over every file read."""
    positions = store.positions()
    return sum(p["lines_read"] for p in positions), sum(p["bad_lines"] for p in positions)


def poll_until(
    follower: Follower, condition: Callable[[], bool], timeout: float = 10.0
) -> IngestSummary:
    total = IngestSummary()
    deadline = time.monotonic() + timeout
    while True:
        total.merge(follower.poll_once())
        if condition():
            return total
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


@pytest.fixture
def store(database: str) -> Store:
    s = Store(database)
    yield s
    s.close()


def follow(store: Store, path: Path, rotate_wait: float = 0.0, **kw) -> Follower:
    return Follower(store, CONFIG, [(str(path), None)], rotate_wait=rotate_wait, **kw)


# -- rename and create ------------------------------------------------------------------------


def test_rename_and_create_while_following(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(calls(0, 10))
    follower = follow(store, log)
    try:
        assert follower.poll_once().added == 10
        append(log, calls(10, 12) + call(12, end=False))  # not read yet when rotated
        os.rename(log, tmp_path / "queue_log.1")
        append(tmp_path / "queue_log.1", "bad line in the old file\n")  # the writer's old fd
        log.write_text(end_of(12) + calls(13, 16) + "bad line in the new file\n")
        summary = follower.poll_once()
        # call 12 starts and ends within this poll: added, not updated
        assert (summary.added, summary.updated) == (6, 0)
        assert ended(store) == {f"call-{i}" for i in range(16)}  # call 12 ended in the new file
        assert [Path(p).name for p, _, _ in summary.last_skipped] == ["queue_log.1", "queue_log"]
        follower.poll_once()  # quiet for rotate_wait (0 s): the old file is finished
        old, new = sorted(store.positions(), key=lambda p: p["id"])
        assert (old["path"], old["finished"]) == (str(tmp_path / "queue_log.1"), True)
        assert old["byte_offset"] == (tmp_path / "queue_log.1").stat().st_size
        assert (new["path"], new["finished"], new["byte_offset"]) == (
            str(log),
            False,
            log.stat().st_size,
        )
        assert totals(store) == (16 * 3 + 2, 2)
    finally:
        follower.close()


def test_old_file_is_read_to_its_end_before_it_is_finished(store: Store, tmp_path: Path) -> None:
    log, rotated = tmp_path / "queue_log", tmp_path / "queue_log.1"
    log.write_text(calls(0, 3))
    follower = follow(store, log, rotate_wait=0.3)
    try:
        follower.poll_once()
        append(log, call(3) + "1700000400|call-4|support|NONE|ENTER")  # a half line
        os.rename(log, rotated)
        log.write_text(calls(5, 7))
        assert follower.poll_once().added == 3  # call 3, then the new file
        append(rotated, "QUEUE||+39|1\n")  # the writer finishes the line in the old file
        poll_until(follower, lambda: any(p["finished"] for p in store.positions()))
        assert {c.call_id for c in store.recent_calls()} == {f"call-{i}" for i in range(7)}
        assert totals(store) == (3 * 6 + 1, 0)
    finally:
        follower.close()


def test_unterminated_last_line_of_a_rotated_file_is_read_when_it_is_finished(
    store: Store, tmp_path: Path
) -> None:
    log, rotated = tmp_path / "queue_log", tmp_path / "queue_log.1"
    log.write_text(call(0) + call(1, end=False) + end_of(1).rstrip("\n"))
    follower = follow(store, log, rotate_wait=0.2)
    try:
        follower.poll_once()
        assert ended(store) == {"call-0"}
        os.rename(log, rotated)
        log.write_text(call(2))
        poll_until(follower, lambda: ended(store) == {"call-0", "call-1", "call-2"})
        assert totals(store) == (9, 0)
    finally:
        follower.close()


def test_rotations_of_a_followed_folder_are_read_once(store: Store, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "queue_log"
    log.write_text(calls(0, 5))
    follower = Follower(store, CONFIG, [(str(logs), "queue_log")], rotate_wait=0.0)
    try:
        follower.poll_once()
        for round_no in range(1, 4):
            append(log, calls(10 * round_no, 10 * round_no + 2))
            for n in range(round_no - 1, 0, -1):  # logrotate: .1 -> .2, ... then x -> x.1
                os.rename(logs / f"queue_log.{n}", logs / f"queue_log.{n + 1}")
            os.rename(log, logs / "queue_log.1")
            log.write_text(calls(10 * round_no + 2, 10 * round_no + 4))
            follower.poll_once()
            follower.poll_once()
        assert store.count_calls() == 5 + 3 * 4
        assert totals(store) == ((5 + 3 * 4) * 3, 0)
        assert {c.source for c in store.recent_calls()} == {"queue_log"}
        paths = {Path(s.path).name for s in follower.status()}
        assert paths == {"queue_log", "queue_log.1", "queue_log.2", "queue_log.3"}
    finally:
        follower.close()


class Clock:
    """A clock the test moves by hand (from now: lines logged later than it are bad values)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_lines_written_into_a_renamed_file_before_the_new_one_appears_are_read(
    store: Store, tmp_path: Path
) -> None:
    """Asterisk keeps writing into the renamed file until ``logger rotate`` opens the path
    again: however long that takes, the old file stays open and is read to its end."""
    log, rotated = tmp_path / "man.log", tmp_path / "man.log.3"
    writer = log.open("a")  # the writer's descriptor, kept across the rename
    clock = Clock()
    tail = LogTail(store, CONFIG, str(log), rotate_wait=ROTATE_WAIT, clock=clock)
    try:
        writer.write(call(0) + call(1) + call(2, end=False))
        writer.flush()
        tail.poll()
        os.rename(log, rotated)
        tail.poll()
        for _ in range(3):  # 15 s and more without a new file at the path
            clock.now += ROTATE_WAIT
            tail.poll()
        assert not any(p["finished"] for p in store.positions())
        writer.write(end_of(2))  # the end of call 2, into the renamed file
        writer.flush()
        assert sum(r.updated for r in tail.poll()) == 1
        clock.now += 15
        log.write_text(call(3))  # the writer opens the path again: a new file
        assert sum(r.added for r in tail.poll()) == 1
        clock.now += ROTATE_WAIT
        tail.poll()  # quiet for rotate_wait since the new file appeared: finished
        assert [r.path for r in tail.open_readers()] == [str(log)]
        by_path = {p["path"]: p for p in store.positions()}
        assert by_path[str(rotated)]["finished"] is True
        assert by_path[str(rotated)]["byte_offset"] == rotated.stat().st_size
        assert ended(store) == {f"call-{i}" for i in range(4)}
        assert totals(store) == (12, 0)
    finally:
        writer.close()
        tail.close()


def test_renamed_file_stays_open_until_a_new_file_appears_or_it_is_deleted(
    store: Store, tmp_path: Path
) -> None:
    log, rotated = tmp_path / "queue_log", tmp_path / "queue_log.1"
    log.write_text(call(0) + call(1, end=False))
    follower = follow(store, log)  # rotate_wait 0
    try:
        follower.poll_once()
        os.rename(log, rotated)
        for _ in range(3):
            follower.poll_once()
        (tail,) = follower._tails.values()
        assert [r.path for r in tail.open_readers()] == [str(rotated)]
        append(rotated, end_of(1))
        assert follower.poll_once().updated == 1
        os.unlink(rotated)  # deleted: nobody can write into it any more
        follower.poll_once()
        assert tail.open_readers() == []
        assert all(p["finished"] for p in store.positions())
        assert ended(store) == {"call-0", "call-1"} and totals(store) == (6, 0)
    finally:
        follower.close()


def test_renamed_file_that_grows_after_it_was_finished_is_read_again_while_following(
    store: Store, tmp_path: Path
) -> None:
    """logrotate creates the new file before its postrotate tells the writer: lines still
    written into the old file after it was finished are read from where it stopped."""
    log, rotated = tmp_path / "queue_log", tmp_path / "queue_log.1"
    log.write_text(call(0) + call(1, end=False))
    follower = follow(store, log)  # rotate_wait 0
    try:
        follower.poll_once()
        os.rename(log, rotated)
        log.touch()
        follower.poll_once()
        follower.poll_once()
        assert [p["finished"] for p in store.positions()] == [True]
        append(rotated, end_of(1) + call(2))
        summary = follower.poll_once()
        assert (summary.added, summary.updated) == (1, 1)
        follower.poll_once()
        append(rotated, call(3))
        assert follower.poll_once().added == 1
        append(log, call(4))
        assert follower.poll_once().added == 1
        follower.poll_once()
        (old,) = [p for p in store.positions() if p["path"] == str(rotated)]
        assert old["finished"] and old["byte_offset"] == rotated.stat().st_size
        assert ended(store) == {f"call-{i}" for i in range(5)}
        assert totals(store) == (15, 0)
    finally:
        follower.close()


@pytest.mark.parametrize("reader", ["one-shot ingest", "restarted follower"])
def test_finished_rotation_that_grew_is_read_again_from_where_it_stopped(
    store: Store, tmp_path: Path, reader: str
) -> None:
    log, rotated = tmp_path / "queue_log", tmp_path / "queue_log.1"
    log.write_text(call(0) + call(1, end=False))
    ingest_paths(store, CONFIG, [str(log)])
    os.rename(log, rotated)
    log.write_text(call(2))
    make_old(rotated)
    assert ingest_paths(store, CONFIG, [str(log)]).added == 1
    assert [p["path"] for p in store.positions() if p["finished"]] == [str(rotated)]
    append(rotated, end_of(1))  # the writer had not moved on yet
    make_old(rotated)
    if reader == "one-shot ingest":
        summary = ingest_paths(store, CONFIG, [str(log)])
    else:
        follower = follow(store, log, rotate_wait=5.0)
        try:
            summary = follower.poll_once()
        finally:
            follower.close()
    assert (summary.added, summary.updated, summary.lines_read) == (0, 1, 1)
    assert ended(store) == {"call-0", "call-1", "call-2"}
    assert ingest_paths(store, CONFIG, [str(tmp_path)]).lines_read == 0
    assert totals(store) == (9, 0)


# -- copytruncate -----------------------------------------------------------------------------


def test_copytruncate_reads_the_lines_left_in_the_copy(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(calls(0, 5))
    follower = follow(store, log)
    try:
        follower.poll_once()
        append(log, calls(5, 7) + "bad before the copy\n")  # written, not read, then copied
        copytruncate(log, tmp_path / "queue_log.1")
        append(log, call(7) + "bad after the truncate\n")
        summary = follower.poll_once()
        assert summary.added == 3 and summary.skipped == 2
        assert {c.call_id for c in store.recent_calls()} == {f"call-{i}" for i in range(8)}
        follower.poll_once()
        current = [p for p in store.positions() if not p["finished"]]
        assert [p["byte_offset"] for p in current] == [log.stat().st_size]
        assert totals(store) == (8 * 3 + 2, 2)
    finally:
        follower.close()


def test_copytruncate_then_longer_file_is_told_by_its_fingerprint(
    store: Store, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    log.write_text(calls(0, 2))
    follower = follow(store, log)
    try:
        follower.poll_once()
        copytruncate(log, tmp_path / "queue_log.1")
        append(log, calls(2, 12))  # already longer than the old offset when looked at
        assert follower.poll_once().added == 10
        assert store.count_calls() == 12 and totals(store) == (36, 0)
    finally:
        follower.close()


def test_copytruncate_without_a_copy_starts_again_from_zero(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(calls(0, 4))
    follower = follow(store, log)
    try:
        follower.poll_once()
        with log.open("r+") as fh:
            fh.truncate(0)
        append(log, call(4))
        assert follower.poll_once().added == 1
        (current,) = [p for p in store.positions() if not p["finished"]]
        assert current["byte_offset"] == log.stat().st_size and current["line_no"] == 3
    finally:
        follower.close()


def test_copytruncate_while_stopped_reads_the_copy_on_restart(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(calls(0, 3))
    assert ingest_paths(store, CONFIG, [str(log)]).added == 3
    append(log, call(3, end=False))
    copytruncate(log, tmp_path / "queue_log.1")
    append(log, end_of(3) + call(4))
    make_old(tmp_path / "queue_log.1")
    follower = follow(store, log, rotate_wait=5.0)
    try:
        summary = follower.poll_once()
        # call 3 is added from the copy and completed from the file in one poll: no update
        assert (summary.added, summary.updated) == (2, 0)
        assert ended(store) == {f"call-{i}" for i in range(5)}
        finished = [p for p in store.positions() if p["finished"]]
        assert [p["path"] for p in finished] == [str(tmp_path / "queue_log.1")]
        assert totals(store) == (15, 0)
    finally:
        follower.close()


# -- restarts ---------------------------------------------------------------------------------


def test_restart_after_rotation_finishes_the_old_file_first(store: Store, tmp_path: Path) -> None:
    log, rotated = tmp_path / "queue_log", tmp_path / "queue_log.1"
    log.write_text(calls(0, 3))
    first = follow(store, log)
    first.poll_once()
    first.close()
    append(log, call(3, end=False))  # the call starts in the file about to rotate ...
    os.rename(log, rotated)
    log.write_text(end_of(3) + call(4))  # ... and ends in the new one
    make_old(rotated)
    second = follow(store, log, rotate_wait=5.0)
    try:
        summary = second.poll_once()
        # call 3 starts and ends within this poll: added, not updated
        assert (summary.added, summary.updated, summary.skipped) == (2, 0, 0)
        assert ended(store) == {f"call-{i}" for i in range(5)}
        by_path = {p["path"]: p for p in store.positions()}
        assert by_path[str(rotated)]["finished"] is True
        assert by_path[str(rotated)]["byte_offset"] == rotated.stat().st_size
        assert by_path[str(log)]["byte_offset"] == log.stat().st_size
        assert totals(store) == (15, 0)
    finally:
        second.close()


def test_one_shot_ingest_after_rotation_reads_the_rest_of_the_old_file(
    store: Store, tmp_path: Path
) -> None:
    log, rotated = tmp_path / "queue_log", tmp_path / "queue_log.1"
    log.write_text(calls(0, 3))
    ingest_paths(store, CONFIG, [str(log)])
    append(log, call(3, end=False) + end_of(3).rstrip("\n"))  # its last line unfinished
    os.rename(log, rotated)
    log.write_text(call(4))
    summary = ingest_paths(store, CONFIG, [str(log)])  # the old file changed just now
    assert (summary.added, summary.incomplete) == (2, 0)
    assert ended(store) == {"call-0", "call-1", "call-2", "call-4"}
    assert not any(p["finished"] for p in store.positions())
    make_old(rotated)  # nobody finished the line: it is read as it is
    summary = ingest_paths(store, CONFIG, [str(log)])
    assert (summary.added, summary.updated) == (0, 1)
    assert ended(store) == {f"call-{i}" for i in range(5)}
    assert [p["path"] for p in store.positions() if p["finished"]] == [str(rotated)]
    assert ingest_paths(store, CONFIG, [str(tmp_path)]).lines_read == 0
    assert totals(store) == (15, 0)


def test_deleted_file_is_read_to_its_end_then_waited_for(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(calls(0, 2))
    follower = follow(store, log, rotate_wait=0.2)
    try:
        follower.poll_once()
        append(log, call(2))
        os.unlink(log)
        assert follower.poll_once().added == 1  # through the open file
        (status,) = follower.status()
        assert status.exists is False and status.problem is None and status.lines_read == 9
        poll_until(follower, lambda: all(p["finished"] for p in store.positions()))
        log.write_text(call(3))  # a new file at the path
        assert follower.poll_once().added == 1
        assert totals(store) == (12, 0)
    finally:
        follower.close()


def test_file_that_disappears_and_comes_back_continues(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    away = tmp_path / "elsewhere"
    away.mkdir()
    log.write_text(calls(0, 2))
    follower = follow(store, log, rotate_wait=60)
    try:
        follower.poll_once()
        os.rename(log, away / "queue_log")
        assert follower.poll_once().added == 0
        assert follower.status()[0].exists is False
        append(away / "queue_log", call(2))
        os.rename(away / "queue_log", log)
        append(log, call(3))
        assert follower.poll_once().added == 2
        follower.close()
        os.rename(log, away / "queue_log")  # gone while nobody follows ...
        again = follow(store, log)
        assert again.poll_once().added == 0
        os.rename(away / "queue_log", log)  # ... and back
        append(log, call(4))
        assert again.poll_once().added == 1
        again.close()
        assert len(store.positions()) == 1 and totals(store) == (15, 0)
    finally:
        follower.close()


@pytest.mark.parametrize("following", [True, False])
def test_file_replaced_by_a_copy_of_itself_continues(
    store: Store, tmp_path: Path, following: bool
) -> None:
    log = tmp_path / "queue_log"
    log.write_text(calls(0, 3))
    follower = follow(store, log)
    try:
        follower.poll_once()
        if not following:
            follower.close()
        copy = tmp_path / "tmp-copy"
        shutil.copyfile(log, copy)
        append(copy, call(3))
        os.replace(copy, log)  # a new inode with the same first bytes (sed -i, a restore)
        if not following:
            follower = follow(store, log)
        assert follower.poll_once().added == 1
        assert totals(store) == (12, 0)
        (current,) = [p for p in store.positions() if not p["finished"]]
        assert current["inode"] == log.stat().st_ino
    finally:
        follower.close()


# -- many rotations ---------------------------------------------------------------------------


ACTIONS = [
    "poll",
    "poll",
    "rename",
    "copytruncate",
    "rename, no poll",
    "copytruncate, no poll",
    "restart",
    "rename while stopped",
    "one-shot ingest of the folder",
]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("watch", ["file", "folder"])
def test_many_rotations_lose_and_duplicate_nothing(
    store: Store, tmp_path: Path, seed: int, watch: str
) -> None:
    """Random appends, rotations (two between polls too), restarts and one-shot ingests."""
    rng = random.Random(seed)
    log = tmp_path / "logs" / "queue_log"
    log.parent.mkdir()
    log.touch()
    target = str(log) if watch == "file" else str(log.parent)
    rotate_wait = rng.choice([0.0, 60.0])

    def start() -> Follower:
        return Follower(store, CONFIG, [(target, "queue_log")], rotate_wait=rotate_wait)

    def rotate(how: str) -> None:
        nonlocal kept
        kept += 1
        if how == "rename":
            os.rename(log, log.parent / f"queue_log.{kept}")
            log.touch()
        else:
            copytruncate(log, log.parent / f"queue_log.{kept}")

    follower = start()
    written = bad = n_lines = kept = 0
    try:
        for _ in range(40):
            for _ in range(rng.randint(0, 4)):
                append(log, call(written))
                written += 1
                n_lines += 3
                if rng.random() < 0.3:
                    append(log, f"bad line {n_lines}\n")
                    bad += 1
                    n_lines += 1
            action = rng.choice(ACTIONS)
            if action.startswith(("rename", "copytruncate")):
                if action == "rename while stopped":
                    follower.close()
                rotate(action.split()[0].rstrip(","))
                if action == "rename while stopped":
                    follower = start()
            elif action == "restart":
                follower.close()
                follower = start()
            elif action == "one-shot ingest of the folder":
                follower.close()
                ingest_paths(store, CONFIG, [str(log.parent)], "queue_log", rotate_wait=60)
                follower = start()
            if "no poll" not in action:
                follower.poll_once()
        follower.poll_once()
        follower.poll_once()
        assert store.count_calls() == written
        assert ended(store) == {f"call-{i}" for i in range(written)}
        assert totals(store) == (n_lines, bad)
        current = [
            p["byte_offset"]
            for p in store.positions()
            if p["path"] == str(log) and not p["finished"]
        ]
        # an empty file has no position yet: nothing was read from it
        assert current == ([log.stat().st_size] if log.stat().st_size else [])
    finally:
        follower.close()
