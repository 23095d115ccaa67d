"""Editing a note on the screen keeps what it does not show: a note longer than the note
modal's room (written by a script or a log) is not cut by opening it and pressing Enter."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from carewatch.store import Store
from carewatch.tui.screens.main import MainScreen
from carewatch.tui.screens.prompt import MAX_NOTE, NoteScreen
from tests.test_tui import ME, NOW, SIZE, answered_call, make, ready, seed, wait_for

LONG_NOTE = " ".join(f"step{n}" for n in range(120))  # 700 characters, over MAX_NOTE


async def test_a_note_longer_than_the_modal_holds_is_kept_whole(tmp_path: Path) -> None:
    db = tmp_path / "cw.db"
    assert len(LONG_NOTE) > MAX_NOTE
    pk = seed(db, [answered_call("c-long", NOW - 300, ME, note=LONG_NOTE)])["c-long"]
    async with make(db).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen), "the note modal")
        note_input = app.screen.query_one(Input)
        assert note_input.value == LONG_NOTE  # the whole note, to read and to edit
        await pilot.press("home", *["delete"] * 6, "enter")  # its beginning edited
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the modal closed")
        with Store(str(db)) as other:
            await wait_for(pilot, lambda: other.get_call(pk).note != LONG_NOTE, "the note saved")
            assert other.get_call(pk).note == LONG_NOTE[6:]
        # opened again and saved as it is: unchanged, nothing cut
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen), "the note modal")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the modal closed")
        await pilot.pause(0.1)
        with Store(str(db)) as other:
            assert other.get_call(pk).note == LONG_NOTE[6:]
            assert [e["new_value"] for e in other.tag_events(pk)] == [LONG_NOTE[6:]]


async def test_enter_on_an_unchanged_note_keeps_a_note_written_meanwhile(tmp_path: Path) -> None:
    db = tmp_path / "cw.db"
    pk = seed(db, [answered_call("c1", NOW - 300, ME, note="call back at 5")])["c1"]
    async with make(db).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen), "the note modal")
        assert app.screen.query_one(Input).value == "call back at 5"
        with Store(str(db)) as other:  # another operator, while the modal is open
            other.tag(pk, "note", "called back, refund sent", "op-two", now=NOW)
        await pilot.press("enter")  # read, nothing changed
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the modal closed")
        notices = lambda: [str(n.message) for n in app._notifications]  # noqa: E731
        await wait_for(pilot, lambda: any("no change" in text for text in notices()), "told")
        with Store(str(db)) as other:
            assert other.get_call(pk).note == "called back, refund sent"
            assert [e["operator"] for e in other.tag_events(pk)] == ["op-two"]
