"""Hostile names on the live screen (Textual pilot): agents, queues, categories, outcomes,
notes, callers and issue titles that are markup, escape codes, hyperlinks, bidi overrides or
control characters are shown as plain text on every panel and on the wallboard; nothing is
interpreted, nothing crashes, no escape reaches the terminal."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Footer

from carewatch.present import clean_text
from carewatch.store import Store
from carewatch.tui.app import CarewatchApp
from tests.test_hostile import HOSTILE
from tests.test_tui import NOW, answered_call, make, ready, seed, wait_for

#: Names a log could hold, each one a kind of attack on a terminal or on Textual's markup.
NAMES = [
    "[bold red]agent[/]",
    "[@click=app.quit]quit[/]",
    "\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\",
    "\u202eevil\u202c",
    "\x1b[2Jclear",
    "\x9b31mcsi",
    "[/]",
    "<script>x</script>",
    "=cmd|' /C calc'!A0",
    "a\rb\x00c\x07",
]


def _forbidden(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co")


def screen_lines(app: CarewatchApp) -> list[str]:
    """What every shown widget of the screen paints, line by line; fails on a segment that
    holds a control character or a click action that came from a name."""
    lines: list[str] = []
    for widget in app.screen.walk_children(Widget):
        width, height = widget.size
        if not (widget.display and width and height) or isinstance(widget, Footer):
            continue
        for strip in widget.render_lines(Region(0, 0, width, height)):
            for segment in strip:
                meta = segment.style.meta if segment.style else {}
                assert "@click" not in meta or "quit" not in str(meta["@click"]), widget
            text = strip.text
            bad = {f"U+{ord(ch):04X}" for ch in text if _forbidden(ch)}
            assert not bad, f"{widget!r} paints {sorted(bad)}"
            lines.append(text)
    return lines


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    """Calls, a live one, a waiting one and issues whose every name is hostile, written as
    another program may write them (no parser cleaned them)."""
    db = tmp_path / "cw.db"
    calls = []
    for n, name in enumerate(NAMES):
        other = NAMES[(n + 1) % len(NAMES)]
        calls.append(
            answered_call(
                f"evil-{n}",
                NOW - 3000 + 60 * n,
                name,
                queue=other,
                caller=name,
                category=other,
                outcome=name,
                note=other,
                resolved=n % 2 == 0,
            )
        )
    # a call still being talked (the live panel) and one waiting in the queue
    calls.append(answered_call("evil-live", NOW - 30, NAMES[1], queue=NAMES[0], ended_at=None))
    waiting = answered_call("evil-wait", NOW - 20, NAMES[2], queue=NAMES[3], answered_at=None)
    waiting.fields.update(ended_at=None, agent=None)
    calls.append(waiting)
    seed(db, calls)
    with Store(str(db)) as store:
        for n, name in enumerate(NAMES[:4]):
            store.open_issue(name, NAMES[-1 - n], category=NAMES[n + 1], now=NOW - 600)
    return db


@pytest.mark.parametrize("size", [(160, 48), (100, 30)])
async def test_hostile_names_are_plain_text_on_every_panel(
    hostile_db: Path, size: tuple[int, int]
) -> None:
    async with make(hostile_db, operator=NAMES[0]).run_test(size=size) as pilot:
        app = await ready(pilot)
        await pilot.pause()
        shown = "\n".join(screen_lines(app))
        # markup is shown as written, not applied (cut to the column's width at most)
        assert "[bold red]" in shown and "[@click=" in shown
        assert "evil" in shown and "<script>" in shown
        for key in ("tab", "tab", "w", "f", "f", "down", "down"):
            await pilot.press(key)
            await pilot.pause()
            screen_lines(app)
        await pilot.press("b")  # the wallboard names queues and operators in big letters
        await wait_for(pilot, lambda: type(app.screen).__name__ == "WallScreen", "the wall")
        await pilot.pause(0.1)
        screen_lines(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running


def test_every_hostile_text_is_cleaned_to_nothing_a_terminal_acts_on() -> None:
    """The one cleaning every face uses keeps no control, format or escape character of the
    hostile texts the ingest tests use."""
    for text in [*HOSTILE, *NAMES]:
        assert not any(_forbidden(ch) for ch in clean_text(text)), repr(text)
