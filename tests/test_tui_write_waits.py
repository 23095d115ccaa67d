"""A key pressed while another program holds the database's write lock: the screen says it
is waiting (instead of nothing until the lock goes), then saves the tag."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import carewatch.tui.writes as writes
from carewatch.store import Store
from tests.test_tui import ME, NOW, SIZE, answered_call, cell, make, ready, seed, wait_for


async def test_a_tag_waiting_for_a_locked_database_says_so_then_is_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "cw.db"
    pk = seed(db, [answered_call("c1", NOW - 300, ME)])["c1"]
    monkeypatch.setattr(writes, "WRITE_PATIENCE_SECONDS", 0.05, raising=False)
    async with make(db).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        notices = lambda: [str(n.message) for n in app._notifications]  # noqa: E731
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another program's long write
        try:
            await pilot.press("2")
            await wait_for(
                pilot,
                lambda: any(t.startswith("Waiting for the database") for t in notices()),
                "the screen saying it waits",
            )
            assert not any("category" in t for t in notices())  # not saved yet
        finally:
            holder.execute("COMMIT")
            holder.close()
        await wait_for(pilot, lambda: cell(app, pk, "category") == "shipping", "the tag shown")
        assert any(t.endswith("category shipping") for t in notices())
        with Store(str(db)) as other:
            assert other.get_call(pk).category == "shipping"
