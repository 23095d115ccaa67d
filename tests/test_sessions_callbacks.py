"""Operators' sessions and pauses over a window, and the callers to call back, each against
hand-worked cases (Europe/Rome; the clock is fixed)."""

from __future__ import annotations

from datetime import date, datetime
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carewatch.callstate import disposition
from carewatch.kpi.callbacks import callbacks, not_reached, number_key, same_number
from carewatch.kpi.sessions import agent_time
from carewatch.kpi.windows import Period
from carewatch.records import CallRow

ROME = ZoneInfo("Europe/Rome")
DAY = date(2025, 6, 10)
WINDOW = Period.day(DAY).window(ROME)


def at(hh: int, mm: int = 0, day: date = DAY) -> float:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=ROME).timestamp()


def ev(when: float, agent: str, event: str, queue: str | None = None, reason: str | None = None):
    return {"at": when, "agent": agent, "event": event, "queue": queue, "reason": reason}


YESTERDAY = date(2025, 6, 9)
EVENTS = [
    # op-a: 08:00-17:00 logged in (9 h), lunch 12:00-12:45, a break 15:00-15:10
    ev(at(8), "op-a", "AGENTLOGIN", "NONE"),
    ev(at(12), "op-a", "PAUSE", "NONE", "lunch"),
    ev(at(12, 45), "op-a", "UNPAUSE", "NONE"),
    ev(at(15), "op-a", "PAUSE", "NONE", "break"),
    ev(at(15, 10), "op-a", "UNPAUSE", "NONE"),
    ev(at(16), "op-a", "RINGNOANSWER", "support"),
    ev(at(17), "op-a", "AGENTLOGOFF", "NONE"),
    # op-b: joined q1 last night; in q2 from 09:00; left q1 at 10:00 and q2 at 11:00
    ev(at(22, day=YESTERDAY), "op-b", "ADDMEMBER", "q1"),
    ev(at(9), "op-b", "ADDMEMBER", "q2"),
    ev(at(10), "op-b", "REMOVEMEMBER", "q1"),
    ev(at(11), "op-b", "REMOVEMEMBER", "q2"),
    # op-c: pauses only, no login seen
    ev(at(9), "op-c", "PAUSE", "NONE"),
    ev(at(9, 30), "op-c", "UNPAUSE", "NONE"),
    # op-d: logged in at 14:00, paused for training at 17:30, both still running at 18:00
    ev(at(14), "op-d", "AGENTLOGIN", "NONE"),
    ev(at(17, 30), "op-d", "PAUSE", "NONE", "training"),
    # op-e: a whole session the day before: nothing in the window
    ev(at(8, day=YESTERDAY), "op-e", "AGENTLOGIN", "NONE"),
    ev(at(17, day=YESTERDAY), "op-e", "AGENTLOGOFF", "NONE"),
]
NOW = at(18)


def test_logged_in_and_paused_time_per_operator() -> None:
    times = agent_time(EVENTS, WINDOW.start, WINDOW.end, now=NOW)
    assert list(times) == ["op-a", "op-b", "op-c", "op-d"]
    assert times["op-a"] == {
        "logged_in_seconds": 9 * 3600.0,  # 08:00-17:00
        "paused_seconds": 2700.0 + 600.0,  # 45 min lunch + 10 min break
        "paused_by_reason": {"break": 600.0, "lunch": 2700.0},
    }
    # from midnight (the session began the night before) to 11:00, when the last queue was left
    assert times["op-b"]["logged_in_seconds"] == 11 * 3600.0
    # no login seen: not known ("–"), but the pause counts, under no reason
    assert times["op-c"] == {
        "logged_in_seconds": None,
        "paused_seconds": 1800.0,
        "paused_by_reason": {"": 1800.0},
    }
    # still logged in and paused at 18:00: counted up to now, not to the end of the day
    assert times["op-d"]["logged_in_seconds"] == 4 * 3600.0
    assert times["op-d"]["paused_by_reason"] == {"training": 1800.0}


def test_a_session_on_the_day_the_clocks_go_forward() -> None:
    switch = Period.day(date(2024, 3, 31)).window(ROME)
    day = date(2024, 3, 31)
    events = [
        ev(at(0, 30, day=day), "op-a", "AGENTLOGIN"),
        ev(at(5, day=day), "op-a", "AGENTLOGOFF"),
    ]
    # 00:30 to 05:00 on the wall clock is 3.5 hours: 02:00-03:00 never happened
    assert agent_time(events, switch.start, switch.end)["op-a"]["logged_in_seconds"] == 3.5 * 3600


