"""Soak benchmark of the live screen: its memory over several simulated days (not collected by
pytest).

    python tests/bench/bench_soak.py [--days 7] [--calls-per-day 3000] [--speed 3600] [--trace]

The screen runs headless (Textual's ``run_test``, 160 × 48) as ``carewatch demo`` runs it: on
the demo's database (:func:`~carewatch.demo.prepare_demo`), following the demo's queue_log,
with the app's injectable clock running ``--speed`` times real time from 00:05 on a fixed
Monday (Europe/Zurich). The demo's live feed (:func:`~carewatch.demo.start_live_feed`: calls,
operators' pauses and missed rings, the operators' tags, survey answers, issues opened and
resolved) runs on the same clock in a process of its own, as a phone system and the other
operators' screens do, about ``--calls-per-day`` calls a day. Now and then (every three
simulated hours) the keys are pressed: ``w`` three times (today → last hour → this shift →
today) and ``f`` then ``F`` (one queue, then all again). Local midnight comes ``--days``
times.

At the end of each simulated day (when the clock passes midnight): the screen's RSS, as it is
and after a full pass of the collector (the screen runs one every 30 s of real time, about a
simulated day at the default speed), the objects the collector tracks by type (the types that
grew most since the day before), a few sizes of what the screen keeps (today's calls, the
operators' events), and with ``--trace`` (slower, and tracemalloc's own memory is in the RSS)
the lines whose allocations grew most since the day before. Baseline, in the same run: the
first day's RSS (its warm-up: the imports, the screen built, the first day's calls); the
figure is the last day's RSS against it, and the growth per day after the first.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import ctypes.util
import gc
import math
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from carewatch.config import Config
from carewatch.demo import DemoSetup, demo_config, prepare_demo, start_live_feed
from carewatch.kpi.windows import day_window
from carewatch.tui.app import CarewatchApp, create_app
from tests.bench.screen_data import bench_config, rss_mb

SIZE = (160, 48)
ZONE = "Europe/Zurich"
#: 00:05 on Monday 4 March 2024 (no change of the clocks in the three weeks after it).
START = datetime(2024, 3, 4, 0, 5, tzinfo=ZoneInfo(ZONE)).timestamp()
OPERATOR = "soak"
#: Simulated seconds between two rounds of keys.
KEYS_EVERY = 3 * 3600.0


def sim_clock(start: float, t0: float, speed: float) -> Callable[[], float]:
    """The simulated time: ``start`` at the real time ``t0``, then ``speed`` times faster."""
    return lambda: start + (time.time() - t0) * speed


def _feed(
    setup: DemoSetup,
    config: Config,
    start: float,
    t0: float,
    speed: float,
    calls_per_day: int,
    stop: Any,
) -> None:
    """The demo's live feed, in a process of its own, on the screen's clock."""
    from carewatch.config.screen import operator_agents
    from carewatch.simulate import live

    live._LIVE_RATE = calls_per_day / 24.0  # calls an hour
    done = threading.Event()

    def watch() -> None:
        stop.wait()
        done.set()

    threading.Thread(target=watch, daemon=True).start()
    skip = operator_agents(config.operators, OPERATOR)
    start_live_feed(setup, config, done, clock=sim_clock(start, t0, speed), skip=skip)


@dataclass
class Day:
    """What was measured at the end of one simulated day."""

    day: str
    late: float
    rss: float
    rss_collected: float
    calls: int
    events: int
    feed_rss: float
    blocks: int
    sqlite: float
    traced: float
    trimmed: float
    objects: Counter[str]
    top: list[str] = field(default_factory=list)


def _sqlite_mb() -> float:
    """What SQLite holds in this process (its page caches, statements), in MB."""
    found = ctypes.util.find_library("sqlite3")
    if found is None:
        return math.nan
    lib = ctypes.CDLL(found)
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return float(lib.sqlite3_memory_used()) / 2**20


def _kept(app: CarewatchApp) -> tuple[int, int]:
    live = app.live_day
    return len(live.calls), len(live._events)


async def _keys(pilot: Any) -> None:
    for key in ("w", "w", "w", "f", "F"):
        await pilot.press(key)
        await asyncio.sleep(0.3)


def _top_lines(now: tracemalloc.Snapshot, before: tracemalloc.Snapshot, n: int = 8) -> list[str]:
    stats = now.compare_to(before, "lineno")
    out = []
    for stat in stats[:n]:
        frame = stat.traceback[0]
        name = "/".join(Path(frame.filename).parts[-3:])
        out.append(f"{stat.size_diff / 1024:+9.0f} KB {stat.count_diff:+8d} {name}:{frame.lineno}")
    return out


async def _run(
    config: Config,
    setup: DemoSetup,
    clock: Callable[[], float],
    args: argparse.Namespace,
    feed: Any,
) -> list[Day]:
    app = create_app(
        config,
        setup.db,
        watch=[(str(setup.live_log), "queue_log")],
        operator=OPERATOR,
        clock=clock,
    )
    tz = config.tz
    days: list[Day] = []
    before_objects: Counter[str] = Counter()
    before_trace: tracemalloc.Snapshot | None = None
    most_calls = 0
    async with app.run_test(size=SIZE) as pilot:
        deadline = time.monotonic() + 120
        while not app.refresh_count and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        day = datetime.fromtimestamp(clock(), tz).date()
        next_keys = clock() + KEYS_EVERY
        pressing: asyncio.Task[None] | None = None
        while len(days) < args.days:
            await asyncio.sleep(0.2)
            now = clock()
            most_calls = max(most_calls, _kept(app)[0])
            if now >= next_keys and (pressing is None or pressing.done()):
                next_keys = now + KEYS_EVERY
                pressing = asyncio.create_task(_keys(pilot))  # the sampling goes on meanwhile
            today = datetime.fromtimestamp(now, tz).date()
            if today == day:
                continue
            rss = rss_mb(os.getpid())
            gc.collect()
            rss_collected = rss_mb(os.getpid())
            objects = Counter(type(o).__name__ for o in gc.get_objects())
            blocks = sys.getallocatedblocks()
            sqlite = _sqlite_mb()
            traced = tracemalloc.get_traced_memory()[0] / 2**20 if args.trace else math.nan
            trimmed = math.nan
            if args.trim:
                ctypes.CDLL("libc.so.6").malloc_trim(0)
                trimmed = rss_mb(os.getpid())
            top: list[str] = []
            if args.trace:
                snap = tracemalloc.take_snapshot()
                if before_trace is not None:
                    top = _top_lines(snap, before_trace)
                before_trace = snap
            got = Day(
                day.isoformat(),
                (now - day_window(today, tz).start) / 60,
                rss,
                rss_collected,
                most_calls,
                _kept(app)[1],
                rss_mb(feed.pid),
                blocks,
                sqlite,
                traced,
                trimmed,
                objects,
                top,
            )
            days.append(got)
            _print_day(len(days), got, before_objects)
            before_objects = objects
            day, most_calls = today, 0
        if pressing is not None:
            await pressing
    return days


def _print_day(n: int, d: Day, before: Counter[str]) -> None:
    grew = Counter(d.objects)
    grew.subtract(before)
    growth = ", ".join(f"{k} {v:+d}" for k, v in grew.most_common(6) if v > 0)
    print(
        f"day {n} ({d.day}, sampled {d.late:.0f} min after midnight): RSS {d.rss:.1f} MB, "
        f"after a full pass {d.rss_collected:.1f} MB; "
        f"calls kept {d.calls}, events kept {d.events}; objects tracked "
        f"{sum(d.objects.values()):,} (grew: {growth or 'none'}); Python's blocks {d.blocks:,}; "
        f"SQLite's memory {d.sqlite:.1f} MB"
        + (f"; traced {d.traced:.1f} MB" if d.traced == d.traced else "")
        + (f"; RSS after malloc_trim {d.trimmed:.1f} MB" if d.trimmed == d.trimmed else "")
        + f"; the feed's RSS {d.feed_rss:.0f} MB",
        flush=True,
    )
    for line in d.top:
        print("    " + line, flush=True)


def measure(args: argparse.Namespace) -> list[Day]:
    """Prepare the demo's folder, start the feed, run the screen through ``args.days``."""
    config = demo_config(bench_config(ZONE), OPERATOR)
    with tempfile.TemporaryDirectory(prefix="cw-bench-soak-") as tmp:
        setup = prepare_demo(Path(tmp) / "demo", config, seed=7, days=2, now=START)
        t0 = time.time()
        clock = sim_clock(START, t0, args.speed)
        ctx = mp.get_context("fork")
        stop = ctx.Event()
        feed = ctx.Process(
            target=_feed,
            args=(setup, config, START, t0, args.speed, args.calls_per_day, stop),
            daemon=True,
        )
        feed.start()
        if args.trace:
            tracemalloc.start(1)
        try:
            return asyncio.run(_run(config, setup, clock, args, feed))
        finally:
            stop.set()
            feed.join(timeout=10)
            if feed.is_alive():
                feed.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--calls-per-day", type=int, default=3000)
    parser.add_argument("--speed", type=float, default=3600.0, help="simulated seconds a second")
    parser.add_argument("--trace", action="store_true", help="tracemalloc's growth per day")
    parser.add_argument(
        "--trim", action="store_true", help="give free memory back (malloc_trim) after each day"
    )
    args = parser.parse_args()
    started = time.monotonic()
    days = measure(args)
    first = days[0].rss_collected
    last = days[-1].rss_collected
    later = [d.rss_collected for d in days[1:]]
    half = later[len(later) // 2 :]
    per_day = (half[-1] - half[0]) / (len(half) - 1) if len(half) > 1 else 0.0
    print(
        f"RSS after a full pass, day by day: {', '.join(f'{d.rss_collected:.1f}' for d in days)} MB"
    )
    print(
        f"last day {last:.1f} MB against the first day {first:.1f} MB: ratio {last / first:.3f}; "
        f"growth over the last {len(half)} days {per_day:+.2f} MB a day; "
        f"median RSS of days 2–{len(days)} {statistics.median(later or [first]):.1f} MB; "
        f"SQLite's memory {days[0].sqlite:.1f} → {days[-1].sqlite:.1f} MB "
        f"({time.monotonic() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
