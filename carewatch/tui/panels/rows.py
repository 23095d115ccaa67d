"""What the panels built on DataTable share: rows kept in line with the data by row key, and
columns that fit the panel's width.

A refresh never clears and refills a table: :meth:`RowsTable.sync_rows` removes the rows that
left, adds the new ones and updates only the cells that changed, so the cursor and the scroll
position stay where the user put them.

Columns fit the width instead of running off the edge (:func:`fit_columns`, in widths.py):
each column has a priority (0: always shown) and a narrowest width; when the panel is too
narrow, the least important column narrows, or goes when narrowing is not enough, and so on up
the priorities; room to spare goes to the columns whose cells are cut (names, notes). What the
cells need is measured once per change of the rows (:meth:`RowsTable.sync_rows`), in terminal
cells. A change of the columns' widths alone changes them in place; only a change of which
columns are shown rebuilds the table (from the cells it keeps), with the cursor on the same row
and the scroll where it was.

A names column (queues, operators) too narrow for its names shows each name as
:func:`cut_names` cuts it for the column's width, so that names sharing a long beginning
("Business Accounts North", "Business Accounts South") stay apart ("Business…North",
"Business…South") instead of both showing "Business Acco…". The cells the table keeps (and
:meth:`RowsTable.cell` gives) hold the names whole; a cut one carries its whole name
(:class:`CutText`), which is what the rows are sorted by.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, ClassVar, Self

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.geometry import Region
from textual.widgets import DataTable
from textual.widgets.data_table import (
    CellDoesNotExist,
    CellKey,
    ColumnKey,
    RowDoesNotExist,
    RowKey,
)

from carewatch.tui.panels.panel import Panel
from carewatch.tui.panels.widths import Column, Need, apart_width, cut_names, fit_columns
from carewatch.tui.words import translate_bindings

#: What a cell looks like: text, style and spans (a change in any of them repaints the cell).
Signature = tuple[str, str, tuple[Any, ...]]
#: Columns kept free for the vertical scrollbar.
SCROLLBAR = 2


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


class CutText(Text):
    """A name as a names column shows it, cut (:func:`cut_names`); ``whole``: the name whole."""

    whole: str = ""


def cut_cell(cell: Text, shown: str) -> CutText:
    """``cell`` showing ``shown`` in place of its text, in its style (a name's cell is one
    style: spans inside it are not kept), and carrying its whole text."""
    cut = CutText(
        shown,
        style=cell.style,
        justify=cell.justify,
        no_wrap=cell.no_wrap,
        overflow=cell.overflow,
        end=cell.end,
    )
    cut.whole = cell.plain
    return cut


def whole_text(cell: object) -> str:
    """What a cell of the table says whole (a cut name: the name whole)."""
    if isinstance(cell, CutText):
        return cell.whole
    return cell.plain if isinstance(cell, Text) else str(cell)


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
        #: Each row's cells' widths in terminal cells (``COLUMNS`` order), and what each
        #: column's cells need, measured when the rows change.
        self._measures: dict[str, tuple[int, ...]] = {}
        self._needs: dict[str, Need] = self._measure()
        self._row_order: list[str] = []
        #: Names column key -> each name (as its cell says it whole) -> what the column shows.
        self._cuts: dict[str, dict[str, str]] = {}
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

    def remove_rows(self, keys: Sequence[str]) -> None:
        """:meth:`remove_row` of every key, with the rows left numbered again once. Textual's
        numbers every row again, and sets the cursor and the hover again, for each row it
        removes: a busy centre's call table, which takes 100 rows out of 200 in one refresh
        at 500 calls/s, spent 84 ms in it on the project's machine."""
        if not keys:
            return
        for key in keys:
            if key not in self.rows:  # (a dict: the row locations would be searched row by row)
                raise RowDoesNotExist(f"Row key {key!r} is not valid.")
        locations = self._row_locations
        self._require_update_dimensions = True
        self.check_idle()
        gone = set(keys)
        left = sorted(
            ((locations.get(key), key) for key in locations if key.value not in gone),
            key=itemgetter(0),
        )
        self._row_locations = TwoWayDict({key: index for index, (_, key) in enumerate(left)})
        for key in keys:
            for column_key in self._data[RowKey(key)]:
                self._updated_cells.discard(CellKey(RowKey(key), column_key))
            del self.rows[RowKey(key)]
            del self._data[RowKey(key)]
        self._removing = True  # (no new layout of the screen: see remove_row)
        try:
            self.cursor_coordinate = self.cursor_coordinate
            self.hover_coordinate = self.hover_coordinate
            self._update_count += 1
            self.refresh(layout=True)
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

    def _measure(self) -> dict[str, Need]:
        """What each column's cells need: the widest whole, and (a names column) the width
        that keeps every two names apart."""
        rows = self._measures.values()
        widest = [max(widths) for widths in zip(*rows, strict=True)] if rows else []
        needs: dict[str, Need] = {}
        for index, column in enumerate(self.COLUMNS):
            apart = 0
            if column.names:
                apart = apart_width(cells[index].plain for cells in self._cells.values())
            needs[column.key] = Need(widest[index] if widest else 0, apart)
        return needs

    def _fit(self) -> None:
        width = self.size.width - SCROLLBAR
        if width <= SCROLLBAR and self._layout is not None:
            return  # not laid out yet (or hidden): keep what there is
        layout = fit_columns(self.COLUMNS, width if width > SCROLLBAR else 10_000, self._needs)
        if layout == self._layout:
            return
        before, self._layout = self._layout, layout
        if before is not None and [c.key for c, _w in before] == [c.key for c, _w in layout]:
            self._widen(layout)
            self._recut()
            return
        self._cuts = self._cut_names()
        keep = selected_row_key(self)
        scrolled = self.scroll_y
        order = [row.key.value for row in self.ordered_rows if row.key.value is not None]
        with self.app.batch_update():
            self.clear(columns=True)
            for column, width_ in layout:
                self.add_column(column.title, key=column.key, width=width_)
            for key in order:
                self.add_row(*self._visible(self._cells[key]), key=key)
            if keep is not None and keep in self._cells:
                self.move_cursor(row=self.get_row_index(keep), scroll=False)
            if scrolled:  # the rows are the same: so is the place the user scrolled to
                self.scroll_to(y=scrolled, animate=False, immediate=True)

    def _widen(self, layout: list[tuple[Column, int]]) -> None:
        """The same columns, other widths: change them in place (rows, cursor and scroll
        stay as they are)."""
        for column, width in layout:
            self.columns[ColumnKey(column.key)].width = width
        self._clear_caches()
        self._update_count += 1
        self._require_update_dimensions = True
        self.check_idle()
        self.refresh()

    def _visible(self, cells: Sequence[Text]) -> list[Text]:
        index = {c.key: i for i, c in enumerate(self.COLUMNS)}
        return [self._shown(c, cells[index[c.key]]) for c, _w in self._layout or []]

    def _shown(self, column: Column, cell: Text) -> Text:
        """``cell`` as ``column`` shows it now (a names column: cut apart from the others)."""
        shown = self._cuts.get(column.key, {}).get(cell.plain)
        return cell if shown is None or shown == cell.plain else cut_cell(cell, shown)

    def _cut_names(self) -> dict[str, dict[str, str]]:
        """How each names column shown cuts its names at its width (:func:`cut_names`)."""
        index = {c.key: i for i, c in enumerate(self.COLUMNS)}
        cuts: dict[str, dict[str, str]] = {}
        for column, width in self._layout or []:
            if column.names:
                at = index[column.key]
                names = [cells[at].plain for cells in self._cells.values()]
                cuts[column.key] = {
                    name: shown for name, shown in cut_names(names, width).items() if shown != name
                }
        return cuts

    def _recut(self) -> None:
        """Cut the names again (other names, or another width): the names cells whose shown
        text changes are updated in place."""
        cuts = self._cut_names()
        if cuts == self._cuts:
            return
        before, self._cuts = self._cuts, cuts
        index = {c.key: i for i, c in enumerate(self.COLUMNS)}
        for column, _width in self._layout or []:
            old, new = before.get(column.key, {}), cuts.get(column.key, {})
            if old == new:
                continue
            for key, cells in self._cells.items():
                cell = cells[index[column.key]]
                if old.get(cell.plain) != new.get(cell.plain) and key in self._signatures:
                    self.update_cell(key, column.key, self._shown(column, cell))

    def sync_rows(self, wanted: Mapping[str, Sequence[Text]]) -> RowChanges:
        """Bring the rows in line with ``wanted`` (row key -> cells of every column in
        ``COLUMNS`` order, shown or not): remove the rows that left, add the new ones at the
        end, update the shown cells that changed; then fit the columns to what the cells need
        now. A cell cut by its column ends in "…" (a cell without an overflow of its own is
        given ``"ellipsis"``). Call it inside ``app.batch_update()``; sorting is the caller's."""
        if self._layout is None:
            self._fit()
        changes = RowChanges()
        shown = set(self.shown_columns)
        changes.removed = [k for k in self._signatures if k not in wanted]
        self.remove_rows(changes.removed)
        for key in changes.removed:
            del self._signatures[key]
            del self._cells[key]
            del self._measures[key]
        for key, cells in wanted.items():
            if self._cells.get(key) is cells:
                continue  # the very cells shown already
            for cell in cells:
                if cell.overflow is None:
                    cell.overflow = "ellipsis"
            new = tuple(signature(cell) for cell in cells)
            old = self._signatures.get(key)
            self._cells[key] = tuple(cells)
            if old is not None and new == old:
                continue
            self._measures[key] = tuple(cell.cell_len for cell in cells)
            if old is None:
                self.add_row(*self._visible(cells), key=key)
                changes.added.append(key)
            else:
                for column, cell, now, before in zip(self.COLUMNS, cells, new, old, strict=True):
                    if now != before and column.key in shown:
                        self.update_cell(key, column.key, self._shown(column, cell))
                changes.updated.append(key)
            self._signatures[key] = new
        if changes.added or changes.removed or changes.updated:
            self._needs = self._measure()
            self._fit()
            self._recut()
        return changes

    def sync_in_order(self, wanted: Mapping[str, Sequence[Text]]) -> RowChanges:
        """:meth:`sync_rows`, then the rows in ``wanted``'s order (sorted only when that
        order changed). The first column's text must be the row key (a name)."""
        changes = self.sync_rows(wanted)
        order = list(wanted)
        if order != self._row_order:
            rank = {key: i for i, key in enumerate(order)}
            self.sort(self.COLUMNS[0].key, key=lambda cell: rank.get(whole_text(cell), len(rank)))
            self._row_order = order
        return changes
