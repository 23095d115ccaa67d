"""Operators by the name the centre knows them by: an agent id ``[operators]`` maps to a login
shows as that login, and the ids of one login are one operator in every figure (calls, talk,
rings, time logged in and paused, the state now), on the screen and in the report."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from carewatch.config import parse_config
from carewatch.config.screen import AgentNames, operator_agents
from carewatch.kpi.engine import compute_kpis
from carewatch.kpi.now import STALE_CALL_SECONDS, now_state
from carewatch.kpi.sessions import agent_time
from carewatch.kpi.windows import Window
from carewatch.live import LiveDay
from carewatch.records import CallRow
from carewatch.tui.centre import operator_lines, order_calls, pick_rows
from tests.test_live import _OPS, CFG, NOW, TODAY, _close, replay

REAL = Path(__file__).parent / "data" / "real" / "freepbx-local-members.queue_log"
OPERATORS = {"alice": ["PJSIP/2001", "Agent/1001"]}
NAMED = parse_config({"timezone": "Europe/Rome", "operators": OPERATORS})
T0 = 1_750_000_000.0
WINDOW = Window(T0, T0 + 86400, "day")


def call(pk: int, agent: str | None, start: float, talk: float | None = 60.0, **kw: Any) -> CallRow:
    answered = start + 5 if talk is not None or kw.get("answered") else None
    ended = None if talk is None else (answered or start) + talk
    return CallRow(
        pk, "pbx", f"c{pk}", start, answered, ended, 5.0, talk, kw.get("queue", "sales"),
        agent, None, "in", None, False, kw.get("category"), None, None, None, None, None, 0.0,
    )  # fmt: skip


def event(at: float, agent: str, name: str, queue: str = "NONE", reason: str = "") -> dict:
    return {"at": T0 + at, "agent": agent, "event": name, "queue": queue, "reason": reason}


# -- the figures: one operator, their ids' calls, rings and time ---------------------------------


def test_the_ids_of_one_login_are_one_operator_in_the_figures() -> None:
    calls = [
        call(1, "PJSIP/2001", T0 + 100, 60.0, category="order"),
        call(2, "agent/1001", T0 + 200, 120.0),  # the log spells it otherwise but for case
        call(3, "PJSIP/2002", T0 + 300, 30.0),
    ]
    rings = {"PJSIP/2001": 2, "Agent/1001": 1, "PJSIP/2002": 4}
    kpis = compute_kpis(calls, NAMED, window=WINDOW, missed_rings=rings, now=T0 + 3600)
    by_agent = kpis["by_agent"]
    assert list(by_agent) == ["PJSIP/2002", "alice"]  # an id not mapped shows as today
    alice = by_agent["alice"]
    assert (alice["answered"], alice["total_talk_seconds"], alice["missed_rings"]) == (2, 180.0, 3)
    assert alice["avg_talk_seconds"] == 90.0 and alice["tagged_share"] == 0.5
    assert by_agent["PJSIP/2002"]["missed_rings"] == 4
    # without [operators], each id its own row, as the logs spell them
    plain = compute_kpis(calls, CFG, window=WINDOW, missed_rings=rings, now=T0 + 3600)
    assert set(plain["by_agent"]) == {"PJSIP/2001", "agent/1001", "Agent/1001", "PJSIP/2002"}


def test_time_logged_in_under_two_ids_at_once_counts_once() -> None:
    names = AgentNames(OPERATORS)
    events = [
        event(0, "Agent/1001", "AGENTLOGIN"),
        event(600, "PJSIP/2001", "ADDMEMBER", "sales"),  # both ids logged in from 600
        event(1200, "Agent/1001", "AGENTLOGOFF"),  # one id off: still logged in
        event(1800, "PJSIP/2001", "PAUSE", reason="lunch"),
        event(2400, "PJSIP/2001", "UNPAUSE"),
        event(3000, "PJSIP/2001", "REMOVEMEMBER", "sales"),
    ]
    times = agent_time(events, WINDOW.start, WINDOW.end, T0 + 7200, names)
    assert list(times) == ["alice"]
    assert times["alice"]["logged_in_seconds"] == 3000.0  # 0 to 3000, not 600 counted twice
    assert times["alice"]["paused_by_reason"] == {"lunch": 600.0}
    # each id alone, as without [operators]
    apart = agent_time(events, WINDOW.start, WINDOW.end, T0 + 7200)
    assert {a: t["logged_in_seconds"] for a, t in apart.items()} == {
        "Agent/1001": 1200.0,
        "PJSIP/2001": 2400.0,
    }
    kpis = compute_kpis(
        [call(1, "PJSIP/2001", T0 + 700, 300.0), call(2, "Agent/1001", T0 + 1000, 300.0)],
        NAMED,
        window=WINDOW,
        agent_time=times,
        now=T0 + 7200,
    )
    assert kpis["by_agent"]["alice"]["occupancy"] == pytest.approx(600 / 3000)


# -- the state now ---------------------------------------------------------------------------


def test_talking_on_one_id_wins_over_idle_on_the_other() -> None:
    names = AgentNames(OPERATORS)
    events = [event(0, "Agent/1001", "AGENTLOGIN"), event(10, "PJSIP/2001", "ADDMEMBER", "sales")]
    talking = call(1, "PJSIP/2001", T0 + 100, None, answered=True)
    state = now_state([talking], events, T0 + 200, names)
    assert list(state.agents) == ["alice"]
    alice = state.agents["alice"]
    assert (alice.state, alice.call_id, alice.logged_in_at) == ("talking", "c1", T0)
    assert [c.agent for c in state.talking_calls] == ["alice"]  # the call being talked
    assert alice.queues == frozenset({"sales"})
    # without the mapping: two operators, one talking and one idle
    plain = now_state([talking], events, T0 + 200)
    assert {a: s.state for a, s in plain.agents.items()} == {
        "Agent/1001": "idle",
        "PJSIP/2001": "talking",
    }


def test_logged_in_while_either_id_is() -> None:
    names = AgentNames(OPERATORS)
    events = [
        event(0, "Agent/1001", "AGENTLOGIN"),
        event(60, "PJSIP/2001", "ADDMEMBER", "sales"),
        event(120, "Agent/1001", "AGENTLOGOFF"),
    ]
    alice = now_state([], events, T0 + 200, names).agents["alice"]
    assert (alice.state, alice.logged_in_at) == ("idle", T0)
    gone = [*events, event(180, "PJSIP/2001", "REMOVEMEMBER", "sales")]
    alice = now_state([], gone, T0 + 200, names).agents["alice"]
    assert (alice.state, alice.since) == ("logged_off", T0 + 180)
    paused = [*events, event(150, "Agent/1001", "PAUSE", reason="break")]
    alice = now_state([], paused, T0 + 200, names).agents["alice"]
    assert (alice.state, alice.reason) == ("paused", "break")


def test_the_operators_panel_has_one_row_for_a_person_and_knows_them_by_either_name() -> None:
    names = AgentNames(OPERATORS)
    calls = [call(1, "PJSIP/2001", T0 + 100), call(2, "Agent/1001", T0 + 400)]
    kpis = compute_kpis(calls, NAMED, window=WINDOW, now=T0 + 1000)
    state = now_state(calls, [event(0, "Agent/1001", "AGENTLOGIN")], T0 + 1000, names)
    for operator in ("alice", "ALICE", "pjsip/2001", "Agent/1001"):
        own = operator_agents(NAMED.operators, operator)
        lines = operator_lines(kpis, state, own)
        assert [(line.name, line.answered, line.own) for line in lines] == [("alice", 2, True)]
        # the operator's own calls: each id matches
        assert [c.id for c in order_calls(calls, own, 10)] == [2, 1]


# -- the live screen's running sums: the mapping the same both ways ------------------------------

LIVE_NAMED = parse_config(
    {**CFG.model_dump(exclude={"path"}), "operators": {"ana": ["op-a", "OP-B"]}}
)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(_OPS)
def test_kept_up_to_date_with_names_it_equals_a_full_reading(ops: list[tuple[int, Any]]) -> None:
    """A call moving from one id to another (of the same login, or not) is taken out of the
    sums under the operator it was and put in under the one it is."""
    own = operator_agents(LIVE_NAMED.operators, "ana")
    live = LiveDay(LIVE_NAMED, own)
    calls = replay(live, ops)
    kept = [c for c in calls.values() if TODAY.start - STALE_CALL_SECONDS <= c.started_at]
    day = sorted((c for c in kept if c.started_at >= TODAY.start), key=lambda c: c.id)
    kpis = live.kpis(None, [], NOW)
    _close(kpis, compute_kpis(day, LIVE_NAMED, window=TODAY, now=NOW), "kpis")
    assert not {"op-a", "op-b", "OP-B"} & set(kpis["by_agent"])
    recent = [c for c in kept if c.started_at >= NOW - STALE_CALL_SECONDS]
    assert live.now_state(NOW) == now_state(recent, [], NOW, AgentNames(LIVE_NAMED.operators))
    rows = pick_rows(live.newest(TODAY, None), live.own_newest(TODAY, None), 5)
    assert rows == order_calls(day, own, 5)
    served = live.agent_queues(None)
    assert "op-a" not in served and "op-b" not in served


# -- the report: the real FreePBX queue_log, mapped to names --------------------------------------

LOCAL = "Local/{}@from-internal/n"


def _fields() -> list[list[str]]:
    return [line.split("|") for line in REAL.read_text(encoding="utf-8").splitlines()]


def _report(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    from carewatch.cli import main

    db = tmp_path / "cw.db"
    config = tmp_path / "carewatch.toml"
    config.write_text(
        'timezone = "UTC"\n[operators]\n'
        f'dana = "{LOCAL.format(2004)}"\n'
        f'erik = ["{LOCAL.format(2001)}", "local/2008@FROM-INTERNAL/n"]\n',
        encoding="utf-8",
    )
    if not db.exists():
        assert main(["ingest", str(REAL), "--db", str(db), "--config", str(config)]) == 0
    capsys.readouterr()
    base = ["report", "--date", "2010-02-22", "--db", str(db), "--config", str(config)]
    assert main([*base, *args]) == 0
    return capsys.readouterr().out


def test_real_freepbx_log_mapped_to_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fields = _fields()
    talks = [int(f[6]) for f in fields if f[4] in ("COMPLETEAGENT", "COMPLETECALLER")]
    rings = [f for f in fields if f[4] == "RINGNOANSWER"]
    erik_ids = {LOCAL.format(2001), LOCAL.format(2008)}
    erik_missed = sum(1 for f in rings if f[3] in erik_ids and int(f[5]) > 1000)
    erik_unreachable = sum(1 for f in rings if f[3] in erik_ids and int(f[5]) <= 1000)
    others = Counter(f[3] for f in rings if f[3] not in erik_ids | {LOCAL.format(2004)})

    kpis = json.loads(_report(tmp_path, capsys, "--format", "json"))["kpis"]
    by_agent = kpis["by_agent"]
    assert set(by_agent) == {"dana", "erik", *others}  # ids not mapped as the log spells them
    dana, erik = by_agent["dana"], by_agent["erik"]
    assert (dana["answered"], dana["total_talk_seconds"]) == (len(talks), sum(talks))
    assert (erik["missed_rings"], erik["unreachable_rings"]) == (erik_missed, erik_unreachable)
    assert erik_missed and erik_unreachable

    text = _report(tmp_path, capsys, "--calls")
    assert "dana" in text and "erik" in text and "2004@" not in text and "2001@" not in text
    markdown = _report(tmp_path, capsys, "--format", "markdown", "--calls")
    assert "dana" in markdown and "2004@" not in markdown
    html = _report(tmp_path, capsys, "--format", "html")
    assert "dana" in html and "2004@" not in html


@pytest.mark.parametrize("asked", ["dana", "DANA", LOCAL.format(2004)])
def test_report_of_one_operator_by_login_or_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], asked: str
) -> None:
    report = json.loads(_report(tmp_path, capsys, "--format", "json", "--agent", asked))
    assert report["filters"]["agent"] == "dana"
    kpis = report["kpis"]
    assert (kpis["offered"], kpis["answered"], list(kpis["by_agent"])) == (3, 3, ["dana"])


def test_report_of_a_login_with_two_ids_holds_both_ids_calls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from carewatch.cli import main
    from carewatch.records import CallUpdate
    from carewatch.store import Store

    db = tmp_path / "cw.db"
    start = 1_266_800_000.0  # 2010-02-22 in UTC
    with Store(str(db)) as store:
        calls = [
            ("a", 0, "PJSIP/2001", 60.0),
            ("b", 60, "Agent/1001", 30.0),
            ("c", 90, "PJSIP/2002", 9.0),
        ]
        store.ingest(
            "pbx",
            [
                (
                    n,
                    CallUpdate(
                        cid, {"started_at": start + at, "agent": agent, "talk_seconds": talk}
                    ),
                )
                for n, (cid, at, agent, talk) in enumerate(calls, 1)
            ],
        )
    config = tmp_path / "carewatch.toml"
    config.write_text('timezone = "UTC"\n[operators]\nalice = ["pjsip/2001", "Agent/1001"]\n')
    base = ["report", "--date", "2010-02-22", "--db", str(db), "--config", str(config)]
    capsys.readouterr()
    assert main([*base, "--agent", "alice", "--format", "json", "--calls"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kpis"]["offered"] == 2
    assert report["kpis"]["by_agent"]["alice"]["total_talk_seconds"] == 90.0
    assert [c["agent"] for c in report["calls"]] == ["alice", "alice"]

    # a login is text, never markup: escaped in HTML, as written in the text report
    config.write_text('timezone = "UTC"\n[operators]\n"al<i>ce" = ["pjsip/2001", "Agent/1001"]\n')
    assert main([*base, "--format", "html"]) == 0
    html = capsys.readouterr().out
    assert "al&lt;i&gt;ce" in html and "al<i>ce" not in html
    assert main([*base, "--calls"]) == 0
    assert "al<i>ce" in capsys.readouterr().out


# -- the kept figures follow [operators] -----------------------------------------------------------


def test_a_changed_operators_table_gives_new_kept_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAREWATCH_CACHE", str(tmp_path / "cache"))
    first = json.loads(_report(tmp_path, capsys, "--format", "json"))["kpis"]["by_agent"]
    assert "dana" in first
    assert any((tmp_path / "cache").rglob("*.json"))  # the day's figures were kept
    config = tmp_path / "carewatch.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('dana = "', 'daniela = "'), encoding="utf-8"
    )
    from carewatch.cli import main

    capsys.readouterr()
    args = ["report", "--date", "2010-02-22", "--db", str(tmp_path / "cw.db")]
    assert main([*args, "--config", str(config), "--format", "json"]) == 0
    again = json.loads(capsys.readouterr().out)["kpis"]["by_agent"]
    assert "daniela" in again and "dana" not in again
    assert again["daniela"] == first["dana"]


# -- the live screen: what a refresh reads, and names shown literally ----------------------------


def test_the_screen_shows_the_login_for_each_id(tmp_path: Path) -> None:
    from carewatch.records import AgentEvent, CallUpdate
    from carewatch.store import Store
    from carewatch.tui.loader import load_snapshot

    now = TODAY.start + 10 * 3600
    config = parse_config({**CFG.model_dump(exclude={"path"}), "operators": OPERATORS})
    with Store(str(tmp_path / "cw.db")) as store:
        store.ingest(
            "pbx",
            [
                (1, AgentEvent(now - 3600, "Agent/1001", "AGENTLOGIN")),
                (2, CallUpdate("done", {"started_at": now - 900, "agent": "Agent/1001",
                                        "answered_at": now - 890, "talk_seconds": 120.0})),
                (3, CallUpdate("now", {"started_at": now - 60, "agent": "pjsip/2001",
                                       "answered_at": now - 50})),
                (4, CallUpdate("bob", {"started_at": now - 30, "agent": "PJSIP/2002",
                                       "answered_at": now - 25, "talk_seconds": 5.0})),
            ],
        )  # fmt: skip
        for operator in ("alice", "PJSIP/2001"):
            live = LiveDay(config, operator_agents(config.operators, operator))
            live.sync(store, now)
            snap = load_snapshot(store, config, live, now=now, operator=operator)
            lines = {line.name: line for line in snap.operators}
            assert set(lines) == {"alice", "PJSIP/2002"}
            alice = lines["alice"]
            assert (alice.state, alice.answered, alice.own) == ("talking", 2, True)
            assert alice.logged_in_at == now - 3600
            assert {c.call_id: c.agent for c in snap.calls} == {
                "done": "alice",
                "now": "alice",
                "bob": "PJSIP/2002",
            }
            assert [c.agent for c in snap.now.talking_calls] == ["alice"]
            assert snap.operator_matches


def test_a_login_is_shown_literally() -> None:
    from carewatch.tui.panels.operators import operator_cells

    login = "[red]eve[/red] <b>"
    config = parse_config({"timezone": "Europe/Rome", "operators": {login: "PJSIP/9"}})
    calls = [call(1, "PJSIP/9", T0 + 100)]
    kpis = compute_kpis(calls, config, window=WINDOW, now=T0 + 1000)
    state = now_state(calls, [], T0 + 1000, AgentNames(config.operators))
    (line,) = operator_lines(kpis, state, frozenset())
    cell = operator_cells(line, T0 + 1000, 300.0)[0]
    assert cell.plain == login and not cell.spans


def test_operators_are_listed_by_name_whatever_its_case():
    """Logins are lower case and the ids left unmapped start with a capital (``Local/…``):
    the tables list them as a person looks a name up, not every capital first."""
    from carewatch.kpi.now import NowState
    from carewatch.report.analysis_rows import time_rows
    from carewatch.report.rows import agent_rows

    figures = {"answered": 0, "logged_in_seconds": None}
    kpis = {
        "by_agent": {
            name: dict(figures) for name in ("erik", "Local/2005@from-internal/n", "dana", "Bea")
        }
    }
    expected = ["Bea", "dana", "erik", "Local/2005@from-internal/n"]
    assert [name for name, _ in agent_rows(kpis)] == expected
    assert [name for name, _, _ in time_rows(kpis)] == expected
    lines = operator_lines(kpis, NowState(NOW, (), (), {}), frozenset())
    assert [line.name for line in lines] == expected
