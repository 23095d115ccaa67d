"""``r`` pressed twice before the screen shows the first change: resolved, then not resolved
(each press toggles the call as it is in the database, not as the screen last painted it)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from carewatch.store import Store
from tests.test_tui import ME, NOW, SIZE, answered_call, cell, make, ready, seed, wait_for


async def test_r_twice_toggles_twice(tmp_path: Path) -> None:
    db = tmp_path / "cw.db"
    pk = seed(db, [answered_call("c1", NOW - 300, ME)])["c1"]
    async with make(db).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # both keys are in before the first write is done
        try:
            await pilot.press("r", "r")
        finally:
            holder.execute("COMMIT")
            holder.close()
        with Store(str(db)) as other:
            await wait_for(pilot, lambda: len(other.tag_events(pk)) >= 2, "both written", 10)
            assert [e["new_value"] for e in other.tag_events(pk)] == ["true", "false"]
            assert other.get_call(pk).resolved is False
        await wait_for(pilot, lambda: cell(app, pk, "resolved") == "✗", "not resolved shown")
