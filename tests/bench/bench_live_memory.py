"""What a call kept by the live screen costs in memory (not collected by pytest).

    python tests/bench/bench_live_memory.py [--today 50000] [--appends 20000]

A database with ``--today`` calls today (:func:`~tests.bench.screen_data.build_day`) is read by
a :class:`~carewatch.live.LiveDay` (its first :meth:`~carewatch.live.LiveDay.sync`); then
``--appends`` calls like those the terminal benchmark appends are written 20 at a time, each
batch followed by a sync, as the screen follows a file. Python's traced memory (tracemalloc,
after a full collection) that the day holds, per call: after the first reading, and the growth
per appended call. Baseline: the same calls' rows as the store returns them, held in a list
(what any screen holding the day's rows would pay at least).
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

from carewatch.live import LiveDay
from carewatch.records import CallUpdate
from carewatch.store import Store
from tests.bench.screen_data import AGENTS, bench_config, build_day

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


def _appended(k: int, t: float) -> CallUpdate:
    """A finished call, as the terminal benchmark's CSV lines describe it."""
    fields = {
        "started_at": t - 90,
        "answered_at": t - 80,
        "ended_at": t,
        "queue": "support",
        "agent": AGENTS[k % 7],
        "caller": "+44 7700 900123",
        "direction": "in",
    }
    return CallUpdate(f"m-{k}", fields)


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
            grown = _traced()
            for first in range(0, appends, BATCH):
                batch = [
                    (k + 1, _appended(k, now + k * 0.05))
                    for k in range(first, min(appends, first + BATCH))
                ]
                store.ingest("bench", batch)
                live.sync(store, now + first * 0.05)
            per_append = (_traced() - grown) / appends
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
