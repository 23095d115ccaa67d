"""The live screen on a poor terminal: no colour (``NO_COLOR``), a locale that is not UTF-8
(``LANG=C``), a light theme. What the screen conveys by colour it also says with a sign."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import ColorType
from rich.segment import Segment
from textual.geometry import Region
from textual.widget import Widget

from carewatch.tui.app import CarewatchApp
from carewatch.tui.screens.main import MainScreen
from tests.test_tui import ME, NOW, SIZE, answered_call, make, ready, seed


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
