"""The supervisor's wall on the live screen (Textual pilot): every size laid out on purpose, the
too-small line, focus on every Tab stop, the queues panel and the waiting list ticking, the
wallboard, operators mapped by login, the theme kept, and the demo at 03:00."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from rich.segment import Segment
from textual.geometry import Region
from textual.widget import Widget

from carewatch.config import Config, parse_config
from carewatch.demo import demo_config, demo_start, prepare_demo
from carewatch.records import CallUpdate
from carewatch.store import Store
from carewatch.tui.app import CarewatchApp, create_app
from carewatch.tui.panels.calls import CallTable
from carewatch.tui.panels.live import LiveCallsTable
from carewatch.tui.panels.queues import QueuesTable
from carewatch.tui.panels.rows import RowsTable
from carewatch.tui.panels.tiles import HeadlineTiles
from carewatch.tui.screens.layout import TOO_SMALL
from carewatch.tui.screens.main import PANELS, MainScreen
from carewatch.tui.screens.wall import WallScreen
from tests.test_tui import NOW, answered_call, make, painted, ready, seed, wait_for
from tests.tui_snapshot_app import build, snapshot_config

GRID = ("queues", "live", "operators", "issues", "chart", "categories", "calls")
#: What each size shows at once (the rest is one Tab away).
LAYOUTS = {
    (80, 24): {"calls"},
    (100, 30): {"queues", "live", "calls"},  # queues the whole width, live beside the calls
    (120, 36): {"queues", "live", "operators", "calls"},
    (160, 48): set(GRID),
    (200, 60): set(GRID),
}


@pytest.fixture(scope="module")
def filled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wall") / "filled.db"
    build(str(path))
    return path


def shown(app: CarewatchApp) -> set[str]:
    return {name for name in GRID if app.screen.query_one(f"#{name}").display}


# -- every size --------------------------------------------------------------------------------
@pytest.mark.parametrize("size", list(LAYOUTS))
async def test_each_size_is_laid_out_on_purpose(filled_db: Path, size: tuple[int, int]) -> None:
    width, height = size
    async with make(filled_db, live=False, operator="Hugo").run_test(size=size) as pilot:
        app = await ready(pilot)
        await pilot.pause()
        assert shown(app) == LAYOUTS[size]
        screen = Region(0, 0, width, height)
        for name in LAYOUTS[size]:
            panel = app.screen.query_one(f"#{name}")
            region = panel.region
            assert screen.contains_region(region), f"{name} runs off the screen at {size}"
            assert region.width >= 30 and region.height >= 6, f"{name} is squeezed at {size}"
            if isinstance(panel, RowsTable):
                # no column is cut: each shown column is as wide as its header at least
                for column, column_width in panel._layout or []:
                    assert column_width >= len(column.label) >= 1
                inner = region.width - 2
                used = sum(w + 2 for _c, w in panel._layout or [])
                assert used <= inner, f"{name}'s columns run off the panel at {size}"
        tiles = app.screen.query_one(HeadlineTiles)
        assert tiles.compact == (width < 160)
        assert tiles.big == (width >= 200)
        # what is not shown is one Tab away, in its place
        hidden = [name for name in GRID if name not in LAYOUTS[size]]
        for name in hidden:
            app.screen.action_focus_panel(name)
            await pilot.pause()
            assert app.screen.query_one(f"#{name}").display, f"{name} not reachable at {size}"


@pytest.mark.parametrize("size", [(79, 24), (80, 23), (40, 12)])
async def test_below_the_minimum_one_line_says_so(filled_db: Path, size: tuple[int, int]) -> None:
    async with make(filled_db, live=False).run_test(size=size) as pilot:
        app = await ready(pilot)
        await pilot.pause()
        line = app.screen.query_one("#too-small")
        assert line.display
        assert any(TOO_SMALL in text for text in painted(line))
        assert TOO_SMALL == "terminal too small: 80×24 needed"
        assert not any(app.screen.query_one(f"#{n}").display for n in ("panels", "tiles", "now"))
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not line.display and app.screen.query_one("#calls").display


def look(widget: Widget) -> list[tuple[str, str]]:
    """What a widget paints, with its styles."""
    width, height = widget.size
    return [
        (segment.text, str(segment.style))
        for strip in widget.render_lines(Region(0, 0, width, height))
        for segment in strip
        if isinstance(segment, Segment)
    ]


async def test_every_tab_stop_shows_it_has_focus(filled_db: Path) -> None:
    async with make(filled_db, live=False).run_test(size=(160, 48)) as pilot:
        app = await ready(pilot)
        screen = app.screen
        for name in PANELS:
            widget = screen.query_one(f"#{name}")
            other = screen.query_one("#alerts" if name != "alerts" else "#calls")
            other.focus()
            await pilot.pause()
            before = look(widget)
            widget.focus()
            await pilot.pause()
            assert app.focused is widget
            assert look(widget) != before, f"{name} does not show its focus"
        # Tab visits every stop in order
        screen.query_one("#calls").focus()
        await pilot.pause()
        visited = []
        for _ in PANELS:
            visited.append(app.focused.id if app.focused else None)
            await pilot.press("tab")
        assert visited == list(PANELS)


# -- queues, waiting, talking ------------------------------------------------------------------
def waiting_call(call_id: str, started: float, queue: str) -> CallUpdate:
    return CallUpdate(
        call_id, {"started_at": started, "queue": queue, "caller": "0612345678", "direction": "in"}
    )


async def test_queues_and_waiting_callers_tick(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    seed(
        db,
        [
            waiting_call("w1", NOW - 95, "sales"),
            waiting_call("w2", NOW - 30, "sales"),
            waiting_call("w3", NOW - 12, "support"),
            CallUpdate(
                "t1",
                {
                    "started_at": NOW - 200,
                    "answered_at": NOW - 190,
                    "queue": "support",
                    "agent": "op-two",
                    "direction": "in",
                },
            ),
            answered_call("done", NOW - 900, "op-one"),
        ],
    )
    clock = [NOW]
    config = parse_config(
        {"timezone": "Europe/Rome", "queues": {"sales": {"long_wait_alert_seconds": 90}}}
    )
    app = create_app(config, str(db), operator="op-one", clock=lambda: clock[0], live=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        queues = app.screen.query_one(QueuesTable)
        assert queues.cell("sales", "waiting").plain == "2"
        assert queues.cell("sales", "longest").plain == "1:35"
        assert "red" in str(queues.cell("sales", "longest").style)  # over the queue's 90 s
        assert queues.cell("support", "waiting").plain == "1"
        assert "red" not in str(queues.cell("support", "longest").style)  # centre's 60 s
        assert queues.cell("support", "talking").plain == "1"
        live = app.screen.query_one(LiveCallsTable)
        order = [row.key.value for row in live.ordered_rows]
        keys = {c.call_id: str(c.id) for c in Store(str(db)).recent_calls(10)}
        assert order == [f"w{keys['w1']}", f"w{keys['w2']}", f"w{keys['w3']}", f"t{keys['t1']}"]
        assert [live.cell(k, "position").plain for k in order] == ["1", "2", "1", ""]
        assert live.cell(f"t{keys['t1']}", "agent").plain == "op-two"
        assert live.cell(f"t{keys['t1']}", "time").plain == "3:10"
        clock[0] = NOW + 5
        app.screen.tick(clock[0])  # the one-second tick, without a database read
        await pilot.pause()
        assert queues.cell("sales", "longest").plain == "1:40"
        assert live.cell(f"w{keys['w3']}", "time").plain == "0:17"
        assert live.cell(f"t{keys['t1']}", "time").plain == "3:15"
        assert "1:40" in "".join(painted(queues))


# -- the wallboard -----------------------------------------------------------------------------
async def test_the_wallboard_has_big_figures_no_tagging_keys_and_rotates(filled_db: Path) -> None:
    clock = [NOW]
    app = create_app(snapshot_config(), str(filled_db), operator="Hugo",
                     clock=lambda: clock[0], live=False)  # fmt: skip
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, WallScreen), "the wallboard")
        wall = app.screen
        await wait_for(pilot, lambda: wall.pages, "its pages")
        assert [p.title for p in wall.pages] == [
            "All queues",
            "Queue billing",
            "Queue sales",
            "Queue support",
        ]
        keys = set(wall.active_bindings)
        assert not keys & {"1", "2", "s", "r", "n", "i", "u"}  # nobody tags on a TV
        first = wall.page
        text = "\n".join(painted(wall.query_one("#wall-page")))
        assert [p.title for p in wall.shown] == [p.title for p in wall.pages[first * 2 :][:2]]
        for block in wall.shown:  # two blocks a page at 120x36
            assert block.title.upper() in text
        assert f"{first + 1}/2" in text
        assert "╭─╮" in text or "╶─╮" in text  # figures in big digits
        clock[0] = NOW + 10  # wall_rotate_seconds later: the next page
        wall.tick(clock[0])
        await pilot.pause()
        assert wall.page == (first + 1) % 2
        await pilot.press("2")
        await pilot.pause(0.2)
        with Store(str(filled_db)) as store:
            assert store.tag_events() == []
        await pilot.press("b")
        assert isinstance(app.screen, MainScreen)
    wall_app = create_app(snapshot_config(), str(filled_db), clock=lambda: NOW, live=False,
                          wall=True)  # fmt: skip
    async with wall_app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert isinstance(wall_app.screen, WallScreen)  # carewatch monitor --wall


# -- operator identity -------------------------------------------------------------------------
@pytest.mark.parametrize(("login", "own"), [("alice", "a-new"), ("BOB", "b-new")])
async def test_two_operators_mapped_by_login_see_their_own_finished_call_selected(
    tmp_path: Path, login: str, own: str
) -> None:
    db = tmp_path / "ops.db"
    seed(
        db,
        [
            answered_call("a-old", NOW - 1500, "Agent/1001"),
            answered_call("a-new", NOW - 700, "agent/1001"),  # spelled another way
            answered_call("b-new", NOW - 600, "PJSIP/2002"),
            answered_call("x-late", NOW - 300, "PJSIP/2009"),  # someone else, later
        ],
    )
    config = parse_config(
        {
            "timezone": "Europe/Rome",
            "operators": {"alice": ["PJSIP/2001", "Agent/1001"], "bob": ["pjsip/2002"]},
        }
    )
    async with make(db, config=config, operator=login).run_test(size=(120, 36)) as pilot:
        app = await ready(pilot)
        table = app.screen.query_one(CallTable)
        assert table.selected_call is not None and table.selected_call.call_id == own
        first = table.call(str(table.ordered_rows[0].key.value))
        assert first is not None and first.call_id == own  # own calls come first
        title = painted(app.screen.query_one("#title-bar"))[0]
        assert "matches no agent" not in title


async def test_the_screen_says_when_the_operator_matches_no_agent(tmp_path: Path) -> None:
    db = tmp_path / "none.db"
    seed(db, [answered_call("c1", NOW - 300, "PJSIP/2001")])
    async with make(db, operator="root").run_test(size=(120, 36)) as pilot:
        app = await ready(pilot)
        title = painted(app.screen.query_one("#title-bar"))[0]
        assert "operator root (matches no agent)" in title
        alerts = "".join(painted(app.screen.query_one("#alerts")))
        assert "operator root matches no agent" in alerts
        assert app.screen.query_one(CallTable).selected_call.call_id == "c1"  # just the top


async def test_an_operator_with_calls_on_earlier_days_only_is_no_mismatch(tmp_path: Path) -> None:
    """A quiet morning: no call of the operator's agent today nor yesterday, but the logs know
    it from last week, so the screen does not tell them to map their name."""
    db = tmp_path / "quiet.db"
    seed(
        db,
        [
            answered_call("last-week", NOW - 6 * 86400, "PJSIP/2001"),
            answered_call("today", NOW - 300, "PJSIP/2009"),
        ],
    )
    async with make(db, operator="pjsip/2001").run_test(size=(120, 36)) as pilot:
        app = await ready(pilot)
        title = painted(app.screen.query_one("#title-bar"))[0]
        assert "matches no agent" not in title
        assert "matches no agent" not in "".join(painted(app.screen.query_one("#alerts")))


# -- the theme ---------------------------------------------------------------------------------
async def test_a_theme_changed_from_the_palette_is_kept(tmp_path: Path) -> None:
    db, state = tmp_path / "t.db", tmp_path / "state.toml"
    seed(db, [answered_call("c1", NOW - 300, "op-one")])

    def app_of(config: Config) -> CarewatchApp:
        return create_app(config, str(db), clock=lambda: NOW, live=False, state_path=state)

    config = snapshot_config()
    app = app_of(config)
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        assert app.theme == "ansi-dark"  # [ui] theme
        app.theme = "nord"  # what the palette's "Change theme" does
        await pilot.pause()
    assert 'theme = "nord"' in state.read_text()
    again = app_of(config)
    async with again.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert again.theme == "nord"
    edited = app_of(
        config.model_copy(update={"ui": config.ui.model_copy(update={"theme": "gruvbox"})})
    )
    async with edited.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert edited.theme == "gruvbox"  # the config was edited since the pick


# -- the demo at 03:00 -------------------------------------------------------------------------
async def test_the_demo_at_three_in_the_morning_shows_a_working_day(tmp_path: Path) -> None:
    tz = snapshot_config().tz
    three = datetime(2024, 3, 12, 3, 0, tzinfo=tz).timestamp()  # a Tuesday, 03:00
    start = demo_start(three, tz)
    config = demo_config(snapshot_config(), "root")
    setup = prepare_demo(tmp_path / "demo", config, seed=7, days=8, now=start)
    app = create_app(config, setup.db, operator="root", clock=lambda: start, live=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        snap = app.snapshot
        assert snap is not None
        local = datetime.fromtimestamp(start, tz)
        assert local.date() == date(2024, 3, 12) and 10 <= local.hour < 11
        assert snap.kpis["offered"] > 100  # a morning of calls, not "–"
        assert snap.kpis["service_level"] is not None and snap.kpis["csat_score"] is not None
        assert sum(snap.hourly_today[8:11]) == snap.kpis["offered"]
        assert snap.hourly_last_week[9] > 0  # last Tuesday too
        # every call of the history ends: nothing talks forever, the counts agree
        talking_agents = [a for a in snap.now.agents.values() if a.state == "talking"]
        assert snap.now.talking == len(talking_agents) == 0
        assert snap.operator_matches  # root plays Hugo, who works today
        title = painted(app.screen.query_one("#title-bar"))[0]
        assert f"{local:%H:%M}" in title
        assert "operator root (Hugo)" in title  # who the person at the keyboard plays
    with Store(setup.db) as store:
        day = store.calls_between(start - 86400, start + 86400)
    assert day and all(c.ended_at is not None or c.talk_seconds is not None for c in day)


async def test_the_panels_are_laid_out_for_the_size_after_the_wallboard_was_resized(
    filled_db: Path,
) -> None:
    """The terminal resized while the wallboard is up: back on the panels, they fit the
    terminal as it is now (a screen not shown is told of no resize)."""
    from tests.tui_snapshot_app import make_app

    async def layout(resized: bool) -> tuple[str, int, int]:
        app = make_app(str(filled_db))
        async with app.run_test(size=(120, 36)) as pilot:
            if resized:
                await pilot.press("b")
                assert isinstance(app.screen, WallScreen)
                await pilot.resize_terminal(200, 60)
                await pilot.pause()
                await pilot.resize_terminal(120, 36)
                await pilot.pause()
                await pilot.press("escape")
            await pilot.pause()
            main = app.screen
            assert isinstance(main, MainScreen)
            tiles = main.query_one(HeadlineTiles)
            return main.tier, tiles.region.height, main.query_one(CallTable).region.height

    assert await layout(resized=True) == await layout(resized=False)
