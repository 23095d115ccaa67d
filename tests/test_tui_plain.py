"""The live screen on a poor terminal: no colour (``NO_COLOR``), a locale that is not UTF-8
(``LANG=C``), a light theme. What the screen conveys by colour it also says with a sign."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from rich.color import ColorType
from rich.console import Console
from rich.segment import Segment
from textual.geometry import Region
from textual.widget import Widget

from carewatch.config.screen import QueueGoals
from carewatch.tui.app import CarewatchApp
from carewatch.tui.centre import QueueLine
from carewatch.tui.panels.categories import category_table
from carewatch.tui.panels.queues import queue_cells
from carewatch.tui.panels.tiles import build_tiles
from carewatch.tui.screens.main import MainScreen
from tests.test_tui import ME, NOW, SIZE, answered_call, make, ready, seed
from tests.tui_snapshot_app import snapshot_config


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cw.db"
    seed(
        path,
        [
            answered_call("c-1", NOW - 900, ME, talk_seconds=400, ended_at=NOW - 400),
            answered_call("c-2", NOW - 600, "op-two"),
        ],
    )
    return path


def segments(app: CarewatchApp) -> list[Segment]:
    """Every segment the screen paints now, as the terminal gets it (filters applied)."""
    out: list[Segment] = []
    for widget in app.screen.query(Widget):
        if not widget.display or not widget.size.area:
            continue
        width, height = widget.size
        for strip in widget.render_lines(Region(0, 0, width, height)):
            out.extend(strip)
    return out


def is_terminal_default(colour: object) -> bool:
    return colour is None or getattr(colour, "type", None) == ColorType.DEFAULT


async def test_no_color_paints_in_the_terminal_s_own_colours(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NO_COLOR with the default theme (the terminal's ANSI colours): every character in the
    terminal's own foreground on its own background, never black on black."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert isinstance(app.screen, MainScreen)
        painted = [s for s in segments(app) if s.text.strip() and s.style is not None]
        assert painted
        for segment in painted:
            style = segment.style
            assert style is not None
            assert is_terminal_default(style.color), (segment.text, style)
            assert is_terminal_default(style.bgcolor), (segment.text, style)


async def test_lang_c_paints_plain_characters_in_the_same_layout(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A terminal in the C locale: borders, "·", "●", "✓", scroll bars in plain characters,
    each as wide as what it replaces."""
    monkeypatch.setenv("LC_ALL", "C")
    app = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        lines = screen_lines(app)
        assert all(line.isascii() for line in lines), [x for x in lines if not x.isascii()]
        assert all(len(line) == SIZE[0] for line in lines)
        text = "\n".join(lines)
        assert "+- Queues - 0 waiting -" in text  # a rounded border, "·"
        assert "* untagged" in text  # "● untagged"
        assert "| 10:" in text or "|" in text


async def test_a_utf8_locale_keeps_the_screen_as_it_was(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    app = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        text = "\n".join(screen_lines(app))
        assert "╭─ Queues · 0 waiting ─" in text and "● untagged" in text


def screen_lines(app: CarewatchApp) -> list[str]:
    """The screen as the terminal shows it, line by line (filters applied)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


# -- what colour says, a sign says too -----------------------------------------------------------
def test_a_tile_off_its_target_is_marked() -> None:
    config = snapshot_config()

    def shown(key: str, **kpis: object) -> str:
        return {t.key: t for t in build_tiles(dict(kpis), None, config)}[key].shown

    assert shown("avg_talk_seconds", avg_talk_seconds=120.0) == "2:00"  # at the target
    assert shown("avg_talk_seconds", avg_talk_seconds=140.0) == "2:20 !"  # over: amber
    assert shown("avg_talk_seconds", avg_talk_seconds=151.0) == "2:31 !!"  # over amber: red
    assert shown("abandon_rate", abandon_rate=0.05) == "5.0%"
    assert shown("abandon_rate", abandon_rate=0.051) == "5.1% !"
    assert shown("service_level", service_level=0.80) == "80%"
    assert shown("service_level", service_level=0.79) == "79% !"
    assert shown("open_issues", open_issues=2) == "2"  # no target: the figure says it


def test_a_queue_off_its_targets_is_marked() -> None:
    goals = QueueGoals(service_level_goal=0.8, abandon_rate_max=0.05, long_wait_alert_seconds=60)
    line = QueueLine("sales", 0, None, 2, 0, 2, 0, 20, 17, 3, 0.15, 0.7, goals)
    cells = [c.plain for c in queue_cells(line, NOW)]
    assert cells[3] == "!70%" and cells[7] == "!3"  # SL below its goal, Aband over its max
    fine = [c.plain for c in queue_cells(replace(line, abandon_rate=0.0, service_level=0.9), NOW)]
    assert fine[3] == "90%" and fine[7] == "3"


def test_a_category_over_its_alert_share_is_marked() -> None:
    kpis = {
        "category_mix": {
            "shipping": {"count": 31, "share": 0.62},
            "order": {"count": 19, "share": 0.38},
        },
        "category_alerts": ["shipping"],
        "untagged": 0,
    }
    console = Console(width=60, file=io.StringIO(), color_system=None)
    with console.capture() as capture:
        console.print(category_table(kpis, snapshot_config(), 60))
    shipping, order = capture.get().splitlines()[:2]
    assert "!62%" in shipping and "!" not in order.replace("38%", "")


async def test_operator_over_the_talk_target_is_marked(db: Path) -> None:
    app = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        text = "\n".join(screen_lines(app))
        assert "!6:40" in text  # op-one: 400 s on average, over the 120 s target
        assert " 1:40 " in text and "!1:40" not in text
        assert "4:10 !!" in text  # the average talk tile, over talk_amber_seconds


async def test_without_colour_the_focus_still_shows(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NO_COLOR: the focused panel's border is double (its accent colour cannot show), and a
    line without a border is reversed."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = app.screen
        for panel in screen.query(".panel"):
            if not panel.display:
                continue
            screen.set_focus(panel)
            await pilot.pause()
            top = screen_lines(app)[panel.region.y][panel.region.x : panel.region.right]
            assert top.startswith("╔═"), (panel.id, top)
            others = [
                screen_lines(app)[other.region.y][other.region.x]
                for other in screen.query(".panel")
                if other is not panel and other.display and other.region.area
            ]
            assert others and all(corner == "╭" for corner in others)
        for line in ("#tiles", "#now", "#alerts"):
            widget = screen.query_one(line)
            assert reversed_text(widget) == {False}, line
            screen.set_focus(widget)
            await pilot.pause()
            assert reversed_text(widget) == {True}, line


def reversed_text(widget: Widget) -> set[bool]:
    """Whether the text a widget paints is reversed (each distinct answer, for every
    segment with something to see)."""
    width, height = widget.size
    strips = widget.render_lines(Region(0, 0, width, height))
    return {bool(s.style and s.style.reverse) for strip in strips for s in strip if s.text.strip()}


async def test_no_color_with_a_light_theme_paints_legible_greys(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A theme picked from the palette (textual-light): NO_COLOR turns it to greys, never the
    same grey for a character and the ground it stands on."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        painted = [s for s in segments(app) if s.text.strip() and s.style is not None]
        for segment in painted:
            style = segment.style
            assert style is not None and style.color is not None and style.bgcolor is not None
            assert style.color.triplet is not None and style.bgcolor.triplet is not None
            red, green, blue = style.color.triplet
            assert red == green == blue, (segment.text, style)  # a grey
            if not style.reverse and not style.dim:
                assert style.color != style.bgcolor, (segment.text, style)
