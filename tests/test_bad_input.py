"""Bad input is skipped or handled, counted with its line number, and never fatal."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from carewatch.config import parse_config
from carewatch.ingest import Follower, IngestError, ingest_paths
from carewatch.store import Store

CONFIG = parse_config({"timezone": "UTC"})
T0 = 1_700_000_000


def call(i: int, *, t: int | None = None) -> str:
    t = T0 + 100 * i if t is None else t
    return (
        f"{t}|call-{i}|support|NONE|ENTERQUEUE||+3900000{i:04d}|1\n"
        f"{t + 5}|call-{i}|support|Agent/1|CONNECT|5|x|2\n"
        f"{t + 65}|call-{i}|support|Agent/1|COMPLETECALLER|5|60|1\n"
    )


@pytest.fixture
def store(database: str) -> Store:
    s = Store(database)
    yield s
    s.close()


def ingest(store: Store, path: Path):
    return ingest_paths(store, CONFIG, [str(path)], "queue_log")


def position(store: Store) -> dict:
    (pos,) = store.positions()
    pos["bad_by_reason"] = json.loads(pos["bad_by_reason"])
    return pos


def skipped(summary) -> list[tuple[int, str]]:
    return [(line_no, reason) for _, line_no, reason in summary.last_skipped]


def test_malformed_lines_are_counted_with_their_line_numbers(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(
        call(1).encode()
        + b"just words\n"
        + b"1700000000|only|three\n"
        + b"notatime|call-9|q|NONE|ENTERQUEUE||1|1\n"
        + call(2).encode()
    )
    summary = ingest(store, log)
    assert summary.added == 2
    assert skipped(summary) == [(4, "malformed"), (5, "malformed"), (6, "bad timestamp")]
    pos = position(store)
    assert pos["bad_lines"] == 3 and pos["last_bad_line"] == 6
    assert pos["last_bad_reason"] == "bad timestamp"
    assert pos["bad_by_reason"] == {"malformed": 2, "bad timestamp": 1}


def test_invalid_utf8_is_replaced_and_counted_never_losing_the_call(
    store: Store, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(
        call(1).encode() + b"1700000000|call-x|q|NONE|ENTERQUEUE||\xff\xfe|1\n" + call(2).encode()
    )
    summary = ingest(store, log)
    assert summary.added == 3 and skipped(summary) == []
    assert summary.repaired_by_reason == {"invalid UTF-8": 1}
    assert "1 line repaired (1 invalid UTF-8)" in summary.summary_line()
    (row,) = store.find_calls("call-x")
    assert row.caller == "\ufffd\ufffd"
    pos = position(store)
    assert pos["bad_lines"] == 0 and pos["bad_by_reason"] == {"repaired: invalid UTF-8": 1}


def test_a_line_of_nul_bytes_only_is_skipped(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    # a crash of the writer can leave a run of NUL bytes where a line was being written
    log.write_bytes(call(1).encode() + b"\x00" * 300 + b"\n" + call(2).encode())
    summary = ingest(store, log)
    assert summary.added == 2 and skipped(summary) == [(4, "NUL bytes")]


def test_nul_bytes_before_a_valid_line_are_dropped_and_the_line_read(
    store: Store, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    # the crash left NUL bytes and no newline; the writer's next line follows them
    debris = b"1700000000|call-lost|q|NO" + b"\x00" * 4096
    log.write_bytes(call(1).encode() + debris + call(2).encode())
    summary = ingest(store, log)
    assert summary.added == 2 and skipped(summary) == []
    assert summary.repaired_by_reason == {"NUL bytes": 1}
    assert {c.call_id for c in store.recent_calls()} == {"call-1", "call-2"}


def test_control_characters_crlf_bom_and_blank_lines(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    text = "\ufeff" + call(1).replace("\n", "\r\n") + "\n  \n\t\n"
    text += f"{T0}|call-2|support|NONE|ENTERQUEUE||+39\x1b[31mred\x07|1\n"
    log.write_text(text, encoding="utf-8")
    summary = ingest(store, log)
    assert (summary.added, summary.skipped, summary.lines_read) == (2, 0, 4)
    callers = {c.call_id: c.caller for c in store.recent_calls()}
    assert callers["call-2"] == "+39[31mred"  # escape and bell removed: text is data
    assert position(store)["line_no"] == 7  # the blank lines are numbered, not counted


def test_a_one_megabyte_line_is_skipped(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    huge = b"1700000000|call-h|support|NONE|ENTERQUEUE||" + b"9" * (1024 * 1024) + b"|1\n"
    log.write_bytes(call(1).encode() + huge + call(2).encode())
    summary = ingest(store, log)
    assert summary.added == 2 and skipped(summary) == [(4, "line too long")]


def test_a_one_megabyte_line_still_being_written_waits(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(call(1).encode() + b"x" * (1024 * 1024))
    follower = Follower(store, CONFIG, [(str(log), "queue_log")])
    try:
        assert follower.poll_once().added == 1
        assert follower.status()[0].pending == 1024 * 1024
        with log.open("ab") as fh:
            fh.write(b"\n" + call(2).encode())
        summary = follower.poll_once()
        assert summary.added == 1 and skipped(summary) == [(4, "line too long")]
    finally:
        follower.close()


def test_truncated_last_line_is_read_once_when_completed_one_shot(
    store: Store, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    line = f"{T0 + 500}|call-5|support|NONE|ENTERQUEUE||+39|1\n"
    log.write_text(call(1) + line[:20])
    summary = ingest(store, log)
    assert (summary.added, summary.incomplete) == (1, 1)
    assert summary.summary_line().endswith(", 1 incomplete last line left for later")
    assert position(store)["byte_offset"] == len(call(1))
    with log.open("a") as fh:
        fh.write(line[20:])
    summary = ingest(store, log)
    assert (summary.added, summary.incomplete, summary.lines_read, summary.skipped) == (1, 0, 1, 0)
    assert ingest(store, log).lines_read == 0
    assert position(store)["lines_read"] == 4


def test_truncated_last_line_is_read_once_when_completed_following(
    store: Store, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    line = f"{T0 + 500}|call-5|support|NONE|ENTERQUEUE||+39|1\n"
    log.write_text(call(1))
    follower = Follower(store, CONFIG, [(str(log), "queue_log")])
    try:
        follower.poll_once()
        for piece in (line[:7], line[7:30], line[30:-1]):
            with log.open("a") as fh:
                fh.write(piece)
            summary = follower.poll_once()
            assert (summary.lines_read, summary.skipped, summary.incomplete) == (0, 0, 1)
        with log.open("a") as fh:
            fh.write("\n")
        summary = follower.poll_once()
        assert (summary.added, summary.lines_read, summary.skipped) == (1, 1, 0)
        assert position(store)["lines_read"] == 4 and position(store)["bad_lines"] == 0
    finally:
        follower.close()


def test_duplicated_lines_do_not_count_twice(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    pause = f"{T0}|NONE|support|Agent/1|PAUSE|lunch\n"
    log.write_text(call(1) + call(1) + pause + pause + call(2))
    summary = ingest(store, log)
    assert (summary.added, summary.updated, summary.agent_events) == (2, 0, 1)
    assert summary.skipped == 0
    assert store.count_calls() == 2
    assert len(store.agent_events_between(0, 2 * T0)) == 1
    # the same lines in a second file of the same source: still one call each
    (tmp_path / "queue_log.1").write_text(call(1) + pause)
    again = ingest_paths(store, CONFIG, [str(tmp_path / "queue_log.1")], "queue_log")
    assert (again.added, again.updated, again.agent_events) == (0, 0, 0)


def test_events_for_a_call_never_seen_entering(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(
        f"{T0}|ghost|support|Agent/1|CONNECT|5|x|2\n"
        + call(1)
        + f"{T0 + 9}|ghost|support|Agent/1|COMPLETECALLER|5|60|1\n"
    )
    summary = ingest(store, log)
    # they are not bad lines: they wait for their call's start (a file not read yet)
    assert (summary.added, summary.skipped, summary.waiting) == (1, 0, 2)
    assert summary.summary_line() == (
        "1 call added, 0 updated, 0 lines skipped, 2 events wait for their call's start"
    )
    assert position(store)["bad_by_reason"] == {}
    assert [c.call_id for c in store.recent_calls()] == ["call-1"]
    # the start arrives in another file: the call gets its answer and its end
    (tmp_path / "queue_log.1").write_text(f"{T0 - 5}|ghost|support|NONE|ENTERQUEUE||1|1\n")
    later = ingest(store, tmp_path / "queue_log.1")
    assert (later.added, later.waiting) == (1, 0)
    (ghost,) = store.find_calls("ghost")
    assert (ghost.answered_at, ghost.ended_at, ghost.talk_seconds) == (T0, T0 + 9, 60.0)


def test_out_of_order_timestamps_are_handled(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(
        call(5)  # later calls first
        + call(1)
        + f"{T0 + 1000}|call-9|support|NONE|ENTERQUEUE||+39|1\n"
        + f"{T0 + 990}|call-9|support|Agent/1|CONNECT|0|x|2\n"  # answered "before" it entered
        + f"{T0 + 995}|call-9|support|Agent/1|COMPLETECALLER|0|5|1\n"
    )
    summary = ingest(store, log)
    assert (summary.added, summary.skipped) == (3, 0)
    calls = {c.call_id: c for c in store.recent_calls()}
    assert [c.call_id for c in store.recent_calls()] == ["call-9", "call-5", "call-1"]
    nine = calls["call-9"]
    assert (nine.started_at, nine.answered_at, nine.ended_at) == (T0 + 1000, T0 + 990, T0 + 995)
    assert nine.disposition == "answered" and nine.wait_seconds == 0.0


def test_unknown_events_are_counted(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(call(1) + f"{T0}|call-1|support|Agent/1|TELEPORT|x\n" + call(2))
    summary = ingest(store, log)
    assert summary.added == 2 and skipped(summary) == [(4, "unknown event")]
    assert "1 line skipped (1 unknown event; last: queue_log line 4)" in summary.summary_line()


def test_an_empty_file(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.touch()
    summary = ingest_paths(store, CONFIG, [str(log)])
    assert (summary.added, summary.lines_read, summary.skipped, summary.incomplete) == (0, 0, 0, 0)
    assert summary.files == 1 and store.positions() == []
    follower = Follower(store, CONFIG, [(str(log), None)])
    try:
        assert follower.poll_once().has_news is False
        (status,) = follower.status()
        assert status.exists and status.format is None and status.bad_lines == 0
        with log.open("a") as fh:
            fh.write(call(1))
        assert follower.poll_once().added == 1  # format detected once there is a line
        assert follower.status()[0].format == "queue_log"
    finally:
        follower.close()


def test_a_file_that_disappears(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(call(1) + "junk\n")
    follower = Follower(store, CONFIG, [(str(log), "queue_log")], rotate_wait=0)
    try:
        follower.poll_once()
        os.unlink(log)
        for _ in range(3):
            assert follower.poll_once().has_news is False
        (status,) = follower.status()
        assert (status.exists, status.problem, status.bad_lines, status.last_bad_line) == (
            False,
            None,
            1,
            4,
        )
    finally:
        follower.close()
    restarted = Follower(store, CONFIG, [(str(log), "queue_log")])
    try:  # still missing after a restart: the stored counts are shown, nothing is fatal
        assert restarted.poll_once().has_news is False
        (status,) = restarted.status()
        assert (status.exists, status.bad_lines, status.last_bad_line) == (False, 1, 4)
    finally:
        restarted.close()
    with pytest.raises(IngestError, match="no such file or folder"):
        ingest_paths(store, CONFIG, [str(log)])
    assert store.count_calls() == 1


def test_a_path_that_is_neither_file_nor_folder(store: Store, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(IngestError) as info:
        ingest_paths(store, CONFIG, [str(fifo)])
    assert str(info.value) == f"{fifo}: not a file or a folder"
    follower = Follower(store, CONFIG, [(str(fifo), "queue_log")])
    try:
        follower.poll_once()  # not fatal when following: shown in the status
        assert follower.status()[0].problem == "not a regular file"
    finally:
        follower.close()


def test_a_format_that_cannot_be_told_is_not_fatal(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "notes"
    log.write_text("dear diary\ntoday nobody called\n")
    summary = ingest_paths(store, CONFIG, [str(log)])
    assert summary.added == 0 and summary.files_not_read[0][0] == str(log)
    follower = Follower(store, CONFIG, [(str(log), None)])
    try:
        follower.poll_once()
        (status,) = follower.status()
        assert status.exists and "cannot tell the format" in status.problem
    finally:
        follower.close()


def test_what_stops_a_file_being_followed_is_said_in_the_screens_language(
    store: Store, tmp_path: Path
) -> None:
    """In Italian, a followed path that is not a file is told in Italian, by the follower
    (the ingester's stderr) and by the screen's alerts alike; a file with no complete line yet
    is not a problem in any language (it was told apart by its English words before)."""
    from carewatch import i18n
    from carewatch.tui.snapshot import source_alerts

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    empty = tmp_path / "queue_log"
    empty.write_text("1716000000|call-1|sales|NONE|ENTERQUEUE||3912345678")  # no newline yet
    i18n.set_language("it")
    follower = Follower(store, CONFIG, [(str(fifo), "queue_log"), (str(empty), None)])
    try:
        follower.poll_once()
        statuses = follower.status()
        assert [s.problem for s in statuses] == [
            "non è un file normale",
            "in attesa di una prima riga completa per riconoscere il formato",
        ]
        assert follower.problems() == {str(fifo): "pipe: non è un file normale"}
        alerts = [a.text for a in source_alerts(statuses, CONFIG, 1716000000.0)]
        assert "pipe: non è un file normale" in alerts
        assert not any("attesa" in text for text in alerts)
    finally:
        follower.close()


async def test_a_watched_file_that_goes_missing_is_on_the_alerts_line_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A followed file that is missing (a mistyped --watch path, a log moved away and not
    made again) is said on the alerts line as soon as the follower sees it, not at the next
    periodic refresh (15 s later; turned off here)."""
    import asyncio

    from carewatch.tui import refresh
    from carewatch.tui.app import CarewatchApp
    from carewatch.tui.panels.alerts import AlertsLine

    monkeypatch.setattr(refresh, "PERIODIC_REFRESH", 3600.0)
    log = tmp_path / "queue_log"
    log.write_text("1716000000|c1|sales|NONE|ENTERQUEUE||3912345678|1\n", encoding="utf-8")
    app = CarewatchApp(CONFIG, Store(str(tmp_path / "cw.db")), sources=[(str(log), None)])

    async def alerts_until(pilot: Any, found: Callable[[list[str]], bool]) -> list[str]:
        deadline = asyncio.get_running_loop().time() + 30.0
        said: list[str] = []
        while asyncio.get_running_loop().time() < deadline:
            await pilot.pause(0.05)
            said = [a.text for a in app.screen.query_one(AlertsLine).alerts or []]
            if found(said):
                break
        return said

    async with app.run_test(size=(120, 36)) as pilot:
        await alerts_until(pilot, lambda _said: app.store.count_calls() == 1)
        await pilot.pause(0.5)  # the call's refresh is painted
        log.unlink()
        said = await alerts_until(pilot, lambda said: any("not found" in t for t in said))
        assert "queue_log: file not found" in said
