"""The wallboard: big figures for a TV, rotating through the whole centre and each queue.

``carewatch monitor --wall`` starts on it; ``b`` on the main screen opens it and ``b`` or Esc
goes back. It has no tagging keys (nobody tags on a TV). Which page shows is read from the
clock (``wall_rotate_seconds`` each), so two wallboards side by side agree, and a fixed
clock shows a fixed page.

Each block of figures (the centre, then each queue: :func:`wall_pages`) is the same size
whatever the terminal: a title over two rows of four figures in three-line digits
(:func:`block_width` × :data:`BLOCK_HEIGHT`). A page holds as many blocks as fit side by side
and one under the other (:func:`blocks_per_page`), so a centre of 25 queues on a large
terminal comes round in a few pages instead of 26; where one block fits, a page is one block,
across the whole width. A block's title that is too long for its width is cut apart from the
other titles (:func:`~carewatch.tui.panels.widths.cut_names`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from carewatch.config import Config
from carewatch.config.screen import QueueGoals, queue_goals
from carewatch.i18n import N_, _
from carewatch.present import clean_text, clock, count, percent
from carewatch.tui.bigtext import big_line, big_width
from carewatch.tui.panels.now import title_text
from carewatch.tui.panels.widths import cut_names
from carewatch.tui.snapshot import Alert, Snapshot, stale_alert, window_title
from carewatch.tui.text import literal
from carewatch.tui.words import translate_bindings

if TYPE_CHECKING:
    from carewatch.tui.app import CarewatchApp

Level = Literal["good", "warn", "bad", ""]
_LEVEL_STYLE = {"good": "bold green", "warn": "bold yellow", "bad": "bold reverse red", "": "bold"}


@dataclass(frozen=True)
class Figure:
    """One big figure: what it is, its value, and how it stands against its target."""

    label: str
    value: str
    level: Level = ""


@dataclass(frozen=True)
class WallPage:
    """One page of the rotation: the whole centre or one queue."""

    title: str
    figures: tuple[Figure, ...]


def _wait_level(waited: float | None, waiting: int, goals: QueueGoals) -> Level:
    if waited is not None and waited > goals.long_wait_alert_seconds:
        return "bad"
    return "warn" if waiting else "good"


def _rate_levels(sl: float | None, abandon: float | None, goals: QueueGoals) -> tuple[Level, Level]:
    sl_level: Level = "" if sl is None else "bad" if sl < goals.service_level_goal else "good"
    ab_level: Level = "" if abandon is None else "bad" if abandon > goals.abandon_rate_max else ""
    return sl_level, ab_level


def wall_pages(snap: Snapshot, config: Config, now: float) -> list[WallPage]:
    """The centre first, then one page per queue (queue names are log text: cleaned); with
    the screen filtered to one queue, that queue's page only."""
    state, kpis = snap.now, snap.kpis
    agents = list(state.agents.values())
    centre_goals = queue_goals(config.targets, {}, None)
    longest = state.waiting_calls[0].started_at if state.waiting_calls else None
    waited = None if longest is None else max(0.0, now - longest)
    sl_level, ab_level = _rate_levels(
        kpis.get("service_level"), kpis.get("abandon_rate"), centre_goals
    )
    centre = [
        WallPage(
            _("All queues"),
            (
                Figure(
                    _("Waiting"),
                    count(state.waiting),
                    _wait_level(waited, state.waiting, centre_goals),
                ),
                Figure(
                    _("Longest wait"),
                    clock(waited),
                    _wait_level(waited, state.waiting, centre_goals),
                ),
                Figure(_("Talking"), count(sum(1 for a in agents if a.state == "talking"))),
                Figure(_("Free"), count(sum(1 for a in agents if a.state == "idle"))),
                Figure(_("Paused"), count(sum(1 for a in agents if a.state == "paused"))),
                Figure(_("Answered"), count(kpis.get("answered", 0))),
                Figure(_("Abandoned"), percent(kpis.get("abandon_rate"), 0), ab_level),
                Figure(_("Service level"), percent(kpis.get("service_level"), 0), sl_level),
            ),
        )
    ]
    # filtered to one queue, the window's figures are that queue's only: the centre's page
    # and the other queues' pages would show them under their names
    pages = list(centre) if snap.queue is None else []
    for line in snap.queue_lines:
        if snap.queue is not None and line.name != snap.queue:
            continue
        waited = None if line.longest_since is None else max(0.0, now - line.longest_since)
        sl_level, ab_level = _rate_levels(line.service_level, line.abandon_rate, line.goals)
        wait_level = _wait_level(waited, line.waiting, line.goals)
        pages.append(
            WallPage(
                _("Queue {queue}").format(queue=clean_text(line.name, limit=80)),
                (
                    Figure(_("Waiting"), count(line.waiting), wait_level),
                    Figure(_("Longest wait"), clock(waited), wait_level),
                    Figure(_("Talking"), count(line.talking)),
                    Figure(_("Free"), count(line.free), "good" if line.free else "warn"),
                    Figure(_("Paused"), count(line.paused)),
                    Figure(_("Answered"), count(line.answered)),
                    Figure(_("Abandoned"), percent(line.abandon_rate, 0), ab_level),
                    Figure(_("Service level"), percent(line.service_level, 0), sl_level),
                ),
            )
        )
    return pages or centre


