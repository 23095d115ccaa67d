"""``carewatch tag`` with several fields writes them together or not at all: a database
locked for good half-way (another program's long write) leaves the call as it was."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

import carewatch.store.database as database
import carewatch.store.tags as tags
from carewatch.cli import main
from carewatch.store import Store


def test_a_tag_of_several_fields_locked_half_way_writes_none_of_them(
    call_c1_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_tag = tags.tag

    def locked_after_the_category(tx: Any, call_pk: int, field_name: str, *rest: Any) -> Any:
        if field_name != "category":
            raise sqlite3.OperationalError("database is locked")
        return real_tag(tx, call_pk, field_name, *rest)

    monkeypatch.setattr(tags, "tag", locked_after_the_category)
    monkeypatch.setattr(database.time, "sleep", lambda seconds: None)  # the retries at once
    argv = ["tag", "c1", "--category", "order", "--outcome", "sale", "--resolved", "yes"]
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--note", "rang twice", "--operator", "ann", "--db", call_c1_db])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("carewatch: ") and "database is locked" in err
    assert "Traceback" not in err
    with Store(call_c1_db) as store:
        (call,) = store.find_calls("c1")
        assert (call.category, call.outcome, call.resolved, call.note) == (None,) * 4
        assert store.tag_events() == []


def test_a_tag_of_several_fields_is_written_whole(
    call_c1_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["tag", "c1", "--category", "order", "--outcome", "sale", "--note", "ok"]
    assert main([*argv, "--operator", "ann", "--db", call_c1_db]) == 0
    assert "call c1: 3 tags written, 0 unchanged" in capsys.readouterr().out
    assert main([*argv, "--outcome", "none", "--operator", "ann", "--db", call_c1_db]) == 0
    assert "call c1: 1 tag written, 2 unchanged" in capsys.readouterr().out
    with Store(call_c1_db) as store:
        (call,) = store.find_calls("c1")
        assert (call.category, call.outcome, call.note) == ("order", "none", "ok")
        events = store.tag_events(call.id)
        assert [(e["field"], e["new_value"], e["operator"]) for e in events] == [
            ("category", "order", "ann"),
            ("outcome", "sale", "ann"),
            ("note", "ok", "ann"),
            ("outcome", "none", "ann"),
        ]


def test_an_empty_note_clears_the_note_as_on_the_screen(
    call_c1_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["tag", "c1", "--note", "call back at 5", "--operator", "ann", "--db", call_c1_db])
        == 0
    )
    assert main(["tag", "c1", "--note", "  ", "--operator", "ann", "--db", call_c1_db]) == 0
    assert "call c1: 1 tag written, 0 unchanged" in capsys.readouterr().out
    assert main(["tag", "c1", "--note", "", "--operator", "ann", "--db", call_c1_db]) == 0
    assert "call c1: 0 tags written, 1 unchanged" in capsys.readouterr().out
    with Store(call_c1_db) as store:
        (call,) = store.find_calls("c1")
        assert call.note is None
        assert [e["new_value"] for e in store.tag_events(call.id)] == ["call back at 5", None]


@pytest.mark.parametrize(("word", "resolved"), [("sì", True), ("Si", True), ("no", False)])
def test_resolved_in_italian_takes_the_italian_words(
    call_c1_db: str, word: str, resolved: bool
) -> None:
    """Under ``--lang it`` the help and the screen say "sì": ``--resolved sì`` (or "si", as
    typed on a keyboard without the accent) is yes."""
    assert main(["tag", "c1", "--lang", "it", "--resolved", word, "--db", call_c1_db]) == 0
    with Store(call_c1_db) as store:
        (call,) = store.find_calls("c1")
    assert call.resolved is resolved
