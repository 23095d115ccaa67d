"""A phone system that starts again (a queue_log QUEUESTART): the queue entries still open
before it are over. Their callers were lost with the system that stopped: missed, to be called
back; they no longer wait, on the screen or in a report, however long ago it was."""

from __future__ import annotations

from pathlib import Path

from carewatch.config import parse_config
from carewatch.ingest import ingest_paths
from carewatch.store import Store

CONFIG = parse_config({"timezone": "UTC"})
T = 1_700_000_000


def _calls(db: str) -> dict[str, tuple[float | None, float | None, str | None]]:
    with Store(db) as store:
        return {
            c.call_id: (c.answered_at, c.ended_at, c.disposition) for c in store.recent_calls(50)
        }


def test_a_restart_ends_the_entries_still_open_before_it(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(
        # waiting when Asterisk stopped
        f"{T}|w1|sales|NONE|ENTERQUEUE||0611|1\n"
        # answered and talking when it stopped: its end (and talk time) stay unknown
        f"{T + 5}|t1|sales|NONE|ENTERQUEUE||0612|1\n"
        f"{T + 9}|t1|sales|Agent/1|CONNECT|4|t1.1|2\n"
        # over before it: untouched
        f"{T + 10}|a1|sales|NONE|ENTERQUEUE||0613|1\n"
        f"{T + 30}|a1|sales|NONE|ABANDON|1|1|20\n"
        f"{T + 600}|NONE|NONE|NONE|QUEUESTART|\n"
        # after it: a new call that waits
        f"{T + 700}|w2|sales|NONE|ENTERQUEUE||0614|1\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "cw.db")
    with Store(db) as store:
        summary = ingest_paths(store, CONFIG, [str(log)], "queue_log")
    assert summary.added == 4
    calls = _calls(db)
    assert calls["w1"] == (None, T + 600, "missed")  # lost when the system stopped
    assert calls["t1"] == (T + 9, None, "answered")
    assert calls["a1"] == (None, T + 30, "abandoned")
    assert calls["w2"] == (None, None, None)  # still waiting
    with Store(db) as store:  # the restart is no operator's event: none stored
        assert store.agent_events_between(T - 1, T + 1000) == []
    # read again: nothing changes
    with Store(db) as store:
        again = ingest_paths(store, CONFIG, [str(log)], "queue_log")
    assert (again.added, again.updated) == (0, 0)
    assert _calls(db) == calls


def test_a_restart_read_in_a_later_poll_ends_what_an_earlier_one_stored(tmp_path: Path) -> None:
    """Following the log: the entry stored by one poll, the restart appended later."""
    log = tmp_path / "queue_log"
    log.write_text(f"{T}|w1|support|NONE|ENTERQUEUE||0611|1\n", encoding="utf-8")
    db = str(tmp_path / "cw.db")
    with Store(db) as store:
        ingest_paths(store, CONFIG, [str(log)], "queue_log")
    assert _calls(db)["w1"] == (None, None, None)
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"{T + 3600}|NONE|NONE|NONE|QUEUESTART|\n")
    with Store(db) as store:
        summary = ingest_paths(store, CONFIG, [str(log)], "queue_log")
    assert summary.updated == 1
    assert _calls(db)["w1"] == (None, T + 3600, "missed")
