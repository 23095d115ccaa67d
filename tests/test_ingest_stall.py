"""A one-shot ``carewatch ingest`` (a cron job) whose batch cannot commit, because another
program's transaction holds the write lock, waits without an error: it says so once, as
``ingest --follow`` does, and goes on when the lock is let go, losing nothing."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from carewatch.cli import main
from carewatch.ingest import stall
from carewatch.store import Store
from tests.test_tui import NOW, queue_log_call


def test_a_one_shot_ingest_held_up_by_another_programs_lock_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cw.db"
    Store(str(db)).close()
    log = tmp_path / "queue_log"
    log.write_text(
        "".join(
            queue_log_call(f"17100000{n}.1", int(NOW) - 600 + n, "op-1", "0612") for n in range(3)
        )
    )
    monkeypatch.setattr(stall, "STALL_SECONDS", 0.3)
    told = threading.Event()
    real_init = stall.StallWatch.__init__

    def init(
        self: stall.StallWatch,
        tell: Callable[[str, str], None],
        seconds: float | None = None,
        **options: bool,
    ) -> None:
        def tell_then_mark(about: str, text: str) -> None:
            tell(about, text)
            told.set()

        real_init(self, tell_then_mark, seconds, **options)

    monkeypatch.setattr(stall.StallWatch, "__init__", init)
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another program's transaction holds the write lock

    def let_go() -> None:
        told.wait(30)  # until the ingest has said it waits (at most 30 s)
        holder.execute("COMMIT")

    releaser = threading.Thread(target=let_go)
    releaser.start()
    try:
        code = main(["ingest", "--db", str(db), str(log)])
    finally:
        releaser.join()
        holder.close()
    err = capsys.readouterr().err
    assert told.is_set()
    assert f"problem: database {db}: no answer for 0.3 s" in err and "still trying" in err
    assert code == 0
    with Store(str(db)) as store:
        assert store.count_calls() == 3
