"""Every benchmark, one table (not collected by pytest).

    python tests/bench/run_all.py [--quick] [--only screen,terminal]

Each row: the figure, its goal, the value measured, the baseline measured in the same run, and
their ratio. A row comes from a *group*: one function that runs one benchmark and returns its
rows; adding a figure is one small function in :data:`GROUPS`. ``--quick`` runs shorter bursts,
fewer repeats and a smaller database for the memory figure (100,000 calls, 6 minutes of
appends compressed); the full run takes about 20 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.screen_data import median, quantile


@dataclass(frozen=True)
class Row:
    """One line of the table. ``value`` and ``baseline`` in ``unit``; ``ok``: the goal met
    (``None``: a figure the issue sets no goal for)."""

    figure: str
    goal: str
    value: float
    baseline: float | None
    unit: str
    ok: bool | None

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or not self.baseline:
            return None
        return self.value / self.baseline


Group = Callable[[bool], list[Row]]


def _ms(values: list[float], q: float) -> float:
    return (quantile(values, q) if q != 0.5 else median(values)) * 1000


def latency_row(where: str, rate: float, latencies: list[float], floor: list[float]) -> Row:
    """Append → visible at ``rate``: p95 against the floor app's p95, every call shown."""
    p95 = _ms(latencies, 0.95)
    return Row(
        f"append → visible, {where}, {rate:g}/s, p95 (median {_ms(latencies, 0.5):.0f})",
        "≤ 250 ms",
        p95,
        _ms(floor, 0.95),
        "ms",
        p95 <= 250,
    )


def key_row(label: str, keys: list[float], baseline: list[float] | None) -> Row:
    """A key press during a burst: p95 (median in the label)."""
    k95 = _ms(keys, 0.95)
    base = None if baseline is None else _ms(baseline, 0.95)
    return Row(
        f"{label}, p95 (median {_ms(keys, 0.5):.0f})", "≤ 100 ms", k95, base, "ms", k95 <= 100
    )


def screen_rows(quick: bool) -> list[Row]:
    """Headless (run_test): append → visible, key press, refresh cost 10k vs 100k."""
    from tests.bench import bench_screen

    seconds, runs = (5.0, 1) if quick else (10.0, 3)
    got = bench_screen.measure(10_000, [20.0, 500.0], seconds, runs)
    rows: list[Row] = []
    for rate in (20.0, 500.0):
        b = got.latency[rate]
        rows.append(latency_row("headless", rate, b.latencies, got.floor[rate].latencies))
        rows[-1] = replace(rows[-1], ok=rows[-1].ok and b.shown == b.appended)
        rows.append(
            key_row(
                f"key (↓/↑) during {rate:g}/s, headless (baseline: idle)", b.keys, got.keys_idle
            )
        )
    small, big = median(got.refresh_small) * 1000, median(got.refresh_big) * 1000
    rows.append(
        Row(
            "refresh cost, 100k today (baseline: 10k today), median",
            "ratio ≤ 1.5",
            big,
            small,
            "ms",
            big / small <= 1.5,
        )
    )
    return rows


def terminal_rows(quick: bool) -> list[Row]:
    """A real terminal (pty + pyte): append → visible, key press, memory."""
    from tests.bench import bench_terminal

    seconds, runs = (5.0, 1) if quick else (10.0, 3)
    total, appends = (100_000, 7_200) if quick else (1_000_000, 72_000)
    got = bench_terminal.measure(10_000, [20.0, 500.0], seconds, runs, total, appends)
    rows: list[Row] = []
    for rate in (20.0, 500.0):
        b = got.latency[rate]
        rows.append(latency_row("terminal", rate, b.latencies, got.floor[rate].latencies))
        rows[-1] = replace(rows[-1], ok=rows[-1].ok and b.shown == b.appended)
        rows.append(key_row(f"key (w) during {rate:g}/s, terminal", got.keys[rate], None))
    peak = max(v for _t, v in got.memory)
    drift = bench_terminal.flatness(got.memory)
    hours = appends / 72_000
    rows.append(
        Row(
            f"RSS, {got.memory_calls:,} calls + {hours:g} h at 20/s compressed "
            f"(last - first third {drift:+.0f} MB; baseline: floor app)",
            "≤ 150 MB, flat",
            peak,
            got.floor_rss,
            "MB",
            peak <= 150 and drift <= 10,
        )
    )
    return rows


def live_memory_rows(quick: bool) -> list[Row]:
    """Bytes a call costs the screen's day (traced, no painting), against the rows alone."""
    from tests.bench import bench_live_memory

    today, appends = (20_000, 10_000) if quick else (50_000, 40_000)
    got = bench_live_memory.measure(today, appends)
    return [
        Row(
            f"live day, traced bytes per appended call ({today:,} + {appends:,}; "
            f"first read {got.per_call:.0f} B a call; baseline: a row)",
            "≤ 450 B",
            got.per_append,
            got.rows_per_call,
            "B",
            got.per_append <= 450,
        )
    ]


