"""The operator's call that just finished is selected for them, so one key tags it; but when
they have selected another call lower down (to tag an older call), that call keeps the cursor
and a notice says their call finished: a key then tags the call they chose."""

from __future__ import annotations

from pathlib import Path

import pytest

from carewatch.store import Store
from carewatch.tui.screens import main
from tests.test_tui import (
    LIVE_DEADLINE,
    ME,
    NOW,
    SIZE,
    answered_call,
    call_table,
    make,
    ready,
    seed,
    wait_for,
)


async def test_a_call_that_finishes_does_not_take_the_cursor_from_the_call_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(main, "USER_MOVE_GRACE", 0.0)  # the operator moved long ago
    db = tmp_path / "cw.db"
    pks = seed(
        db,
        [
            answered_call("c-old", NOW - 900, ME),
            answered_call("c-new", NOW - 600, ME),
            answered_call("c-other", NOW - 500, "op-two"),
        ],
    )
    async with make(db).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        table = call_table(app)
        assert table.selected_call is not None and table.selected_call.call_id == "c-new"
        await pilot.press("down")  # the operator chooses their older call, to tag it
        assert table.selected_call is not None and table.selected_call.call_id == "c-old"
        with Store(str(db)) as other:
            other.ingest("test", [(9, answered_call("c-next", NOW - 150, ME))])
        await wait_for(
            pilot,
            lambda: any(c.call_id == "c-next" for c in table._rows.values()),
            "the call just finished on screen",
            LIVE_DEADLINE,
        )
        await pilot.pause()
        assert table.selected_call is not None and table.selected_call.call_id == "c-old"
        notices = [str(n.message) for n in app._notifications]
        assert any("has finished: Home selects it" in n for n in notices), notices
        await pilot.press("2")  # the second category: tags the call chosen
        with Store(str(db)) as other:
            await wait_for(pilot, lambda: bool(other.tag_events()), "the tag written")
            (event,) = other.tag_events()
        assert event["call_pk"] == pks["c-old"]
        await pilot.press("home")  # the call just finished, first of the operator's own
        assert table.selected_call is not None and table.selected_call.call_id == "c-next"


async def test_the_call_that_finishes_is_selected_when_the_operator_chose_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the top, or on the call selected for them, the next call finished is selected."""
    monkeypatch.setattr(main, "USER_MOVE_GRACE", 0.0)
    db = tmp_path / "cw.db"
    seed(db, [answered_call("c-old", NOW - 900, ME), answered_call("c-new", NOW - 600, ME)])
    async with make(db).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        table = call_table(app)
        assert table.selected_call is not None and table.selected_call.call_id == "c-new"
        talking = answered_call("c-next", NOW - 150, ME, ended_at=None)
        with Store(str(db)) as other:
            other.ingest("test", [(9, talking)])
        await wait_for(pilot, lambda: table.row_count == 3, "the next call", LIVE_DEADLINE)
        # the call in progress came in above: the call selected for the operator stays
        assert table.selected_call is not None and table.selected_call.call_id == "c-new"
        with Store(str(db)) as other:
            other.ingest("test", [(10, answered_call("c-next", NOW - 150, ME))])
        await wait_for(
            pilot,
            lambda: table.selected_call is not None and table.selected_call.call_id == "c-next",
            "the call just finished selected",
            LIVE_DEADLINE,
        )
