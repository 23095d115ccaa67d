"""Benchmark of the live screen in a real terminal (not collected by pytest).

    python tests/bench/bench_terminal.py [--today 10000] [--rates 20,500] [--seconds 10]
                                         [--memory-calls 1000000] [--memory-appends 72000]

``carewatch monitor --watch FILE:csv`` runs in a pseudo-terminal (160 x 48) whose output a
terminal emulator (pyte) reads, so what is measured is what a person at the terminal sees:

* **append → visible**: another process appends calls to FILE at each rate; from the append to
  the moment the terminal shows an "Offered" tile counting the call; median and p95.
* **key press**: during a burst, ``w`` (the window: today → last hour → shift) is typed every
  0.4 s; from typing to the terminal showing the new title; median and p95.
* **memory**: with ``--memory-calls`` calls in the database (``--today`` of them today), the
  screen follows an hour at 20 calls/s, compressed in time: ``--memory-appends`` (72,000)
  calls appended at 400 calls/s (3 minutes); the screen's RSS (from /proc) every second; the
  figure is the largest, and "flat" compares the last third's median with the first third's.

Baseline, in the same run and the same terminal: ``tests/bench/floor_app.py`` (a minimal
Textual app following the same file and showing the count of its lines): its latency, and
its RSS.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.bench_screen import afternoon_zone, visible_latencies
from tests.bench.pty_screen import PtyScreen, number_after, number_under
from tests.bench.screen_data import (
    Appender,
    bench_config,
    build_day,
    median,
    new_log,
    quantile,
    rss_mb,
)

ROOT = Path(__file__).resolve().parents[2]
KEY_EVERY = 0.4


def _carewatch(folder: Path, db: Path, log: Path, zone: str) -> PtyScreen:
    cfg = folder / "bench.toml"
    cfg.write_text(f'timezone = "{zone}"\n', encoding="utf-8")

    def probe(screen: object) -> tuple[int | None, str]:
        title = screen.display[0]  # type: ignore[attr-defined]
        kind = "today" if "Today" in title else "hour" if "Last hour" in title else "shift"
        return number_under(screen, "Offered"), kind  # type: ignore[arg-type]

    return PtyScreen(
        [
            sys.executable,
            "-m",
            "carewatch",
            "monitor",
            "--config",
            str(cfg),
            "--db",
            str(db),
            "--watch",
            f"{log}:csv",
            "--operator",
            "op-001",
        ],
        env={"PYTHONPATH": str(ROOT), "CAREWATCH_STATE": str(folder / "state.toml")},
        probe=probe,
    )


def _floor(log: Path) -> PtyScreen:
    return PtyScreen(
        [sys.executable, str(ROOT / "tests" / "bench" / "floor_app.py"), str(log)],
        env={"PYTHONPATH": str(ROOT)},
        probe=lambda screen: (number_after(screen, "calls: "), "today"),
    )


def _counts(screen: PtyScreen) -> list[tuple[float, int]]:
    return [
        (t, v[0])  # type: ignore[index]
        for t, v in screen.readings
        if v[0] is not None and v[1] == "today"  # type: ignore[index]
    ]


@dataclass
class TermBurst:
    latencies: list[float]
    keys: list[float]
    appended: int
    shown: int


def burst(screen: PtyScreen, log: Path, rate: float, n: int, *, keys: bool) -> TermBurst:
    """Append ``n`` calls at ``rate``; with ``keys``, type ``w`` every 0.4 s instead of
    measuring the appends (the window changes what the tiles count)."""
    if not screen.wait_for(lambda: bool(_counts(screen)), 180):
        raise RuntimeError(f"the screen never showed a count:\n{screen.text()}")
    settle(screen)
    base = _counts(screen)[-1][1]
    appender = Appender(log, rate, n, prefix=f"t{int(time.time() * 1000)}")
    appender.start()
    key_lat = type_keys(screen, n / rate) if keys else []
    appended = appender.times()
    appender.stop()
    if keys:
        return TermBurst([], key_lat, len(appended), 0)
    screen.wait_for(lambda: _counts(screen)[-1][1] >= base + n, 15)
    lat = visible_latencies(appended, _counts(screen), base)
    return TermBurst(lat, [], len(appended), len(lat))


def settle(screen: PtyScreen, quiet: float = 1.5, timeout: float = 60.0) -> None:
    """Wait until the screen has shown no new reading for ``quiet`` seconds (it has caught up
    with every call appended before)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        last = screen.readings[-1][0] if screen.readings else 0.0
        if time.time() - last >= quiet:
            return
        time.sleep(0.1)


def _title(screen: PtyScreen) -> object:
    return screen.readings[-1][1][1]  # type: ignore[index]


def _press_w(screen: PtyScreen) -> float | None:
    """Type ``w``; the seconds until the title changed (``None``: it did not, in 5 s)."""
    before = _title(screen)
    sent = screen.press(b"w")
    if not screen.wait_for(lambda: _title(screen) != before, 5):
        return None
    return next(t for t, v in screen.readings if t >= sent and v[1] != before) - sent  # type: ignore[index]


