"""Benchmark of ``carewatch ingest`` (not collected by pytest).

    python tests/bench/bench_ingest.py [--days 30] [--seed 7] [--runs 5] [--formats queue_log,csv]

Writes, in a temporary folder, a simulated history of ``--days`` days (30 days: about 20,000
calls, about 150,000 queue_log lines) with ``simulate_history`` and a fixed seed, once as an
Asterisk queue_log and once as carewatch CSV, and times for each file (median of ``--runs``,
run in turn so that a machine getting busier or quieter affects all alike):

* ``ours``: ``ingest_paths`` of the file into a fresh database (read, parse, merge, commit,
  positions), end to end;
* ``baseline``: in the same run, a raw ``sqlite3`` ``executemany`` INSERT of the same final call
  rows (``SELECT * FROM cw_call`` of the database ``ours`` produced) into an empty table of the
  same schema (table and indexes copied from its ``sqlite_master``), in one transaction, in WAL
  mode with the store's ``synchronous=NORMAL``;
* ``parse``: the same lines split, decoded and parsed (no database), to show where time goes;
* ``re-ingest``: ``ingest_paths`` of the unchanged file again into the database just filled;
  it must add and update nothing.

Prints lines/s and calls/s, ours / baseline and parse / ours. The baseline stores the call
rows only; ``ours`` also stores the queue_log's agent events (their count is printed).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from carewatch.config import Config, default_config_text, parse_config
from carewatch.ingest import IngestSummary, ingest_paths
from carewatch.records import BadLine
from carewatch.simulate import simulate_history
from carewatch.sources.base import decode_line
from carewatch.sources.reader import read_lines
from carewatch.sources.registry import make_parser
from carewatch.store import Store

START = date(2024, 5, 6)
TIMEZONE = "Europe/Rome"
FILE_NAMES = {"queue_log": "queue_log", "csv": "calls.csv", "jsonl": "calls.jsonl"}


def bench_config() -> Config:
    """The documented default config, in a fixed time zone."""
    data = tomllib.loads(default_config_text())
    data["timezone"] = TIMEZONE
    return parse_config(data, "config/carewatch.toml")


def count_lines(path: Path) -> int:
    """Non-blank lines of a file."""
    with path.open("rb") as fh:
        return sum(1 for line in fh if line.strip())


def parse_only(path: Path, fmt: str, config: Config) -> tuple[int, int]:
    """Split, decode and parse every line of ``path`` as the reader does, without a
    database; returns (records, lines skipped)."""
    parser = make_parser(fmt, config)
    header_pending = parser.has_header
    records = skipped = 0
    fd = os.open(path, os.O_RDONLY)
    try:
        offset, line_no = 0, 0
        while True:
            got = read_lines(fd, offset, line_no)
            for raw in got.lines:
                if raw.data is None:
                    skipped += 1
                    continue
                if not raw.data.strip():
                    continue
                try:
                    text = decode_line(raw.data, raw.line_no)
                    if header_pending:
                        header_pending = False
                        parser.read_header(text)
                        continue
                    records += len(parser.parse_line(text, raw.line_no))
                except BadLine:
                    skipped += 1
            if got.at_end:
                break
            offset, line_no = got.offset, got.line_no
    finally:
        os.close(fd)
    return records, skipped


def call_schema(db: Path) -> list[str]:
    """The ``CREATE`` statements of ``cw_call`` and its indexes, from ``sqlite_master`` (not
    its triggers, which number the rows other programs write)."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'cw_call' AND sql IS NOT NULL "
            "AND type IN ('table', 'index') ORDER BY type = 'index', name"
        ).fetchall()
    finally:
        conn.close()
    return [sql for (sql,) in rows]


def call_rows(db: Path) -> list[tuple]:
    """Every row of ``cw_call``."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT * FROM cw_call").fetchall()
    finally:
        conn.close()


def baseline_insert(db: Path, schema: list[str], rows: list[tuple]) -> None:
    """Raw sqlite3: create the call table in a fresh file and insert ``rows`` in one
    transaction (WAL, synchronous=NORMAL, like the store)."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        for sql in schema:
            conn.execute(sql)
        marks = ", ".join("?" * len(rows[0]))
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO cw_call VALUES ({marks})", rows)
        conn.execute("COMMIT")
    finally:
        conn.close()


