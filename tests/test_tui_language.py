"""The live screen in another language: every word a person reads goes through the catalog.

In the pseudo-language (tests/i18n_pseudo.py) every marked message shouts inside ``⟦…⟧``; the
main screen, the help, the wallboard, the tagging dialogs and a notification are rendered
headless on the snapshot data and fixed clock, and no lower-case English word may be left
outside ``⟦…⟧`` but the data of the logs and the config (names, queues, categories, notes) and
key names. In Italian, every panel's columns fit at every size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, OptionList
from textual.widgets._toast import Toast

from carewatch import i18n
from carewatch.config import Config
from carewatch.kpi.definitions import KPIS
from carewatch.present import clean_text
from carewatch.store import Store
from carewatch.tui.app import CarewatchApp
from carewatch.tui.panels.rows import RowsTable
from carewatch.tui.screens.help import HelpScreen
from carewatch.tui.screens.prompt import ConfirmScreen, IssueScreen, NoteScreen
from carewatch.tui.screens.wall import WallScreen
from tests.i18n_pseudo import extracted, use_pseudo
from tests.test_tui import painted, ready, wait_for
from tests.test_wall_tui import LAYOUTS
from tests.tui_snapshot_app import build, make_app, snapshot_config

#: Words on the screen that are no English sentence: the product, key names, units.
TOKENS = frozenset(
    {
        "carewatch",
        "tab",
        "shift",
        "ctrl",
        "esc",
        "enter",
        "home",
        "end",
        "pgup",
        "pgdn",
        "min",
        "vs",
    }
)
#: A word of two letters or more (one letter is a key); "…" ends a word cut short.
_WORD = re.compile(r"[A-Za-z][A-Za-z']+…?")
_MARKED = re.compile(r"⟦[^⟦⟧]*⟧")
#: A marked message cut by an ellipsis (a narrow column): from ⟦ to the end of the line.
_CUT = re.compile(r"⟦[^⟦⟧\n]*")


@pytest.fixture(scope="module")
def filled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("language") / "filled.db"
    build(str(path))
    return path


@pytest.fixture
def pseudo() -> Iterator[None]:
    use_pseudo()
    yield
    i18n.set_language("en")


@pytest.fixture
def italian() -> Iterator[None]:
    i18n.set_language("it")
    yield
    i18n.set_language("en")


@dataclass(frozen=True)
class Data:
    """What the screen shows that is data, never translated: names (the log's and the
    config's: agents, queues, categories, outcomes, pause reasons), whose words may appear
    anywhere, and sentences (notes, issue titles), taken out whole before the words are read."""

    names: frozenset[str]
    sentences: tuple[str, ...]

    def strip(self, text: str) -> str:
        for sentence in self.sentences:
            text = text.replace(sentence, " ")
        return text


def shown_data(db: Path, config: Config, app: CarewatchApp) -> Data:
    names: list[object] = [app.operator]
    sentences: set[str] = set()
    with Store(str(db)) as store:
        for call in store.recent_calls(100_000):
            names += [call.agent, call.queue, call.category, call.outcome]
            if call.note:
                sentences.add(clean_text(call.note, limit=60))
        for issue in store.open_issues():
            names += [issue.opened_by, issue.category]
            sentences.add(issue.title)
    for category in config.categories:
        names += [category.name, *category.subcategories]
    names += [o.name for o in config.outcomes]
    if app.snapshot is not None:
        names += [agent.reason for agent in app.snapshot.now.agents.values()]
    words = frozenset(w.lower() for v in names if v for w in _WORD.findall(str(v)))
    # longest first: a note that holds another is taken out whole
    sentences.update(unmarked_kpi_labels())
    return Data(words, tuple(sorted(sentences, key=len, reverse=True)))


def unmarked_kpi_labels() -> tuple[str, ...]:
    """The KPI labels the tiles show (each form of a tile's label), while the KPI table's
    labels are not marked for the catalog yet: taken out whole, like data (marked, they shout
    like every other message and this is empty)."""
    marked = {m if isinstance(m, str) else m[0] for m, _c, _w in extracted()}
    forms: set[str] = set()
    for kpi in KPIS:
        for text in (kpi.label, kpi.tile):
            if text and text not in marked:
                forms.update(text.split("|"))
    return tuple(sorted(forms, key=len, reverse=True))


def shown_widgets(root: Widget) -> Iterable[Widget]:
    for widget in root.query("*"):
        if widget.display and widget.outer_size.area:
            yield widget


def is_allowed(word: str, cut: bool, allowed: set[str]) -> bool:
    """A data word or a token; a word cut short by an ellipsis is the start of one."""
    words = allowed | TOKENS
    return word in words or (cut and any(w.startswith(word) for w in words))


def shown_text(widget: Widget) -> list[str]:
    """What a widget paints; a table's rows as their whole cells (a narrow column crops a cell
    mid-word, with no mark)."""
    if isinstance(widget, Input):
        return [widget.value or widget.placeholder]
    width, height = widget.outer_size
    lines = [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]
    if isinstance(widget, RowsTable):
        # the border (with the title) and the header row, then every row's cells
        return lines[:2] + [cell.plain for cells in widget._cells.values() for cell in cells]
    if isinstance(widget, OptionList):
        # every option, also those scrolled out of sight
        return [str(option.prompt) for option in widget.options]
    return lines


def english_left(widgets: Iterable[Widget], data: Data, allowed: set[str]) -> dict[str, list[str]]:
    """Lower-case words outside ⟦…⟧ that are not data: widget -> its unmarked lines."""
    found: dict[str, list[str]] = {}
    for widget in widgets:
        text = "\n".join(shown_text(widget))
        rest = data.strip(text)
        while _MARKED.search(rest):  # a message inside a message: the inner one first
            rest = _MARKED.sub(" ", rest)
        rest = _CUT.sub(" ", rest)
        bad = [
            w
            for w in _WORD.findall(rest)
            if w != w.upper() and not is_allowed(w.lower().rstrip("…"), w.endswith("…"), allowed)
        ]
        if bad:
            found[f"{type(widget).__name__}#{widget.id}"] = bad
    return found


async def check(pilot: Pilot, data: Data, what: str) -> None:
    await pilot.pause()
    left = english_left(shown_widgets(pilot.app.screen), data, set(data.names))
    assert not left, f"{what}: words not from the catalog: {left}"


async def test_every_word_on_the_screen_is_from_the_catalog(pseudo: None, filled_db: Path) -> None:
    app = make_app(str(filled_db))
    async with app.run_test(size=(200, 60), notifications=True) as pilot:
        await ready(pilot)
        await pilot.pause()
        data = shown_data(filled_db, snapshot_config(), app)
        # the catalog reaches the screen: the title bar and the footer shout
        assert any("⟦" in line for line in painted(app.screen.query_one("#title-bar")))
        await check(pilot, data, "the main screen")

        dialogs = (
            ("question_mark", HelpScreen, "the help screen"),
            ("b", WallScreen, "the wallboard"),
            ("n", NoteScreen, "the note dialog"),
            ("i", IssueScreen, "the issue dialog"),
        )
        for key, screen, what in dialogs:
            await pilot.press(key)
            assert isinstance(app.screen, screen), what
            await check(pilot, data, what)
            await pilot.press("escape")

        # the command palette: the screen's actions and Textual's own commands
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await wait_for(
            pilot, lambda: app.screen.query_one(CommandList).option_count > 10, "the commands"
        )
        await check(pilot, data, "the command palette")
        await pilot.press("escape")

        app.screen.action_focus_panel("issues")
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        await check(pilot, data, "the resolve question")
        await pilot.press("n")

        # a tag: the notification says so in the language of the screen
        app.screen.action_focus_panel("calls")
        await pilot.press("1")
        await wait_for(pilot, lambda: bool(app.screen.query(Toast)), "the tag's notification")
        await check(pilot, data, "the tag's notification")


@pytest.mark.parametrize("size", list(LAYOUTS))
async def test_italian_columns_fit_every_size(
    italian: None, filled_db: Path, size: tuple[int, int]
) -> None:
    async with make_app(str(filled_db)).run_test(size=size) as pilot:
        app = await ready(pilot)
        for name in ("queues", "live", "operators", "issues", "calls"):
            app.screen.action_focus_panel(name)
            await pilot.pause()
            panel = app.screen.query_one(f"#{name}", RowsTable)
            assert panel.display
            shown = panel._layout or []
            assert shown, f"{name} shows no column at {size}"
            for column, column_width in shown:
                # no header is cut: each shown column is as wide as its Italian header
                assert column_width >= len(column.title) >= 1, (name, column.title, size)
            titles = [str(column.title) for column, _w in shown]
            assert len(set(titles)) == len(titles), f"two {name} columns read the same: {titles}"
            used = sum(w + 2 for _c, w in shown)
            assert used <= panel.region.width - 2, f"{name}'s columns run off at {size}"
        assert app.screen.query_one("#title-bar")
        assert "Oggi" in painted(app.screen.query_one("#title-bar"))[0]


async def test_too_small_says_so_in_italian(italian: None, filled_db: Path) -> None:
    async with make_app(str(filled_db)).run_test(size=(60, 20)) as pilot:
        app = await ready(pilot)
        await pilot.pause()
        line = app.screen.query_one("#too-small")
        assert line.display
        assert any("terminale troppo piccolo: servono 80×24" in t for t in painted(line))


def test_the_ratings_tile_writes_its_average_the_italian_way(italian: None) -> None:
    from carewatch.config import default_config
    from carewatch.tui.panels.tiles import build_tiles

    tiles = build_tiles({"csat_avg": 3.8, "csat_responses": 5}, None, default_config())
    (csat,) = [t for t in tiles if t.key == "csat_score"]
    assert csat.detail.startswith("media 3,80 · 5")


async def test_textuals_own_notices_speak_italian_and_the_screenshot_is_saved(
    italian: None, filled_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C says which key quits, and the palette's screenshot is saved (in the current
    folder where there is no Downloads folder, where Textual's own choice failed) and says
    where, both in Italian."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no Downloads folder there
    monkeypatch.chdir(tmp_path)
    async with make_app(str(filled_db)).run_test(size=(120, 36)) as pilot:
        app = await ready(pilot)
        await pilot.press("ctrl+c")
        app.action_screenshot()
        await pilot.pause()
        said = {(str(n.title), str(n.message)) for n in app._notifications}
    assert ("Vuoi uscire?", "Premi q per uscire.") in said
    (svg,) = tmp_path.glob("*.svg")
    assert ("Schermata", f"Schermata salvata in {svg}") in said
