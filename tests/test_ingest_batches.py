"""The fast paths of ingest give what the general ones give: a file read in one batch, in many
small batches or followed as it grows stores the same tables; a queue_log line read by the
common-line path gives the records the general path gives it."""

from __future__ import annotations

import gc
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from carewatch.config import Config
from carewatch.ingest import Follower, ingest_paths
from carewatch.simulate import simulate_history
from carewatch.sources.lines import RawLine
from carewatch.sources.parse import BatchParser
from carewatch.sources.queue_log import QueueLogParser
from carewatch.store import Store

CONFIG = Config(timezone="UTC")
#: A clock after every time of the file, so no time of it is in the future.
NOW = 1_800_000_000.0


def _odd_lines(first: float) -> str:
    """Lines each fast path leaves to the general one, and lines the store must keep apart: an
    end read before its call's start, an end that never gets one, values out of bounds, an
    unknown event, blanks, a CR, invalid UTF-8 (written as bytes later), a byte-order mark."""
    t = int(first) + 30
    return (
        f"{t + 9}|late-1|support|Ada|COMPLETECALLER|4|5|1\n"  # before its start: waits
        f"{t}|late-1|support|NONE|ENTERQUEUE||+3912345|1\n"
        f"{t + 4}|late-1|support|Ada|CONNECT|4|b|2\n"
        f"{t}|never|support|Ada|COMPLETEAGENT|3|7|1\n"  # never started: stays waiting
        f" {t + 1} | spaced | sales | NONE | ENTERQUEUE | | +39 555 1212 | 1 \n"
        f"{t + 2}|spaced|sales|Bo|CONNECT|1|b|2\r\n"
        f"{t + 3}|bad-talk|sales|NONE|ENTERQUEUE||+39|1\n"
        f"{t + 4}|bad-talk|sales|Bo|COMPLETEAGENT|1|999999|1\n"
        f"{t + 5}|x|sales|Bo|NOSUCHEVENT|\n"
        "\n   \n"
        f"{t + 6}|utf|support|NONE|ENTERQUEUE||Jos\xe9 \xff|1\n"
        f"\ufeff{t + 7}|bom|support|NONE|ENTERQUEUE||+1|1\n"
        f"{t + 8}|NONE|support|Ada|RINGNOANSWER|0\n"
        f"{t + 8}|ring|support|Ada|RINGNOANSWER|15000\n"
        f"{t + 8}|NONE|NONE|Ada|PAUSE|Lunch\n"
    )


@pytest.fixture(scope="module")
def log_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Two simulated days of queue_log (fixed seed) with the odd lines in the middle."""
    path = tmp_path_factory.mktemp("log") / "queue_log"
    simulate_history(path, "queue_log", 2, 11, CONFIG, start=date(2024, 5, 6))
    lines = path.read_bytes().splitlines(keepends=True)
    middle = len(lines) // 2
    first = float(lines[middle].split(b"|")[0])
    odd = _odd_lines(first).encode("utf-8").replace("\xff".encode(), b"\xff")
    return b"".join([*lines[:middle], odd, *lines[middle:]])


def _tables(store: Store) -> dict[str, Any]:
    """What the ingest stored, without row ids, write times and change numbers (which
    depend on how many transactions it took)."""
    calls = sorted(
        (tuple(c._replace(id=0, updated_at=0.0)) for c in store.recent_calls(limit=100_000)),
        key=repr,
    )
    events = sorted(
        (
            tuple(sorted((k, v) for k, v in e.items() if k != "id"))
            for e in store.agent_events_between(0, NOW)
        ),
        key=repr,
    )
    pos = store.positions()[0]
    kept = ("byte_offset", "line_no", "lines_read", "bad_lines", "last_bad_line")
    counts = {k: pos[k] for k in kept}
    counts["bad_by_reason"] = json.loads(pos["bad_by_reason"])
    return {"calls": calls, "events": events, "position": counts}


def _pending(db: str) -> list[tuple[Any, ...]]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return sorted(
            conn.execute("SELECT source, call_id, leg, at, line_no, payload FROM cw_pending_event"),
            key=repr,
        )


def _changes_in_order(db: str) -> tuple[int, int, int]:
    """The sequence's value, the highest change number of a call, the lowest."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        (seq,) = conn.execute("SELECT value FROM cw_change_seq").fetchone()
        top, low = conn.execute("SELECT max(change_seq), min(change_seq) FROM cw_call").fetchone()
    return seq, top, low


def _ingested(tmp_path: Path, data: bytes, **kwargs: Any) -> tuple[dict[str, Any], str]:
    log = tmp_path / "logs" / "queue_log"
    log.parent.mkdir(parents=True)
    log.write_bytes(data)
    db = str(tmp_path / "cw.db")
    with Store(db) as store:
        ingest_paths(store, CONFIG, [str(log)], "queue_log", **kwargs)
        return _tables(store), db


