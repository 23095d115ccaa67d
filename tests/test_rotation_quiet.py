"""A nightly rotation is no problem to tell: while the file renamed away from the followed
path is still read (Asterisk writes into it until it opens the path again), the missing path
is said nowhere; a file deleted from under the follower is."""

from __future__ import annotations

from pathlib import Path

from carewatch.config import parse_config
from carewatch.ingest import Follower
from carewatch.store import Store
from carewatch.tui.snapshot import source_alerts

CONFIG = parse_config({"timezone": "UTC"})
T = 1_700_000_000


def test_the_path_missing_during_a_rotation_is_no_problem_a_deleted_file_is(
    tmp_path: Path,
) -> None:
    log = tmp_path / "queue_log"
    log.write_text(f"{T}|c1|sales|NONE|ENTERQUEUE||0611|1\n", encoding="utf-8")
    with Store(str(tmp_path / "cw.db")) as store:
        follower = Follower(store, CONFIG, [(str(log), None)], poll_interval=0.05)
        try:
            follower.poll_once()
            log.rename(tmp_path / "queue_log.1")  # logrotate; the writer still has it open
            with (tmp_path / "queue_log.1").open("a", encoding="utf-8") as fh:
                fh.write(f"{T + 5}|c1|sales|NONE|ABANDON|1|1|5\n")
            follower.poll_once()
            assert follower.problems() == {}
            assert source_alerts(follower.status(), CONFIG, T + 10) == []
            assert store.calls_between(T - 1, T + 10)[0].disposition == "abandoned"

            (tmp_path / "queue_log.1").unlink()  # gone: nothing will come back to the path
            follower.poll_once()
            assert follower.problems() == {str(log): "queue_log: no such file (waiting for it)"}
            alerts = source_alerts(follower.status(), CONFIG, T + 10)
            assert [(a.level, a.text) for a in alerts] == [("error", "queue_log: file not found")]
        finally:
            follower.close()