# -- callbacks -------------------------------------------------------------------------------------

_ids = count(1)


def call(when: float, caller: str | None, state: str | None, **fields: object) -> CallRow:
    row = {name: None for name in CallRow._fields}
    n = next(_ids)
    row.update(
        id=n,
        source="t",
        call_id=f"c{n}",
        started_at=when,
        caller=caller,
        direction="in",
        disposition=state,
        transferred=False,
        updated_at=when,
        queue="support",
    )
    if state == "answered":
        row.update(answered_at=when + 5, talk_seconds=60.0, wait_seconds=5.0)
    row.update(fields)
    return CallRow(**row)


A, B, C, D = "+39 333 1111111", "+39 333 4444444", "+39 333 2222222", "+39 333 3333333"
F, G, H, J = "+39 333 5555555", "+39 333 6666666", "+39 333 7777777", "+39 333 8888888"
CALLS = [
    call(at(8), F, "answered"),  # F was reached at 08:00, then lost twice
    call(at(9), A, "abandoned", wait_seconds=40.0),
    call(at(9, 30), A, "abandoned", wait_seconds=70.0),  # A: two lost calls, never reached
    call(at(10), B, "abandoned", wait_seconds=20.0),
    call(at(10, 20), B, "answered"),  # B called again and got through
    call(at(11), D, "answered", direction="out"),  # D was called before losing a call
    call(at(11), C, "missed", wait_seconds=300.0),
    call(at(11, 30), "0039 333 2222222", None, direction="out"),  # C called back (other form)
    call(at(12), D, "abandoned", wait_seconds=15.0),
    call(at(12, 30), "anonymous", "abandoned", wait_seconds=90.0),  # cannot be called back
    call(at(13), F, "abandoned", wait_seconds=30.0),
    call(at(14), F, "abandoned", wait_seconds=45.0),
    call(at(15), G, "abandoned", wait_seconds=50.0),
    call(at(9, day=date(2025, 6, 11)), G, "answered"),  # G got through the next morning
    call(at(16, day=YESTERDAY), H, "abandoned", wait_seconds=10.0),  # another day's call
    call(at(16), J, "abandoned", wait_seconds=25.0),
    call(at(16, 5), J, "abandoned", wait_seconds=35.0),
]


def test_callers_to_call_back() -> None:
    listed = callbacks(CALLS, WINDOW.start, WINDOW.end)
    assert [(c.caller, c.attempts, c.last_wait_seconds, c.result) for c in listed] == [
        (A, 2, 70.0, "abandoned"),  # last lost at 09:30
        (D, 1, 15.0, "abandoned"),  # 12:00: the outbound call at 11:00 came before it
        (F, 2, 45.0, "abandoned"),  # 14:00: both lost calls came after the 08:00 answer
        (J, 2, 35.0, "abandoned"),  # 16:05
    ]
    assert listed[0].last_at == at(9, 30)
    assert listed[0].call_id == CALLS[2].call_id


def test_without_the_later_calls_the_next_morning_is_not_known_yet() -> None:
    today_only = [c for c in CALLS if c.started_at < WINDOW.end]
    assert G in [c.caller for c in callbacks(today_only, WINDOW.start, WINDOW.end)]


@pytest.mark.parametrize(
    ("caller", "key"),
    [("+39 02 1234 567", "39021234567"), ("anonymous", None), ("", None), ("desk", "desk")],
)
def test_number_keys(caller: str, key: str | None) -> None:
    assert number_key(caller) == key


def test_the_later_calls_take_off_the_callers_they_reach() -> None:
    """The list judged on the day's calls alone, less the callers the later calls reached, is the
    list judged on all of them (how a report keeps the day's list and reads only the calls
    since)."""
    today_only = [c for c in CALLS if c.started_at < WINDOW.end]
    later = [c for c in CALLS if c.started_at >= WINDOW.end]
    kept = callbacks(today_only, WINDOW.start, WINDOW.end)
    assert G in [c.caller for c in kept]
    assert not_reached(kept, later) == callbacks(CALLS, WINDOW.start, WINDOW.end)
    assert G not in [c.caller for c in not_reached(kept, later)]


