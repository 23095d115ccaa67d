"""The call simulator: determinism, the day profile, every format's shape, until, live mode."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import itertools
import json
import random
import re
import statistics
import threading
import time
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from carewatch.config import Config, default_config, parse_config
from carewatch.simulate import (
    CSV_FIELDS,
    OPERATORS,
    SimCall,
    generate_calls,
    run_live,
    simulate_history,
    write_csv,
    write_jsonl,
    write_queue_log,
)
from carewatch.timeutil import combine_local, local_day, local_hour

TZ = ZoneInfo("Europe/Rome")
MONDAY = date(2024, 3, 4)
DAYS = 8  # Monday to the next Monday
SEED = 11

QUEUE_LOG_EVENTS = {
    "ENTERQUEUE",
    "RINGNOANSWER",
    "CONNECT",
    "COMPLETECALLER",
    "COMPLETEAGENT",
    "TRANSFER",
    "BLINDTRANSFER",
    "ABANDON",
    "EXITWITHTIMEOUT",
    "EXITEMPTY",
    "PAUSE",
    "UNPAUSE",
    "AGENTLOGIN",
    "AGENTLOGOFF",
    "ADDMEMBER",
    "REMOVEMEMBER",
}
CALL_ID = re.compile(r"^\d{10}\.\d+$")


@pytest.fixture(scope="module")
def config() -> Config:
    return default_config()


@pytest.fixture(scope="module")
def calls(config: Config) -> list[SimCall]:
    return generate_calls(SEED, MONDAY, DAYS, TZ, config)


@pytest.fixture(scope="module")
def inbound(calls: list[SimCall]) -> list[SimCall]:
    return [c for c in calls if c.direction == "in"]


def render(calls: list[SimCall], fmt: str) -> str:
    buf = io.StringIO()
    if fmt == "queue_log":
        write_queue_log(calls, buf)
    elif fmt == "csv":
        write_csv(calls, buf, tz=TZ)
    else:
        write_jsonl(calls, buf, tz=TZ)
    return buf.getvalue()


@pytest.fixture(scope="module")
def rendered(calls: list[SimCall]) -> dict[str, str]:
    return {fmt: render(calls, fmt) for fmt in ("queue_log", "csv", "jsonl")}


@pytest.fixture(scope="module")
def queue_log(rendered: dict[str, str]) -> list[list[str]]:
    return [line.split("|") for line in rendered["queue_log"].splitlines()]


@pytest.fixture(scope="module")
def csv_rows(rendered: dict[str, str]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(rendered["csv"])))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- determinism --------------------------------------------------------------------------------


def test_same_seed_gives_the_same_bytes(config: Config, rendered: dict[str, str]) -> None:
    again = generate_calls(SEED, MONDAY, DAYS, TZ, config)
    for fmt, text in rendered.items():
        assert digest(render(again, fmt)) == digest(text), fmt


def test_another_seed_gives_another_history(config: Config) -> None:
    one = generate_calls(SEED, MONDAY, 1, TZ, config)
    other = generate_calls(SEED + 1, MONDAY, 1, TZ, config)
    for fmt in ("queue_log", "csv", "jsonl"):
        assert digest(render(other, fmt)) != digest(render(one, fmt))


def test_uses_neither_global_random_nor_the_clock(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = generate_calls(SEED, MONDAY, 2, TZ, config)

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("global random state or the clock was used")

    for name in ("random", "randint", "choice", "choices", "shuffle", "uniform", "gauss"):
        monkeypatch.setattr(random, name, forbidden)
    monkeypatch.setattr(random, "getrandbits", forbidden)
    monkeypatch.setattr(time, "time", forbidden)
    assert generate_calls(SEED, MONDAY, 2, TZ, config) == expected


def test_a_longer_history_starts_like_a_shorter_one(config: Config, calls: list[SimCall]) -> None:
    short = generate_calls(SEED, MONDAY, 3, TZ, config)
    end = combine_local(MONDAY + timedelta(days=3), clock_time(0), TZ)
    assert [c.call_id for c in short] == [c.call_id for c in calls if c.started_at < end]


# -- the centre's day ---------------------------------------------------------------------------


def test_morning_peak_is_busier_than_opening_hour(inbound: list[SimCall]) -> None:
    weekday = [c for c in inbound if local_day(c.started_at, TZ).weekday() < 5]
    by_hour = Counter(local_hour(c.started_at, TZ) for c in weekday)
    assert by_hour[10] > 1.5 * by_hour[8]
    assert by_hour[10] > by_hour[13] < by_hour[15]  # lunch dip, afternoon bump
    assert by_hour[19] < by_hour[10] / 2
    assert set(by_hour) <= set(range(8, 21))


def test_weekdays_are_busier_than_weekends(inbound: list[SimCall]) -> None:
    by_day = Counter(local_day(c.started_at, TZ) for c in inbound)
    assert len(by_day) == DAYS
    weekdays = [n for d, n in by_day.items() if d.weekday() < 5]
    weekends = [n for d, n in by_day.items() if d.weekday() >= 5]
    assert len(weekends) == 2
    assert min(weekdays) > 3 * max(weekends) > 0


def test_operators_queues_and_callers(calls: list[SimCall], inbound: list[SimCall]) -> None:
    agents = {c.agent for c in calls if c.agent}
    assert 8 <= len(agents) <= 12
    assert agents <= set(OPERATORS)
    assert {c.queue for c in inbound} == {"sales", "support", "billing"}
    assert all(re.fullmatch(r"\+44\d{9,10}", c.caller) for c in calls)
    by_caller = Counter(c.caller for c in inbound)
    repeaters = sum(1 for n in by_caller.values() if n >= 2)
    assert 0.03 < repeaters / len(by_caller) < 0.3


def test_waits_talk_and_abandons_look_real(inbound: list[SimCall]) -> None:
    answered = [c for c in inbound if c.disposition == "answered"]
    waits = [c.wait_seconds for c in answered]
    assert statistics.median(waits) < 20
    assert sum(w > 60 for w in waits) > 0.01 * len(waits)
    talks = [c.talk_seconds for c in answered]
    assert 120 <= statistics.mean(talks) <= 240
    over = sum(t > 120 for t in talks) / len(talks)
    assert 0.2 < over < 0.8
    abandoned = [c for c in inbound if c.disposition == "abandoned"]
    assert 0.02 < len(abandoned) / len(inbound) < 0.15
    # The longer the wait, the likelier the hang-up.
    long_wait = [c for c in inbound if (c.wait_seconds or 0) > 60]
    long_abandoned = sum(c.disposition == "abandoned" for c in long_wait) / len(long_wait)
    assert long_abandoned > 2 * len(abandoned) / len(inbound)


def test_call_fields_are_consistent(calls: list[SimCall]) -> None:
    ids = [c.call_id for c in calls]
    assert len(set(ids)) == len(ids)
    assert all(
        CALL_ID.match(i) and i.startswith(f"{c.started_at}.")
        for i, c in zip(ids, calls, strict=True)
    )
    assert [c.started_at for c in calls] == sorted(c.started_at for c in calls)
    busy: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for c in calls:
        assert c.ended_at is not None and c.ended_at >= c.started_at
        if c.disposition == "answered":
            assert c.agent and c.answered_at is not None and c.talk_seconds is not None
            assert c.talk_seconds == c.ended_at - c.answered_at
            if c.direction == "in":
                assert c.wait_seconds == c.answered_at - c.started_at
                busy[c.agent].append((c.answered_at, c.ended_at))
        elif c.direction == "in":
            assert c.disposition in ("abandoned", "missed")
            assert c.answered_at is None and c.wait_seconds == c.ended_at - c.started_at
    for intervals in busy.values():  # an operator talks to one caller at a time
        intervals.sort()
        assert all(b[0] >= a[1] for a, b in itertools.pairwise(intervals))


def test_tags_come_from_the_config(config: Config, calls: list[SimCall]) -> None:
    answered = [c for c in calls if c.disposition == "answered"]
    categories = Counter(c.category for c in answered if c.category)
    assert set(categories) == {cat.name for cat in config.categories}
    assert categories.most_common(1)[0][0] == "shipping"
    outcomes = Counter(c.outcome for c in answered if c.outcome)
    assert set(outcomes) == {o.name for o in config.outcomes}
    assert 0.03 < (outcomes["sale"] + outcomes["appointment"]) / len(answered) < 0.3
    assert 0.5 < sum(c.category is not None for c in answered) / len(answered) < 1
    assert {c.resolved for c in answered} == {True, False, None}
    rated = [c for c in answered if c.csat is not None]
    assert 0.1 < len(rated) / len(answered) < 0.5
    assert {c.csat for c in rated} == {1, 2, 3, 4, 5}
    assert {c.nps for c in rated if c.nps is not None} <= set(range(11))
    assert all(c.category is None and c.csat is None for c in calls if c.disposition != "answered")
    notes = [c.note for c in calls if c.note]
    assert notes and any("," in n for n in notes) and any('"' in n for n in notes)


def test_shipping_dominates_some_days(calls: list[SimCall]) -> None:
    shares = []
    for day in {local_day(c.started_at, TZ) for c in calls}:
        tagged = [c.category for c in calls if c.category and local_day(c.started_at, TZ) == day]
        shares.append(tagged.count("shipping") / len(tagged))
    assert max(shares) > 0.4
    assert min(shares) < 0.4


def test_any_config_works(config: Config) -> None:
    data = {
        "categories": [{"name": "Billing question"}, {"name": "Shipment"}, {"name": "Other"}],
        "outcomes": [{"name": "Won", "conversion": True}, {"name": "Nothing"}],
    }
    custom = generate_calls(3, MONDAY, 1, TZ, parse_config(data))
    assert {c.category for c in custom if c.category} == {"Billing question", "Shipment", "Other"}
    assert {c.outcome for c in custom if c.outcome} == {"Won", "Nothing"}
    bare = generate_calls(3, MONDAY, 1, TZ, parse_config({}))
    assert bare and all(c.category is None and c.outcome is None for c in bare)


def test_outbound_calls_are_a_few_call_backs(calls: list[SimCall], inbound: list[SimCall]) -> None:
    outbound = [c for c in calls if c.direction == "out"]
    assert 0 < len(outbound) < 0.05 * len(calls)
    abandoned_callers = {c.caller for c in inbound if c.disposition == "abandoned"}
    assert all(c.caller in abandoned_callers and c.agent for c in outbound)
    assert {c.disposition for c in outbound} == {"answered", "missed"}


# -- queue_log ----------------------------------------------------------------------------------


def test_queue_log_has_every_event(queue_log: list[list[str]]) -> None:
    assert {fields[4] for fields in queue_log} == QUEUE_LOG_EVENTS


def test_queue_log_lines_are_well_formed_and_sorted(queue_log: list[list[str]]) -> None:
    epochs = []
    for fields in queue_log:
        assert len(fields) >= 5
        assert fields[0].isdigit()
        epochs.append(int(fields[0]))
        assert fields[1] == "NONE" or CALL_ID.match(fields[1])
        assert fields[3]
    assert epochs == sorted(epochs)


def test_queue_log_event_data(queue_log: list[list[str]], inbound: list[SimCall]) -> None:
    by_id = {c.call_id: c for c in inbound}
    seen: dict[str, list[str]] = defaultdict(list)
    reasons = set()
    for fields in queue_log:
        _, callid, queue, agent, event, *data = fields
        if callid == "NONE":
            assert event in {"PAUSE", "UNPAUSE", "ADDMEMBER", "REMOVEMEMBER"} | {
                "AGENTLOGIN",
                "AGENTLOGOFF",
            }
            if event in ("PAUSE", "UNPAUSE"):
                assert queue in ("sales", "support", "billing")
                reasons.add(data[0])
            if event == "AGENTLOGOFF":
                assert data[0].startswith("PJSIP/") and int(data[1]) > 3600
            continue
        call = by_id[callid]
        seen[callid].append(event)
        assert queue == call.queue
        if event == "ENTERQUEUE":
            assert data == ["", call.caller, str(call.position)] and agent == "NONE"
        elif event == "RINGNOANSWER":
            assert data == ["15000"] and agent in OPERATORS
        elif event == "CONNECT":
            assert agent == call.agent and int(data[0]) == call.wait_seconds
            assert CALL_ID.match(data[1]) and 2 <= int(data[2]) <= int(data[0])
        elif event in ("COMPLETECALLER", "COMPLETEAGENT"):
            assert [int(x) for x in data] == [call.wait_seconds, call.talk_seconds, call.position]
        elif event in ("TRANSFER", "BLINDTRANSFER"):
            assert data[1] == "from-internal" and int(data[3]) == call.talk_seconds
        else:  # ABANDON, EXITWITHTIMEOUT, EXITEMPTY
            position, orig, wait = (int(x) for x in data)
            assert agent == "NONE" and orig == call.position and 1 <= position <= orig
            assert wait == call.wait_seconds
    assert reasons == {"lunch", "break", "training"}
    assert set(seen) == set(by_id)
    for events in seen.values():
        assert events[0] == "ENTERQUEUE"
        assert sum(e not in ("ENTERQUEUE", "RINGNOANSWER", "CONNECT") for e in events) == 1
    timeouts = [c for c in inbound if c.exit_event == "EXITWITHTIMEOUT"]
    assert all(c.wait_seconds >= 240 for c in timeouts)


def test_queue_log_holds_only_queue_calls(calls: list[SimCall]) -> None:
    buf = io.StringIO()
    assert write_queue_log(calls, buf) == sum(c.direction == "in" for c in calls)
    outbound = {c.call_id for c in calls if c.direction == "out"}
    assert not any(line.split("|")[1] in outbound for line in buf.getvalue().splitlines())


# -- csv and jsonl ------------------------------------------------------------------------------


def test_csv_header_and_values(csv_rows: list[dict[str, str]], calls: list[SimCall]) -> None:
    text = render(calls[:5], "csv")
    assert text.splitlines()[0] == ",".join(CSV_FIELDS)
    assert {r["call_id"] for r in csv_rows} == {c.call_id for c in calls}
    for row in csv_rows:
        assert None not in row.values()  # no row longer or shorter than the header
        if not row["started_at"]:
            continue
        start = datetime.fromisoformat(row["started_at"])
        assert start.utcoffset() == TZ.utcoffset(start.replace(tzinfo=None))
        for name in ("answered_at", "ended_at"):
            if row[name]:
                assert datetime.fromisoformat(row[name]) >= start
        assert row["direction"] in ("in", "out")
        assert row["disposition"] in ("answered", "abandoned", "missed")
        for name in ("wait_seconds", "talk_seconds"):
            assert row[name] == "" or int(row[name]) >= 0
    ratings = [r for r in csv_rows if r["csat"]]
    assert ratings
    assert all(1 <= int(r["csat"]) <= 5 for r in ratings)
    assert all(0 <= int(r["nps"]) <= 10 for r in csv_rows if r["nps"])
    assert {r["resolved"] for r in csv_rows} == {"", "true", "false"}


def test_csv_update_rows_only_add_fields(csv_rows: list[dict[str, str]]) -> None:
    call_fields = CSV_FIELDS[1:11]
    added = ("category", "outcome", "resolved", "csat", "nps", "note")
    rows_of: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in csv_rows:
        rows_of[row["call_id"]].append(row)
    updated = [rows for rows in rows_of.values() if len(rows) > 1]
    assert 0.05 * len(rows_of) < len(updated) < 0.6 * len(rows_of)
    tag_rows = 0
    for first, *later in rows_of.values():
        assert first["started_at"] and first["caller"]
        known = {name for name in added if first[name]}
        for row in later:
            assert not any(row[name] for name in call_fields)
            new = {name for name in added if row[name]}
            assert new and not new & known
            known |= new
            tag_rows += bool(row["category"] or row["outcome"])
    assert tag_rows > 0  # some tags come after the call's own row, not only survey answers


def test_jsonl_has_the_same_rows_as_csv(
    csv_rows: list[dict[str, str]], rendered: dict[str, str]
) -> None:
    objects = [json.loads(line) for line in rendered["jsonl"].splitlines()]
    assert len(objects) == len(csv_rows)
    for obj, row in zip(objects, csv_rows, strict=True):
        if "started_at" in obj:
            assert list(obj) == list(CSV_FIELDS)
        for name in CSV_FIELDS:
            value = obj.get(name)
            if value is None:
                assert row[name] == ""
            elif isinstance(value, bool):
                assert row[name] == str(value).lower()
            else:
                assert row[name] == str(value)


# -- until and history files --------------------------------------------------------------------


def test_until_drops_what_has_not_happened(config: Config, calls: list[SimCall]) -> None:
    until = combine_local(MONDAY + timedelta(days=2), clock_time(11), TZ)
    cut = generate_calls(SEED, MONDAY, DAYS, TZ, config, until=until)
    assert cut and all(c.started_at <= until for c in cut)
    assert len(cut) == sum(c.started_at <= until for c in calls)
    in_progress = tags_later = 0
    full = {c.call_id: c for c in calls}
    for c in cut:
        times = [c.answered_at, c.ended_at, c.tagged_at, c.rated_at]
        times += [e.at for e in c.agent_events]
        assert all(t <= until for t in times if t is not None)
        original = full[c.call_id]
        if c.ended_at is None:
            in_progress += 1
            assert c.category is None and c.csat is None and c.talk_seconds is None
            assert original.ended_at > until
        else:
            past_events = [e for e in original.agent_events if e.at <= until]
            expected = dataclasses.replace(original, agent_events=past_events)
            if original.tagged_at is not None and original.tagged_at > until:
                tags_later += 1
                assert c.category is None and c.outcome is None and c.resolved is None
                expected = dataclasses.replace(
                    expected,
                    category=None,
                    outcome=None,
                    resolved=None,
                    note=None,
                    tagged_at=None,
                    tags_in_end_row=True,
                )
            if original.rated_at is not None and original.rated_at > until:
                expected = dataclasses.replace(expected, csat=None, nps=None, rated_at=None)
            assert c == expected
    assert in_progress > 0 and tags_later > 0
    # Every line in the formats is in the past too.
    for fields in (line.split("|") for line in render(cut, "queue_log").splitlines()):
        assert int(fields[0]) <= until
    rows = list(csv.DictReader(io.StringIO(render(cut, "csv"))))
    assert {r["call_id"] for r in rows} == {c.call_id for c in cut}
    open_calls = {c.call_id for c in cut if c.ended_at is None}
    assert all(not r["ended_at"] and not r["category"] for r in rows if r["call_id"] in open_calls)
    assert all(
        datetime.fromisoformat(r["ended_at"]).timestamp() <= until for r in rows if r["ended_at"]
    )


def test_simulate_history_ends_now(config: Config, tmp_path: Path) -> None:
    tz_config = config.model_copy(update={"timezone": "Europe/Rome"})
    now = combine_local(date(2024, 3, 13), clock_time(15, 30), TZ)
    out = tmp_path / "new" / "folder" / "calls.csv"
    n = simulate_history(out, "csv", 3, 5, tz_config, now=now)
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert n == len({r["call_id"] for r in rows}) > 0
    starts = [datetime.fromisoformat(r["started_at"]) for r in rows if r["started_at"]]
    assert min(starts).date() == date(2024, 3, 11)
    assert max(starts).timestamp() <= now
    assert max(starts).date() == date(2024, 3, 13)
    again = tmp_path / "again.csv"
    simulate_history(again, "csv", 3, 5, tz_config, start=date(2024, 3, 11), now=now)
    assert again.read_bytes() == out.read_bytes()


def test_simulate_history_with_start_is_complete(config: Config, tmp_path: Path) -> None:
    tz_config = config.model_copy(update={"timezone": "Europe/Rome"})
    out = tmp_path / "q.log"
    n = simulate_history(out, "queue_log", 2, 5, tz_config, start=MONDAY)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert n == len({ln.split("|")[1] for ln in lines} - {"NONE"})
    assert lines[-1].split("|")[4] == "AGENTLOGOFF"  # the day closed
    with pytest.raises(ValueError):
        simulate_history(out, "xml", 2, 5, tz_config, start=MONDAY)


# -- live ---------------------------------------------------------------------------------------


class FakeClock:
    """A clock that moves only when slept on; checks the file at every sleep."""

    def __init__(self, out: Path, start: float = 1_709_800_000.25) -> None:
        self.start = self.now = start
        self.out = out
        self.sleeps = 0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert 0 < seconds <= 0.5
        self.sleeps += 1
        if self.out.exists():
            text = self.out.read_text(encoding="utf-8")
            assert text == "" or text.endswith("\n"), "a follower saw half a line"
        self.now += seconds


def test_run_live_writes_whole_lines_in_time_and_stops_at_max_calls(
    config: Config, tmp_path: Path
) -> None:
    out = tmp_path / "live" / "queue_log"
    clock = FakeClock(out)
    speed = 4.0
    lines_seen: list[tuple[float, int]] = []
    real_sleep = clock.sleep

    def sleep(seconds: float) -> None:
        if out.exists():
            sim_now = int(1_709_800_000.25) + (clock.now - 1_709_800_000.25) * speed
            for line in out.read_text(encoding="utf-8").splitlines()[len(lines_seen) :]:
                lines_seen.append((sim_now, int(line.split("|")[0])))
        real_sleep(seconds)

    n = run_live(out, "queue_log", 3, config, speed=speed, clock=clock, sleep=sleep, max_calls=40)
    assert n == 40
    assert all(stamp <= sim_now + 1 for sim_now, stamp in lines_seen)  # never early
    lines = out.read_text(encoding="utf-8").splitlines()
    fields = [line.split("|") for line in lines]
    epochs = [int(f[0]) for f in fields]
    assert epochs == sorted(epochs)
    assert all(len(f) >= 5 for f in fields)
    events_of: dict[str, list[str]] = defaultdict(list)
    for f in fields:
        if f[1] != "NONE":
            events_of[f[1]].append(f[4])
    assert len(events_of) == 40
    for events in events_of.values():  # every call is complete
        assert events[0] == "ENTERQUEUE"
        assert events[-1] in {"COMPLETECALLER", "COMPLETEAGENT", "TRANSFER", "BLINDTRANSFER"} | {
            "ABANDON",
            "EXITWITHTIMEOUT",
            "EXITEMPTY",
        }
    sim0 = 1_709_800_000
    starts = [int(f[0]) for f in fields if f[4] == "ENTERQUEUE"]
    assert max(starts) - sim0 < 600  # busy: 40 calls within a few minutes
    # Time runs `speed` times faster: the last line came (last epoch - start) / speed later.
    assert clock.now - clock.start == pytest.approx((epochs[-1] - sim0) / speed, abs=0.01)
    assert clock.sleeps > 10


def test_run_live_csv_header_once_and_stop_event(config: Config, tmp_path: Path) -> None:
    out = tmp_path / "live.csv"
    for start in (1_709_800_000.0, 1_709_807_200.0):
        stop = threading.Event()
        clock = FakeClock(out, start=start)

        def sleep(seconds: float, clock: FakeClock = clock, stop: threading.Event = stop) -> None:
            clock.sleep(seconds)
            if clock.now > clock.start + 300:
                stop.set()

        n = run_live(out, "csv", 1, config, clock=clock, sleep=sleep, stop=stop)
        assert 10 < n < 200
    rows = list(csv.reader(out.open(encoding="utf-8", newline="")))
    assert rows[0] == list(CSV_FIELDS)
    assert sum(r == list(CSV_FIELDS) for r in rows) == 1
    assert all(len(r) == len(CSV_FIELDS) for r in rows)


def test_run_live_keeps_only_the_calls_still_to_write(
    config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed that runs for weeks (``carewatch demo`` on a wall) counts the calls it wrote
    without keeping every one: after eight simulated hours it holds only the calls whose
    lines are still to come (those of the half hour generated ahead)."""
    from carewatch.simulate import live

    counters: list[live.CallsWritten] = []

    class Spy(live.CallsWritten):
        def __init__(self) -> None:
            super().__init__()
            counters.append(self)

    monkeypatch.setattr(live, "CallsWritten", Spy)
    out = tmp_path / "queue_log"
    clock = FakeClock(out)
    stop = threading.Event()
    held: list[int] = []

    def sleep(seconds: float) -> None:
        clock.now += seconds
        (counter,) = counters
        held.append(len(counter.left) + len(counter.started))
        if clock.now > clock.start + 8 * 3600:
            stop.set()

    n = run_live(out, "queue_log", 5, config, clock=clock, sleep=sleep, stop=stop)
    ids = {line.split("|")[1] for line in out.read_text(encoding="utf-8").splitlines()}
    assert n == counters[0].count == len(ids - {"NONE"}) > 3000
    assert max(held) < 600  # about a chunk's calls, not every call written


def test_run_live_jsonl_and_interrupt(config: Config, tmp_path: Path) -> None:
    out = tmp_path / "live.jsonl"
    clock = FakeClock(out)

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        if clock.now > 1_709_800_000.25 + 120:
            raise KeyboardInterrupt

    n = run_live(out, "jsonl", 2, config, speed=10, clock=clock, sleep=sleep)
    objects = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert n == len({o["call_id"] for o in objects}) > 50
    assert {o["direction"] for o in objects if "direction" in o} <= {"in", "out"}
