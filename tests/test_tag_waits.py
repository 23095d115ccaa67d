"""``carewatch tag`` under another program's write lock: it waits (the database's retries),
and after a few seconds it says so once on standard error instead of hanging in silence."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

import carewatch.cli.common as common
from carewatch.cli import main
from carewatch.records import CallUpdate
from carewatch.store import Store


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A database holding the call c1."""
    path = str(tmp_path / "cw.db")
    with Store(path) as store:
        store.ingest("pbx", [(1, CallUpdate("c1", {"started_at": 1_700_000_000.0}))])
    return path


def test_tag_says_it_waits_for_a_locked_database_then_tags(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(db) as store:
        name = store.display_name
    said: list[str] = []
    monkeypatch.setattr(common, "PATIENCE_SECONDS", 0.1)
    monkeypatch.setattr(common, "say", lambda text, out=False: said.append(text))
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program's write, not committed yet
    result: list[object] = []
    tagging = threading.Thread(
        target=lambda: result.append(main(["tag", "c1", "--note", "called back", "--db", db]))
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
    with Store(db) as store:
        (call,) = store.find_calls("c1")
        assert call.note == "called back"


def test_a_quick_tag_says_nothing_of_waiting(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tag", "c1", "--note", "ok", "--db", db]) == 0
    assert "waiting" not in capsys.readouterr().err
