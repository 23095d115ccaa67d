"""What the panels built on DataTable share: rows kept in line with the data by row key, and
columns that fit the panel's width.

A refresh never clears and refills a table: :meth:`RowsTable.sync_rows` removes the rows that
left, adds the new ones and updates only the cells that changed, so the cursor and the scroll
position stay where the user put them.

Columns fit the width instead of running off the edge (:func:`fit_columns`): each column has a
priority (0: always shown) and a narrowest width; when the panel is too narrow, the least
important column narrows, or goes when narrowing is not enough, and so on up the priorities.
Only a change of width that changes the columns rebuilds the table (from the cells it keeps),
with the cursor on the same row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple, Self

from rich.text import Text
from textual.geometry import Region
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowKey

from carewatch.i18n import _
from carewatch.tui.panels.panel import Panel
from carewatch.tui.words import translate_bindings

#: What a cell looks like: text, style and spans (a change in any of them repaints the cell).
Signature = tuple[str, str, tuple[Any, ...]]
#: Columns DataTable adds around each cell (``cell_padding`` 1 on each side).
CELL_PADDING = 2
#: Columns kept free for the vertical scrollbar.
SCROLLBAR = 2


class Column(NamedTuple):
    """A column: key, header, width; ``priority`` 0 is never dropped, higher numbers are
    dropped first; ``narrowest`` is the width it may shrink to (default: its width).

    The header is marked with ``N_`` and shown in the current language; ``say``: a function
    that says it instead (a header that needs a context in the catalog); ``words``: the marked
    words the column's cells show (a call's status, in the current language), so the column is
    as wide as the longest of them."""

    key: str
    label: str
    width: int
    priority: int = 0
    narrowest: int | None = None
    words: Callable[[], Iterable[str]] | None = None
    say: Callable[[], str] | None = None
    #: The width it may grow to when the panel has room to spare (a note: what it shows whole).
    widest: int | None = None

    @property
    def title(self) -> str:
        """The header in the current language."""
        return self.say() if self.say is not None else _(self.label)

    @property
    def full_width(self) -> int:
        """Its width, widened for a longer header or cell word in the current language."""
        words = self.words() if self.words is not None else ()
        return max(self.width, len(self.title), *(len(word) for word in words))

    @property
    def min_width(self) -> int:
        """The narrowest this column gets (never under its header)."""
        return max(len(self.title), self.narrowest or self.width)


def fit_columns(columns: Sequence[Column], width: int) -> list[tuple[Column, int]]:
    """The columns shown in ``width`` cells, each with its width. While they do not fit, the
    droppable columns narrow as far as they may, the least important first (highest priority
    number, the rightmost of equals); if that is not enough the least important is dropped.
    Priority-0 columns are never dropped: when only they are left, they narrow, the rightmost
    first. When every column fits with room to spare, a column with a ``widest`` width grows
    into it."""
    shown = list(columns)
    widths = {c.key: c.full_width for c in shown}

    def excess() -> int:
        return sum(widths[c.key] + CELL_PADDING for c in shown) - width

    while excess() > 0:
        droppable = [c for c in shown if c.priority > 0]
        if not droppable:
            for c in reversed(shown):
                cut = min(excess(), widths[c.key] - c.min_width)
                widths[c.key] -= max(0, cut)
            break
        least = max(reversed(droppable), key=lambda c: c.priority)
        if sum(widths[c.key] - c.min_width for c in droppable) >= excess():
            # narrowing the droppable columns is enough: the least important first
            for c in sorted(reversed(droppable), key=lambda c: -c.priority):
                widths[c.key] -= min(excess(), widths[c.key] - c.min_width)
            break
        shown.remove(least)
    spare = -excess()
    for c in shown:  # room to spare: the columns that may grow take it, left first
        if spare > 0 and c.widest is not None and c.widest > widths[c.key]:
            grow = min(spare, c.widest - widths[c.key])
            widths[c.key] += grow
            spare -= grow
    return [(c, widths[c.key]) for c in shown]


class RankedText(Text):
    """A cell that carries the key its table is sorted by (``table.sort(column, key=lambda
    cell: cell.rank)``): the order of the data, whatever the cell says."""

    rank: tuple[Any, ...] = ()


def ranked(text: Text, rank: tuple[Any, ...]) -> RankedText:
    """``text`` as a :class:`RankedText` with ``rank``."""
    cell = RankedText(
        text.plain,
        style=text.style,
        justify=text.justify,
        no_wrap=text.no_wrap,
        overflow=text.overflow,
        end=text.end,
        spans=list(text.spans),
    )
    cell.rank = rank
    return cell


def selected_row_key(table: DataTable) -> str | None:
    """The key of the row under the cursor, or ``None`` (empty table, or the cursor outside
    the rows while the table changes)."""
    if not table.row_count:
        return None
    try:
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    except CellDoesNotExist:
        return None


def signature(cell: Text) -> Signature:
    """What a cell looks like, to tell whether it changed."""
    return (cell.plain, str(cell.style), tuple(cell.spans))


@dataclass
class RowChanges:
    """What :meth:`RowsTable.sync_rows` did, by row key."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


