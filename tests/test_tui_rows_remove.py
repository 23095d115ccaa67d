"""A table's rows taken out many at once (:meth:`RowsTable.remove_rows`, what a busy
centre's call table does each refresh) leave the table as taking them out one by one does:
the same rows in the same order, each where ``get_row_index`` says, the cursor on the same
row, and a row added after numbered next."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult

from carewatch.tui.panels.panel import PanelHelp
from carewatch.tui.panels.rows import RowsTable
from carewatch.tui.panels.widths import Column


class Table(RowsTable):
    COLUMNS: ClassVar[tuple[Column, ...]] = (Column("n", "n", 6), Column("what", "what", 10))
    PANEL_HELP = PanelHelp("Rows", "A table of rows.")


class Two(App[None]):
    def compose(self) -> ComposeResult:
        yield Table(id="one")
        yield Table(id="batch")


def _state(table: Table) -> tuple[list[str], list[int], str | None, int]:
    keys = [str(row.key.value) for row in table.ordered_rows]
    where = [table.get_row_index(key) for key in keys]
    cursor = keys[table.cursor_row] if keys else None
    return keys, where, cursor, table.row_count


async def test_rows_taken_out_at_once_leave_the_table_as_one_by_one() -> None:
    wanted = {str(n): [Text(str(n)), Text(f"call {n}")] for n in range(200)}
    gone = [str(n) for n in range(200) if n % 3 == 0 or 120 <= n < 170]  # spread and a run
    async with Two().run_test(size=(60, 30)) as pilot:
        one, batch = pilot.app.query_one("#one", Table), pilot.app.query_one("#batch", Table)
        for table in (one, batch):
            table.sync_rows(wanted)
            table.move_cursor(row=100)  # the call "100", which stays
        for key in gone:
            one.remove_row(key)
        batch.remove_rows(gone)
        await pilot.pause()
        assert _state(batch) == _state(one)
        _keys, where, _cursor, count = _state(batch)
        assert count == 200 - len(gone) and where == list(range(count))
        for table in (one, batch):
            table.add_row(Text("new"), Text("call new"), key="new")
        assert batch.get_row_index("new") == one.get_row_index("new") == count


async def test_sync_rows_takes_the_rows_that_left_out_at_once() -> None:
    wanted = {str(n): [Text(str(n)), Text(f"call {n}")] for n in range(200)}
    async with Two().run_test(size=(60, 30)) as pilot:
        table = pilot.app.query_one("#batch", Table)
        table.sync_rows(wanted)
        changes = table.sync_rows({k: v for k, v in wanted.items() if int(k) >= 150})
        assert changes.removed == [str(n) for n in range(150)]
        keys = [str(row.key.value) for row in table.ordered_rows]
        assert keys == [str(n) for n in range(150, 200)]
        assert [table.get_row_index(k) for k in keys] == list(range(50))
        # one row at a time, as a quiet centre's refresh takes them
        assert table.sync_rows({k: v for k, v in wanted.items() if int(k) > 150}).removed == ["150"]
        assert [table.get_row_index(str(n)) for n in range(151, 200)] == list(range(49))
