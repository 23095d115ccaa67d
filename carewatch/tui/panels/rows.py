"""What the panels built on DataTable share: rows kept in line with the data by row key.

A refresh never clears and refills a table: :meth:`RowsTable.sync_rows` removes the rows that
left, adds the new ones and updates only the cells that changed, so the cursor and the scroll
position stay where the user put them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

from carewatch.tui.panels.panel import Panel

#: (column key, header, fixed width or None for automatic)
Column = tuple[str, str, int | None]
#: What a cell looks like: text, style and spans (a change in any of them repaints the cell).
Signature = tuple[str, str, tuple[Any, ...]]


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


class RowsTable(Panel, DataTable):
    """A panel that is a table of rows, one per thing, keyed by the thing's id; a row is
    selected with the cursor. Subclasses set ``COLUMNS`` and call :meth:`sync_rows`."""

    COLUMNS: ClassVar[tuple[Column, ...]] = ()

    def __init__(self, *, id: str | None = None, classes: str | None = None, **options: Any):
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True, **options)
        self._signatures: dict[str, tuple[Signature, ...]] = {}
        self.border_title = self.PANEL_HELP.title

    def on_mount(self) -> None:
        """Create the columns."""
        for key, label, width in self.COLUMNS:
            self.add_column(label, key=key, width=width)

    def sync_rows(self, wanted: Mapping[str, Sequence[Text]]) -> RowChanges:
        """Bring the rows in line with ``wanted`` (row key -> cells in column order): remove
        the rows that left, add the new ones at the end, update the cells that changed.
        Call it inside ``app.batch_update()``; sorting is the caller's."""
        changes = RowChanges()
        for key in [k for k in self._signatures if k not in wanted]:
            self.remove_row(key)
            del self._signatures[key]
            changes.removed.append(key)
        for key, cells in wanted.items():
            new = tuple(signature(cell) for cell in cells)
            old = self._signatures.get(key)
            if old is None:
                self.add_row(*cells, key=key)
                changes.added.append(key)
            elif new != old:
                for (column, _label, _width), cell, now, before in zip(
                    self.COLUMNS, cells, new, old, strict=True
                ):
                    if now != before:
                        self.update_cell(key, column, cell)
                changes.updated.append(key)
            self._signatures[key] = new
        return changes
