"""ingest_paths and Follower: read once, re-read nothing, survive SIGKILL, follow live.

The killed-follower tests follow Fluent Bit's ``tests/runtime_shell/in_tail/test_rotation.sh``:
a writer appends while the follower runs in another process, the follower is killed with
SIGKILL, started again, and at the end the calls in the database equal the calls written,
the lines counted equal the lines written, and the stored offset equals the file size.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from carewatch.config import parse_config
from carewatch.ingest import Follower, IngestError, IngestSummary, ingest_paths
from carewatch.simulate import generate_calls, write_queue_log
from carewatch.store import Store

ROOT = Path(__file__).resolve().parent.parent
CONFIG = parse_config({"timezone": "UTC"})
T0 = 1_700_000_000


def call(i: int, *, end: bool = True) -> str:
    """queue_log lines of one answered call (without its end when ``end`` is false)."""
    t = T0 + 100 * i
    text = (
        f"{t}|call-{i}|support|NONE|ENTERQUEUE||+3900000{i:04d}|1\n"
        f"{t + 5}|call-{i}|support|Agent/{i % 3}|CONNECT|5|x|2\n"
    )
    if end:
        text += f"{t + 65}|call-{i}|support|Agent/{i % 3}|COMPLETECALLER|5|60|1\n"
    return text


def append(path: Path, data: str | bytes) -> None:
    with path.open("ab") as fh:
        fh.write(data.encode() if isinstance(data, str) else data)


def wait_until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    """Poll ``condition`` until it holds, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.02)


def rows(store: Store) -> dict[str, tuple]:
    """Every call as its full row minus ``id`` and ``updated_at``, by call id."""
    out = {}
    for row in store.recent_calls(limit=1_000_000):
        out[row.call_id] = row._replace(id=0, updated_at=0.0)
    return out


def simulated_log(seed: int = 11, bad_every: int = 97) -> tuple[str, int, int]:
    """A simulated day of queue_log with a bad line every ``bad_every`` lines.

    Returns the text, the number of inbound calls and the number of bad lines.
    """
    calls = generate_calls(seed, date(2024, 3, 6), 1, CONFIG.tz, CONFIG)
    buf = io.StringIO()
    n_calls = write_queue_log(calls, buf)
    out, bad = [], 0
    for i, line in enumerate(buf.getvalue().splitlines(keepends=True), 1):
        out.append(line)
        if i % bad_every == 0:
            out.append(f"not a queue_log line {i}\n")
            bad += 1
    return "".join(out), n_calls, bad


@pytest.fixture
def store(database: str) -> Store:
    s = Store(database)
    yield s
    s.close()


# -- one-shot ingest --------------------------------------------------------------------------


