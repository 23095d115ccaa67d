"""A full call table (its 200 newest calls) with the oldest call selected: new calls push the
selected call out, and the cursor's row is then another call. No tagging key tags that call
(one the operator never chose) until the operator selects a call again; the screen says so."""

from __future__ import annotations

from pathlib import Path

from carewatch.store import Store
from carewatch.tui.panels.calls import MAX_ROWS
from tests.test_tui import NOW, SIZE, answered_call, call_table, make, ready, seed, wait_for


async def test_a_key_never_tags_the_call_that_took_the_selected_ones_place(
    tmp_path: Path,
) -> None:
    db = tmp_path / "cw.db"
    calls = [answered_call(f"c{n:03d}", NOW - 7200 + 20 * n, "op-two") for n in range(MAX_ROWS)]
    pks = seed(db, calls)
    async with make(db).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        table = call_table(app)
        await wait_for(pilot, lambda: table.row_count == MAX_ROWS, "a full table")
        await pilot.press("end")  # the oldest call shown
        await wait_for(pilot, lambda: table.selected_call is not None, "a selection")
        chosen = table.selected_call
        assert chosen is not None and chosen.call_id == "c000"
        newer = [answered_call(f"d{n}", NOW - 100 + n, "op-two") for n in range(3)]
        with Store(str(db)) as other:
            other.ingest("test", [(1000 + n, u) for n, u in enumerate(newer)])
        await wait_for(
            pilot,
            lambda: any(c.call_id == "d2" for c in table._rows.values()),
            "the new calls on screen",
        )
        assert "c000" not in {c.call_id for c in table._rows.values()}
        assert table.selected_call is None and table.selection_left
        await pilot.press("2")  # the second category: the chosen call is gone, nothing tagged
        await pilot.pause()
        assert any("has left the table" in str(n.message) for n in app._notifications)
        await pilot.press("up")  # the operator selects a call again
        selected = table.selected_call
        assert selected is not None and not table.selection_left
        await pilot.press("2")
        with Store(str(db)) as other:
            await wait_for(pilot, lambda: bool(other.tag_events()), "the tag written")
            (event,) = other.tag_events()
            assert event["call_pk"] == pks[selected.call_id] != pks["c000"]
