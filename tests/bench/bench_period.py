"""Benchmark of a month's report (not collected by pytest).

    python tests/bench/bench_period.py [--month-calls 300000] [--history-daily 1000] [--runs 3]

Builds, in a temporary folder, a database whose report month (May 2024) holds
``--month-calls`` (300,000) calls, the month before as many (the report compares with it),
and the ten months before those ``--history-daily`` (1,000) calls a day (the trend reads
them), all through ``Store.ingest`` with records drawn from ``random.Random(seed)``
(``bench_report.day_records``), plus every operator's login, lunch pause and logoff each day.
It then times (median of ``--runs``, run in turn):

* ``carewatch report --month 2024-05`` as the library runs it: ``build_report`` of the whole
  month (the month, the month before, the same month a year before, the trend of 12 months,
  the operators' sessions, what callers wanted, callers to call back) + ``render(text)``;
* the same month in progress (on the 15th at 11:00: each month cut at the same point);
* the baseline, in the same run and on the same file: a raw ``sqlite3`` ``SELECT * FROM
  cw_call WHERE started_at >= ? AND started_at < ?`` of the month, fetched into Python;

and prints each as a multiple of the baseline, with where the time goes (the KPI snapshot of
one month, the trend's twelve aggregates, the callers to call back, rendering).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_report import BATCH, bench_config, day_records, interleaved

from carewatch.config import Config
from carewatch.figures import callbacks_for, window_kpis
from carewatch.kpi.windows import Period, Window
from carewatch.records import AgentEvent, Record
from carewatch.report import build_report, render
from carewatch.report.sections import trend_rows
from carewatch.store import Store
from carewatch.timeutil import day_bounds

MONTH = Period.month(2024, 5)
AGENTS = [f"op-{i:03d}" for i in range(1, 121)]


def agent_day(rng: random.Random, config: Config, day: date) -> list[Record]:
    """Every operator logs in around 08:00, pauses for lunch and logs off around 17:00."""
    start = day_bounds(day, config.tz)[0]
    out: list[Record] = []
    for agent in AGENTS:
        login = start + 8 * 3600 + rng.uniform(-900, 900)
        lunch = start + 12.5 * 3600 + rng.uniform(-1800, 1800)
        out += [
            AgentEvent(login, agent, "AGENTLOGIN", queue="NONE"),
            AgentEvent(lunch, agent, "PAUSE", queue="NONE", reason="lunch"),
            AgentEvent(lunch + rng.uniform(1800, 3600), agent, "UNPAUSE", queue="NONE"),
            AgentEvent(login + 9 * 3600, agent, "AGENTLOGOFF", queue="NONE"),
        ]
    return out


def build_database(path: Path, config: Config, args: argparse.Namespace) -> Store:
    store = Store(str(path))
    rng = random.Random(args.seed)
    previous = MONTH.previous()
    first = MONTH.trend()[0].first
    batch: list[tuple[int, Record]] = []
    day = first
    while day <= MONTH.last:
        in_report = day >= previous.first
        n = (
            round(args.month_calls / MONTH.days)
            if day >= MONTH.first
            else round(args.month_calls / previous.days)
            if in_report
            else args.history_daily
        )
        records = [*day_records(rng, config, day, n, day.isoformat())]
        if in_report:
            records += agent_day(rng, config, day)
        for rec in records:
            batch.append((len(batch) + 1, rec))
            if len(batch) >= BATCH:
                store.ingest("bench", batch)
                batch = []
        day += timedelta(days=1)
    if batch:
        store.ingest("bench", batch)
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month-calls", type=int, default=300_000)
    parser.add_argument("--history-daily", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    config = bench_config()
    print(
        f"carewatch month report benchmark — median of {args.runs} runs, "
        f"Python {sys.version.split()[0]}"
    )
    with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
        t0 = time.perf_counter()
        store = build_database(Path(tmp) / "period.db", config, args)
        built = time.perf_counter() - t0
        window = MONTH.window(config.tz)
        after = window.end + 8 * 3600  # the morning after the month
        mid = datetime(2024, 5, 15, 11, tzinfo=config.tz).timestamp()

        def baseline() -> int:
            conn = sqlite3.connect(store.url.removeprefix("sqlite:///"))
            try:
                rows = conn.execute(
                    "SELECT * FROM cw_call WHERE started_at >= ? AND started_at < ?",
                    (window.start, window.end),
                ).fetchall()
            finally:
                conn.close()
            return len(rows)

        month_rows = baseline()
        report = build_report(store, config, MONTH, now=after)
        timed = interleaved(
            {
                "baseline": baseline,
                "report": lambda: render(build_report(store, config, MONTH, now=after), "text"),
                "partial": lambda: render(build_report(store, config, MONTH, now=mid), "text"),
                "snapshot": lambda: window_kpis(
                    store, config, window, now=after, with_agent_time=True
                ),
                "trend": lambda: trend_rows(store, config, MONTH, after, after, {}),
                "callbacks": lambda: callbacks_for(
                    store, Window(window.start, window.end, ""), after
                ),
                "render": lambda: render(report, "text"),
            },
            args.runs,
        )
        total = store.count_calls()
        store.close()
    base = timed["baseline"]
    print(
        f"\n{total:,} calls in the database (built in {built:.0f} s); "
        f"the month holds {month_rows:,}"
    )
    print(f"  baseline: raw sqlite3 SELECT * of the month            {base:6.2f} s")
    for key, text in (
        ("report", "report of the whole month (build + render text)"),
        ("partial", "report of the month in progress (15th, 11:00)  "),
    ):
        print(f"  {text}   {timed[key]:6.2f} s = {timed[key] / base:4.1f}x baseline")
    print(
        f"  of which: the month's KPI snapshot {timed['snapshot']:.2f} s, the trend's 12 "
        f"aggregates {timed['trend']:.2f} s (the report takes 2 of them from its snapshots), "
        f"callers to call back {timed['callbacks']:.2f} s, "
        f"render(text) {timed['render'] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
