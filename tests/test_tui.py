"""The live screen, driven by the keyboard through Textual's pilot.

Each test waits for what it expects with :func:`wait_for` (``pilot.pause()`` in a loop bounded
by a deadline), never with a bare sleep.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Label

from carewatch.config import Config
from carewatch.kpi.now import NowState
from carewatch.present import clean_text
from carewatch.records import CallRow, CallUpdate
from carewatch.store import Store
from carewatch.tui.app import CarewatchApp, DemoFeed, create_app
from carewatch.tui.panels.calls import CallTable
from carewatch.tui.panels.issues import IssuesTable
from carewatch.tui.panels.tiles import build_tiles
from carewatch.tui.screens.help import HelpScreen
from carewatch.tui.screens.main import MainScreen
from carewatch.tui.screens.prompt import ConfirmScreen, IssueScreen, NoteScreen
from carewatch.tui.screens.tagging import key_name
from carewatch.tui.snapshot import build_alerts, long_wait_alert
from carewatch.tui.text import mask_caller
from tests.tui_snapshot_app import FIXED_NOW, snapshot_config

ROOT = Path(__file__).resolve().parent.parent
NOW = FIXED_NOW
ME = "op-one"
SIZE = (120, 36)
#: A line appended to a watched file, or a tag committed elsewhere, shows within this long
#: (the product promises 1 s; the margin is for a loaded test machine).
LIVE_DEADLINE = 3.0


# -- helpers -----------------------------------------------------------------------------------
async def wait_for(
    pilot: Pilot, predicate: Callable[[], object], what: str, timeout: float = 5.0
) -> float:
    """Pause until ``predicate()`` is true; returns the seconds it took. Fails after ``timeout``."""
    start = time.monotonic()
    deadline = start + timeout
    while True:
        if predicate():
            return time.monotonic() - start
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await pilot.pause(0.02)


def answered_call(call_id: str, started: float, agent: str, **extra: object) -> CallUpdate:
    """An inbound call answered after 10 s and talked for 100 s."""
    fields: dict[str, object] = {
        "started_at": started,
        "answered_at": started + 10,
        "ended_at": started + 110,
        "queue": "support",
        "agent": agent,
        "caller": "+39 333 123 4567",
        "direction": "in",
    }
    fields.update(extra)
    return CallUpdate(call_id, fields)


def seed(db: Path, updates: list[CallUpdate]) -> dict[str, int]:
    """Put calls in the database; returns call_id -> primary key."""
    with Store(str(db)) as store:
        store.ingest("test", [(n, u) for n, u in enumerate(updates, 1)])
        return {c.call_id: c.id for c in store.recent_calls(1000)}


def call_table(app: CarewatchApp) -> CallTable:
    return app.screen.query_one(CallTable)


def cell(app: CarewatchApp, pk: int, column: str) -> str:
    """A cell of the call table as built (a narrow screen may leave its column out)."""
    return call_table(app).cell(str(pk), column).plain


def painted(widget: Widget) -> list[str]:
    """The lines a widget paints now (what the terminal would get, as text)."""
    width, height = widget.size
    return [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]


def make(
    db: Path,
    *,
    config: Config | None = None,
    operator: str = ME,
    watch: list[tuple[str, str | None]] | None = None,
    live: bool = True,
    demo: DemoFeed | None = None,
) -> CarewatchApp:
    return create_app(
        config or snapshot_config(),
        str(db),
        watch=watch or [],
        operator=operator,
        clock=lambda: NOW,
        live=live,
        demo=demo,
    )


async def ready(pilot: Pilot) -> CarewatchApp:
    app: CarewatchApp = pilot.app  # type: ignore[assignment]
    await wait_for(pilot, lambda: app.refresh_count >= 1, "the first refresh")
    return app


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cw.db"


@pytest.fixture
def two_calls(db: Path) -> dict[str, int]:
    """Two finished calls of the operator (the later one is "just finished") and one of
    another operator."""
    return seed(
        db,
        [
            answered_call("c-old", NOW - 900, ME),
            answered_call("c-new", NOW - 300, ME),
            answered_call("c-other", NOW - 200, "op-two"),
        ],
    )


# -- live: a watched file ----------------------------------------------------------------------
def queue_log_call(call_id: str, start: int, agent: str, caller: str) -> str:
    return (
        f"{start}|{call_id}|support|NONE|ENTERQUEUE||{caller}|1\n"
        f"{start + 8}|{call_id}|support|{agent}|CONNECT|8|{call_id}.9|3\n"
        f"{start + 98}|{call_id}|support|{agent}|COMPLETECALLER|8|90|1\n"
    )


async def test_call_appended_to_watched_file_appears(db: Path, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(queue_log_call("1710320000.1", int(NOW) - 600, ME, "0612345001"))
    app = make(db, watch=[(str(log), "queue_log")])
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: call_table(app).row_count == 1, "the file's first call")
        with log.open("a", encoding="utf-8") as fh:
            fh.write(queue_log_call("1710320500.2", int(NOW) - 200, ME, "0612345002"))
        took = await wait_for(
            pilot,
            lambda: any(c.call_id == "1710320500.2" for c in call_table(app)._rows.values()),
            "the appended call on screen",
            timeout=LIVE_DEADLINE,
        )
        assert took < LIVE_DEADLINE
        print(f"appended line on screen after {took:.2f} s")
        table = call_table(app)
        assert table.row_count == 2
        newest = table.selected_call
        assert newest is not None and newest.call_id == "1710320500.2"  # just finished: selected
        assert cell(app, newest.id, "talk") == "1:30"
        assert cell(app, newest.id, "caller") == "******5002"  # masked by default


# -- tagging -----------------------------------------------------------------------------------
async def test_tag_with_one_key_and_undo(db: Path, two_calls: dict[str, int]) -> None:
    pk = two_calls["c-new"]
    async with make(db).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        table = call_table(app)
        # the operator's own calls first, newest first; the call just finished is selected
        order = [table.call(str(r.key.value)).call_id for r in table.ordered_rows]
        assert order == ["c-new", "c-old", "c-other"]
        assert table.selected_call is not None and table.selected_call.id == pk
        assert cell(app, pk, "category") == "● untagged"
        await pilot.press("u")
        await wait_for(
            pilot,
            lambda: any("Nothing to undo" in str(n.message) for n in app._notifications),
            "nothing to undo yet",
        )
        await pilot.press("2")  # category key of "shipping" in the default config
        await wait_for(pilot, lambda: cell(app, pk, "category") == "shipping", "the category")
        await pilot.press("s", "r")  # outcome "sale", resolved
        await wait_for(pilot, lambda: cell(app, pk, "resolved") == "✓", "resolved")
        assert cell(app, pk, "outcome") == "sale"
        with Store(str(db)) as other:
            call = other.get_call(pk)
            assert (call.category, call.outcome, call.resolved) == ("shipping", "sale", True)
            events = other.tag_events(pk)
            assert [
                (e["field"], e["old_value"], e["new_value"], e["operator"]) for e in events
            ] == [
                ("category", None, "shipping", ME),
                ("outcome", None, "sale", ME),
                ("resolved", None, "true", ME),
            ]
            assert all(e["at"] == NOW for e in events)
        await pilot.press("r")  # toggles back to "not resolved"
        await wait_for(pilot, lambda: cell(app, pk, "resolved") == "✗", "not resolved")
        await pilot.press("u", "u", "u")  # undo: resolved=False, resolved=True, outcome
        await wait_for(pilot, lambda: cell(app, pk, "outcome") == "", "the outcome undone")
        assert cell(app, pk, "category") == "shipping"
        await pilot.press("u")
        await wait_for(pilot, lambda: cell(app, pk, "category") == "● untagged", "untagged again")
        with Store(str(db)) as other:
            call = other.get_call(pk)
            assert (call.category, call.outcome, call.resolved) == (None, None, None)
        # the other calls were never touched
        with Store(str(db)) as other:
            assert other.tag_events(two_calls["c-old"]) == []


async def test_a_note(db: Path, two_calls: dict[str, int]) -> None:
    pk = two_calls["c-new"]
    async with make(db).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen), "the note modal")
        await pilot.press(*"calls")  # typed...
        note_input = app.screen.query_one(Input)
        assert note_input.value == "calls"
        hint = app.screen.query_one("#note-hint", Label)
        assert str(hint.render()).endswith("Esc cancels · empty clears the note · 5/500")
        note_input.insert_text_at_cursor("x" * 495)  # up to the most a note holds: said so
        await pilot.pause()
        assert len(note_input.value) == 500 and str(hint.render()).endswith(" · 500/500")
        await pilot.press("y")  # the field takes no more
        assert len(note_input.value) == 500
        note_input.value = "calls"
        note_input.value += " back tomorrow"  # ...and the rest pasted
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the modal closed")
        await wait_for(pilot, lambda: cell(app, pk, "note") == "calls back tomorrow", "the note")
        with Store(str(db)) as other:
            assert other.get_call(pk).note == "calls back tomorrow"
        # Esc leaves the note as it was
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen), "the note modal")
        assert app.screen.query_one(Input).value == "calls back tomorrow"
        await pilot.press("x", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the modal closed")
        await pilot.pause(0.1)
        with Store(str(db)) as other:
            assert other.get_call(pk).note == "calls back tomorrow"


async def test_open_and_resolve_an_issue(db: Path, two_calls: dict[str, int]) -> None:
    pk = two_calls["c-new"]
    async with make(db).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, IssueScreen), "the issue modal")
        app.screen.query_one(Input).value = "parcel lost twice"
        await pilot.press("enter")
        issues = app.screen.query_one(IssuesTable)
        await wait_for(pilot, lambda: issues.row_count == 1, "the issue in its panel")
        with Store(str(db)) as other:
            (issue,) = other.open_issues()
            assert (issue.title, issue.call_pk, issue.opened_by) == ("parcel lost twice", pk, ME)
        assert issues.get_cell(str(issue.id), "title").plain == "parcel lost twice"
        # Tab: calls -> waiting and talking -> queues -> operators -> issues
        await pilot.press("tab", "tab", "tab", "tab")
        assert app.focused is issues
        assert issues.display  # at 120x36 the issues take the operators' place when focused
        await pilot.press("r")  # in the issues panel, r asks before resolving
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("n")
        assert not isinstance(app.screen, ConfirmScreen)
        assert issues.row_count == 1  # "no" resolves nothing
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: issues.row_count == 0, "the issue gone from the panel")
        with Store(str(db)) as other:
            assert other.open_issues() == []
            assert other.get_call(pk).resolved is None  # r in the issues panel is not the call's r
        await pilot.press("u")  # undo: the issue is open again, for everyone
        await wait_for(pilot, lambda: issues.row_count == 1, "the issue back in its panel")
        with Store(str(db)) as other:
            (again,) = other.open_issues()
            assert again.id == issue.id and again.resolved_at is None
        await pilot.press("u")  # undo again: the issue opened on this screen is withdrawn
        await wait_for(pilot, lambda: issues.row_count == 0, "the issue withdrawn")
        with Store(str(db)) as other:
            assert other.open_issues() == []
            assert other.issues_relevant(0, NOW + 10) == []  # gone, not resolved


# -- two screens, one database -----------------------------------------------------------------
@pytest.mark.parametrize(("size", "hide"), [((80, 24), "tab"), ((70, 20), None)])
async def test_no_key_tags_a_call_that_is_not_on_the_screen(
    db: Path, two_calls: dict[str, int], size: tuple[int, int], hide: str | None
) -> None:
    """At 80x24 one panel shows at a time: with another in the calls' place (Tab), and with
    the terminal too small, a tagging key tags nothing and says why."""
    async with make(db).run_test(size=size) as pilot:
        app = await ready(pilot)
        if hide is not None:
            await pilot.press(hide)
            await pilot.pause()
            assert not call_table(app).display
        await pilot.press("2", "s", "r")
        await wait_for(
            pilot,
            lambda: any(
                "calls are not on the screen" in str(n.message) for n in app._notifications
            ),
            "the warning",
        )
        await pilot.pause(0.2)
    with Store(str(db)) as store:
        assert store.tag_events() == []
        assert all(c.category is None for c in store.recent_calls(10))


async def test_a_tag_from_another_process_shows_and_none_is_lost(
    db: Path, two_calls: dict[str, int]
) -> None:
    pk = two_calls["c-new"]
    async with make(db).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        code = (
            "import sys\n"
            "from carewatch.store import Store\n"
            "with Store(sys.argv[1]) as s:\n"
            "    s.tag(int(sys.argv[2]), 'category', 'order', 'op-two')\n"
        )
        await pilot.press("s")  # this screen: the outcome, at the same time
        subprocess.run(
            [sys.executable, "-c", code, str(db), str(pk)],
            check=True,
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        took = await wait_for(
            pilot, lambda: cell(app, pk, "category") == "order", "the other tag", LIVE_DEADLINE
        )
        assert took < LIVE_DEADLINE
        print(f"tag from another process on screen after {took:.2f} s")
        await wait_for(pilot, lambda: cell(app, pk, "outcome") == "sale", "our own tag")
        with Store(str(db)) as other:
            call = other.get_call(pk)
            assert (call.category, call.outcome) == ("order", "sale")
            who = {(e["field"], e["operator"]) for e in other.tag_events(pk)}
            assert who == {("category", "op-two"), ("outcome", ME)}


async def test_two_screens_see_each_others_tags(db: Path, two_calls: dict[str, int]) -> None:
    pk = two_calls["c-new"]
    first, second = make(db, operator=ME), make(db, operator="op-two")
    async with first.run_test(size=SIZE) as p1, second.run_test(size=SIZE) as p2:
        await ready(p1)
        await ready(p2)
        await p1.press("1")  # the first screen tags its operator's call "pre-sale"
        took = await wait_for(
            p2, lambda: cell(second, pk, "category") == "pre-sale", "tag on screen 2", LIVE_DEADLINE
        )
        assert took < LIVE_DEADLINE
        # the second operator selects the same call and sets the outcome
        table = call_table(second)
        table.move_cursor(row=table.get_row_index(str(pk)))
        await p2.press("a")
        await wait_for(
            p1,
            lambda: cell(first, pk, "outcome") == "appointment",
            "tag on screen 1",
            LIVE_DEADLINE,
        )
        assert cell(first, pk, "category") == "pre-sale"


# -- live table behaviour ----------------------------------------------------------------------
async def test_new_calls_do_not_move_a_scrolled_table(db: Path) -> None:
    seed(db, [answered_call(f"c{i:02d}", NOW - 3000 + i * 60, "op-two") for i in range(30)])
    async with make(db, operator="nobody").run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        table = call_table(app)
        assert table.selected_call.call_id == "c29"
        table.focus()
        await pilot.press("down", "down", "down")
        assert table.selected_call.call_id == "c26"
        with Store(str(db)) as other:
            other.ingest("test", [(1, answered_call("c-late", NOW - 100, "op-two"))])
        await wait_for(pilot, lambda: table.row_count == 31, "the new call", LIVE_DEADLINE)
        assert table.selected_call.call_id == "c26"  # the cursor stays on its call
        assert "+1 new" in str(table.border_title)
        await pilot.press("home")
        assert table.selected_call.call_id == "c-late"
        assert "new" not in str(table.border_title)


async def test_a_new_call_does_not_take_the_selection_from_the_call_just_finished(
    db: Path, two_calls: dict[str, int]
) -> None:
    """The operator's next call starts before they tag the one just finished: it comes in at
    the top, and the selection stays on the finished call, so the key tags that call."""
    pk = two_calls["c-new"]
    async with make(db).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        table = call_table(app)
        assert table.selected_call is not None and table.selected_call.id == pk
        talking = answered_call("c-next", NOW - 30, ME, ended_at=None)
        with Store(str(db)) as other:
            other.ingest("test", [(9, talking)])
        await wait_for(pilot, lambda: table.row_count == 4, "the next call", LIVE_DEADLINE)
        order = [table.call(str(r.key.value)).call_id for r in table.ordered_rows]
        assert order[:2] == ["c-next", "c-new"]  # the new call is shown, at the top
        assert table.scroll_y == 0
        assert table.selected_call is not None and table.selected_call.id == pk
        await pilot.press("2")
        await wait_for(pilot, lambda: cell(app, pk, "category") == "shipping", "the tag")
        with Store(str(db)) as other:
            assert other.recent_calls(10)
            by_id = {c.call_id: c for c in other.recent_calls(10)}
        assert by_id["c-next"].category is None


async def test_an_outbound_call_is_not_marked_to_tag(db: Path) -> None:
    """The rows marked "● untagged" are the calls the "To tag" tile counts: answered inbound
    calls without a category. An outbound call (a call back) is neither."""
    pks = seed(
        db,
        [
            answered_call("in", NOW - 900, ME),
            answered_call("out", NOW - 300, ME, direction="out", queue=None),
        ],
    )
    async with make(db).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        assert app.snapshot is not None and app.snapshot.kpis["untagged"] == 1
        assert cell(app, pks["in"], "category") == "● untagged"
        assert cell(app, pks["out"], "category") == ""


async def test_window_switch_and_queue_filter(db: Path) -> None:
    seed(
        db,
        [
            answered_call("early", NOW - 3 * 3600, "op-two", queue="sales"),
            answered_call("recent", NOW - 600, "op-two", queue="support"),
        ],
    )
    async with make(db).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        table = call_table(app)
        assert table.row_count == 2
        await pilot.press("w")
        await wait_for(pilot, lambda: table.row_count == 1, "the last hour only")
        assert app.window_kind == "last_hour"
        assert "Last hour" in painted(app.screen.query_one("#title-bar"))[0]
        # the notice comes once the title's frame is drawn, with the new figures
        notices = lambda: [str(n.message) for n in app._notifications]  # noqa: E731
        await wait_for(pilot, lambda: "Window: last hour" in notices(), "the notice")
        await pilot.press("w")
        assert app.window_kind == "shift"
        await pilot.press("w")
        await wait_for(pilot, lambda: table.row_count == 2, "today again")
        await pilot.press("f")  # the queues seen today, sorted: sales, support
        await wait_for(pilot, lambda: table.row_count == 1, "one queue")
        assert app.queue_filter == "sales"
        await wait_for(pilot, lambda: "Queue: sales" in notices(), "the queue's notice")
        assert table.selected_call.call_id == "early"
        await pilot.press("f", "f")  # support, then all queues
        await wait_for(pilot, lambda: app.queue_filter is None and table.row_count == 2, "all")
        # the same actions from the command palette
        names = [c.name for c in app.palette_commands()]
        assert "Undo my last change (u)" in names and "Queue filter: support" in names
        assert any(n.startswith("Tag category: shipping") for n in names)
        await pilot.press("ctrl+p")
        await pilot.press(*"last h")
        await pilot.pause(0.3)  # the palette searches in the background
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.window_kind == "last_hour", "the window switched")


# -- help --------------------------------------------------------------------------------------
async def test_help_for_the_focused_panel_and_no_refresh_behind_it(
    db: Path, two_calls: dict[str, int]
) -> None:
    async with make(db).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.panel_title == "Calls"
        keys = {k.key: k.description for k in app.screen.global_keys}
        assert keys["2"] == "category: shipping" and keys["s"] == "outcome: sale"
        assert "u" in keys and "w" in keys
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("tab", "tab", "tab", "tab", "f1")  # live, queues, operators, issues
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.panel_title == "Open issues"
        assert any("resolve" in k.description for k in app.screen.panel_keys)
        # nothing refreshes behind a modal: a change waits until it closes
        before = app.refresh_count
        with Store(str(db)) as other:
            other.ingest("test", [(1, answered_call("c-late", NOW - 100, "op-two"))])
        await wait_for(pilot, lambda: app._dirty, "the change noticed", LIVE_DEADLINE)
        await pilot.pause(0.3)
        assert app.refresh_count == before
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await wait_for(pilot, lambda: call_table(app).row_count == 4, "the held-back refresh")


# -- hostile text ------------------------------------------------------------------------------
HOSTILE_CALLER = "[bold]x[/"
HOSTILE_AGENT = "[b]op[/b]"
HOSTILE_NOTE = "[@click=app.quit]boom [/]"


async def test_hostile_text_is_shown_literally(db: Path) -> None:
    config = snapshot_config().model_copy(
        update={"privacy": snapshot_config().privacy.model_copy(update={"mask_callers": False})}
    )
    pk = seed(
        db,
        [
            answered_call(
                "evil",
                NOW - 300,
                HOSTILE_AGENT,
                caller=HOSTILE_CALLER,
                queue="\x1b[2Jsupport\x07",
                category="[i]odd[/i]",
                note="\x1b]0;title\x07" + HOSTILE_NOTE,
            )
        ],
    )["evil"]
    # 160x48: the call table is wide enough for every column, the note included
    async with make(db, config=config, operator=HOSTILE_AGENT).run_test(size=(160, 48)) as pilot:
        app = await ready(pilot)
        assert cell(app, pk, "caller") == HOSTILE_CALLER
        assert cell(app, pk, "agent") == HOSTILE_AGENT
        assert cell(app, pk, "queue") == "support"
        assert cell(app, pk, "category") == "[i]odd[/i]"
        assert cell(app, pk, "note") == HOSTILE_NOTE
        lines = painted(call_table(app))
        row = next(line for line in lines if HOSTILE_AGENT in line)
        assert "[i]odd[/i]" in row
        table = call_table(app)
        table.scroll_to(x=table.virtual_size.width, animate=False, immediate=True)
        await pilot.pause()
        assert any(HOSTILE_CALLER in line and HOSTILE_NOTE in line for line in painted(table))
        assert not any("\x1b" in line or "\x07" in line for line in lines)
        title = painted(app.screen.query_one("#title-bar"))[0]
        assert HOSTILE_AGENT in title  # the operator name, literally
        # the operators panel and the category mix show the names literally too
        assert any(HOSTILE_AGENT in line for line in painted(app.screen.query_one("#operators")))
        # a note modal and an issue from it: still literal, still running
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen), "the note modal")
        await pilot.press("escape")
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, IssueScreen), "the issue modal")
        await pilot.press("enter")
        issues = app.screen.query_one(IssuesTable)
        await wait_for(pilot, lambda: issues.row_count == 1, "the issue")
        assert "[i]odd[/i]" in painted(issues)[2]
        await pilot.press("f")  # the queue filter notification names the queue
        await pilot.pause(0.2)
        assert app.is_running


def test_text_helpers() -> None:
    config = snapshot_config()
    assert clean_text("a\x1b[2Jb\x07c\nd") == "abc d"
    assert clean_text("x\x1b]0;evil\x07y") == "xy"
    assert clean_text(None) == ""
    assert mask_caller("+39 333 123 4567", config.privacy) == "+** *** *** 4567"
    off = config.privacy.model_copy(update={"mask_callers": False})
    assert mask_caller("+39 333 123 4567", off) == "+39 333 123 4567"
    assert mask_caller("[bold]x[/", config.privacy) == "[*old]x[/"
    assert [key_name(c) for c in "1s-"] == ["1", "s", "minus"]  # tagging keys -> Textual keys


# -- errors are notifications, not crashes -----------------------------------------------------
async def test_a_failing_write_is_a_notification(db: Path, two_calls: dict[str, int]) -> None:
    async with make(db).run_test(size=SIZE) as pilot:
        app = await ready(pilot)

        def broken(*_a: object, **_k: object) -> None:
            raise OSError("disk full")

        app.store.tag = broken  # type: ignore[method-assign]
        await pilot.press("1")
        await wait_for(
            pilot,
            lambda: any("disk full" in str(n.message) for n in app._notifications),
            "the error notification",
        )
        assert app.is_running
        await pilot.press("2")  # the writer goes on
        await pilot.pause(0.2)
        assert app.is_running


async def test_demo_feed_runs_in_a_worker_and_stops_with_the_screen(db: Path) -> None:
    started, stopped = [], []

    def feed(stop: threading.Event) -> None:
        started.append(True)
        stop.wait(10)
        stopped.append(stop.is_set())

    app = make(db, demo=DemoFeed(run=feed, label="DEMO"))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: started, "the feed started")
        assert "DEMO" in painted(app.screen.query_one("#title-bar"))[0]
        tiles = painted(app.screen.query_one("#tiles"))
        assert "–" in tiles[1] and "Abandoned" in tiles[0]  # no data yet: a dash, not 0
    deadline = time.monotonic() + 2
    while not stopped and time.monotonic() < deadline:
        time.sleep(0.01)
    assert stopped == [True]


# -- what the panels compute (no screen) ----------------------------------------------------------
def test_tiles_show_a_dash_without_data_and_colour_by_the_targets() -> None:
    config = snapshot_config()
    empty = {t.key: t for t in build_tiles({}, None, config)}
    for key in ("abandon_rate", "service_level", "avg_talk_seconds", "fcr_rate", "nps"):
        assert empty[key].value == "–" and empty[key].level == ""

    def level(key: str, **kpis: object) -> str:
        return {t.key: t for t in build_tiles(dict(kpis), None, config)}[key].level

    assert level("avg_talk_seconds", avg_talk_seconds=120.0) == "good"  # at the target
    assert level("avg_talk_seconds", avg_talk_seconds=140.0) == "warn"  # up to amber (150)
    assert level("avg_talk_seconds", avg_talk_seconds=151.0) == "bad"
    assert level("abandon_rate", abandon_rate=0.05) == "good"
    assert level("abandon_rate", abandon_rate=0.051) == "bad"
    assert level("service_level", service_level=0.79) == "bad"
    assert level("service_level", service_level=0.80) == "good"
    offered = {t.key: t for t in build_tiles({"offered": 120}, 100, config)}["offered"]
    assert offered.detail.startswith("▲20 vs 100")


def test_the_figures_under_the_tiles_have_thousands_separators() -> None:
    """A large centre's day: "▲98,800 vs 1,200", not "▲98800 vs 1200"."""
    kpis = {
        "offered": 100_000,
        "answered": 90_000,
        "missed": 5_992,
        "abandoned": 4_008,
        "conversions": 26_385,
        "csat_avg": 4.2,
        "csat_responses": 12_345,
        "nps": 30,
        "nps_responses": 10_001,
    }
    tiles = {t.key: t.detail for t in build_tiles(kpis, 1_200, snapshot_config())}
    assert tiles["offered"].startswith("▲98,800 vs 1,200")
    assert "missed 5,992" in tiles["answered"]
    assert tiles["abandon_rate"].startswith("4,008 · max")
    assert tiles["conversion_rate"].startswith("26,385 ")
    assert "12,345" in tiles["csat_score"]
    assert "10,001" in tiles["nps"]


