"""Columns as wide as their cells need: names that differ stay apart, a cell that is cut ends
in "…", nothing is cut while its table has free columns, and the resolve question keeps its
"?" (the live screen driven headless, and :func:`fit_columns` on its own)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Label
from textual.widgets.data_table import ColumnKey

from carewatch.records import CallUpdate
from carewatch.store import Store
from carewatch.tui.app import CarewatchApp
from carewatch.tui.panels.rows import SCROLLBAR, RowsTable
from carewatch.tui.panels.widths import Column, Need, apart_width, cut_names, fit_columns
from carewatch.tui.screens.prompt import ConfirmScreen
from tests.test_tui import NOW, make, ready, wait_for
from tests.test_wall_tui import LAYOUTS

ITALY, SPAIN = "customer-care-italy", "customer-care-spain"
ROSSI, BIANCHI = "Alessandro Rossi", "Alessandro Bianchi"
NOTE = 'Says the parcel shows "delivered" but never arrived; the neighbour has not seen it either'
TITLE = "parcel reported lost, open a claim with the courier and call the customer back"
PANELS = ("queues", "live", "operators", "issues", "calls")


def call(
    call_id: str, started: float, queue: str, agent: str | None, **extra: object
) -> CallUpdate:
    """A call of ``queue``: waiting when no ``agent``, else answered after 5 s (talking
    unless it has ``ended_at``)."""
    fields: dict[str, object] = {
        "started_at": started,
        "queue": queue,
        "caller": "+39 333 123 4567",
        "direction": "in",
    }
    if agent is not None:
        fields.update(agent=agent, answered_at=started + 5)
    fields.update(extra)
    return CallUpdate(call_id, fields)


@pytest.fixture
def long_names(tmp_path: Path) -> Path:
    """Two queues and two operators whose names differ only after ten characters (one call
    waiting, two talked, one ended with a long note; a name of wide characters and an emoji;
    a name that looks like markup), and an issue with a long title."""
    db = tmp_path / "cw.db"
    updates = [
        call("N1", NOW - 100, ITALY, ROSSI),
        call("N2", NOW - 90, SPAIN, BIANCHI),
        call("N3", NOW - 80, SPAIN, None),
        call("N4", NOW - 900, ITALY, ROSSI, ended_at=NOW - 800, note=NOTE),
        call("N5", NOW - 1900, "客服中心-意大利", "山田太郎🙂", ended_at=NOW - 1800),
        call("N6", NOW - 2900, "[b]billing[/b]", "[red]Mallory", ended_at=NOW - 2800),
    ]
    with Store(str(db)) as store:
        store.ingest("test", list(enumerate(updates, 1)))
        ended = next(c for c in store.recent_calls(10) if c.call_id == "N4")
        store.open_issue(TITLE, BIANCHI, call_pk=ended.id, now=NOW - 600)
    return db


def lines(widget: Widget) -> list[Strip]:
    """What a widget paints, border included, one strip a line."""
    region = widget.region
    return widget.render_lines(Region(0, 0, region.width, region.height))


def painted_cells(table: RowsTable) -> dict[tuple[str, str], str]:
    """(row key, column key) -> what the table paints in that cell (whole rows on screen)."""
    strips = lines(table)
    cells: dict[tuple[str, str], str] = {}
    for index, row in enumerate(table.ordered_rows):
        strip = strips[2 + index]  # the border, then the header
        x = 1
        for column, width in table._layout or []:
            cells[(str(row.key.value), column.key)] = strip.crop(x + 1, x + 1 + width).text
            x += width + 2
    return cells


def shown_tables(app: CarewatchApp) -> list[RowsTable]:
    return [t for t in app.screen.query(RowsTable) if t.display and t.id in PANELS]


def panel_text(app: CarewatchApp, name: str) -> str:
    return "\n".join(strip.text for strip in lines(app.screen.query_one(f"#{name}", RowsTable)))


# -- on the screen -----------------------------------------------------------------------------
@pytest.mark.parametrize("size", [(160, 48), (200, 60)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_two_long_names_stay_apart_on_a_wide_screen(
    long_names: Path, size: tuple[int, int]
) -> None:
    async with make(long_names, live=False).run_test(size=size) as pilot:
        app = await ready(pilot)
        await pilot.pause()
        for panel in ("queues", "live", "calls"):
            text = panel_text(app, panel)
            assert "customer-care-i" in text and "customer-care-s" in text, (panel, text)
        for panel in ("operators", "live", "calls"):
            text = panel_text(app, panel)
            assert "Alessandro R" in text and "Alessandro B" in text, (panel, text)
        # the queues panel has room for the whole names; the calls table too
        assert ITALY in panel_text(app, "queues") and SPAIN in panel_text(app, "queues")
        assert ROSSI in panel_text(app, "calls") and BIANCHI in panel_text(app, "calls")
        # log text stays literal: a name that looks like markup is shown as written
        assert "[b]billing[/b]" in panel_text(app, "queues")
        assert "[red]Mallory" in panel_text(app, "operators")


@pytest.mark.parametrize("size", list(LAYOUTS), ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_cut_cell_ends_in_an_ellipsis_and_none_is_cut_with_room_to_spare(
    long_names: Path, size: tuple[int, int]
) -> None:
    async with make(long_names, live=False).run_test(size=size) as pilot:
        app = await ready(pilot)
        await pilot.pause()
        for name in PANELS:
            app.screen.action_focus_panel(name)  # a panel not on screen at this size comes
            await pilot.pause()
            checked = 0
            for table in shown_tables(app):
                layout = table._layout or []
                free = table.size.width - SCROLLBAR - sum(w + 2 for _c, w in layout)
                for (key, column), shown in painted_cells(table).items():
                    whole = table.cell(key, column).plain
                    width = dict((c.key, w) for c, w in layout)[column]
                    if cell_len(whole) > width:
                        where = (size, table.id, column, whole, shown)
                        # "…" at the end; or, a name that would show what another name of
                        # its column shows, its end kept after the "…" (cu…spain, cu…italy)
                        _head, ellipsis, tail = shown.rstrip().rpartition("…")
                        assert ellipsis, where
                        names = {c.key: c.names for c in table.COLUMNS}[column]
                        assert not tail or (names and whole.endswith(tail)), where
                        assert cell_len(shown) == width, where
                        assert free <= 0, (*where, f"{free} columns free")
                    else:
                        assert shown.strip() == whole.strip(), (size, table.id, column, shown)
                    checked += 1
            assert checked, f"no cell checked for {name} at {size}"


async def test_the_resolve_question_wraps_and_keeps_its_question_mark(long_names: Path) -> None:
    async with make(long_names, live=False).run_test(size=(80, 24)) as pilot:
        app = await ready(pilot)
        app.screen.action_focus_panel("issues")
        await pilot.pause()
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.pause()
        label = app.screen.query(Label).first()
        text = " ".join(strip.text.strip() for strip in lines(label))
        assert text.endswith("?"), text
        assert TITLE in " ".join(text.split()), text  # every word of the title, none cut
        # and all of it is on screen: the question lies inside its box, the box inside the screen
        box = app.screen.query_one("#confirm-box")
        assert box.content_region.contains_region(label.region), (box.content_region, label.region)
        assert app.screen.region.contains_region(box.region)


async def test_a_longer_name_widens_its_column_in_place(long_names: Path) -> None:
    """A name that needs more room changes the column's width where it is: the table is not
    rebuilt, the cursor stays on its row; the widths are fitted once for the change."""
    async with make(long_names, live=False).run_test(size=(160, 48)) as pilot:
        app = await ready(pilot)
        await pilot.pause()
        table = app.screen.query_one("#queues", RowsTable)
        table.move_cursor(row=1)
        selected = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        before = dict((c.key, w) for c, w in table._layout or [])
        fits: list[object] = []
        cleared: list[object] = []
        original_fit, original_clear = table._fit, table.clear
        table._fit = lambda: (fits.append(1), original_fit())[1]  # type: ignore[method-assign]
        table.clear = lambda **kw: (cleared.append(1), original_clear(**kw))[1]  # type: ignore[method-assign]
        wanted = {key: table._cells[key] for key in table._cells}
        first = next(iter(wanted))
        longer = table._cells[first][0].copy()
        longer.append("-and-the-islands")
        wanted[first] = (longer, *table._cells[first][1:])
        with app.batch_update():
            table.sync_rows(wanted)
        assert fits == [1] and not cleared  # fitted once for the change, not rebuilt
        after = dict((c.key, w) for c, w in table._layout or [])
        assert after["name"] > before["name"]
        assert table.columns[ColumnKey("name")].width == after["name"]
        await pilot.pause()
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key == selected


# -- fit_columns -------------------------------------------------------------------------------
def test_names_apart_is_measured_in_terminal_cells() -> None:
    assert apart_width([ITALY, SPAIN]) == len("customer-care-i…")
    assert apart_width([ROSSI, BIANCHI, ROSSI, ""]) == len("Alessandro R…")
    assert apart_width(["Ann", "Anna"]) == 3  # "Ann" whole, "An…"
    assert apart_width(["sales", "support"]) == 3  # "sa…", "su…"
    assert apart_width(["山田太郎", "山田花子"]) == 2 + 2 + 2 + 1  # 山田 + 太/花 + …
    assert apart_width(["🙂a-long", "🙂b-long"]) == 2 + 1 + 1  # 🙂 + a/b + …
    assert apart_width(["only one"]) == 0


def test_a_name_grows_to_what_it_needs_sharing_room_fairly() -> None:
    columns = (
        Column("a", "A", 10),
        Column("name", "Name", 10, 1, 7, widest=24, names=True),
        Column("note", "Note", 20, 2, 8, widest=60),
    )
    needs = {"a": Need(10), "name": Need(19, 16), "note": Need(90)}
    # room for the name whole: the narrower column grows first, the note takes the rest
    assert fit_columns(columns, 70, needs) == [(columns[0], 10), (columns[1], 19), (columns[2], 35)]
    # little room: the name keeps its names apart, the note narrows
    assert fit_columns(columns, 44, needs) == [(columns[0], 10), (columns[1], 16), (columns[2], 12)]
    # no room for the note: it goes before the name is cut below what keeps names apart
    assert fit_columns(columns, 30, needs) == [(columns[0], 10), (columns[1], 16)]
    # names of the least needed rank are cut before a column of that rank goes
    assert fit_columns(columns, 21, needs) == [(columns[0], 10), (columns[1], 7)]
    # a wide table: every cell whole, past the widths shared (nothing cut with room to spare)
    assert fit_columns(columns, 200, needs) == [
        (columns[0], 10),
        (columns[1], 19),
        (columns[2], 90),
    ]


def test_a_column_cuts_its_cells_only_when_it_is_the_least_needed() -> None:
    """An outcome narrows as far as its words stay whole; the note goes before the outcome
    is cut, though narrowing it would have kept the note."""
    columns = (
        Column("time", "Time", 8),
        Column("outcome", "Outcome", 11, 1, 8, widest=20),
        Column("note", "Note", 30, 7, 12, widest=60),
    )
    needs = {"time": Need(8), "outcome": Need(11), "note": Need(40)}
    assert fit_columns(columns, 37, needs) == [(columns[0], 8), (columns[1], 11), (columns[2], 12)]
    assert fit_columns(columns, 36, needs) == [(columns[0], 8), (columns[1], 11)]
    short = {"time": Need(8), "outcome": Need(4), "note": Need(40)}  # "sale": 8 cells are enough
    assert fit_columns(columns, 34, short) == [(columns[0], 8), (columns[1], 8), (columns[2], 12)]


def test_short_cells_give_their_room_back_and_keep_their_width_when_there_is_room() -> None:
    columns = (
        Column("name", "Queue", 10, 1, 7, widest=24, names=True),
        Column("caller", "Caller", 16, 3, 13, widest=20),
        Column("talk", "Talk", 6, 2),
    )
    needs = {"name": Need(5, 3), "caller": Need(16), "talk": Need(4)}
    # "sales": the queue takes 7 (its narrowest), so the caller fits whole
    assert fit_columns(columns, 35, needs) == [(columns[0], 7), (columns[1], 16), (columns[2], 6)]
    # with room, as declared
    assert fit_columns(columns, 60, needs) == [(columns[0], 10), (columns[1], 16), (columns[2], 6)]


def test_a_narrow_state_cell_cuts_the_pause_reason_and_keeps_the_time() -> None:
    """ "paused 1:06:12 lunch brea…", not "paused lunch break 1:06:…": how long is what a
    supervisor reads there."""
    from carewatch.tui.centre import OperatorLine
    from carewatch.tui.panels.operators import state_cell

    line = OperatorLine("Anna", "paused", 1_000.0, "lunch break", 3, None, 0.0, None, 0)
    cell = state_cell(line, 1_000.0 + 3972)
    cell.truncate(18, overflow="ellipsis")
    assert cell.plain == "paused 1:06:12 lu…"


def test_names_that_would_look_alike_keep_their_ends() -> None:
    north, south = "Business Accounts North", "Business Accounts South"
    assert cut_names([north, south], 11) == {north: "Busin…North", south: "Busin…South"}
    # a cut that no other name shows keeps its beginning; a name that fits is whole
    assert cut_names(["Premium Broadband", "sales", north, south], 10) == {
        "Premium Broadband": "Premium B…",
        "sales": "sales",
        north: "Busi…North",
        south: "Busi…South",
    }
    # where the names differ in the middle, the end kept is cut too
    billing = [f"Business Accounts {r} Billing Enquiries" for r in ("North", "South")]
    assert sorted(cut_names(billing, 14).values()) == ["Busi…North Bi…", "Busi…South Bi…"]
    # wide characters count twice: every name in its cells, no two alike
    wide = cut_names(["山田太郎花子さん一", "山田太郎花子さん二", ITALY, SPAIN], 10)
    assert all(cell_len(shown) <= 10 for shown in wide.values())
    assert len(set(wide.values())) == 4
    assert wide[ITALY] == "cust…italy"