def type_keys(screen: PtyScreen, seconds: float) -> list[float]:
    """Type ``w`` every :data:`KEY_EVERY` seconds for ``seconds``, then back to today."""
    found: list[float] = []
    deadline = time.time() + seconds
    while time.time() < deadline:
        time.sleep(KEY_EVERY)
        took = _press_w(screen)
        if took is not None:
            found.append(took)
    for _ in range(3):
        if _title(screen) == "today":
            break
        _press_w(screen)
    return found


@dataclass
class TermFigures:
    latency: dict[float, TermBurst]
    floor: dict[float, TermBurst]
    keys: dict[float, list[float]]
    memory: list[tuple[float, float]]
    floor_rss: float
    memory_calls: int


def _add(into: dict[float, TermBurst], rate: float, got: TermBurst) -> None:
    have = into.setdefault(rate, TermBurst([], [], 0, 0))
    have.latencies += got.latencies
    have.keys += got.keys
    have.appended += got.appended
    have.shown += got.shown


def measure_latency(
    folder: Path, today: int, rates: list[float], seconds: float, runs: int
) -> tuple[dict[float, TermBurst], dict[float, TermBurst], dict[float, list[float]], float]:
    now = time.time()
    zone = afternoon_zone(now)
    db = folder / "latency.db"
    build_day(db, bench_config(zone), now, today=today)
    log = new_log(folder / "latency.csv")
    floor_log = new_log(folder / "floor.csv")
    latency: dict[float, TermBurst] = {}
    floor: dict[float, TermBurst] = {}
    keys: dict[float, list[float]] = {}
    floor_rss = float("nan")
    screen = _carewatch(folder, db, log, zone)
    base_screen = _floor(floor_log)
    try:
        for rate in rates:
            n = max(10, int(rate * seconds))
            for _ in range(runs):
                _add(latency, rate, burst(screen, log, rate, n, keys=False))
                _add(floor, rate, burst(base_screen, floor_log, rate, n, keys=False))
                keys.setdefault(rate, []).extend(burst(screen, log, rate, n, keys=True).keys)
        floor_rss = rss_mb(base_screen.proc.pid)
    finally:
        screen.close()
        base_screen.close()
    return latency, floor, keys, floor_rss


def measure_memory(
    folder: Path, total: int, today: int, appends: int, rate: float = 400.0
) -> tuple[list[tuple[float, float]], int]:
    """RSS samples (seconds since the appends began, MB) of the screen following
    ``appends`` calls at ``rate`` with ``total`` calls in the database."""
    now = time.time()
    zone = afternoon_zone(now)
    db = folder / "memory.db"
    calls = build_day(db, bench_config(zone), now, today=today, history=total - today)
    log = new_log(folder / "memory.csv")
    screen = _carewatch(folder, db, log, zone)
    samples: list[tuple[float, float]] = []
    try:
        if not screen.wait_for(lambda: bool(_counts(screen)), 300):
            raise RuntimeError(f"the screen never showed a count:\n{screen.text()}")
        time.sleep(2.0)
        appender = Appender(log, rate, appends, prefix=f"m{int(time.time() * 1000)}")
        start = time.time()
        samples.append((0.0, rss_mb(screen.proc.pid)))
        appender.start()
        end = start + appends / rate + 10
        while time.time() < end:
            time.sleep(1.0)
            samples.append((time.time() - start, rss_mb(screen.proc.pid)))
        appender.times()
        appender.stop()
    finally:
        screen.close()
    return samples, calls


def flatness(samples: list[tuple[float, float]]) -> float:
    """Median RSS of the last third of the samples minus that of the first third (MB)."""
    values = [v for _t, v in samples]
    third = max(1, len(values) // 3)
    return median(values[-third:]) - median(values[:third])


def measure(
    today: int,
    rates: list[float],
    seconds: float,
    runs: int,
    memory_calls: int,
    memory_appends: int,
) -> TermFigures:
    with tempfile.TemporaryDirectory(prefix="cw-bench-term-") as tmp:
        folder = Path(tmp)
        latency, floor, keys, floor_rss = measure_latency(folder, today, rates, seconds, runs)
        memory, calls = measure_memory(folder, memory_calls, today, memory_appends)
    return TermFigures(latency, floor, keys, memory, floor_rss, calls)


def ms(x: float) -> str:
    return f"{x * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", type=int, default=10_000)
    parser.add_argument("--rates", default="20,500")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--memory-calls", type=int, default=1_000_000)
    parser.add_argument("--memory-appends", type=int, default=72_000)
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    got = measure(
        args.today, rates, args.seconds, args.runs, args.memory_calls, args.memory_appends
    )
    for rate in rates:
        b, f = got.latency[rate], got.floor[rate]
        k = got.keys[rate]
        print(
            f"{rate:g} calls/s: append→visible median {ms(median(b.latencies))} "
            f"p95 {ms(quantile(b.latencies, 0.95))} ({b.shown}/{b.appended} shown); "
            f"floor median {ms(median(f.latencies))} p95 {ms(quantile(f.latencies, 0.95))}; "
            f"key median {ms(median(k))} p95 {ms(quantile(k, 0.95))}"
        )
    peak = max(v for _t, v in got.memory)
    print(
        f"memory: {got.memory_calls:,} calls, peak RSS {peak:.0f} MB, "
        f"last third - first third {flatness(got.memory):+.0f} MB; floor app {got.floor_rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