def test_alerts_name_what_needs_attention() -> None:
    config = snapshot_config()
    kpis = {
        "category_mix": {"shipping": {"count": 31, "share": 0.62}},
        "category_alerts": ["shipping"],
        "avg_talk_seconds": 160.0,
    }
    waiting = CallRow(*([None] * len(CallRow._fields)))._replace(
        id=1, started_at=NOW - 95, direction="in"
    )
    state = NowState(NOW, (waiting,), (), {})

    @dataclass
    class Status:
        path: str = "/var/log/asterisk/queue_log"
        bad_lines: int = 3
        last_bad_line: int | None = 1234
        last_bad_reason: str | None = "malformed"
        last_line_at: float | None = NOW - 3600
        exists: bool = True

    texts = [a.text for a in build_alerts(kpis, state, [Status()], config, NOW)]
    assert texts == [
        "shipping is 62% of tagged calls (alert over 40%)",
        "average talk 2 min 40 s is over the 2 min 00 s target",
        "3 bad lines in queue_log, last at line 1234 (malformed)",
        "queue_log: no new line for 1 h 00 min",
    ]
    alert = long_wait_alert(state, config, NOW)
    assert (
        alert is not None
        and alert.text == "a caller has waited over 1 min 00 s (longest 1 min 35 s)"
    )
    assert long_wait_alert(state, config, NOW - 40) is None  # 55 s: not yet