#: DataTable's render caches, sized for a live table: any change of a cell (a new call, a
#: ticking clock) makes every entry stale, so more than a few screens of lines are never used
#: again. Left at Textual's sizes (10,000 cells, 1,000 rows and lines) they filled up over
#: minutes of updates: measured, 6 KB of memory per new call at 400 calls/s until full.
RENDER_CACHE_CELLS = 2000
RENDER_CACHE_LINES = 200


class RowsTable(Panel, DataTable):
    """A panel that is a table of rows, one per thing, keyed by the thing's id; a row is
    selected with the cursor. Subclasses set ``COLUMNS`` and call :meth:`sync_rows`."""

    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    _removing = False

    def __init__(self, *, id: str | None = None, classes: str | None = None, **options: Any):
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True, **options)
        self._signatures: dict[str, tuple[Signature, ...]] = {}
        self._cells: dict[str, tuple[Text, ...]] = {}
        self._layout: list[tuple[Column, int]] | None = None
        self._row_order: list[str] = []
        self.border_title = self.panel_title
        translate_bindings(self)
        for cache, size in (
            (self._cell_render_cache, RENDER_CACHE_CELLS),
            (self._row_render_cache, RENDER_CACHE_LINES),
            (self._row_renderable_cache, RENDER_CACHE_LINES),
            (self._line_cache, RENDER_CACHE_LINES),
        ):
            cache.maxsize = size

    def remove_row(self, row_key: RowKey | str) -> None:
        """DataTable's, without the new layout of the whole screen it asks for: a panel's size
        is the screen grid's, and the table measures its rows again when idle (a busy centre
        takes a row out of the call table for every new call)."""
        self._removing = True
        try:
            super().remove_row(row_key)
        finally:
            self._removing = False

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        """Widget's (see :meth:`remove_row`)."""
        return super().refresh(
            *regions, repaint=repaint, layout=layout and not self._removing, recompose=recompose
        )

    @property
    def shown_columns(self) -> list[str]:
        """The keys of the columns shown now."""
        return [c.key for c, _w in self._layout or []]

    def cell(self, key: str, column: str) -> Text:
        """The cell of row ``key`` in ``column`` as built, shown or not (narrow screens leave
        columns out)."""
        index = [c.key for c in self.COLUMNS].index(column)
        return self._cells[key][index]

    def on_mount(self) -> None:
        """Create the columns for the width there is."""
        self._fit()

    def on_resize(self) -> None:
        """Fit the columns to the new width (rebuilds only when they change)."""
        self._fit()

    def _fit(self) -> None:
        width = self.size.width - SCROLLBAR
        if width <= SCROLLBAR and self._layout is not None:
            return  # not laid out yet (or hidden): keep what there is
        layout = fit_columns(self.COLUMNS, width if width > SCROLLBAR else 10_000)
        if layout == self._layout:
            return
        keep = selected_row_key(self)
        order = [row.key.value for row in self.ordered_rows if row.key.value is not None]
        self._layout = layout
        with self.app.batch_update():
            self.clear(columns=True)
            for column, width_ in layout:
                self.add_column(column.title, key=column.key, width=width_)
            for key in order:
                self.add_row(*self._visible(self._cells[key]), key=key)
            if keep is not None and keep in self._cells:
                self.move_cursor(row=self.get_row_index(keep), scroll=False)

    def _visible(self, cells: Sequence[Text]) -> list[Text]:
        index = {c.key: i for i, c in enumerate(self.COLUMNS)}
        return [cells[index[c.key]] for c, _w in self._layout or []]

    def sync_rows(self, wanted: Mapping[str, Sequence[Text]]) -> RowChanges:
        """Bring the rows in line with ``wanted`` (row key -> cells of every column in
        ``COLUMNS`` order, shown or not): remove the rows that left, add the new ones at the
        end, update the shown cells that changed. Call it inside ``app.batch_update()``;
        sorting is the caller's."""
        if self._layout is None:
            self._fit()
        changes = RowChanges()
        shown = set(self.shown_columns)
        for key in [k for k in self._signatures if k not in wanted]:
            self.remove_row(key)
            del self._signatures[key]
            del self._cells[key]
            changes.removed.append(key)
        for key, cells in wanted.items():
            if self._cells.get(key) is cells:
                continue  # the very cells shown already
            new = tuple(signature(cell) for cell in cells)
            old = self._signatures.get(key)
            self._cells[key] = tuple(cells)
            if old is None:
                self.add_row(*self._visible(cells), key=key)
                changes.added.append(key)
            elif new != old:
                for column, cell, now, before in zip(self.COLUMNS, cells, new, old, strict=True):
                    if now != before and column.key in shown:
                        self.update_cell(key, column.key, cell)
                changes.updated.append(key)
            self._signatures[key] = new
        return changes

    def sync_in_order(self, wanted: Mapping[str, Sequence[Text]]) -> RowChanges:
        """:meth:`sync_rows`, then the rows in ``wanted``'s order (sorted only when that
        order changed). The first column's text must be the row key (a name)."""
        changes = self.sync_rows(wanted)
        order = list(wanted)
        if order != self._row_order:
            rank = {key: i for i, key in enumerate(order)}
            self.sort(self.COLUMNS[0].key, key=lambda cell: rank.get(cell.plain, len(rank)))
            self._row_order = order
        return changes
