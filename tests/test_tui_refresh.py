"""The live screen refreshes once per change: a burst of commits by another process is a few
refreshes, and a line the screen's own follower reads is one refresh, not one for the follower
and one for the version watcher. Counted in refreshes, not in seconds."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

from carewatch.store import Store
from carewatch.tui.gcpace import MIDDLE_THRESHOLD
from carewatch.tui.switching import SWITCH_SECONDS
from tests.test_tui import NOW, SIZE, answered_call, make, wait_for

ROOT = Path(__file__).resolve().parent.parent
BURST = 60

WRITER = """
import sys
from carewatch.records import CallUpdate
from carewatch.store import Store
now, n = float(sys.argv[2]), int(sys.argv[3])
with Store(sys.argv[1]) as store:
    for k in range(n):  # one transaction per call, as fast as it goes
        store.ingest("pbx", [(k, CallUpdate(f"b{k}", {"started_at": now - 600 + k}))])
"""


def _settled(app: object) -> bool:
    return not app._refreshing and not app._dirty  # type: ignore[attr-defined]


async def test_a_burst_by_another_process_is_a_few_refreshes(tmp_path: Path) -> None:
    db = tmp_path / "cw.db"
    Store(str(db)).close()
    app = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.refresh_count >= 1, "the first paint")
        before, polls = app.refresh_count, app.version_polls
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), str(NOW), str(BURST)], cwd=ROOT
        )
        try:
            await wait_for(
                pilot,
                lambda: app.snapshot is not None and app.snapshot.kpis["offered"] == BURST,
                "every call of the burst on the screen",
                timeout=30,
            )
        finally:
            assert writer.wait(30) == 0
        painted = app.refresh_count - before
        # one paint at most per poll of the version that saw a change, and far fewer than
        # one per commit
        assert 1 <= painted <= app.version_polls - polls + 1
        assert painted <= BURST // 4


async def test_a_line_the_screen_follows_is_one_refresh(tmp_path: Path) -> None:
    db = tmp_path / "cw.db"
    log = tmp_path / "calls.csv"
    log.write_text("call_id,started_at,answered_at,ended_at,agent,queue\n", encoding="utf-8")
    Store(str(db)).close()
    app = make(db, watch=[(str(log), "csv")])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.refresh_count >= 1, "the first paint")
        await wait_for(pilot, lambda: _settled(app), "the first refreshes done")
        for k in range(3):
            before = app.refresh_count
            call = answered_call(f"f{k}", NOW - 300, "op-one").fields
            with log.open("a", encoding="utf-8") as fh:
                fh.write(
                    f"f{k},{call['started_at']},{call['answered_at']},{call['ended_at']},"
                    "op-one,support\n"
                )
            await wait_for(
                pilot,
                lambda k=k: app.snapshot is not None and app.snapshot.kpis["offered"] == k + 1,
                "the new call on the screen",
            )
            polls = app.version_polls
            # the version watcher has looked at the database three more times since
            await wait_for(
                pilot,
                lambda polls=polls: app.version_polls >= polls + 3 and _settled(app),
                "three more polls",
            )
            assert app.refresh_count == before + 1


async def test_a_live_screen_switches_threads_sooner_and_gives_the_interval_back(
    tmp_path: Path,
) -> None:
    """While the screen runs live its event loop takes the interpreter back from the follower
    and the refresh every millisecond instead of every 5 ms (carewatch/tui/switching.py); the
    interval is given back when it closes, and a screen that is not live leaves it alone."""
    db = tmp_path / "cw.db"
    Store(str(db)).close()
    before = sys.getswitchinterval()
    assert before != SWITCH_SECONDS
    app = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.refresh_count >= 1, "the first paint")
        assert sys.getswitchinterval() == SWITCH_SECONDS
    assert sys.getswitchinterval() == before
    still = make(db, live=False)
    async with still.run_test(size=SIZE):
        assert sys.getswitchinterval() == before


async def test_a_live_screen_keeps_its_start_out_of_the_collectors_passes_and_gives_it_back(
    tmp_path: Path,
) -> None:
    """While the screen runs live, what was alive when it started is frozen out of the
    collector's passes, the middle generation holds objects longer (Textual's dropped lines die
    there instead of waiting for a full pass) and full passes come only from the tick
    (carewatch/tui/gcpace.py); all given back when the screen closes."""
    db = tmp_path / "cw.db"
    Store(str(db)).close()
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    app = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.refresh_count >= 1, "the first paint")
        young, middle, old = gc.get_threshold()
        assert (young, middle) == (before[0], MIDDLE_THRESHOLD) and old > 1_000_000
        assert gc.get_freeze_count() > 10_000  # modules, classes, the screen's widgets
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
