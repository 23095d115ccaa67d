"""What the supervisor's wall rests on, without the screen: the config's [operators], [queues]
and [ui]; per-queue figures; the state of the centre now; columns that fit; the demo's clock,
history and live tags; the state file; undoing an issue change."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from carewatch.config import ConfigError, default_config, parse_config
from carewatch.config.screen import AgentNames, operator_agents, queue_goals
from carewatch.demo import DemoTagger, demo_config, demo_start
from carewatch.kpi.now import now_state
from carewatch.records import CallUpdate
from carewatch.simulate import generate_calls, run_live
from carewatch.store import Store
from carewatch.tui.centre import answered_in, queue_lines
from carewatch.tui.panels.calls import COLUMNS as CALL_COLUMNS
from carewatch.tui.panels.rows import Column, fit_columns
from carewatch.tui.state import remember_theme, theme_to_use
from tests.test_kpi import CFG, answered, at, call, kpis

ROME = ZoneInfo("Europe/Rome")


# -- config ------------------------------------------------------------------------------------
def test_operators_map_logins_to_agent_ids_case_insensitively() -> None:
    config = parse_config(
        {"operators": {"alice": ["PJSIP/2001", "Agent/1001"], "Bob": "pjsip/2002"}}
    )
    assert config.operators == {"alice": ["PJSIP/2001", "Agent/1001"], "Bob": ["pjsip/2002"]}
    assert operator_agents(config.operators, "ALICE") == {"alice", "pjsip/2001", "agent/1001"}
    assert operator_agents(config.operators, "bob") == {"bob", "pjsip/2002"}
    # a name the config does not map is still itself (an agent may be logged by name)
    assert operator_agents(config.operators, "Hugo") == {"hugo"}


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"operators": {"alice": []}}, "operators: alice: expected a list of agent ids"),
        ({"operators": {"alice": ["PJSIP/1"], "bob": ["pjsip/1"]}}, "is already alice's"),
        ({"operators": {"alice": [""]}}, "non-empty string"),
        ({"categories": [{"name": "x", "key": "b"}]}, "'b' is reserved for wallboard"),
        ({"categories": [{"name": "x", "key": "r"}]}, "reserved for resolved"),
        (
            {"categories": [{"name": "x", "key": "1"}], "outcomes": [{"name": "y", "key": "1"}]},
            "already used by 'x'",
        ),
        ({"categories": [{"name": "x", "key": "\t"}]}, "can never tag"),
        ({"queues": {"sales": {"service_level_goal": 1.5}}}, "queues.sales.service_level_goal"),
        ({"ui": {"wall_rotate_seconds": 0}}, "ui.wall_rotate_seconds"),
    ],
)
def test_config_mistakes_are_one_line(data: dict, says: str) -> None:
    with pytest.raises(ConfigError, match=r"carewatch\.toml") as caught:
        parse_config(data, "carewatch.toml")
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_queue_target_falls_back_to_the_centre_target() -> None:
    config = parse_config({"queues": {"sales": {"service_level_goal": 0.9}}})
    sales = queue_goals(config.targets, config.queues, "sales")
    support = queue_goals(config.targets, config.queues, "support")
    assert sales.service_level_goal == 0.9
    assert sales.abandon_rate_max == config.targets.abandon_rate_max
    assert support.service_level_goal == config.targets.service_level_goal
    assert default_config().ui.theme == "ansi-dark"


# -- figures per queue and the centre now ------------------------------------------------------
def by_queue(calls: list, service_level_seconds: float) -> dict:
    """``by_queue`` of the KPI engine's snapshot of ``calls`` (CFG: service level in 20 s)."""
    assert CFG.targets.service_level_seconds == service_level_seconds
    return kpis(calls)["by_queue"]


def test_by_queue_on_hand_computed_calls() -> None:
    calls = [
        answered(at(9), wait=10, talk=100, queue="sales"),
        answered(at(9, 5), wait=40, talk=200, queue="sales"),
        call(at(9, 10), disposition="abandoned", wait_seconds=30, queue="sales"),
        answered(at(9, 20), wait=5, talk=None, queue="support"),  # being talked
        call(at(9, 30), disposition="missed", queue="support"),
        answered(at(9, 40), queue="sales", direction="out"),  # outbound: not offered
        answered(at(9, 50)),  # no queue
    ]
    figures = by_queue(calls, 20)
    assert list(figures) == ["sales", "support"]
    sales = figures["sales"]
    assert (sales["offered"], sales["answered"], sales["abandoned"], sales["missed"]) == (
        3,
        2,
        1,
        0,
    )
    assert sales["abandon_rate"] == pytest.approx(1 / 3)
    assert sales["service_level"] == pytest.approx(1 / 3)  # 1 in 20 s of 3 with an outcome
    assert sales["avg_wait_seconds"] == 25
    assert sales["avg_talk_seconds"] == 150
    support = figures["support"]
    assert (support["offered"], support["answered"], support["missed"]) == (2, 1, 1)
    assert support["avg_talk_seconds"] is None  # the answered call has not ended
    assert support["service_level"] == 0.5