def test_one_batch_many_batches_and_a_follower_store_the_same(
    log_bytes: bytes, tmp_path: Path
) -> None:
    whole, whole_db = _ingested(tmp_path / "a", log_bytes)  # the whole file in one batch
    small, small_db = _ingested(tmp_path / "b", log_bytes, batch_lines=7)
    assert small == whole
    assert _pending(small_db) == _pending(whole_db)
    assert [row[1] for row in _pending(whole_db)] == ["never"]
    assert whole["position"]["bad_by_reason"] == {
        "bad value": 1,
        "unknown event": 1,
        "repaired: invalid UTF-8": 1,
    }
    late = [c for c in whole["calls"] if c[2] == "late-1"]
    assert late and late[0][5] is not None and late[0][12] == "answered"  # ended, answered
    # followed as it is written, a few lines at a time
    log = tmp_path / "c" / "logs" / "queue_log"
    log.parent.mkdir(parents=True)
    log.write_bytes(b"")
    db = str(tmp_path / "c" / "cw.db")
    with Store(db) as store:
        follower = Follower(store, CONFIG, [(str(log), "queue_log")], batch_lines=50)
        try:
            lines = log_bytes.splitlines(keepends=True)
            for i in range(0, len(lines), 333):
                with log.open("ab") as fh:
                    fh.write(b"".join(lines[i : i + 333]))
                follower.poll_once()
        finally:
            follower.close()
        assert _tables(store) == whole
    assert _pending(db) == _pending(whole_db)
    for path in (whole_db, small_db, db):
        seq, top, low = _changes_in_order(path)
        assert seq == top and low >= 1  # every call stamped, the last by the last number
    assert _changes_in_order(small_db)[0] > _changes_in_order(whole_db)[0]


def test_ingest_leaves_the_garbage_collector_as_it_found_it(
    log_bytes: bytes, tmp_path: Path
) -> None:
    assert gc.isenabled()
    _ingested(tmp_path / "on", log_bytes[:2000])
    assert gc.isenabled()
    gc.disable()
    try:
        _ingested(tmp_path / "off", log_bytes[:2000])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_follower_poll_leaves_the_garbage_collector_as_it_found_it(
    log_bytes: bytes, tmp_path: Path
) -> None:
    """A poll pauses the collector while it reads (a service catching up a large file), and a
    screen or a service that follows for weeks gets it back on after each poll."""
    log = tmp_path / "queue_log"
    log.write_bytes(log_bytes[:3000])
    seen: list[bool] = []
    with Store(str(tmp_path / "cw.db")) as store:
        follower = Follower(store, CONFIG, [(str(log), "queue_log")])
        apply = store.apply

        def spying(*args: Any, **kwargs: Any) -> Any:
            seen.append(gc.isenabled())
            return apply(*args, **kwargs)

        store.apply = spying  # type: ignore[method-assign]
        try:
            assert gc.isenabled()
            assert follower.poll_once().added > 0
            assert gc.isenabled() and seen == [False]
            gc.disable()
            with log.open("ab") as fh:
                fh.write(log_bytes[3000:6000])
            follower.poll_once()
            assert not gc.isenabled() and seen == [False, False]
        finally:
            gc.enable()
            follower.close()


def test_a_follower_asked_to_stop_stops_after_the_batch_it_commits_and_loses_nothing(
    log_bytes: bytes, tmp_path: Path
) -> None:
    """Ctrl-C during a service's catch-up of a long file ends it after the batch being
    committed, not at the end of the file; the next start goes on from there."""
    import threading

    whole, _ = _ingested(tmp_path / "whole", log_bytes)
    log = tmp_path / "logs" / "queue_log"
    log.parent.mkdir(parents=True)
    log.write_bytes(log_bytes)
    stop = threading.Event()
    with Store(str(tmp_path / "cw.db")) as store:
        follower = Follower(store, CONFIG, [(str(log), "queue_log")], batch_lines=50)
        apply = store.apply
        commits: list[int] = []

        def stopping_after_two(*args: Any, **kwargs: Any) -> Any:
            commits.append(1)
            if len(commits) == 2:
                stop.set()  # as the signal handler of `ingest --follow` does
            return apply(*args, **kwargs)

        store.apply = stopping_after_two  # type: ignore[method-assign]
        follower.run(stop)
        assert len(commits) == 2
        (pos,) = store.positions()
        assert pos["line_no"] == 100
        store.apply = apply  # type: ignore[method-assign]
        again = Follower(store, CONFIG, [(str(log), "queue_log")], batch_lines=50)
        try:
            again.poll_once()
        finally:
            again.close()
        assert _tables(store) == whole


def _spaced(line: str) -> str:
    """The same line with blanks around every field (read by the general path)."""
    return " | ".join(f" {field} " for field in line.split("|"))


def test_the_common_line_path_reads_every_line_as_the_general_one(log_bytes: bytes) -> None:
    parser = QueueLogParser(CONFIG.tz)
    texts = [t for t in log_bytes.decode("utf-8", "replace").splitlines() if t.strip()]
    kinds = {t.split("|")[4].strip() for t in texts if t.count("|") >= 4}
    assert {"ENTERQUEUE", "CONNECT", "COMPLETEAGENT", "ABANDON", "RINGNOANSWER"} <= kinds
    for n, text in enumerate(texts):
        try:
            fast: object = parser.parse_line(text, n)
        except ValueError as exc:
            fast = ("error", str(exc))
        try:
            general: object = parser.parse_line(_spaced(text), n)
        except ValueError as exc:
            general = ("error", str(exc))
        assert fast == general, text


def test_the_plain_line_decoding_gives_what_the_repairing_one_gives(log_bytes: bytes) -> None:
    raws = log_bytes.splitlines()
    plain = [RawLine(n, data, len(data)) for n, data in enumerate(raws, 1)]
    with_cr = [RawLine(n, data + b"\r", len(data) + 1) for n, data in enumerate(raws, 1)]
    a = BatchParser(QueueLogParser(CONFIG.tz), clock=lambda: NOW).parse(plain, complete=True)
    b = BatchParser(QueueLogParser(CONFIG.tz), clock=lambda: NOW).parse(with_cr, complete=True)
    assert (a.records, a.skipped, a.repaired, a.read) == (b.records, b.skipped, b.repaired, b.read)
    assert a.repaired == [(n, "invalid UTF-8") for n, d in enumerate(raws, 1) if b"\xff" in d]