def test_ingest_hand_written_lines(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(
        call(1)
        + call(2)
        + "\n"
        + f"{T0}|NONE|support|Agent/1|PAUSE|lunch\n"
        + "this is not queue_log\n"
        + f"{T0 + 1}|call-1|support|Agent/1|DANCE|x\n"
        + f"{T0 + 2}|call-77|support|Agent/1|CONNECT|5|x|2\n"
    )
    summary = ingest_paths(store, CONFIG, [str(log)])
    assert (summary.added, summary.updated, summary.agent_events) == (2, 0, 1)
    assert summary.lines_read == 10  # the blank line is not counted
    assert summary.skipped_by_reason == {"malformed": 1, "unknown event": 1}
    assert [(Path(p).name, n, r) for p, n, r in summary.last_skipped] == [
        ("queue_log", 9, "malformed"),
        ("queue_log", 10, "unknown event"),
    ]
    assert summary.files == 1 and summary.incomplete == 0
    assert summary.summary_line() == (
        "2 calls added, 0 updated, 1 agent event stored, 2 lines skipped "
        "(1 malformed, 1 unknown event; last: queue_log line 10), "
        "1 event waits for its call's start"
    )
    calls = rows(store)
    assert set(calls) == {"call-1", "call-2"}
    one = calls["call-1"]
    assert one.source == "queue_log" and one.queue == "support" and one.agent == "Agent/1"
    assert (one.started_at, one.answered_at, one.ended_at) == (T0 + 100, T0 + 105, T0 + 165)
    assert (one.wait_seconds, one.talk_seconds, one.disposition) == (5.0, 60.0, "answered")
    (pos,) = store.positions("queue_log")
    assert pos["byte_offset"] == log.stat().st_size and pos["line_no"] == 11
    assert pos["bad_lines"] == 2 and pos["last_bad_line"] == 10
    assert pos["format"] == "queue_log"  # detected


def test_ingest_again_adds_and_changes_nothing(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text("".join(call(i) for i in range(20)) + "junk\n")
    first = ingest_paths(store, CONFIG, [str(log)])
    assert first.added == 20
    before = store.recent_calls(limit=100)
    before_pos = store.positions()
    again = ingest_paths(store, CONFIG, [str(log)])
    assert (again.added, again.updated, again.lines_read, again.skipped) == (0, 0, 0, 0)
    assert again.summary_line() == "0 calls added, 0 updated, 0 lines skipped"
    assert store.recent_calls(limit=100) == before  # updated_at untouched too
    assert store.positions() == before_pos  # nothing written at all


def test_ingest_reads_only_what_was_appended(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(call(1) + call(2, end=False))
    assert ingest_paths(store, CONFIG, [str(log)]).added == 2
    append(log, f"{T0 + 265}|call-2|support|Agent/2|COMPLETECALLER|5|60|1\n" + call(3))
    summary = ingest_paths(store, CONFIG, [str(log)])
    assert (summary.added, summary.updated, summary.lines_read) == (1, 1, 4)
    assert rows(store)["call-2"].talk_seconds == 60.0


def test_missing_path_is_a_one_line_error_before_anything_is_read(
    store: Store, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    log.write_text(call(1))
    with pytest.raises(IngestError) as info:
        ingest_paths(store, CONFIG, [str(log), str(tmp_path / "nope.log")])
    assert str(info.value) == f"{tmp_path / 'nope.log'}: no such file or folder"
    assert "\n" not in str(info.value)
    assert store.count_calls() == 0


def test_folder_reads_its_files_oldest_rotation_first(store: Store, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    # the call starts in the rotated file and is answered in the current one
    (logs / "queue_log.1").write_text(call(1) + call(2, end=False))
    (logs / "queue_log").write_text(
        f"{T0 + 265}|call-2|support|Agent/2|COMPLETECALLER|5|60|1\n" + call(3)
    )
    (logs / ".queue_log.swp").write_text("editor junk\n")
    (logs / "queue_log.2.gz").write_bytes(b"\x1f\x8b\x08\x00binary")
    (logs / "notes.txt").write_text("remember to call the supplier\n")
    summary = ingest_paths(store, CONFIG, [str(logs)])
    assert (summary.added, summary.skipped) == (3, 0)
    assert rows(store)["call-2"].talk_seconds == 60.0
    assert {c.source for c in rows(store).values()} == {"queue_log"}
    not_read = {Path(p).name: why for p, why in summary.files_not_read}
    assert set(not_read) == {"queue_log.2.gz", "notes.txt"}
    # a damaged archive (here: a gzip header and no data) is not read, and said why
    assert not_read["queue_log.2.gz"].startswith("damaged or incomplete archive")
    assert "cannot tell the format" in not_read["notes.txt"]
    line = summary.summary_line()
    # call-2 was added by this run (in the rotated file): completing it is no update
    assert line.startswith("3 calls added, 0 updated, 0 lines skipped, 2 files not read (")
    assert "queue_log.2.gz: damaged or incomplete archive" in line
    assert ingest_paths(store, CONFIG, [str(logs)]).lines_read == 0


def test_database_in_the_folder_is_not_read(tmp_path: Path) -> None:
    with Store(str(tmp_path / "cw.db")) as store:
        (tmp_path / "queue_log").write_text(call(1))
        summary = ingest_paths(store, CONFIG, [str(tmp_path)])
        assert summary.added == 1 and summary.files_not_read == [] and summary.files == 1


def test_progress_reports_bytes_up_to_the_total(store: Store, tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "queue_log", tmp_path / "b" / "queue_log"
    a.parent.mkdir()
    b.parent.mkdir()
    a.write_text("".join(call(i) for i in range(50)))
    b.write_text("".join(call(i) for i in range(50, 60)))
    seen: list[tuple[int, int]] = []
    ingest_paths(
        store, CONFIG, [str(a), str(b)], batch_lines=10, progress=lambda d, t: seen.append((d, t))
    )
    total = a.stat().st_size + b.stat().st_size
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    done = [d for d, _ in seen]
    assert done == sorted(done) and len(seen) > 10
    assert all(t == total for _, t in seen)


def test_config_source_gives_name_and_format(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    log.write_text(call(1))
    config = parse_config(
        {
            "timezone": "UTC",
            "sources": [{"path": str(log), "format": "queue_log", "name": "site-a"}],
        }
    )
    summary = ingest_paths(store, config, [str(log)])
    assert summary.added == 1
    assert rows(store)["call-1"].source == "site-a"
    assert store.positions("site-a")[0]["format"] == "queue_log"


def test_format_given_wins_over_detection(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "calls.csv"
    log.write_text("call_id,started_at\nc1,2024-03-06T08:00:00Z\n")
    summary = ingest_paths(store, CONFIG, [str(log)], "queue_log")
    assert summary.added == 0 and summary.skipped_by_reason == {"malformed": 2}
    other = tmp_path / "other.csv"
    other.write_text("call_id,started_at\nc1,2024-03-06T08:00:00Z\n")
    assert ingest_paths(store, CONFIG, [str(other)]).added == 1  # detected: csv


def test_summary_merge_and_bounded_last_skipped() -> None:
    a = IngestSummary(added=1, skipped_by_reason={"malformed": 2}, files=1)
    a.last_skipped = [("/x/queue_log", i, "malformed") for i in range(15)]
    b = IngestSummary(updated=2, skipped_by_reason={"malformed": 1, "NUL byte": 1}, files=1)
    b.last_skipped = [("/x/other", i, "NUL byte") for i in range(15)]
    a.merge(b)
    assert (a.added, a.updated, a.files, a.skipped) == (1, 2, 2, 4)
    assert len(a.last_skipped) == 20 and a.last_skipped[-1] == ("/x/other", 14, "NUL byte")
    assert a.summary_line().endswith("(3 malformed, 1 NUL byte; last: other line 14)")


# -- Follower ---------------------------------------------------------------------------------


def test_follower_reads_appends_and_reports_status(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    follower = Follower(store, CONFIG, [(str(log), None)])
    try:
        assert follower.poll_once().added == 0  # does not exist yet: waited for
        (status,) = follower.status()
        assert status.exists is False and status.problem is None and status.bad_lines == 0
        append(log, f"{T0}|call-1|support|NONE|ENTERQ")  # no complete line: format unknown yet
        assert follower.poll_once().lines_read == 0
        (status,) = follower.status()
        assert status.exists and status.format is None and "complete line" in status.problem
        append(log, "UEUE||+39000|1\n")
        summary = follower.poll_once()
        assert (summary.added, summary.lines_read) == (1, 1)
        append(log, "bad line\n" + call(2))
        summary = follower.poll_once()
        assert (summary.added, summary.lines_read, summary.skipped) == (1, 4, 1)
        (status,) = follower.status()
        assert (status.format, status.bad_lines, status.last_bad_line) == ("queue_log", 1, 2)
        assert status.last_bad_reason == "malformed" and status.problem is None
        assert status.lines_read == 5 and status.last_line_at is not None
        assert status.source == "queue_log" and status.path == str(log)
        assert follower.poll_once().has_news is False
    finally:
        follower.close()


def test_follower_of_a_folder_picks_up_new_files(store: Store, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    follower = Follower(store, CONFIG, [(str(logs), "queue_log")])
    try:
        follower.poll_once()
        assert [s.exists for s in follower.status()] == [False]
        logs.mkdir()
        (logs / "a_log").write_text(call(1))
        assert follower.poll_once().added == 1
        (logs / "b_log").write_text(call(2))
        assert follower.poll_once().added == 1
        assert [Path(s.path).name for s in follower.status()] == ["a_log", "b_log"]
        assert {c.source for c in rows(store).values()} == {"a_log", "b_log"}
    finally:
        follower.close()


@pytest.mark.parametrize(
    ("force_polling", "poll_interval"),
    [
        # a long poll interval: only file notifications make this pass in time
        (False, 30.0),
        # watchfiles' own polling sees a file change only when its mtime changes by a
        # whole second, so with it the follower's poll does the work
        (True, 0.1),
    ],
)
def test_follower_run_follows_live_until_stopped(
    store: Store, tmp_path: Path, force_polling: bool, poll_interval: float
) -> None:
    log = tmp_path / "queue_log"
    log.write_text(call(0))
    follower = Follower(
        store,
        CONFIG,
        [(str(log), None)],
        force_polling=force_polling,
        poll_interval=poll_interval,
    )
    batches: list[IngestSummary] = []
    stop = threading.Event()
    thread = threading.Thread(target=follower.run, args=(stop, batches.append))
    thread.start()
    try:
        wait_until(lambda: store.count_calls() == 1, what="the first call")
        for i in range(1, 6):
            append(log, call(i))
            wait_until(lambda i=i: store.count_calls() == i + 1, what=f"call {i}")
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert sum(b.added for b in batches) == 6
    assert follower.watch_error is None


def test_follower_poll_fallback_without_notifications(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    follower = Follower(store, CONFIG, [(str(log), "queue_log")], poll_interval=0.05)
    follower._watch = lambda *args: None  # type: ignore[method-assign]  # no notifications
    stop = threading.Event()
    thread = threading.Thread(target=follower.run, args=(stop,))
    thread.start()
    try:
        append(log, call(1))
        wait_until(lambda: store.count_calls() == 1, what="the call, by polling")
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_status_does_not_wait_for_a_poll_in_progress(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "queue_log"
    log.write_text(call(1) + "junk\n")
    follower = Follower(store, CONFIG, [(str(log), "queue_log")])
    follower.poll_once()
    before = follower.status()
    assert before[0].bad_lines == 1
    (tail,) = follower._tails.values()
    real_poll = tail.poll
    inside, release = threading.Event(), threading.Event()

    def slow_poll(**kwargs):
        inside.set()
        release.wait(10)
        return real_poll(**kwargs)

    monkeypatch.setattr(tail, "poll", slow_poll)
    append(log, "more junk\n")
    polling = threading.Thread(target=follower.poll_once)
    polling.start()
    try:
        assert inside.wait(10)
        started = time.monotonic()
        assert follower.status() == before  # the last poll's status, at once
        assert time.monotonic() - started < 1
    finally:
        release.set()
        polling.join(timeout=10)
    assert follower.status()[0].bad_lines == 2
    follower.close()


def test_follower_run_survives_a_failing_poll(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "queue_log"
    log.touch()
    follower = Follower(store, CONFIG, [(str(log), "queue_log")], poll_interval=0.05)
    real_poll = follower.poll_once
    failures = []

    def flaky() -> IngestSummary:
        if not failures:
            failures.append(1)
            raise OSError("disk hiccup")
        return real_poll()

    monkeypatch.setattr(follower, "poll_once", flaky)
    stop = threading.Event()
    told: list[tuple[list[str], list[str]]] = []
    thread = threading.Thread(
        target=follower.run, args=(stop, None, lambda *change: told.append(change))
    )
    thread.start()
    try:
        append(log, call(1))
        wait_until(lambda: store.count_calls() == 1, what="the call after a failed poll")
        wait_until(lambda: len(told) == 2, what="the problem and its end")
    finally:
        stop.set()
        thread.join(timeout=10)
    # told when it arose and when it was over; the follower's error is the current one
    assert told == [(["OSError: disk hiccup"], []), ([], ["OSError: disk hiccup"])]
    assert follower.last_error is None


# -- killed with SIGKILL ----------------------------------------------------------------------

FOLLOWER_SCRIPT = """
import sys, threading
from carewatch.config import parse_config
from carewatch.ingest import Follower
from carewatch.store import Store
store = Store(sys.argv[1])
follower = Follower(
    store, parse_config({"timezone": "UTC"}), [(sys.argv[2], None)],
    batch_lines=int(sys.argv[3]), poll_interval=0.05, rotate_wait=0.3,
)
follower.run(threading.Event())
"""

INGEST_SCRIPT = """
import sys
from carewatch.config import parse_config
from carewatch.ingest import ingest_paths
from carewatch.store import Store
store = Store(sys.argv[1])
ingest_paths(store, parse_config({"timezone": "UTC"}), [sys.argv[2]], batch_lines=int(sys.argv[3]))
print("done", flush=True)
"""


def start(script: str, db: str, log: Path, batch_lines: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", script, str(db), str(log), str(batch_lines)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def write_in_bursts(path: Path, lines: list[str], size: int = 40) -> None:
    for i in range(0, len(lines), size):
        append(path, "".join(lines[i : i + size]))
        time.sleep(0.002)  # pacing the writer only; every check waits on a condition


def check_exactly_once(store: Store, expected: dict[str, tuple], n_lines: int, bad: int) -> None:
    assert rows(store) == expected
    current = [p for p in store.positions() if not p["finished"]]
    assert sum(p["lines_read"] for p in store.positions()) == n_lines
    assert sum(p["bad_lines"] for p in store.positions()) == bad
    assert len(current) == 1


def reference_rows(tmp_path: Path, text: str) -> dict[str, tuple]:
    """The calls of ``text`` read in one go into a database of its own."""
    folder = tmp_path / "reference"
    folder.mkdir()
    (folder / "queue_log").write_text(text)
    with Store(str(folder / "ref.db")) as ref:
        ingest_paths(ref, CONFIG, [str(folder / "queue_log")])
        return rows(ref)


def test_killed_follower_restarts_without_loss_or_duplicates(store: Store, tmp_path: Path) -> None:
    text, n_calls, bad = simulated_log()
    lines = text.splitlines(keepends=True)
    expected = reference_rows(tmp_path, text)
    assert len(expected) == n_calls
    db, log = store.url, tmp_path / "queue_log"
    log.touch()
    first = start(FOLLOWER_SCRIPT, db, log, 25)
    try:
        half = len(lines) // 2
        write_in_bursts(log, lines[:half])
        wait_until(lambda: store.count_calls() > 20, what="the first follower to read")
        append(log, "".join(lines[half : half + 600]))  # a burst it is busy reading ...
    finally:
        kill(first)  # ... when it is killed
    at_kill = store.count_calls()
    assert 0 < at_kill < n_calls
    rest = lines[half + 600 :]
    append(log, "".join(rest[:300]))  # written while nobody follows
    second = start(FOLLOWER_SCRIPT, db, log, 25)
    try:
        write_in_bursts(log, rest[300:])
        size = log.stat().st_size
        wait_until(
            lambda: [p["byte_offset"] for p in store.positions()] == [size],
            what="the second follower to reach the end",
        )
    finally:
        kill(second)
    check_exactly_once(store, expected, len(lines), bad)
    (pos,) = store.positions()
    assert pos["byte_offset"] == log.stat().st_size and pos["line_no"] == len(lines)


def test_killed_follower_restarts_after_a_rotation(store: Store, tmp_path: Path) -> None:
    text, n_calls, bad = simulated_log(seed=12)
    lines = text.splitlines(keepends=True)
    expected = reference_rows(tmp_path, text)
    assert len(expected) == n_calls
    db, log = store.url, tmp_path / "queue_log"
    log.touch()
    first = start(FOLLOWER_SCRIPT, db, log, 25)
    try:
        third = len(lines) // 3
        write_in_bursts(log, lines[:third])
        wait_until(lambda: store.count_calls() > 20, what="the first follower to read")
        append(log, "".join(lines[third : 2 * third]))
    finally:
        kill(first)
    # rename and create while no follower runs; the writer finishes a line in the old file
    os.rename(log, tmp_path / "queue_log.1")
    last_old = lines[2 * third + 50]
    append(tmp_path / "queue_log.1", "".join(lines[2 * third : 2 * third + 50]) + last_old[:9])
    append(tmp_path / "queue_log.1", last_old[9:])
    append(log, "".join(lines[2 * third + 51 :]))
    second = start(FOLLOWER_SCRIPT, db, log, 25)
    try:
        size = log.stat().st_size
        wait_until(
            lambda: (
                sorted((p["path"], p["byte_offset"], p["finished"]) for p in store.positions())
                == [
                    (str(log), size, False),
                    (
                        str(tmp_path / "queue_log.1"),
                        (tmp_path / "queue_log.1").stat().st_size,
                        True,
                    ),
                ]
            ),
            what="both files read, the rotated one finished",
        )
    finally:
        kill(second)
    check_exactly_once(store, expected, len(lines), bad)
    # and a one-shot ingest of the folder afterwards repeats nothing
    again = ingest_paths(store, CONFIG, [str(tmp_path / "queue_log.1"), str(log)])
    assert (again.added, again.updated, again.lines_read) == (0, 0, 0)


def test_killed_one_shot_ingest_runs_again_without_duplicates(store: Store, tmp_path: Path) -> None:
    text, n_calls, bad = simulated_log(seed=13, bad_every=50)
    expected = reference_rows(tmp_path, text)
    db, log = store.url, tmp_path / "queue_log"
    log.write_text(text)
    proc = start(INGEST_SCRIPT, db, log, 5)
    try:
        wait_until(lambda: store.count_calls() > 10, what="the ingest to start")
    finally:
        kill(proc)
    assert store.count_calls() < n_calls
    again = start(INGEST_SCRIPT, db, log, 5)
    _, err = again.communicate(timeout=60)
    assert again.returncode == 0, err.decode()
    check_exactly_once(store, expected, len(text.splitlines()), bad)


def test_two_ingesters_of_one_file_at_once_both_succeed_and_double_nothing(
    store: Store, tmp_path: Path
) -> None:
    text, _, bad = simulated_log(seed=14, bad_every=40)
    expected = reference_rows(tmp_path, text)
    log = tmp_path / "queue_log"
    log.write_text(text)
    procs = [start(INGEST_SCRIPT, store.url, log, 7) for _ in range(2)]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        assert out.decode().strip() == "done"
    check_exactly_once(store, expected, len(text.splitlines()), bad)
    (pos,) = store.positions()
    assert pos["byte_offset"] == log.stat().st_size


def test_first_ingest_counts_calls_completed_by_a_later_batch_as_added(
    store: Store, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    # every call's end line falls into a later batch than its start (batches of 2 lines)
    log.write_text(call(1) + call(2) + call(3), encoding="utf-8")
    first = ingest_paths(store, CONFIG, [str(log)], batch_lines=2)
    assert (first.added, first.updated) == (3, 0)
    assert first.summary_line().startswith("3 calls added, 0 updated")
    # a later run that completes a call it did not add counts it as updated
    append(log, call(4, end=False))
    ingest_paths(store, CONFIG, [str(log)], batch_lines=2)
    append(log, f"{T0 + 465}|call-4|support|Agent/1|COMPLETECALLER|5|60|1\n")
    later = ingest_paths(store, CONFIG, [str(log)], batch_lines=2)
    assert (later.added, later.updated) == (0, 1)
