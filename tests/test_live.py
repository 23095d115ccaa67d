"""The live screen's memory of the day (carewatch.live.LiveDay): kept up to date one changed call
at a time, it must say exactly what a full reading of the same calls says; and it reads each
change of the store once, whoever wrote it."""

from __future__ import annotations

import math
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from hypothesis import given, settings
from hypothesis import strategies as st

from carewatch.config import parse_config
from carewatch.figures import live_state
from carewatch.kpi.engine import compute_kpis
from carewatch.kpi.now import STALE_CALL_SECONDS, now_state
from carewatch.kpi.windows import day_window
from carewatch.live import LiveDay
from carewatch.records import AgentEvent, CallRow, CallUpdate
from carewatch.store import Store
from carewatch.tui.centre import order_calls, pick_rows

ROOT = Path(__file__).resolve().parent.parent
ROME = ZoneInfo("Europe/Rome")
CFG = parse_config(
    {
        "timezone": "Europe/Rome",
        "categories": [{"name": "shipping"}, {"name": "order"}],
        "outcomes": [{"name": "sale", "conversion": True}, {"name": "none"}],
        "targets": {"category_alert_min_calls": 2},
    }
)
DAY = date(2025, 6, 10)
TODAY = day_window(DAY, ROME)
NOW = TODAY.start + 11 * 3600
OWN = frozenset({"op-a"})
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None)

_FIELDS = st.fixed_dictionaries(
    {
        # from the evening before (the centre now reads the last hours) to after now
        "offset": st.floats(-5 * 3600, 14 * 3600, allow_nan=False),
        "disposition": st.sampled_from([None, "answered", "abandoned", "missed"]),
        "wait": st.none() | st.floats(0, 900, allow_nan=False),
        "talk": st.none() | st.floats(0, 3600, allow_nan=False),
        "answered": st.booleans(),
        "ended": st.booleans(),
        "agent": st.sampled_from([None, "op-a", "op-b", "op-c"]),
        "queue": st.sampled_from([None, "sales", "support"]),
        "caller": st.sampled_from([None, "111", "222", "withheld"]),
        "direction": st.sampled_from(["in", "in", "out"]),
        "category": st.sampled_from([None, "shipping", "order", "billing"]),
        "outcome": st.sampled_from([None, "sale", "none"]),
        "resolved": st.sampled_from([None, True, False]),
        "csat": st.none() | st.integers(0, 6),
        "nps": st.none() | st.integers(-1, 11),
    }
)
#: A tag: a category, an outcome or a resolved flag, each a value it can hold.
_TAG = st.one_of(
    st.tuples(st.just("category"), st.sampled_from([None, "shipping", "order", "billing"])),
    st.tuples(st.just("outcome"), st.sampled_from([None, "sale", "none"])),
    st.tuples(st.just("resolved"), st.sampled_from([None, True, False])),
)
#: One operation: write call number ``pk`` (insert, or update it whole), or tag it.
_OPS = st.lists(
    st.tuples(st.integers(1, 12), st.one_of(_FIELDS, _TAG)),
    max_size=60,
)


def _row(pk: int, f: dict[str, Any]) -> CallRow:
    started = TODAY.start + f["offset"]
    answered = started + (f["wait"] or 0.0) if f["answered"] else None
    ended = (answered or started) + (f["talk"] or 30.0) if f["ended"] else None
    return CallRow(
        pk, "pbx", f"c{pk}", started, answered, ended, f["wait"], f["talk"], f["queue"],
        f["agent"], f["caller"], f["direction"], f["disposition"], False, f["category"],
        f["outcome"], f["resolved"], f["csat"], f["nps"], None, 0.0,
    )  # fmt: skip


