"""An operator in a queue with no event of their own for longer than ``[ui] away_after_minutes``
is "away": not idle, and not free for the next call. The rule in the core (a fixed clock
passed in), the same reading kept up to date by the live screen and read by the metrics, the
screen (operators, queues, the Now strip, the wallboard) and a real FreePBX queue_log read a
day after its last line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from carewatch.config import parse_config
from carewatch.config.screen import AgentNames
from carewatch.figures import live_state
from carewatch.kpi.now import note_call, now_state
from carewatch.live import LiveDay
from carewatch.records import AgentEvent, CallRow, CallUpdate
from carewatch.store import Store
from carewatch.tui.app import create_app
from carewatch.tui.panels.now import NowStrip
from carewatch.tui.panels.operators import OperatorsTable
from carewatch.tui.panels.queues import QueuesTable
from carewatch.tui.screens.wall import WallScreen, wall_pages
from tests.test_tui import NOW, ready, wait_for
from tests.tui_snapshot_app import snapshot_config

T0 = 1_750_000_000.0
HOUR = 3600.0
#: The default: eight hours.
AFTER = 480 * 60.0
REAL = Path(__file__).parent / "data" / "real" / "freepbx-local-members.queue_log"


def event(at: float, agent: str, name: str, queue: str = "NONE", reason: str = "") -> dict:
    return {"at": T0 + at, "agent": agent, "event": name, "queue": queue, "reason": reason}


def call(pk: int, agent: str, start: float, talk: float | None = 60.0) -> CallRow:
    """A call of ``agent`` answered 5 s after ``start`` (T0-relative); ``talk`` None: being
    talked."""
    answered = T0 + start + 5
    ended = None if talk is None else answered + talk
    return CallRow(
        pk, "pbx", f"c{pk}", T0 + start, answered, ended, 5.0, talk, "sales", agent, None, "in",
        None, False, None, None, None, None, None, None, 0.0,
    )  # fmt: skip


def states(
    calls: list[CallRow], events: list[dict], at: float, after: float = AFTER, **kw: Any
) -> dict[str, tuple[str, float | None]]:
    state = now_state(calls, events, T0 + at, away_after=after, **kw)
    return {name: (a.state, a.since) for name, a in state.agents.items()}


# -- the rule ------------------------------------------------------------------------------------
def test_away_only_after_longer_than_the_threshold() -> None:
    from carewatch.kpi.presence import is_away

    assert not is_away(T0, T0 + AFTER, AFTER)  # exactly that long: not yet
    assert is_away(T0, T0 + AFTER + 1, AFTER)
    assert not is_away(None, T0 + 10 * AFTER, AFTER)  # never seen: nothing to say
    assert not is_away(T0, T0 + 10 * AFTER, 0)  # 0: the rule is off

    events = [event(0, "Agent/1", "AGENTLOGIN")]
    assert states([], events, AFTER) == {"Agent/1": ("idle", T0)}
    assert states([], events, AFTER + 1) == {"Agent/1": ("away", T0)}  # since last seen
    assert states([], events, AFTER + 1, after=0) == {"Agent/1": ("idle", T0)}


def test_an_event_or_a_call_of_their_own_is_being_seen_a_ring_let_go_is_not() -> None:
    login = [event(0, "Agent/1", "AGENTLOGIN")]
    # a ring they let go is the phone ringing, not someone at the desk (a static member gone
    # home is rung all evening): away since the login
    ring = [*login, event(5 * HOUR, "Agent/1", "RINGNOANSWER", "sales")]
    assert states([], ring, AFTER)["Agent/1"][0] == "idle"
    assert states([], ring, AFTER + 1)["Agent/1"] == ("away", T0)
    # a static member known only by rings let go: not seen at the desk since the first
    rung = [event(5 * HOUR, "PJSIP/7", "RINGNOANSWER", "sales"), event(6 * HOUR, "PJSIP/7",
            "RINGUNREACHABLE", "sales")]  # fmt: skip
    assert states([], rung, 5 * HOUR + AFTER)["PJSIP/7"][0] == "idle"
    assert states([], rung, 5 * HOUR + AFTER + 1)["PJSIP/7"] == ("away", T0 + 5 * HOUR)
    # a pause and its end show them at the desk
    back = [*login, event(5 * HOUR, "Agent/1", "PAUSE"), event(6 * HOUR, "Agent/1", "UNPAUSE")]
    assert states([], back, 6 * HOUR + AFTER)["Agent/1"][0] == "idle"
    assert states([], back, 6 * HOUR + AFTER + 1)["Agent/1"] == ("away", T0 + 6 * HOUR)
    # a call ended 5 h ago: longer ago than the calls the state keeps (4 h), still seen
    talked = [call(1, "Agent/1", 5 * HOUR)]
    assert states(talked, login, AFTER + HOUR)["Agent/1"][0] == "idle"
    assert states(talked, login, 5 * HOUR + 65 + AFTER + 1)["Agent/1"] == (
        "away",
        T0 + 5 * HOUR + 65,
    )


def test_talking_and_paused_are_never_away_and_logged_off_stays_off() -> None:
    events = [
        event(0, "Agent/1", "AGENTLOGIN"),
        event(0, "Agent/2", "AGENTLOGIN"),
        event(60, "Agent/2", "PAUSE", reason="training"),
        event(0, "Agent/3", "AGENTLOGIN"),
        event(60, "Agent/3", "AGENTLOGOFF"),
        event(0, "Agent/4", "AGENTLOGIN"),
    ]
    on_call = [call(1, "Agent/1", 9 * HOUR, talk=None)]  # a call being talked 3 h and more
    seen = states(on_call, events, 12 * HOUR)
    assert seen == {
        "Agent/1": ("talking", T0 + 9 * HOUR + 5),
        "Agent/2": ("paused", T0 + 60),  # a pause of 12 hours is a pause
        "Agent/3": ("logged_off", T0 + 60),
        "Agent/4": ("away", T0),
    }


def test_an_operator_with_several_ids_is_away_only_when_all_of_them_are() -> None:
    names = AgentNames({"alice": ["PJSIP/2001", "Agent/1001"]})
    events = [
        event(0, "Agent/1001", "AGENTLOGIN"),
        event(4 * HOUR, "PJSIP/2001", "ADDMEMBER", "sales"),
    ]
    assert states([], events, 9 * HOUR, names=names) == {"alice": ("idle", T0 + 4 * HOUR)}
    assert states([], events, 12 * HOUR + 1, names=names) == {"alice": ("away", T0 + 4 * HOUR)}
    # each id on its own: the login's id is away, the id that joined a queue later is not
    assert states([], events, 9 * HOUR) == {
        "Agent/1001": ("away", T0),
        "PJSIP/2001": ("idle", T0 + 4 * HOUR),
    }


def test_the_live_screen_and_the_metrics_read_the_same(tmp_path: Path) -> None:
    """The live screen keeps the reading up to date; the metrics read it from the database:
    an operator is away in both or in neither, whatever the clock."""
    config = parse_config({"timezone": "UTC"})
    day = 1_750_032_000.0  # a midnight, UTC
    with Store(str(tmp_path / "cw.db")) as store:
        store.ingest(
            "pbx",
            [
                (1, AgentEvent(day + 8 * HOUR, "Agent/1", "AGENTLOGIN")),
                (2, AgentEvent(day + 8 * HOUR, "Agent/2", "AGENTLOGIN")),
                (3, AgentEvent(day + 8 * HOUR, "Agent/3", "ADDMEMBER", "sales")),
                (4, CallUpdate("a", {"started_at": day + 9 * HOUR, "agent": "Agent/2",
                                     "answered_at": day + 9 * HOUR + 5, "talk_seconds": 60.0})),
                (5, AgentEvent(day + 11 * HOUR, "Agent/3", "RINGNOANSWER", "sales")),
            ],
        )  # fmt: skip
        live = LiveDay(config, frozenset())
        seen = []
        for hours in (15, 16.5, 17.5, 19.5):
            now = day + hours * HOUR
            live.sync(store, now)
            kept = {n: (a.state, a.since) for n, a in live.now_state(now).agents.items()}
            read = {n: (a.state, a.since) for n, a in live_state(store, config, now).agents.items()}
            assert kept == read
            seen.append({n: s for n, (s, _since) in kept.items()})
    assert [s["Agent/1"] for s in seen] == ["idle", "away", "away", "away"]
    assert [s["Agent/2"] for s in seen] == ["idle", "idle", "away", "away"]
    # a member since 08:00 whose only later event is a ring let go at 11:00
    assert [s["Agent/3"] for s in seen] == ["idle", "away", "away", "away"]


def test_the_metrics_count_the_away_apart(tmp_path: Path) -> None:
    from carewatch.metrics import CarewatchCollector, metrics_text
    from tests.test_metrics import samples, value

    day = 1_750_032_000.0  # a midnight, UTC
    db = str(tmp_path / "cw.db")
    with Store(db) as store:
        store.ingest(
            "pbx",
            [
                (1, AgentEvent(day + 8 * HOUR, "a1", "AGENTLOGIN")),
                (2, AgentEvent(day + 15 * HOUR, "a2", "AGENTLOGIN")),
            ],
        )
    config = parse_config({"timezone": "UTC"})
    collector = CarewatchCollector(
        lambda: Store(db, create=False), config, clock=lambda: day + 16 * HOUR + 1
    )
    found = samples(metrics_text(collector))
    assert {s: value(found, "operators", state=s) for s in ("idle", "away")} == {
        "idle": 1,
        "away": 1,
    }


# -- the screen ----------------------------------------------------------------------------------
def _seed_two_operators(db: Path) -> None:
    """op-here joined support an hour ago; op-gone joined it yesterday evening and was not seen
    since (16 h 02 min before the screen's clock)."""
    with Store(str(db)) as store:
        store.ingest(
            "pbx",
            [
                (1, AgentEvent(NOW - 16 * HOUR - 120, "op-gone", "ADDMEMBER", "support")),
                (2, AgentEvent(NOW - HOUR, "op-here", "ADDMEMBER", "support")),
                (3, CallUpdate("w1", {"started_at": NOW - 30, "queue": "support",
                                      "direction": "in"})),
            ],
        )  # fmt: skip


async def test_the_screen_shows_away_and_counts_them_in_no_queue(tmp_path: Path) -> None:
    db = tmp_path / "cw.db"
    _seed_two_operators(db)
    app = create_app(snapshot_config(), str(db), operator="op-here", clock=lambda: NOW, live=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        operators = app.screen.query_one(OperatorsTable)
        await wait_for(pilot, lambda: operators.row_count == 2, "both operators")
        rows = [row.key.value for row in operators.ordered_rows]
        assert rows == ["op-here", "op-gone"]  # the away after the idle
        assert operators.cell("op-here", "state").plain == "idle 1:00:00"
        assert operators.cell("op-gone", "state").plain == "away 16 h 02 min"
        queues = app.screen.query_one(QueuesTable)
        cells = {c: queues.cell("support", c).plain for c in ("free", "logged_in", "waiting")}
        assert cells == {"free": "1", "logged_in": "1", "waiting": "1"}
        strip = now_strip(app)
        assert "1 idle · 1 away · 0 off" in strip
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, WallScreen), "the wallboard")
        wall = app.screen
        await wait_for(pilot, lambda: wall.pages, "its pages")
        for page in wall.pages:  # the centre's and the support queue's
            free = {f.label: f.value for f in page.figures}["Free"]
            assert free == "1", page.title


