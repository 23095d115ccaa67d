"""What a call kept by the live screen costs in memory (not collected by pytest).

    python tests/bench/bench_live_memory.py [--today 50000] [--appends 20000]

A database with ``--today`` calls today (:func:`~tests.bench.screen_data.build_day`) is read by
a :class:`~carewatch.live.LiveDay` (its first :meth:`~carewatch.live.LiveDay.sync`); then
``--appends`` calls like those the terminal benchmark appends are written to a carewatch CSV
file 20 at a time, each batch read by a :class:`~carewatch.ingest.Follower` and followed by a
refresh (sync and :func:`~carewatch.tui.loader.load_snapshot`), as the screen does without the
painting. Python's traced memory (tracemalloc, after a full collection) per call: what the day
holds after the first reading, and the growth per appended call (the day's and anything else
the refreshes keep). Baseline: the same calls' rows as the store returns them, held in a list.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from carewatch.ingest import Follower
from carewatch.live import LiveDay
from carewatch.store import Store
from carewatch.tui.loader import LastWeekCache, load_snapshot
from tests.bench.screen_data import AGENTS, bench_config, build_day, csv_line, new_log

BATCH = 20


@dataclass(frozen=True)
class LiveMemory:
    """Bytes per call: kept after the first reading, grown per appended call, and the rows."""

    today: int
    appends: int
    per_call: float
    per_append: float
    rows_per_call: float


def _traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def measure(today: int, appends: int) -> LiveMemory:
    """Build the day, read it, append to it; the bytes per call (see the module doc)."""
    config = bench_config("UTC")
    now = time.time()
    now -= now % 86400 - 43200  # noon: the day has room before and after
    with tempfile.TemporaryDirectory(prefix="cw-bench-live-") as tmp:
        db = Path(tmp) / "live.db"
        build_day(db, config, now, today=today)
        with Store(str(db)) as store:
            tracemalloc.start()
            before = _traced()
            rows = store.live_start(0.0, now + 86400, now)[1]
            rows_per_call = (_traced() - before) / len(rows)
            del rows
            before = _traced()
            live = LiveDay(config, frozenset({"op-001"}))
            live.sync(store, now)
            kept = len(live.calls)
            per_call = (_traced() - before) / kept
            log = new_log(Path(tmp) / "live.csv")
            follower = Follower(store, config, [(str(log), "csv")])
            cache = LastWeekCache()
            grown = 0
            for first in range(0, appends, BATCH):
                if first == appends // 10:  # after the first tenth: caches filled
                    grown, since = _traced(), first
                t = now + first * 0.05
                with log.open("a", encoding="utf-8") as fh:
                    for k in range(first, min(appends, first + BATCH)):
                        fh.write(csv_line(f"m-{k}", t, AGENTS[k % 7]))
                follower.poll_once()
                live.sync(store, t)
                load_snapshot(store, config, live, now=t, operator="op-001", cache=cache)
            per_append = (_traced() - grown) / (appends - since)
            follower.close()
            tracemalloc.stop()
    return LiveMemory(today, appends, per_call, per_append, rows_per_call)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", type=int, default=50_000)
    parser.add_argument("--appends", type=int, default=20_000)
    args = parser.parse_args()
    got = measure(args.today, args.appends)
    print(
        f"{got.today:,} calls today: {got.per_call:.0f} B a call kept; "
        f"{got.appends:,} appended: {got.per_append:.0f} B a call; "
        f"the rows alone: {got.rows_per_call:.0f} B a call"
    )


if __name__ == "__main__":
    main()
