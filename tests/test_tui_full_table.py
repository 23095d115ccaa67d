"""A full call table (its 200 newest calls) with the oldest call selected: new calls push the
oldest out, but the selected call stays, so the next tagging key tags the call the operator
chose and not the one that took its place."""

from __future__ import annotations

from pathlib import Path

from carewatch.store import Store
from carewatch.tui.panels.calls import MAX_ROWS
from tests.test_tui import NOW, SIZE, answered_call, call_table, make, ready, seed, wait_for


async def test_the_selected_call_stays_when_new_calls_push_it_out(tmp_path: Path) -> None:
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
        selected = table.selected_call
        assert selected is not None and selected.call_id == "c000"
        await pilot.press("2")  # the second category: tags the call chosen
        with Store(str(db)) as other:
            await wait_for(pilot, lambda: bool(other.tag_events()), "the tag written")
            (event,) = other.tag_events()
            assert event["call_pk"] == pks["c000"]
