"""Helpers shared by the panels built on DataTable."""

from __future__ import annotations

from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist


def selected_row_key(table: DataTable) -> str | None:
    """The key of the row under the cursor, or ``None`` (empty table, or the cursor outside
    the rows while the table changes)."""
    if not table.row_count:
        return None
    try:
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    except CellDoesNotExist:
        return None
