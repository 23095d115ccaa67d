"""Ingest and the day report on PostgreSQL against the same on SQLite (not collected by pytest).

    python tests/bench/bench_postgres.py [--days 60] [--day-calls 50000] [--runs 3]
                                         [--report-only]

Starts a throw-away PostgreSQL server as the tests do (``tests/pgserver.py``: initdb and
pg_ctl in a temporary folder, a unix socket, ``fsync``, ``synchronous_commit`` and
``full_page_writes`` off, so the server's disk does not count), then times, in turn (median of
``--runs``, after a warm-up run of each):

* the ingest of a simulated queue_log (``--days`` days, seed 7; 60 days: 101,840 lines) by
  ``ingest_paths``, as ``carewatch ingest FILE`` does it, into a fresh PostgreSQL schema and into
  a fresh SQLite file;
* the day report (build + text) of a database built as ``bench_report.py`` builds its first
  one (the report day ``--day-calls`` calls, 29 days of 2,000 before it), warm (the cache
  filled by an earlier run) and cold (an empty cache each run), on each database.

Prints each figure on both and their ratio, PostgreSQL against SQLite. The SQLite side reads in
one process here too for the report's compared days (they hold 2,000 calls, under the
threshold of the child processes).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from carewatch.ingest import ingest_paths
from carewatch.kpicache import KpiCache
from carewatch.report import build_report, render
from carewatch.simulate import simulate_history
from carewatch.store import Store
from carewatch.timeutil import day_bounds
from tests.bench.bench_ingest import START, remove_db
from tests.bench.bench_ingest import bench_config as ingest_config
from tests.bench.bench_report import REPORT_DAY, bench_config, build_database, interleaved
from tests.pgserver import PostgresServer


def ingest_figures(server: PostgresServer, folder: Path, days: int, runs: int) -> dict[str, float]:
    """The queue_log ingest into PostgreSQL and into SQLite; also the file's lines and calls."""
    path = folder / "logs" / "queue_log"
    simulate_history(path, "queue_log", days, 7, ingest_config(), start=START)
    with path.open("rb") as fh:
        lines = sum(1 for line in fh if line.strip())
    calls: dict[str, int] = {}

    def into(url: Callable[[], str], name: str) -> Callable[[], None]:
        def run() -> None:
            store = Store(url())
            try:
                calls[name] = ingest_paths(store, ingest_config(), [str(path)], "queue_log").added
            finally:
                store.close()

        return run

    sqlite_db = folder / "ingest.db"

    def fresh_sqlite() -> str:
        remove_db(sqlite_db)
        return str(sqlite_db)

    timed = interleaved(
        {
            "postgresql": into(server.new_schema, "postgresql"),
            "sqlite": into(fresh_sqlite, "sqlite"),
        },
        runs,
    )
    assert calls["postgresql"] == calls["sqlite"], calls
    return {**timed, "lines": lines, "calls": calls["sqlite"]}


def report_figures(
    server: PostgresServer, folder: Path, day_calls: int, runs: int
) -> dict[str, float]:
    """The day report, warm and cold, on a database of each kind built the same way."""
    config = bench_config()
    now = day_bounds(REPORT_DAY, config.tz)[1] + 8 * 3600
    stores: dict[str, Store] = {}
    built: dict[str, float] = {}
    for name, db in (("postgresql", server.new_schema()), ("sqlite", str(folder / "report.db"))):
        t = time.perf_counter()
        stores[name], _ = build_database(
            db,
            config,
            day_calls=day_calls,
            compare_calls=2_000,
            history_days=30,
            history_calls=2_000,
            seed=7,
        )
        built[name] = time.perf_counter() - t
    texts: dict[str, str] = {}
    colds = iter(range(1_000_000))

    def report(name: str, warm: bool) -> Callable[[], None]:
        store = stores[name]

        def run() -> None:
            cache_dir = folder / f"warm-{name}" if warm else folder / f"cold-{next(colds)}"
            try:
                texts[name] = render(
                    build_report(
                        store, config, REPORT_DAY, now=now, cache=KpiCache(store, config, cache_dir)
                    ),
                    "text",
                )
            finally:
                if not warm:
                    shutil.rmtree(cache_dir, ignore_errors=True)

        return run

    timed = interleaved(
        {
            f"{kind} {name}": report(name, kind == "warm")
            for kind in ("warm", "cold")
            for name in ("postgresql", "sqlite")
        },
        runs,
    )
    assert texts["postgresql"] == texts["sqlite"], "the two databases gave different reports"
    for store in stores.values():
        store.close()
    return {**timed, **{f"built {k}": v for k, v in built.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--days", type=int, default=60, help="days of queue_log to ingest (60)")
    ap.add_argument("--day-calls", type=int, default=50_000, help="calls of the report day")
    ap.add_argument("--runs", type=int, default=3, help="timed runs, median taken (3)")
    ap.add_argument(
        "--report-only", action="store_true", help="time the day report, not the ingest"
    )
    args = ap.parse_args(argv)
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} ({os.cpu_count()} CPUs)")
    server = PostgresServer()
    try:
        with tempfile.TemporaryDirectory(prefix="cw-bench-pg-") as tmp:
            folder = Path(tmp)
            if not args.report_only:
                ing = ingest_figures(server, folder, args.days, args.runs)
                lines = ing["lines"]
                print(f"\ningest of {lines:,.0f} queue_log lines ({ing['calls']:,.0f} calls)")
                for name in ("postgresql", "sqlite"):
                    print(f"  {name:11} {ing[name]:8.2f} s   {lines / ing[name]:,.0f} lines/s")
                print(f"  PostgreSQL / SQLite   {ing['postgresql'] / ing['sqlite']:.2f}x")
            rep = report_figures(server, folder, args.day_calls, args.runs)
            print(f"\nday report of {args.day_calls:,} calls (29 days of 2,000 before it)")
            print(
                f"  databases built in {rep['built postgresql']:.0f} s (PostgreSQL) and "
                f"{rep['built sqlite']:.0f} s (SQLite), by Store.ingest"
            )
            for kind in ("warm", "cold"):
                pg, lite = rep[f"{kind} postgresql"], rep[f"{kind} sqlite"]
                print(
                    f"  {kind}: PostgreSQL {pg * 1000:6.0f} ms, SQLite {lite * 1000:6.0f} ms, "
                    f"ratio {pg / lite:.2f}x"
                )
    finally:
        server.stop()
    load = os.getloadavg()
    print(f"load average at end: {load[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
