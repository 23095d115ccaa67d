"""``carewatch tag`` under another program's write lock: it waits (the database's retries),
and after a few seconds it says so once on standard error instead of hanging in silence."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

import carewatch.cli.common as common
from carewatch.cli import main
from carewatch.store import Store


def test_tag_says_it_waits_for_a_locked_database_then_tags(
    call_c1_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(call_c1_db) as store:
        name = store.display_name
    said: list[str] = []
    monkeypatch.setattr(common, "PATIENCE_SECONDS", 0.1)
    monkeypatch.setattr(common, "say", lambda text, out=False: said.append(text))
    holder = sqlite3.connect(call_c1_db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program's write, not committed yet
    result: list[object] = []
    tagging = threading.Thread(
        target=lambda: result.append(
            main(["tag", "c1", "--note", "called back", "--db", call_c1_db])
        )
    )
    tagging.start()
    try:
        deadline = time.monotonic() + 20
        while not any(text.startswith("waiting for the database") for text in said):
            assert time.monotonic() < deadline, said
            time.sleep(0.01)
    finally:
        holder.execute("COMMIT")  # the lock goes: the tag goes through
        holder.close()
        tagging.join(timeout=60)
    assert result == [0]
    waiting = [text for text in said if text.startswith("waiting for the database")]
    assert waiting == [  # once
        f"waiting for the database {name} (another program may be writing to it; Ctrl-C gives up)"
    ]
    assert "call c1: 1 tag written, 0 unchanged" in capsys.readouterr().out
    with Store(call_c1_db) as store:
        (call,) = store.find_calls("c1")
        assert call.note == "called back"


def test_a_quick_tag_says_nothing_of_waiting(
    call_c1_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tag", "c1", "--note", "ok", "--db", call_c1_db]) == 0
    assert "waiting" not in capsys.readouterr().err