def ingest_rows(quick: bool) -> list[Row]:
    """Ingest of a simulated queue_log (about 700,000 lines; quick: 60 days) against the
    plain-Python floor (``bench_ingest_floor.py``), and the ingest's peak RSS."""
    from tests.bench import bench_ingest_floor as floor

    got = floor.measure(floor.QUICK_DAYS if quick else floor.FULL_DAYS, 7, 2 if quick else 3)
    return [
        Row(
            f"ingest, queue_log of {got['lines']:,.0f} lines (baseline: plain-Python floor; "
            f"median ratio {got['ratio']:.2f})",
            "ratio ≤ 2.0",
            got["ours"] * 1000,
            got["floor"] * 1000,
            "ms",
            got["ratio"] <= 2.0,
        ),
        Row(
            "`ingest --follow` started behind that file, catching up (baseline: the one-shot)",
            "none set",
            got["follow"] * 1000,
            got["ours"] * 1000,
            "ms",
            None,
        ),
        Row("peak RSS of that ingest", "≤ 300 MB", got["rss"], None, "MB", got["rss"] <= 300),
        Row(
            "peak RSS of its reading process",
            "≤ 300 MB with it",
            got["reading_rss"],
            None,
            "MB",
            got["rss"] + got["reading_rss"] <= 300,
        ),
    ]


def report_rows(quick: bool) -> list[Row]:
    """The day report of 50,000 calls (cache warm and cold) against pandas on the same calls,
    and the worst case (the two days it compares with at 50,000 calls too)."""
    import argparse
    import tempfile

    from tests.bench import bench_report

    args = argparse.Namespace(day_calls=50_000, history_calls=2_000, runs=3 if quick else 7)
    args.seed = 7
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
        for label, compare in (("day report", 2_000), ("worst case", 50_000)):
            got = bench_report.measure(label, args, 30, compare, Path(tmp))
            kinds = (
                ("warm", got.warm),
                ("first", got.first),
                ("morning, the ingester kept it", got.morning),
                ("cold", got.cold),
            )
            for cache, value in kinds:
                rows.append(
                    Row(
                        f"{label}, 50,000 calls, build + text, {cache} "
                        "(baseline: pandas on the CSV)",
                        "< pandas" if compare < 50_000 else "< 1 s",
                        value * 1000,
                        got.pandas * 1000,
                        "ms",
                        value < got.pandas if compare < 50_000 else value < 1.0,
                    )
                )
    return rows


def startup_rows(quick: bool) -> list[Row]:
    """carewatch --help and carewatch tag in a new process, against python -c pass."""
    from tests.bench import bench_startup

    got = bench_startup.measure(5 if quick else 15)
    return [
        Row(
            f"{name}, new process, median (baseline: python -c pass)",
            "≤ 150 ms",
            t * 1000,
            got.python * 1000,
            "ms",
            t <= 0.150,
        )
        for name, t in (
            ("carewatch --help", got.help),
            ("carewatch tag", got.tag),
            ("carewatch tag, own config kept from its first run", got.tag_own),
        )
    ]


#: The groups, in the order they run; ``--only`` picks by name.
GROUPS: dict[str, Group] = {
    "screen": screen_rows,
    "terminal": terminal_rows,
    "live-memory": live_memory_rows,
    "ingest": ingest_rows,
    "report": report_rows,
    "startup": startup_rows,
}


def print_table(rows: list[Row]) -> None:
    wide = max([92, *(len(r.figure) for r in rows)])
    head = f"{'figure':<{wide}} {'goal':<15} {'value':>9} {'baseline':>9} {'ratio':>6}  ok"
    print(head)
    print("-" * len(head))
    for r in rows:
        base = "" if r.baseline is None else f"{r.baseline:.0f}"
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}"
        value = f"{r.value:.0f} {r.unit}" if r.unit != "×" else f"{r.value:.2f}×"
        print(
            f"{r.figure:<{wide}} {r.goal:<15} {value:>9} {base:>9} {ratio:>6}  "
            f"{'-' if r.ok is None else 'yes' if r.ok else 'NO'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs, smaller databases")
    parser.add_argument("--only", default=",".join(GROUPS), help="groups to run, comma-separated")
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in GROUPS]
    if unknown:
        parser.error(f"unknown group(s): {', '.join(unknown)}; known: {', '.join(GROUPS)}")
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} ({os.cpu_count()} CPUs)", flush=True)
    rows: list[Row] = []
    for name in names:
        t = time.perf_counter()
        rows += GROUPS[name](args.quick)
        print(f"[{name}: {time.perf_counter() - t:.0f} s]", flush=True)
    load = os.getloadavg()
    print(f"\nload average at end: {load[0]:.2f}\n")
    print_table(rows)


if __name__ == "__main__":
    main()