def page_index(now: float, pages: int, seconds: float) -> int:
    """Which page shows at ``now``: each for ``seconds``, from the epoch (clock-driven)."""
    return int(now // seconds) % pages if pages else 0


#: The widest figure a block makes room for: "10:00" in three-line digits is 15 cells (a wider
#: one is written in plain digits).
FIGURE_DIGITS = big_width("10:00")
#: Cells between two figures of a row.
FIGURE_GAP = 4
#: A block of the wallboard: four figures in a row, two rows (eight figures).
BLOCK_COLUMNS = 4
#: Title, blank line, and two rows of figures (label, three lines of digits, blank line).
BLOCK_HEIGHT = 2 + 2 * 5
#: Columns between two blocks side by side.
BLOCK_GAP = 4


def block_width(blocks: Sequence[WallPage]) -> int:
    """The cells a block takes: four figures in a row, each as wide as "10:00" in three-line
    digits or its label in the current language ("Livello di servizio"), whichever is wider,
    and :data:`FIGURE_GAP` between them."""
    labels = [cell_len(figure.label) for block in blocks for figure in block.figures]
    return BLOCK_COLUMNS * (max(FIGURE_DIGITS, *labels) + FIGURE_GAP)


def blocks_per_page(width: int, height: int, block: int) -> tuple[int, int]:
    """(blocks side by side, blocks one under the other) that fit in ``width`` × ``height``
    cells, each ``block`` cells wide (:func:`block_width`) and :data:`BLOCK_HEIGHT` tall, the
    size its figures are readable in; at least one block."""
    across = max(1, (width + BLOCK_GAP) // (block + BLOCK_GAP))
    down = max(1, height // BLOCK_HEIGHT)
    return across, down


def group_pages(blocks: Sequence[WallPage], per_page: int) -> list[list[WallPage]]:
    """``blocks`` in pages of ``per_page``, in order (the last page may hold fewer)."""
    size = max(1, per_page)
    return [list(blocks[start : start + size]) for start in range(0, len(blocks), size)]


def render_blocks(
    blocks: Sequence[WallPage],
    width: int,
    across: int,
    index: int,
    pages: int,
    names: Sequence[str],
) -> RenderableType:
    """One page of the rotation: its ``blocks`` in rows of ``across`` in ``width`` cells (one
    block: across the whole width). Titles too long for a block are cut apart from the titles
    of every block of the rotation (``names``)."""
    across = max(1, min(across, len(blocks)))
    each = (width - BLOCK_GAP * (across - 1)) // across
    cuts = cut_names([name.upper() for name in names], max(8, each - 8))
    if across == 1 and len(blocks) == 1:
        return render_page(blocks[0], width, index, pages, cuts)
    grid = Table.grid(expand=True, padding=(0, BLOCK_GAP // 2), pad_edge=False)
    for _column in range(across):
        grid.add_column(ratio=1)
    rendered = [
        render_page(block, each, index, pages, cuts, numbered=number == 0, columns=BLOCK_COLUMNS)
        for number, block in enumerate(blocks)
    ]
    for start in range(0, len(rendered), across):
        row = rendered[start : start + across]
        grid.add_row(*row, *([Text("")] * (across - len(row))))
    return grid


def render_page(
    page: WallPage,
    width: int,
    index: int,
    pages: int,
    cuts: dict[str, str] | None = None,
    *,
    numbered: bool = True,
    columns: int | None = None,
) -> RenderableType:
    """The page: its title, then the figures in as many columns as fit, each a label over
    the value in three-line digits (plain text when the digits do not fit). ``cuts``: the
    title as a narrow block shows it (:func:`cut_names`); ``numbered``: the title says which
    page of the rotation this is; ``columns``: figures in a row (default: as many as fit)."""
    if columns is None:
        cell = max(12, max(big_width(f.value) for f in page.figures) + 2)
        columns = max(1, min(4, width // (cell + 4)))
    grid = Table.grid(expand=True, padding=(0, 2))
    for _column in range(columns):
        grid.add_column(justify="center", ratio=1)
    cells: list[RenderableType] = []
    for figure in page.figures:
        style = _LEVEL_STYLE[figure.level]
        value: RenderableType
        lines = [big_line(figure.value, n, width // columns - 2) for n in range(3)]
        value = Text("\n".join(lines), style=style, justify="center")
        cells.append(Group(Text(figure.label, style="dim", justify="center"), value, Text("")))
    for start in range(0, len(cells), columns):
        row = cells[start : start + columns]
        grid.add_row(*row, *([Text("")] * (columns - len(row))))
    heading = page.title.upper()
    title = Text((cuts or {}).get(heading, heading), style="bold reverse", justify="center")
    title.no_wrap, title.overflow = True, "ellipsis"
    if numbered:
        title.append(f"  {index + 1}/{pages}", style="dim")
    return Group(title, Text(""), grid)


class WallScreen(Screen[None]):
    """Big figures, no tagging keys, rotating through the centre and the queues."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b,escape", "back", N_("Back to the panels")),
        Binding("q", "app.quit", N_("Quit")),
    ]

    def __init__(self, config: Config, *, demo_label: str | None = None) -> None:
        super().__init__(id="wall")
        translate_bindings(self)
        self.config = config
        self.demo_label = demo_label
        self.snapshot: Snapshot | None = None
        #: Every block of the rotation (the centre, each queue), and the page shown now: its
        #: number and its blocks.
        self.pages: Sequence[WallPage] = ()
        self.page = 0
        self.shown: Sequence[WallPage] = ()

    @property
    def cw_app(self) -> CarewatchApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        """A title line, the page, and a line of keys."""
        yield Static(id="wall-title")
        yield Static(Text(_("reading…"), style="dim"), id="wall-page")
        yield Static(Text(_("b / Esc: back to the panels · q: quit"), style="dim"), id="wall-keys")

    def on_mount(self) -> None:
        """Paint what the app already has."""
        snap = self.cw_app.snapshot
        if snap is not None:
            self.show_snapshot(snap, self.cw_app.clock())

    def show_snapshot(self, snap: Snapshot, now: float) -> None:
        """New figures from a refresh."""
        self.snapshot = snap
        self.tick(now)

    def tick(self, now: float) -> None:
        """Every second: the clock, the waits, and the page of the rotation."""
        snap = self.snapshot
        if snap is None:
            return
        self.pages = wall_pages(snap, self.config, now)
        width, height = self._room()
        across, down = blocks_per_page(width, height, block_width(self.pages))
        rotation = group_pages(self.pages, across * down)
        self.page = page_index(now, len(rotation), self.config.ui.wall_rotate_seconds)
        self.shown = rotation[self.page]
        self.query_one("#wall-title", Static).update(
            title_text(
                window_title=window_title(snap.window_kind, snap.window, self.config),
                queue=snap.queue,
                operator=None,
                now=now,
                tz=self.config.tz,
                demo=self.demo_label,
            )
        )
        self.query_one("#wall-page", Static).update(
            render_blocks(
                self.shown,
                width,
                across,
                self.page,
                len(rotation),
                [page.title for page in self.pages],
            )
        )
        self._paint_keys(stale_alert(self.cw_app.read_failed, snap, self.config.tz))

    def _room(self) -> tuple[int, int]:
        """The cells the page has for its blocks (inside its padding)."""
        page = self.query_one("#wall-page", Static)
        width, height = page.content_size
        if width <= 0 or height <= 0:  # not laid out yet: the screen less the wall's lines
            width, height = (self.size.width or 120) - 4, (self.size.height or 36) - 4
        return width, height

    def _paint_keys(self, stale: Alert | None) -> None:
        """The keys line, or, while the database cannot be read, that the figures are old."""
        if stale is None:
            text = Text(_("b / Esc: back to the panels · q: quit"), style="dim")
        else:
            text = Text("⚠ ", style="bold red", no_wrap=True, overflow="ellipsis")
            text.append(literal(stale.text, "bold red"))
        self.query_one("#wall-keys", Static).update(text)

    def on_resize(self) -> None:
        """Columns follow the width."""
        if self.snapshot is not None:
            self.tick(self.cw_app.clock())

    def action_back(self) -> None:
        """Back to the panels."""
        self.dismiss(None)