_NUMBERS = [A, B, C, "0039 333 2222222", "333 1111111", "anonymous", None, "desk"]
_STATES = ["answered", "abandoned", "missed", None]


@st.composite
def _calls(draw: st.DrawFn, first: float, hours: int) -> list[CallRow]:
    out = []
    for _ in range(draw(st.integers(0, 25))):
        when = first + draw(st.integers(0, hours * 3600 - 1))
        direction = draw(st.sampled_from(["in", "in", "out"]))
        out.append(
            call(
                when,
                draw(st.sampled_from(_NUMBERS)),
                draw(st.sampled_from(_STATES)),
                direction=direction,
            )
        )
    return out


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(_calls(WINDOW.start, 24), _calls(WINDOW.end, 48))
def test_not_reached_equals_judging_on_every_call(day: list[CallRow], later: list[CallRow]) -> None:
    kept = callbacks(day, WINDOW.start, WINDOW.end)
    assert not_reached(kept, later) == callbacks([*day, *later], WINDOW.start, WINDOW.end)


def _by_definition(calls: list[CallRow], start: float, end: float) -> list[tuple[object, ...]]:
    """The callers to call back read straight off the definition (docs/reports.md), one
    caller at a time over every call: slow, plain, and not sharing :func:`callbacks`' way."""

    def key(c: CallRow) -> str | None:
        return number_key(c.caller)

    def lost(c: CallRow) -> bool:
        return c.direction != "out" and disposition(c) in ("abandoned", "missed")

    def reaches(c: CallRow) -> bool:
        return c.direction == "out" or disposition(c) == "answered"

    order: list[str] = []
    for c in calls:
        k = key(c)
        if k is not None and lost(c) and start <= c.started_at < end and k not in order:
            order.append(k)
    out = []
    for k in order:
        mine = sorted(
            (c for c in calls if key(c) == k and lost(c) and start <= c.started_at < end),
            key=lambda c: (c.started_at, c.id),
        )
        last = mine[-1]
        contacts = [c.started_at for c in calls if reaches(c) and _same(k, key(c))]
        if any(when > last.started_at for when in contacts):
            continue
        since = max(contacts, default=float("-inf"))
        out.append(
            (
                last.started_at,
                last.call_id,
                last.caller.strip(),
                last.id,
                sum(c.started_at > since for c in mine),
            )
        )
    return sorted(out, key=lambda row: (row[0], row[1]))


def _same(a: str, b: str | None) -> bool:
    return b is not None and same_number(a, b)


#: Forms of a few numbers as phone systems write them: with and without a country prefix,
#: spaces in the last digits, blanks around, too short to match by their end, not a number,
#: digits of another script (not digits of a number: ``[0-9]`` only).
_FORMS = [
    "+39 333 1111111",
    "0039 333 1111111",
    "333 1111111",
    "1111111",
    " 111 1111 ",
    "111111",
    "11111",
    "+44 20 7946 0111",
    "+44 20 794 60111",
    "desk",
    "DESK",
    "anonymous",
    "000",
    None,
    "\u0663\u0663\u0663\u0661\u0661\u0661\u0661\u0661\u0661\u0661",
    "x1111111",
    "39333",
    "+39 333 \u0661\u0661\u0661\u0661\u0661\u0661",
]


@st.composite
def _day_of_forms(draw: st.DrawFn) -> list[CallRow]:
    out = []
    for _ in range(draw(st.integers(0, 40))):
        when = WINDOW.start + draw(st.integers(-6 * 3600, 30 * 3600))
        out.append(
            call(
                when,
                draw(st.sampled_from(_FORMS)),
                draw(st.sampled_from(_STATES)),
                direction=draw(st.sampled_from(["in", "in", "out"])),
            )
        )
    return out


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(_day_of_forms())
def test_callers_to_call_back_follow_the_definition(calls: list[CallRow]) -> None:
    """Whatever the forms of the numbers, :func:`callbacks` lists what the definition says:
    the same callers, last lost calls and attempts, in the same order."""
    listed = [
        (c.last_at, c.call_id, c.caller, c.id, c.attempts)
        for c in callbacks(calls, WINDOW.start, WINDOW.end)
    ]
    assert listed == _by_definition(calls, WINDOW.start, WINDOW.end)