def events(*rows: tuple[float, str, str, str | None, str | None]) -> list[dict]:
    return [
        {"at": t, "agent": agent, "event": event, "queue": queue, "reason": reason}
        for t, agent, event, queue, reason in rows
    ]


def test_an_operator_talks_one_call_at_a_time_and_counts_agree() -> None:
    now = at(11)
    lost_end = answered(at(10, 30), talk=None, agent="Ann", queue="sales")  # its end was lost
    talking = answered(at(10, 55), talk=None, agent="Ann", queue="support")
    other = answered(at(10, 58), talk=None, agent="Ben", queue="sales")
    state = now_state([lost_end, talking, other], [], now)
    assert [c.id for c in state.talking_calls] == [talking.id, other.id]
    talking_agents = [a for a in state.agents.values() if a.state == "talking"]
    assert state.talking == len(talking_agents) == 2
    assert state.agents["Ann"].call_id == talking.call_id
    assert state.agents["Ann"].queue == "support"


def test_logged_in_time_membership_and_queue_lines() -> None:
    now = at(11)
    ev = events(
        (at(8), "Ann", "AGENTLOGIN", None, None),
        (at(8), "Ann", "ADDMEMBER", "sales", None),
        (at(8), "Ann", "ADDMEMBER", "support", None),
        (at(9), "Ben", "ADDMEMBER", "sales", None),
        (at(10, 50), "Ben", "PAUSE", "sales", "lunch"),
        (at(9), "Cid", "ADDMEMBER", "support", None),
        (at(10), "Cid", "REMOVEMEMBER", "support", None),
    )
    waiting = call(at(10, 59), queue="sales")
    talking = answered(at(10, 50), talk=None, agent="Ann", queue="support")
    done = answered(at(9), agent="Dot", queue="support")  # no events: member by her calls
    state = now_state([waiting, talking, done], ev, now)
    assert state.agents["Ann"].logged_in_at == at(8)
    assert state.agents["Ann"].queues == {"sales", "support"}
    assert state.agents["Ben"].state == "paused" and state.agents["Ben"].logged_in_at == at(9)
    assert state.agents["Cid"].state == "logged_off"
    kpis = {"by_queue": by_queue([waiting, talking, done], 20)}
    served = answered_in([waiting, talking, done], AgentNames({}))
    lines = {q.name: q for q in queue_lines(kpis, state, served, CFG)}
    sales, support = lines["sales"], lines["support"]
    assert (sales.waiting, sales.longest_since) == (1, at(10, 59))
    assert (sales.talking, sales.free, sales.paused, sales.logged_in) == (1, 0, 1, 2)
    assert (support.talking, support.free, support.paused, support.logged_in) == (1, 1, 0, 2)
    for line in lines.values():
        assert line.logged_in == line.talking + line.free + line.paused


# -- columns that fit --------------------------------------------------------------------------
@pytest.mark.parametrize("width", [30, 60, 74, 96, 114, 150, 300])
def test_columns_fit_by_priority_and_never_shrink_below_their_narrowest(width: int) -> None:
    shown = fit_columns(CALL_COLUMNS, width)
    keys = [c.key for c, _w in shown]
    assert {"time", "status", "category"} <= set(keys)  # priority 0 always stays
    for column, w in shown:
        assert w >= column.min_width >= len(column.label)
    if sum(c.min_width + 2 for c in CALL_COLUMNS if c.priority == 0) <= width:
        assert sum(w + 2 for _c, w in shown) <= width
    dropped = [c.priority for c in CALL_COLUMNS if c.key not in keys]
    if dropped:  # what went is never more important than what stayed
        assert min(dropped) >= max(c.priority for c, _w in shown)
    assert keys == [c.key for c in CALL_COLUMNS if c.key in keys]  # order kept


def test_a_column_narrows_before_it_goes() -> None:
    columns = (Column("a", "A", 10), Column("b", "Bee", 20, 1, 8))
    assert fit_columns(columns, 40) == [(columns[0], 10), (columns[1], 20)]
    assert fit_columns(columns, 26) == [(columns[0], 10), (columns[1], 12)]
    assert fit_columns(columns, 15) == [(columns[0], 10)]