def _close(a: Any, b: Any, where: str = "") -> None:
    """Equal, floats within rounding (sums kept by adding and taking away)."""
    if isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for key in a:
            _close(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def replay(live: LiveDay, ops: list[tuple[int, Any]]) -> dict[int, CallRow]:
    """Write the calls of ``ops`` into ``live`` one change at a time (the centre now read half
    way); the calls as they are at the end, by primary key."""
    live.begin(TODAY, 0, [], [])
    calls: dict[int, CallRow] = {}
    for i, (pk, op) in enumerate(ops):
        if i == len(ops) // 2:
            live.now_state(NOW - 3600)  # read half way: later changes move the reading on
        if isinstance(op, dict):
            calls[pk] = _row(pk, op)
        elif pk in calls:  # a tag on a call already written
            name, value = op
            calls[pk] = calls[pk]._replace(**{name: value})
        else:
            continue
        live.apply(calls[pk])
    return calls


@SETTINGS
@given(_OPS)
def test_kept_up_to_date_it_equals_a_full_reading(ops: list[tuple[int, Any]]) -> None:
    live = LiveDay(CFG, OWN)
    calls = replay(live, ops)
    kept = [c for c in calls.values() if TODAY.start - STALE_CALL_SECONDS <= c.started_at]
    day = sorted((c for c in kept if c.started_at >= TODAY.start), key=lambda c: c.id)
    _close(live.kpis(None, [], NOW), compute_kpis(day, CFG, window=TODAY, now=NOW), "kpis")
    for queue in ("sales", "support"):
        mine = [c for c in day if c.queue == queue]
        expected = compute_kpis(mine, CFG, window=TODAY, now=NOW)
        _close(live.kpis(queue, [], NOW), expected, queue)
    for now in (NOW, NOW + 3 * 3600):  # time passes: calls start, others grow stale
        recent = [c for c in kept if c.started_at >= now - STALE_CALL_SECONDS]
        assert live.now_state(now) == now_state(recent, [], now)
    rows = pick_rows(live.newest(TODAY, None), live.own_newest(TODAY, None), 5)
    assert rows == order_calls(day, OWN, 5)
    assert live.queues() == tuple(sorted({c.queue for c in kept if c.queue}))


def _call(call_id: str, started: float, **extra: Any) -> CallUpdate:
    fields = {"started_at": started, "answered_at": started + 5, "agent": "op-a"}
    return CallUpdate(call_id, {**fields, **extra})


def _outside_update(database: str, sql: str) -> None:
    """A program other than carewatch changes a call with its own SQL."""
    if "://" in database:
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute(sql)
    else:
        with sqlite3.connect(database) as conn:
            conn.execute(sql)


def test_each_change_is_read_once_whoever_wrote_it(database: str) -> None:
    with Store(database) as store:
        store.ingest("pbx", [(1, _call("c1", NOW - 600)), (2, _call("c2", NOW - 300))])
        live = LiveDay(CFG, OWN)
        assert live.sync(store, NOW)
        assert live.kpis(None, [], NOW)["offered"] == 2
        assert not live.sync(store, NOW)  # nothing new: nothing read

        # another carewatch process tags a call
        subprocess.run(
            [sys.executable, "-m", "carewatch", "tag", "c1", "--category", "order",
             "--db", database, "--operator", "ana"],
            check=True, cwd=ROOT, capture_output=True,
        )  # fmt: skip
        changed, _events = store.changes_after(live.seq, live.event_id)
        assert [c.call_id for _seq, c in changed] == ["c1"]
        assert live.sync(store, NOW)
        assert live.kpis(None, [], NOW)["category_mix"]["order"]["count"] == 1
        assert store.changes_after(live.seq, live.event_id) == ([], [])
        assert not live.sync(store, NOW)

        # a program that knows nothing of the change numbers
        _outside_update(database, "UPDATE cw_call SET outcome = 'sale' WHERE call_id = 'c2'")
        _outside_update(
            database,
            "INSERT INTO cw_call (source, call_id, started_at, direction, transferred, "
            f"updated_at) VALUES ('crm', 'c3', {NOW - 60}, 'in', false, 0)",
        )
        changed, _events = store.changes_after(live.seq, live.event_id)
        assert sorted(c.call_id for _seq, c in changed) == ["c2", "c3"]
        assert live.sync(store, NOW)
        kpis = live.kpis(None, [], NOW)
        assert (kpis["offered"], kpis["conversions"]) == (3, 1)
        assert not live.sync(store, NOW)

        # an operator's event, and calls of a long gone day (read by nobody's today)
        store.ingest("pbx", [(3, AgentEvent(NOW - 30, "op-p", "PAUSE", reason="lunch"))])
        store.ingest("pbx", [(4, _call("old", NOW - 30 * 86400))])
        assert live.sync(store, NOW)
        assert live.now_state(NOW).agents["op-p"].state == "paused"
        assert live.kpis(None, [], NOW)["offered"] == 3
        assert live.older_changes == 1
        assert live.now_state(NOW) == live_state(store, CFG, NOW)


def test_changes_are_numbered_in_commit_order(database: str) -> None:
    with Store(database) as store:
        store.ingest("pbx", [(1, _call("c1", NOW))])
        first = store.changes_after(0, 0)[0]
        store.tag(first[0][1].id, "category", "order", "ana")
        store.ingest("pbx", [(2, _call("c2", NOW))])
        seqs = [(seq, c.call_id) for seq, c in store.changes_after(0, 0)[0]]
        assert [call_id for _seq, call_id in seqs] == ["c1", "c2"]
        assert seqs[0][0] < seqs[1][0]
        assert seqs[0][0] > first[0][0]  # the tag renumbered c1


def test_a_new_day_starts_afresh(tmp_path: Path) -> None:
    with Store(str(tmp_path / "cw.db")) as store:
        store.ingest("pbx", [(1, _call("c1", NOW)), (2, _call("c2", NOW + 20 * 3600))])
        live = LiveDay(CFG, OWN)
        live.sync(store, NOW)
        assert live.kpis(None, [], NOW)["offered"] == 1
        later = TODAY.end + 1800
        assert live.sync(store, later)
        assert live.today is not None and live.today.start == TODAY.end
        assert live.kpis(None, [], later)["offered"] == 1


def test_a_finished_day_is_read_as_its_inbound_start_times(database: str) -> None:
    with Store(database) as store:
        store.ingest(
            "pbx",
            [
                (1, _call("in2", NOW + 20, queue="sales")),
                (2, _call("in1", NOW + 10, queue="support")),
                (3, _call("out", NOW + 15, direction="out", queue="sales")),
                (4, _call("later", NOW + 5000)),
            ],
        )
        assert store.inbound_starts_between(NOW, NOW + 60) == [NOW + 10, NOW + 20]
        assert store.inbound_starts_between(NOW, NOW + 60, queue="sales") == [NOW + 20]


def test_the_screen_compares_with_last_week_clock_to_clock_after_the_jump() -> None:
    from carewatch.tui.loader import week_ago

    # Sunday 7 April 2024 at 03:10: "the last hour" 02:10-03:10 against last Sunday's
    # 02:10-03:10 on its clock, which skipped 02:00-03:00: only 03:00-03:10 of it was
    now = datetime(2024, 4, 7, 3, 10, tzinfo=ROME).timestamp()
    jump = datetime(2024, 3, 31, 3, 0, tzinfo=ROME).timestamp()
    assert week_ago(now - 3600, CFG) == jump
    assert week_ago(now, CFG) == datetime(2024, 3, 31, 3, 10, tzinfo=ROME).timestamp()
    assert week_ago(now, CFG) - week_ago(now - 3600, CFG) == 600
