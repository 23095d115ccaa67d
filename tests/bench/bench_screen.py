"""Benchmark of the live screen, headless (Textual's ``run_test``; not collected by pytest).

    python tests/bench/bench_screen.py [--today 10000] [--rates 20,500] [--seconds 10]

The screen (``create_app``, following a carewatch CSV file with ``--watch``, as ``carewatch
monitor --watch`` does) runs on a database with ``--today`` calls already today, while another
process appends calls to the file at each rate. Figures:

* **append → visible**: from the append (wall clock, in the appending process) to the first
  frame the screen draws whose figures count the call (today's offered reaches it), per call;
  median and p95.
* **key press**: during the burst a key is sent every 0.3 s through the driver, as a
  terminal's input thread does: down, then up, in the call table (what an operator does most:
  select the call to tag); from sending to the frame drawn after the cursor moved; median and
  p95.
* **refresh cost**: with ``--today`` and ten times as many calls today, one call appended
  every 0.4 s; from the screen learning of the change (``request_refresh``) to the frame drawn
  with it; median. The ratio big / small is the figure (goal ≤ 1.5).

Baseline, in the same run: :mod:`tests.bench.floor_app`, a minimal Textual app that follows
the same file the same way (watchfiles, 50 ms) and shows the count of lines: the floor of
"a Textual screen following a log".
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from textual import events

from carewatch.config import Config
from carewatch.tui.app import CarewatchApp, create_app
from carewatch.tui.panels.calls import CallTable
from carewatch.tui.refresh import FOLLOW_MS
from carewatch.tui.screens.main import MainScreen
from tests.bench import floor_app
from tests.bench.floor_app import FloorApp
from tests.bench.screen_data import (
    Appender,
    bench_config,
    build_day,
    median,
    new_log,
    quantile,
)

assert floor_app.FOLLOW_MS == FOLLOW_MS, "the floor follows the file as the screen does"

SIZE = (160, 48)
KEY_EVERY = 0.3


def afternoon_zone(now: float) -> str:
    """An ``Etc/GMT`` zone where it is about 14:00 at ``now`` (so today has room for a busy
    morning whatever the hour here)."""
    hour = time.gmtime(now).tm_hour
    shift = (14 - hour + 12) % 24 - 12  # local = UTC + shift, -12..11
    return "UTC" if shift == 0 else f"Etc/GMT{-shift:+d}"


@dataclass
class Frames:
    """What the screen drew, as (wall time, today's offered) after each painted snapshot, and
    the refresh requests and key presses seen."""

    painted: list[tuple[float, int]] = field(default_factory=list)
    requested: float | None = None
    refresh_costs: list[float] = field(default_factory=list)
    key_sent: list[float] = field(default_factory=list)
    key_done: list[float] = field(default_factory=list)


def instrument(frames: Frames) -> Callable[[], None]:
    """Hook the screen's painting, refresh requests and the call table's cursor; returns the
    undo."""
    show, request, moved = (
        MainScreen.show_snapshot,
        CarewatchApp.request_refresh,
        CallTable.watch_cursor_coordinate,
    )

    def hooked_show(self: MainScreen, snap: Any) -> None:
        show(self, snap)
        offered = int(snap.kpis.get("offered", 0)) if snap.window_kind == "today" else -1
        asked = frames.requested
        frames.requested = None

        def drawn() -> None:
            now = time.time()
            frames.painted.append((now, offered))
            if asked is not None:
                frames.refresh_costs.append(now - asked)

        self.app.call_after_refresh(drawn)

    def hooked_request(self: CarewatchApp, *args: Any, **kwargs: Any) -> None:
        if frames.requested is None:
            frames.requested = time.time()
        request(self, *args, **kwargs)

    def hooked_moved(self: CallTable, old: Any, new: Any) -> None:
        moved(self, old, new)
        if frames.key_sent and old.row != new.row:
            self.app.call_after_refresh(lambda: frames.key_done.append(time.time()))

    MainScreen.show_snapshot = hooked_show  # type: ignore[method-assign]
    CarewatchApp.request_refresh = hooked_request  # type: ignore[method-assign]
    CallTable.watch_cursor_coordinate = hooked_moved  # type: ignore[method-assign]

    def undo() -> None:
        MainScreen.show_snapshot = show  # type: ignore[method-assign]
        CarewatchApp.request_refresh = request  # type: ignore[method-assign]
        CallTable.watch_cursor_coordinate = moved  # type: ignore[method-assign]

    return undo


def visible_latencies(
    appended: list[float], painted: list[tuple[float, int]], base: int
) -> list[float]:
    """For call k (appended at ``appended[k]``): the first frame that counts ``base + k + 1``
    calls, minus the append time. Calls never shown are left out (reported apart)."""
    out: list[float] = []
    frames = sorted(painted)
    i = 0
    for k, t in enumerate(appended):
        target = base + k + 1
        while i < len(frames) and frames[i][1] < target:
            i += 1
        if i == len(frames):
            break
        out.append(frames[i][0] - t)
    return out


def _key_sender(app: Any, frames: Frames, stop: threading.Event) -> None:
    keys = ("down", "up")
    n = 0
    while not stop.wait(KEY_EVERY):
        driver = app._driver
        if driver is None:
            return
        frames.key_sent.append(time.time())
        driver.send_message(events.Key(keys[n % 2], None))
        n += 1


async def _wait(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.01)
    return predicate()


async def settle(painted: list[tuple[float, int]], quiet: float = 1.0) -> None:
    """Wait until nothing was painted for ``quiet`` seconds (the screen has caught up with
    every call appended before), at most 60 s."""
    deadline = time.time() + 60
    while time.time() < deadline and painted and time.time() - painted[-1][0] < quiet:
        await asyncio.sleep(0.05)


@dataclass
class Burst:
    """One run's figures (seconds)."""

    latencies: list[float]
    keys: list[float]
    appended: int
    shown: int


async def _burst_carewatch(
    config: Config, db: Path, log: Path, rate: float, n: int, *, keys: bool
) -> Burst:
    frames = Frames()
    undo = instrument(frames)
    app = create_app(config, str(db), watch=[(str(log), "csv")], operator="op-001")
    try:
        async with app.run_test(size=SIZE):
            if not await _wait(lambda: bool(frames.painted), 120):
                raise RuntimeError("the screen never painted")
            await settle(frames.painted)
            base = frames.painted[-1][1]
            appender = Appender(log, rate, n, prefix=f"b{int(time.time() * 1000)}")
            stop = threading.Event()
            sender = threading.Thread(target=_key_sender, args=(app, frames, stop))
            appender.start()
            if keys:
                sender.start()
            try:
                appended = await asyncio.get_running_loop().run_in_executor(None, appender.times)
                await _wait(lambda: frames.painted[-1][1] >= base + n, 10)
            finally:
                stop.set()
                appender.stop()
            if keys:
                sender.join()
            await asyncio.sleep(0.3)
    finally:
        undo()
    lat = visible_latencies(appended, frames.painted, base)
    key_lat = _pair_keys(frames.key_sent, frames.key_done)
    return Burst(lat, key_lat, len(appended), len(lat))


def _pair_keys(sent: list[float], done: list[float]) -> list[float]:
    out: list[float] = []
    j = 0
    for t in sent:
        while j < len(done) and done[j] < t:
            j += 1
        if j < len(done):
            out.append(done[j] - t)
            j += 1
    return out


async def _burst_floor(log: Path, rate: float, n: int) -> Burst:
    app = FloorApp(log)
    async with app.run_test(size=SIZE):
        await _wait(lambda: bool(app.painted), 30)
        await settle(app.painted)
        base = app.painted[-1][1]
        appender = Appender(log, rate, n, prefix=f"f{int(time.time() * 1000)}")
        appender.start()
        try:
            appended = await asyncio.get_running_loop().run_in_executor(None, appender.times)
            await _wait(lambda: app.painted[-1][1] >= base + n, 10)
        finally:
            appender.stop()
    lat = visible_latencies(appended, app.painted, base)
    return Burst(lat, [], len(appended), len(lat))


async def _refresh_costs(config: Config, db: Path, log: Path, n: int) -> list[float]:
    frames = Frames()
    undo = instrument(frames)
    app = create_app(config, str(db), watch=[(str(log), "csv")], operator="op-001")
    try:
        async with app.run_test(size=SIZE):
            await _wait(lambda: bool(frames.painted), 300)
            await asyncio.sleep(1.5)
            frames.refresh_costs.clear()
            appender = Appender(log, 2.5, n, prefix=f"r{int(time.time() * 1000)}")
            appender.start()
            try:
                await asyncio.get_running_loop().run_in_executor(None, appender.times)
                await asyncio.sleep(1.0)
            finally:
                appender.stop()
    finally:
        undo()
    return list(frames.refresh_costs)


def prepare(folder: Path, today: int, now: float, name: str) -> tuple[Config, Path, Path]:
    config = bench_config(afternoon_zone(now))
    db = folder / f"{name}.db"
    build_day(db, config, now, today=today)
    log = new_log(folder / f"{name}.csv")
    return config, db, log


@dataclass
class ScreenFigures:
    """Everything :func:`measure` found, for the table of ``run_all``."""

    latency: dict[float, Burst]
    floor: dict[float, Burst]
    keys_idle: list[float]
    refresh_small: list[float]
    refresh_big: list[float]


def measure(today: int, rates: list[float], seconds: float, runs: int) -> ScreenFigures:
    """Run every headless measurement (``runs`` bursts per rate, alternating with the floor)."""
    with tempfile.TemporaryDirectory(prefix="cw-bench-screen-") as tmp:
        folder = Path(tmp)
        now = time.time()
        config, db, log = prepare(folder, today, now, "small")
        floor_log = new_log(folder / "floor.csv")
        latency: dict[float, Burst] = {}
        floor: dict[float, Burst] = {}
        for rate in rates:
            n = max(10, int(rate * seconds))
            for _ in range(runs):
                got = asyncio.run(_burst_carewatch(config, db, log, rate, n, keys=True))
                base = asyncio.run(_burst_floor(floor_log, rate, n))
                _merge(latency, rate, got)
                _merge(floor, rate, base)
        idle = asyncio.run(_burst_carewatch(config, db, log, 2.0, 10, keys=True)).keys
        small = asyncio.run(_refresh_costs(config, db, log, 12))
        config_big, db_big, log_big = prepare(folder, today * 10, now, "big")
        big = asyncio.run(_refresh_costs(config_big, db_big, log_big, 12))
        small2 = asyncio.run(_refresh_costs(config, db, log, 12))
        big2 = asyncio.run(_refresh_costs(config_big, db_big, log_big, 12))
        return ScreenFigures(latency, floor, idle, small + small2, big + big2)


def _merge(into: dict[float, Burst], rate: float, got: Burst) -> None:
    if rate not in into:
        into[rate] = got
        return
    have = into[rate]
    have.latencies += got.latencies
    have.keys += got.keys
    have.appended += got.appended
    have.shown += got.shown


def ms(x: float) -> str:
    return f"{x * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", type=int, default=10_000)
    parser.add_argument("--rates", default="20,500")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    got = measure(args.today, rates, args.seconds, args.runs)
    for rate in rates:
        b, f = got.latency[rate], got.floor[rate]
        print(
            f"{rate:g} calls/s: append→visible median {ms(median(b.latencies))} "
            f"p95 {ms(quantile(b.latencies, 0.95))} ({b.shown}/{b.appended} shown); "
            f"floor median {ms(median(f.latencies))} p95 {ms(quantile(f.latencies, 0.95))}; "
            f"key median {ms(median(b.keys))} p95 {ms(quantile(b.keys, 0.95))}"
        )
    print(f"key idle: median {ms(median(got.keys_idle))} p95 {ms(quantile(got.keys_idle, 0.95))}")
    print(
        f"refresh cost: {args.today} today {ms(median(got.refresh_small))}, "
        f"{args.today * 10} today {ms(median(got.refresh_big))}, "
        f"ratio {median(got.refresh_big) / median(got.refresh_small):.2f}"
    )


if __name__ == "__main__":
    main()