def test_columns_narrow_together_before_the_least_important_goes() -> None:
    """The least important column narrows first, then the next: a caller that fits at its
    narrowest once the operator narrows is shown, not dropped; when narrowing every column is
    not enough, the least important goes."""
    columns = (
        Column("a", "A", 10),
        Column("agent", "Operator", 12, 1, 8),
        Column("caller", "Caller", 16, 3, 13),
    )
    assert fit_columns(columns, 42) == [(columns[0], 10), (columns[1], 12), (columns[2], 14)]
    assert fit_columns(columns, 37) == [(columns[0], 10), (columns[1], 8), (columns[2], 13)]
    assert fit_columns(columns, 36) == [(columns[0], 10), (columns[1], 12)]


def test_a_note_grows_into_room_to_spare_up_to_what_it_shows() -> None:
    columns = (Column("a", "A", 10), Column("note", "Note", 20, 1, 8, widest=60))
    assert fit_columns(columns, 40) == [(columns[0], 10), (columns[1], 26)]  # 2 cells padding
    assert fit_columns(columns, 200) == [(columns[0], 10), (columns[1], 60)]
    assert fit_columns(columns, 26) == [(columns[0], 10), (columns[1], 12)]  # narrowing as before


# -- the demo ----------------------------------------------------------------------------------
def local(day: date, hour: int, minute: int = 0) -> float:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME).timestamp()


def test_the_demo_clock_is_placed_in_a_working_day() -> None:
    tuesday, saturday = date(2024, 3, 12), date(2024, 3, 16)
    at_three = demo_start(local(tuesday, 3), ROME)
    placed = datetime.fromtimestamp(at_three, ROME)
    assert placed.date() == tuesday and (placed.hour, placed.minute) >= (10, 30)
    assert placed.hour < 11
    assert demo_start(local(tuesday, 14, 5), ROME) == local(tuesday, 14, 5)  # open: real time
    evening = datetime.fromtimestamp(demo_start(local(tuesday, 22), ROME), ROME)
    assert evening.date() == tuesday and evening.hour == 10
    weekend = datetime.fromtimestamp(demo_start(local(saturday, 12), ROME), ROME)
    assert weekend.date() == date(2024, 3, 15)  # the Friday before


def test_every_call_of_a_demo_history_ends_and_no_operator_event_is_lost() -> None:
    config = CFG
    until = local(date(2024, 3, 13), 10, 40)
    full = generate_calls(5, date(2024, 3, 13), 1, ROME, config, until=until)
    ended = generate_calls(5, date(2024, 3, 13), 1, ROME, config, until=until, ended_only=True)
    assert any(c.ended_at is None for c in full)  # some calls were under way
    assert ended and all(c.ended_at is not None for c in ended)
    state = [e for c in full for e in c.agent_events if e.event != "RINGNOANSWER"]
    kept = [e for c in ended for e in c.agent_events if e.event != "RINGNOANSWER"]
    assert sorted((e.at, e.agent, e.event) for e in kept) == sorted(
        (e.at, e.agent, e.event) for e in state
    )


def test_the_person_at_the_keyboard_plays_a_simulated_operator() -> None:
    config = demo_config(CFG, "root")
    assert config.operators == {"root": ["Hugo"]}
    assert demo_config(CFG, "Alba") is CFG  # a simulated operator's own name
    mapped = parse_config({"operators": {"root": ["Agent/9"]}})
    assert demo_config(mapped, "ROOT") is mapped