async def test_a_real_freepbx_log_read_a_day_after_its_last_line_is_all_away(
    tmp_path: Path,
) -> None:
    """Static members of a FreePBX queue never log in or out: they show up through rings
    and calls. A day after the log's last line, none of them is at the desk."""
    from carewatch.cli import main

    db = tmp_path / "cw.db"
    assert main(["ingest", str(REAL), "--db", str(db)]) == 0
    last = max(int(line.split("|")[0]) for line in REAL.read_text().splitlines())
    config = parse_config({"timezone": "UTC"})
    members = {line.split("|")[3] for line in REAL.read_text().splitlines()} - {"NONE"}
    app = create_app(config, str(db), clock=lambda: last + 86400.0, live=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        operators = app.screen.query_one(OperatorsTable)
        await wait_for(pilot, lambda: operators.row_count == len(members), "every member")
        for member in members:
            assert operators.cell(member, "state").plain.startswith("away 1 d"), member
        assert centre_free(app) == "0"
        strip = now_strip(app)
        assert f"0 idle · {len(members)} away" in strip


def now_strip(app: Any) -> str:
    """The Now strip's text as the widget renders it."""
    return str(app.screen.query_one(NowStrip).render())


def centre_free(app: Any) -> str:
    """The wallboard's Free for the whole centre (key b) at the screen's clock."""
    (centre, *_queues) = wall_pages(app.snapshot, app.config, app.clock())
    return {f.label: f.value for f in centre.figures}["Free"]


@pytest.mark.parametrize("minutes", [0, 60 * 24 * 3])
async def test_a_real_freepbx_log_with_the_rule_off_or_later_is_idle(
    tmp_path: Path, minutes: int
) -> None:
    from carewatch.cli import main

    db = tmp_path / "cw.db"
    assert main(["ingest", str(REAL), "--db", str(db)]) == 0
    last = max(int(line.split("|")[0]) for line in REAL.read_text().splitlines())
    config = parse_config({"timezone": "UTC", "ui": {"away_after_minutes": minutes}})
    app = create_app(config, str(db), clock=lambda: last + 86400.0, live=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        operators = app.screen.query_one(OperatorsTable)
        await wait_for(pilot, lambda: operators.row_count > 0, "the members")
        keys = [row.key.value for row in operators.ordered_rows]
        assert all(operators.cell(k, "state").plain.startswith("idle") for k in keys)
        assert centre_free(app) == str(len(keys))


def test_each_agents_last_call_end_from_the_calls_read(database: str) -> None:
    """When each operator was last seen on a call, from the calls the state reads (the
    metrics read them with the day's, on SQLite and PostgreSQL alike): the latest end, else
    answer + talk, else the answer of a call being talked; calls not answered, and those
    that started after now, are not a sign."""
    rows = [
        ("a", "Agent/1", 0, {"answered_at": 5, "ended_at": 65}),
        ("b", "Agent/1", 100, {"answered_at": 105, "talk_seconds": 30.0}),
        ("c", "Agent/2", 200, {"answered_at": 210}),  # being talked
        ("d", "Agent/3", 300, {"ended_at": 330}),  # never answered
        ("e", "Agent/2", 5000, {"answered_at": 5005, "ended_at": 5100}),  # after the span
    ]
    with Store(database) as store:
        store.ingest(
            "pbx",
            [
                (n, CallUpdate(cid, {"started_at": T0 + start, "agent": agent, "queue": "sales",
                                     **{k: v if k == "talk_seconds" else T0 + v
                                        for k, v in more.items()}}))
                for n, (cid, agent, start, more) in enumerate(rows, 1)
            ],
        )  # fmt: skip
        ends: dict[str, float] = {}
        for row in store.calls_between(T0, T0 + 6000):
            if row.started_at <= T0 + 1000:  # now
                note_call(ends, row, AgentNames({}))
    assert ends == {"Agent/1": T0 + 135, "Agent/2": T0 + 210}


def test_a_call_before_the_days_calls_still_shows_when_they_were_last_seen(database: str) -> None:
    """After midnight the state reads calls from four hours before the day's start; an
    operator whose last call ended at 19:00 the day before was seen then, not at their
    08:00 login: at 02:00 they are idle (7 h), at 03:30 and 05:00 away since 19:00; the
    screen and the metrics agree (SQLite and PostgreSQL)."""
    config = parse_config({"timezone": "UTC"})
    day = 1_750_032_000.0  # a midnight, UTC
    answered = day + 18 * HOUR + 55 * 60
    with Store(database) as store:
        store.ingest(
            "pbx",
            [
                (1, AgentEvent(day + 8 * HOUR, "Agent/1", "AGENTLOGIN")),
                (2, CallUpdate("a", {"started_at": answered - 10, "agent": "Agent/1",
                                     "queue": "sales", "answered_at": answered,
                                     "ended_at": day + 19 * HOUR})),
            ],
        )  # fmt: skip
        live = LiveDay(config, frozenset())
        found = []
        for hours in (26.0, 27.5, 29.0):  # 02:00, 03:30 and 05:00 the day after
            now = day + hours * HOUR
            live.sync(store, now)
            kept = live.now_state(now).agents["Agent/1"]
            read = live_state(store, config, now).agents["Agent/1"]
            # from 04:00 (eight hours after 20:00) the metrics read no earlier call: none
            # could keep anyone from being away, and they show no "since"
            assert kept.state == read.state
            assert hours > 28 or kept.since == read.since
            found.append((kept.state, kept.since))
    assert found[0][0] == "idle"
    assert found[1] == found[2] == ("away", day + 19 * HOUR)