def remove_db(db: Path) -> None:
    """Delete a database and its WAL files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def timed(fn: Callable[..., object], *args: object) -> tuple[float, float, object]:
    """Wall time and CPU time (this process) of one call of ``fn(*args)``, and its result."""
    cpu = time.process_time()
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, time.process_time() - cpu, out


def bench_format(
    fmt: str, path: Path, folder: Path, config: Config, runs: int
) -> dict[str, float | int]:
    """Time ours, the baseline, parse only and the re-ingest on one file.

    Each run times the four in turn; every figure is the median over the runs, the ratios
    too (each run's ratio, so the two sides of a ratio always ran side by side).
    """
    lines = count_lines(path)
    samples: dict[str, list[float]] = {}
    calls = events = reingest_added = 0
    schema: list[str] = []
    rows: list[tuple] = []
    for run in range(runs + 1):  # run 0 is a warm-up
        db = folder / f"ours-{fmt}-{run}.db"
        remove_db(db)
        store = Store(str(db))
        try:
            took, took_cpu, summary = timed(ingest_paths, store, config, [str(path)], fmt)
            assert isinstance(summary, IngestSummary)
            again_took, _, again = timed(ingest_paths, store, config, [str(path)], fmt)
            assert isinstance(again, IngestSummary)
            if again.added or again.updated or again.agent_events:
                raise SystemExit(f"re-ingest of {fmt} changed the database: {again.summary_line()}")
            reingest_added = max(reingest_added, again.added + again.updated)
        finally:
            store.close()
        if run == 0 and summary.skipped:
            print(f"  note: {fmt}: {summary.summary_line()}")
        calls, events = summary.added, summary.agent_events
        if not rows:
            schema, rows = call_schema(db), call_rows(db)
        base_db = folder / f"base-{fmt}-{run}.db"
        remove_db(base_db)
        base_took, base_cpu, _ = timed(baseline_insert, base_db, schema, rows)
        parse_took, _, _ = timed(parse_only, path, fmt, config)
        remove_db(db)
        remove_db(base_db)
        if run:
            for key, value in (
                ("ours", took),
                ("ours_cpu", took_cpu),
                ("baseline", base_took),
                ("baseline_cpu", base_cpu),
                ("parse", parse_took),
                ("reingest", again_took),
                ("ratio", took / base_took),
                ("ratio_cpu", took_cpu / base_cpu),
                ("parse_share", parse_took / took),
            ):
                samples.setdefault(key, []).append(value)
    out: dict[str, float | int] = {k: statistics.median(v) for k, v in samples.items()}
    out.update(
        lines=lines,
        calls=calls,
        events=events,
        rows=len(rows),
        size=path.stat().st_size,
        reingest_added=reingest_added,
    )
    return out


def print_table(results: dict[str, dict[str, float | int]]) -> None:
    """One block of figures per format."""
    head = f"{'':24}" + "".join(f"{fmt:>14}" for fmt in results)
    print(head)
    print("-" * len(head))

    def row(label: str, fn: Callable[[dict[str, float | int]], str]) -> None:
        print(f"{label:24}" + "".join(f"{fn(r):>14}" for r in results.values()))

    row("file size", lambda r: f"{r['size'] / 1e6:.1f} MB")
    row("lines", lambda r: f"{r['lines']:,}")
    row("calls added", lambda r: f"{r['calls']:,}")
    row("agent events", lambda r: f"{r['events']:,}")
    row("ours: ingest_paths", lambda r: f"{r['ours']:.3f} s")
    row("  CPU time", lambda r: f"{r['ours_cpu']:.3f} s")
    row("  lines/s", lambda r: f"{r['lines'] / r['ours']:,.0f}")
    row("  calls/s", lambda r: f"{r['calls'] / r['ours']:,.0f}")
    row("baseline: raw insert", lambda r: f"{r['baseline']:.3f} s")
    row("  CPU time", lambda r: f"{r['baseline_cpu']:.3f} s")
    row("  calls/s", lambda r: f"{r['rows'] / r['baseline']:,.0f}")
    row("parse only", lambda r: f"{r['parse']:.3f} s")
    row("  lines/s", lambda r: f"{r['lines'] / r['parse']:,.0f}")
    row("re-ingest (unchanged)", lambda r: f"{r['reingest'] * 1000:.1f} ms")
    row("  calls added/updated", lambda r: f"{r['reingest_added']:,}")
    row("ours / baseline", lambda r: f"{r['ratio']:.1f}x")
    row("  by CPU time", lambda r: f"{r['ratio_cpu']:.1f}x")
    row("parse / ours", lambda r: f"{r['parse_share']:.0%}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--days", type=int, default=30, help="days of simulated history (30)")
    ap.add_argument("--seed", type=int, default=7, help="simulator seed (7)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs, median taken (5)")
    ap.add_argument(
        "--formats", default="queue_log,csv", help="comma-separated: queue_log,csv,jsonl"
    )
    args = ap.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    load = os.getloadavg()
    print(
        f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        f"({os.cpu_count()} CPUs); python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}"
    )
    config = bench_config()
    results: dict[str, dict[str, float | int]] = {}
    with tempfile.TemporaryDirectory(prefix="cw-bench-ingest-") as tmp:
        folder = Path(tmp)
        for fmt in formats:
            src = folder / fmt
            src.mkdir()
            path = src / FILE_NAMES[fmt]
            t0 = time.perf_counter()
            simulate_history(path, fmt, args.days, args.seed, config, start=START)
            print(f"generated {fmt}: {args.days} days in {time.perf_counter() - t0:.1f} s")
        for fmt in formats:
            path = folder / fmt / FILE_NAMES[fmt]
            results[fmt] = bench_format(fmt, path, folder, config, args.runs)
    print(f"\nmedian of {args.runs} runs, seed {args.seed}, {args.days} days\n")
    print_table(results)
    load = os.getloadavg()
    print(f"\nload average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
