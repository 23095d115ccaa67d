"""The live screen of a large centre (Textual pilot): 25 queues whose long names differ only at
their end. The queues panel says how many of them it shows, the queue filter's notice names the
queue whole, and the wallboard filtered to one queue shows that queue only."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

from carewatch.tui.app import CarewatchApp, create_app
from carewatch.tui.panels.queues import QueuesTable
from carewatch.tui.panels.rows import RowsTable
from carewatch.tui.screens.wall import WallScreen
from tests.test_tui import NOW, answered_call, make, painted, ready, seed, wait_for
from tests.tui_snapshot_app import snapshot_config

REGIONS = ("North", "South", "East", "West", "Central")
KINDS = ("Residential Customer Support", "Business Accounts Billing Enquiries", "Mobile Contracts",
         "Premium Broadband Technical Help", "Cancellations and Retention Desk")  # fmt: skip
QUEUES = tuple(f"{kind} – {region}" for kind in KINDS for region in REGIONS)


def big_db(tmp_path: Path) -> Path:
    db = tmp_path / "big.db"
    seed(
        db,
        [
            answered_call(f"c{i}", NOW - 600 - i, f"agent-{i}", queue=queue)
            for i, queue in enumerate(QUEUES)
        ],
    )
    return db


def notices(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


async def test_the_queues_panel_says_how_many_of_its_queues_show(tmp_path: Path) -> None:
    async with make(big_db(tmp_path), live=False).run_test(size=(120, 36)) as pilot:
        app = await ready(pilot)
        table = app.screen.query_one(QueuesTable)
        await wait_for(pilot, lambda: table.row_count == 25, "25 queues")
        await pilot.pause()
        rows = table.size.height - table.header_height
        assert 0 < rows < 25
        assert f"{rows} of 25 queues shown" in str(table.border_title)


async def test_with_every_queue_on_screen_the_title_says_nothing_more(tmp_path: Path) -> None:
    db = tmp_path / "few.db"
    seed(db, [answered_call(f"c{i}", NOW - 600 - i, "agent", queue=q) for i, q in
              enumerate(("sales", "support"))])  # fmt: skip
    async with make(db, live=False).run_test(size=(120, 36)) as pilot:
        app = await ready(pilot)
        table = app.screen.query_one(QueuesTable)
        await wait_for(pilot, lambda: table.row_count == 2, "two queues")
        await pilot.pause()
        assert str(table.border_title) == "Queues · 0 waiting"


async def test_the_filter_names_a_long_queue_whole_and_the_wallboard_shows_it_alone(
    tmp_path: Path,
) -> None:
    async with make(big_db(tmp_path), live=False).run_test(size=(120, 36)) as pilot:
        app = await ready(pilot)
        await pilot.press("f")
        chosen = app.queue_filter
        assert chosen is not None and len(chosen) > 40
        await wait_for(pilot, lambda: any(chosen in n for n in notices(app)), "the notice")
        await wait_for(
            pilot,
            lambda: app.snapshot is not None and app.snapshot.queue == chosen,
            "the filtered figures",
        )
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, WallScreen), "the wallboard")
        wall = app.screen
        await wait_for(pilot, lambda: wall.pages, "its pages")
        assert [page.title for page in wall.pages] == [f"Queue {chosen}"]


async def test_the_categories_panel_says_how_many_of_its_categories_show(tmp_path: Path) -> None:
    """Twenty categories on a 70-line terminal: the panel shows some, and says so."""
    from carewatch.config import parse_config
    from carewatch.tui.panels.categories import CategoryBars

    names = [f"category {n:02d}" for n in range(20)]
    config = parse_config({"timezone": "Europe/Rome", "categories": [{"name": n} for n in names]})
    db = tmp_path / "cats.db"
    seed(
        db,
        [
            answered_call(f"c{i}", NOW - 600 - i, "agent-1", category=name)
            for i, name in enumerate(names)
        ],
    )
    async with make(db, config=config, live=False).run_test(size=(250, 70)) as pilot:
        await ready(pilot)
        bars = pilot.app.screen.query_one(CategoryBars)
        await wait_for(pilot, lambda: "of 20 shown" in str(bars.border_title), "the count")
        shown = int(str(bars.border_title).split(" of 20 shown")[0].split()[-1])
        assert 0 < shown < 20 and shown <= bars.content_size.height


async def test_shift_f_steps_the_queue_filter_back(tmp_path: Path) -> None:
    """With 25 queues, one queue back is one key (F), not 25 presses of f."""
    ordered = sorted(QUEUES)
    async with make(big_db(tmp_path), live=False).run_test(size=(120, 36)) as pilot:
        app = await ready(pilot)
        title = app.screen.query_one("#title-bar")
        await pilot.press("F")  # from all queues, back to the last one
        await wait_for(pilot, lambda: f"Queue: {ordered[-1]}" in notices(app), "the notice")
        assert ordered[-1] in painted(title)[0]
        await pilot.press("F")
        await wait_for(pilot, lambda: ordered[-2] in painted(title)[0], "the one before")
        await pilot.press("f")  # and f forward again
        await wait_for(pilot, lambda: ordered[-1] in painted(title)[0], "forward again")
        await pilot.press("f")  # past the last queue: all queues
        await wait_for(pilot, lambda: "queue all" in painted(title)[0], "all queues")
        assert app.queue_filter is None
        # the key is in the footer, the help and the command palette, like f
        footer = {k.key_display: k.description for k in app.screen.query(FooterKey) if k.display}
        assert footer["F"] == "Queue back"
        await pilot.press("question_mark")
        helped = "\n".join(painted(app.screen.query_one("#help-global-keys")))
        assert "F / shift+f" in helped and "the previous queue" in helped
        await pilot.press("escape")
        assert "Queue filter: previous queue (F)" in [c.name for c in app.palette_commands()]


#: 120 operators whose long names differ only at their end.
OPERATORS = tuple(f"Operator {site} {n:02d}" for site in ("Milano Centrale", "Roma Termini",
                  "Napoli Porto") for n in range(40))  # fmt: skip


def names_db(tmp_path: Path) -> Path:
    """25 queues and 120 operators, one call each of them."""
    db = tmp_path / "names.db"
    seed(
        db,
        [
            answered_call(f"c{i}", NOW - 900 - i, operator, queue=QUEUES[i % len(QUEUES)])
            for i, operator in enumerate(OPERATORS)
        ],
    )
    return db


def first_column(table: RowsTable) -> list[str]:
    """The first column of the rows the table paints (below its border and header)."""
    width = (table._layout or [])[0][1]
    strips = table.render_lines(Region(0, 0, table.region.width, table.region.height))
    return [strip.crop(2, 2 + width).text.strip() for strip in strips[2:-1]]


@pytest.mark.parametrize(
    ("panel", "ends"), [("queues", REGIONS), ("operators", tuple(f"{n:02d}" for n in range(40)))]
)
async def test_long_names_that_share_their_beginning_stay_apart_at_80_columns(
    tmp_path: Path, panel: str, ends: tuple[str, ...]
) -> None:
    """Cut to the column, "Residential Customer Support – North" and "… – South" do not both
    show "Residential Customer Suppor…": each keeps its end ("Residential Customer…North")."""
    async with make(names_db(tmp_path), live=False).run_test(size=(80, 24)) as pilot:
        app = await ready(pilot)
        app.screen.action_focus_panel(panel)
        table = app.screen.query_one(f"#{panel}", RowsTable)
        await wait_for(pilot, lambda: table.row_count in (25, 120), "every row")
        for _page in range(3):  # the first rows, and further down the table
            await pilot.pause()
            shown = [name for name in first_column(table) if name]
            assert len(shown) >= 10
            assert len(set(shown)) == len(shown), shown  # no two rows look alike
            for name in shown:  # whole, or cut with its end kept
                assert name in (*QUEUES, *OPERATORS) or (
                    "…" in name and name.endswith(tuple(ends))
                ), name
            await pilot.press("pagedown")


async def test_on_a_wide_screen_the_long_names_are_whole(tmp_path: Path) -> None:
    async with make(names_db(tmp_path), live=False).run_test(size=(200, 60)) as pilot:
        app = await ready(pilot)
        queues = app.screen.query_one(QueuesTable)
        await wait_for(pilot, lambda: queues.row_count == 25, "every queue")
        await pilot.pause()
        shown = [name for name in first_column(queues) if name]
        assert shown and all(name in QUEUES for name in shown), shown


# -- the wallboard of a large centre -------------------------------------------------------------
def wall_text(app: CarewatchApp) -> str:
    return "\n".join(painted(app.screen.query_one("#wall-page")))


def titles_on(text: str, names: tuple[str, ...]) -> list[str]:
    """The queues whose title the wallboard paints whole, in the order of ``names``."""
    return [name for name in names if f"QUEUE {name.upper()}" in text]


async def open_wall(pilot: Pilot, app: CarewatchApp) -> WallScreen:
    await ready(pilot)
    await pilot.press("b")
    await wait_for(pilot, lambda: isinstance(app.screen, WallScreen), "the wallboard")
    wall = app.screen
    assert isinstance(wall, WallScreen)
    await wait_for(pilot, lambda: "QUEUE" in wall_text(app), "its page")
    return wall


async def test_a_large_wallboard_shows_several_queues_a_page_and_comes_round_sooner(
    tmp_path: Path,
) -> None:
    """At 200×60, 25 queues and the centre come round in 4 pages of 10 s, not 26."""
    clock = [NOW]
    app = create_app(snapshot_config(), str(big_db(tmp_path)), clock=lambda: clock[0],
                     live=False)  # fmt: skip
    async with app.run_test(size=(200, 60)) as pilot:
        wall = await open_wall(pilot, app)
        seen: list[str] = []
        for page in range(4):
            clock[0] = NOW - NOW % 40 + 10 * page  # the first page of the rotation, and on
            wall.tick(clock[0])
            await pilot.pause()
            text = wall_text(app)
            assert f"{page + 1}/4" in text
            shown = titles_on(text, tuple(sorted(QUEUES)))
            if page < 3:  # several queues on one page (the last holds what is left)
                assert len(shown) >= 5, text
            seen += shown
        assert seen == sorted(QUEUES)  # every queue once, in order, in 40 s


async def test_where_one_queue_fits_a_page_shows_one(tmp_path: Path) -> None:
    async with make(big_db(tmp_path), live=False).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        assert isinstance(app, CarewatchApp)
        await open_wall(pilot, app)
        text = wall_text(app)
        assert text.count("QUEUE") == 1 and "/26" in text  # the centre and 25 queues


async def test_a_large_wallboard_filtered_to_one_queue_shows_that_queue_only(
    tmp_path: Path,
) -> None:
    async with make(big_db(tmp_path), live=False).run_test(size=(200, 60)) as pilot:
        app = await ready(pilot)
        await pilot.press("F")  # the last queue
        chosen = sorted(QUEUES)[-1]
        await wait_for(pilot, lambda: app.snapshot is not None and app.snapshot.queue == chosen,
                       "the filtered figures")  # fmt: skip
        await open_wall(pilot, app)
        text = wall_text(app)
        assert titles_on(text, QUEUES) == [chosen] and text.count("QUEUE") == 1
        assert "1/1" in text


async def test_wallboard_titles_too_long_for_their_block_stay_apart(tmp_path: Path) -> None:
    """Two blocks side by side at 160×48: a title too long for its block keeps its end."""
    long = "Premium Broadband Technical Help for Business Customers and Partners"
    names = tuple(f"{long} – {region}" for region in REGIONS)
    db = tmp_path / "long.db"
    seed(db, [answered_call(f"c{i}", NOW - 600 - i, "agent", queue=q)
              for i, q in enumerate(names)])  # fmt: skip
    async with make(db, live=False).run_test(size=(160, 48)) as pilot:
        app = pilot.app
        assert isinstance(app, CarewatchApp)
        await open_wall(pilot, app)
        assert "ALL QUEUES  1/1" in wall_text(app)  # the centre and the five queues: one page
        titles = [t.strip() for line in wall_text(app).splitlines()
                  for t in line.split("  ") if t.strip().startswith("QUEUE")]  # fmt: skip
        assert len(titles) == 5 and len(set(titles)) == 5, titles
        for title, region in zip(titles, sorted(REGIONS), strict=True):
            assert "…" in title and title.endswith(region.upper()), titles