def test_the_live_feed_tells_tags_and_ratings_and_the_tagger_records_them(
    tmp_path: Path,
) -> None:
    out = tmp_path / "queue_log"
    now = [local(date(2024, 3, 13), 10, 30)]
    told: list[tuple[str, str, float]] = []
    seen: dict[str, object] = {}

    def on_call(kind: str, sim: object, when: float) -> bool:
        told.append((kind, sim.call_id, when))  # type: ignore[attr-defined]
        seen[sim.call_id] = sim  # type: ignore[attr-defined]
        return True

    def sleep(seconds: float) -> None:
        now[0] += seconds

    run_live(out, "queue_log", 4, CFG, clock=lambda: now[0], sleep=sleep, max_calls=60,
             on_call=on_call)  # fmt: skip
    kinds = {kind for kind, _id, _t in told}
    assert kinds == {"tags", "rating"}
    ended = {}
    for line in out.read_text().splitlines():
        f = line.split("|")
        if f[4] in ("COMPLETECALLER", "COMPLETEAGENT", "TRANSFER", "BLINDTRANSFER"):
            ended[f[1]] = int(f[0])
    for _kind, call_id, when in told:
        if call_id in ended:  # told after the call's end line is in the file
            assert when >= ended[call_id]
    # the tagger: tags as the call's operator, ratings as update rows, own calls left alone
    db = tmp_path / "demo.db"
    sims = [seen[i] for _k, i, _t in told if _k == "tags"][:3]
    with Store(str(db)) as store:
        store.ingest(
            "queue_log",
            [
                (n, CallUpdate(s.call_id, {"started_at": float(s.started_at), "agent": s.agent}))
                for n, s in enumerate(sims, 1)
            ],
        )
        skip = frozenset({sims[1].agent.casefold()}) if sims[1].agent != sims[0].agent else None
        tagger = DemoTagger(store, CFG, "queue_log", seed=1, skip=skip or frozenset())
        assert tagger("tags", sims[0], now[0])
        assert not tagger("tags", generate_calls(1, date(2024, 3, 13), 1, ROME, CFG)[0], now[0])
        (row,) = store.find_calls(sims[0].call_id)
        assert row.category == sims[0].category
        assert {e["operator"] for e in store.tag_events(row.id)} == {sims[0].agent}
        if skip:
            assert tagger("tags", sims[1], now[0])
            assert store.find_calls(sims[1].call_id)[0].category is None
        rated = sims[2]
        rated.csat, rated.nps = 4, 9
        assert tagger("rating", rated, now[0])
        assert store.find_calls(rated.call_id)[0].csat == 4


# -- what the screen remembers, and undoing an issue -------------------------------------------
def test_a_theme_picked_in_the_palette_is_kept_until_the_config_changes(tmp_path: Path) -> None:
    state = tmp_path / "state" / "state.toml"
    assert theme_to_use(state, "ansi-dark") == "ansi-dark"  # nothing remembered yet
    assert remember_theme(state, "nord", "ansi-dark") is None
    assert theme_to_use(state, "ansi-dark") == "nord"
    assert theme_to_use(state, "gruvbox") == "gruvbox"  # the config was edited since: it wins
    assert theme_to_use(None, "ansi-dark") == "ansi-dark"
    state.write_text("not = [toml")
    assert theme_to_use(state, "ansi-dark") == "ansi-dark"  # a broken file is no error


def test_an_issue_change_is_undone_only_by_whoever_made_it(tmp_path: Path) -> None:
    with Store(str(tmp_path / "i.db")) as store:
        mine = store.open_issue("mine", "ann", now=at(9))
        theirs = store.open_issue("theirs", "ben", now=at(9))
        assert not store.withdraw_issue(theirs, "ann")
        assert store.withdraw_issue(mine, "ann")
        assert [i.title for i in store.open_issues()] == ["theirs"]
        store.resolve_issue(theirs, "ben", now=at(10))
        assert not store.reopen_issue(theirs, "ann")
        assert store.reopen_issue(theirs, "ben")
        assert [(i.title, i.resolved_at) for i in store.open_issues()] == [("theirs", None)]
        assert not store.withdraw_issue(999, "ann") and not store.reopen_issue(999, "ann")


def test_the_title_keeps_whom_the_operator_plays_at_80_columns() -> None:
    """Where the bar is too narrow, "queue all" goes first, then the words before the names,
    then the name carewatch, then the room around the dots; the operator's name and the agent
    they play stay on it. A queue filter stays too, and so does the demo's label."""
    from carewatch.tui.panels.now import title_text

    def title(
        width: int | None, queue: str | None = None, demo: str | None = "DEMO · simulated time"
    ) -> str:
        return title_text(
            window_title="Today · Fri 27 Nov",
            queue=queue,
            operator="root",
            plays=["Hugo"],
            now=datetime(2026, 11, 27, 10, 51, 51, tzinfo=ZoneInfo("UTC")).timestamp(),
            tz=ZoneInfo("UTC"),
            demo=demo,
            width=width,
        ).plain

    wide = title(None)
    assert wide.endswith("·  queue all  ·  operator root (Hugo)") and title(200) == wide
    assert title(90) == wide.replace("  ·  queue all", "")
    narrow = title(80)
    assert narrow.endswith("Today · Fri 27 Nov  ·  root (Hugo)") and len(narrow) <= 80
    for queue in ("sales", "billing"):
        filtered = title(80, queue=queue)
        assert len(filtered) <= 80
        assert filtered.endswith(f"·  {queue}  ·  root (Hugo)")
        assert "DEMO · simulated time" in filtered and "carewatch" not in filtered
    # a site's own long queue name, without the demo's label
    longest = title(80, queue="after-sales-support-weekend", demo=None)
    assert len(longest) <= 80
    assert longest.endswith("Nov  ·  after-sales-support-weekend  ·  root (Hugo)")
