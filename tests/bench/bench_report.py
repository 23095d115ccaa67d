"""Benchmark of the end-of-day summary (not collected by pytest).

    python tests/bench/bench_report.py [--day-calls 50000] [--history-days 30] [--runs 5]

Builds, in a temporary folder, databases of ``--history-days`` (30) days whose report day has
``--day-calls`` (50,000) calls and every other day ``--history-calls`` (2,000), all through
``Store.ingest`` with records drawn from ``random.Random(seed)``, and times (median of
``--runs``):

* ``build_report`` + ``render(text)`` (the printed summary, as ``carewatch report --date D``
  makes it: on a read-only store, with the cache of finished periods,
  :mod:`carewatch.kpicache`), warm (the cache
  filled by an earlier run) and cold (an empty cache each run), and ``render(json)``;
* the baselines, in the same run and on the same file: a raw ``sqlite3`` ``SELECT * FROM
  cw_call WHERE started_at >= ? AND started_at < ?`` of the report day, fetched into Python;
  and a pandas script computing the day's main KPIs from the same calls exported as CSV once
  beforehand (``tests/bench/pandas_day.py``; its figures are checked equal to the report's);

and prints the ratios. Three databases:

1. the report day at 50,000 calls, the other days at 2,000;
2. the same with ten times the history (300 days): the report's cost must not grow with it;
3. the worst case: the day before and the same weekday a week before at 50,000 calls too
   (the report reads those three days). Goal: < 1 s.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from carewatch.config import Config, default_config_text, parse_config
from carewatch.figures import window_kpis
from carewatch.kpi.windows import day_window
from carewatch.kpicache import KpiCache
from carewatch.records import AgentEvent, CallUpdate, Record
from carewatch.report import build_report, render
from carewatch.report.keep import DayKeeper
from carewatch.store import Store
from carewatch.timeutil import day_bounds
from tests.bench.pandas_day import check_same, export_day, pandas_kpis

REPORT_DAY = date(2024, 5, 14)
TIMEZONE = "Europe/Rome"
BATCH = 25_000
NOTES = (
    "asked where the parcel is; sent the tracking link",
    "wants a refund, passed to billing",
    'said "the courier never rang", booked a new delivery',
    "call back tomorrow morning",
)


def bench_config() -> Config:
    """The documented default config, in a fixed time zone."""
    data = tomllib.loads(default_config_text())
    data["timezone"] = TIMEZONE
    return parse_config(data, "config/carewatch.toml")


def day_records(
    rng: random.Random, config: Config, day: date, n: int, prefix: str
) -> Iterator[Record]:
    """``n`` calls on local ``day`` (plus the day's missed rings), drawn from ``rng``."""
    start = day_bounds(day, config.tz)[0]
    opening = start + 8 * 3600
    span = 12 * 3600
    categories = [c.name for c in config.categories] or ["general"]
    outcomes = [o.name for o in config.outcomes] or ["sale", "none"]
    agents = [f"op-{i:03d}" for i in range(1, 121)]
    for i in range(n):
        t = opening + rng.random() * span
        fields: dict[str, object] = {
            "started_at": t,
            "queue": rng.choice(("support", "support", "sales", "billing")),
            "caller": f"+44 7700 9{rng.randrange(40_000):05d}",
        }
        r = rng.random()
        if r < 0.02:
            fields.update(direction="out", answered_at=t, ended_at=t + rng.uniform(30, 300))
            fields["agent"] = rng.choice(agents)
        elif r < 0.08:
            fields.update(disposition="abandoned", wait_seconds=rng.uniform(3, 180))
        elif r < 0.09:
            fields.update(disposition="missed", wait_seconds=300.0)
        else:
            wait = rng.expovariate(1 / 15)
            talk = rng.lognormvariate(4.8, 0.5)
            fields.update(answered_at=t + wait, ended_at=t + wait + talk, agent=rng.choice(agents))
            if rng.random() < 0.88:
                fields["category"] = rng.choice(categories)
                fields["outcome"] = rng.choice(outcomes)
                fields["resolved"] = rng.random() < 0.8
                if rng.random() < 0.05:
                    fields["note"] = rng.choice(NOTES)
            if rng.random() < 0.3:
                fields["csat"] = rng.randint(1, 5)
                fields["nps"] = rng.randint(0, 10)
        yield CallUpdate(f"{prefix}-{i}", fields)
    for _ in range(max(1, n // 100)):
        yield AgentEvent(
            opening + rng.random() * span, rng.choice(agents), "RINGNOANSWER", ring_ms=15000
        )


def build_database(
    path: Path | str,
    config: Config,
    *,
    day_calls: int,
    compare_calls: int,
    history_days: int,
    history_calls: int,
    seed: int,
) -> tuple[Store, int]:
    """A database of ``history_days`` days ending on the report day (``day_calls`` calls; the
    day before and a week before ``compare_calls``; other days ``history_calls``) at ``path``
    (an SQLite file, or a database URL); returns it and its number of calls."""
    store = Store(str(path))
    rng = random.Random(seed)
    compared = {REPORT_DAY - timedelta(days=1), REPORT_DAY - timedelta(days=7)}
    batch: list[tuple[int, Record]] = []
    for back in range(history_days - 1, -1, -1):
        day = REPORT_DAY - timedelta(days=back)
        n = day_calls if back == 0 else compare_calls if day in compared else history_calls
        for rec in day_records(rng, config, day, n, day.isoformat()):
            batch.append((len(batch) + 1, rec))
            if len(batch) >= BATCH:
                store.ingest("bench", batch)
                batch = []
    if batch:
        store.ingest("bench", batch)
    day_start = day_bounds(REPORT_DAY, config.tz)[0]
    for k in range(40):
        opened = day_start - rng.uniform(0, 10 * 86400)
        pk = store.open_issue(f"issue {k}", "op-001", category="shipping", now=opened)
        if k % 3 == 0:
            store.resolve_issue(pk, "op-002", now=opened + rng.uniform(600, 86400))
    return store, store.count_calls()


def median_time(fn: Callable[[], object], runs: int) -> float:
    """The median wall time of ``runs`` calls of ``fn`` (after one warm-up call)."""
    return interleaved({"fn": fn}, runs)["fn"]


def interleaved(fns: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """The median wall time of each of ``fns``, run in turn ``runs`` times (after a warm-up
    round), so a machine that gets busier or quieter during the run affects all alike."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {name: statistics.median(ts) for name, ts in times.items()}


@dataclass(frozen=True)
class Measured:
    """One database's medians, in seconds."""

    calls: int
    select: float
    pandas: float
    warm: float
    cold: float
    #: The first report of a day that is over: the days it compares with kept, not the day.
    first: float
    #: The first report of a day the site's ingester kept at night (carewatch.report.keep).
    morning: float


def measure(
    label: str, args: argparse.Namespace, history_days: int, compare_calls: int, folder: Path
) -> Measured:
    """Build one database, time the report and the baselines on it, print the figures."""
    config = bench_config()
    t0 = time.perf_counter()
    store, total = build_database(
        folder / f"bench-{history_days}-{compare_calls}.db",
        config,
        day_calls=args.day_calls,
        compare_calls=compare_calls,
        history_days=history_days,
        history_calls=args.history_calls,
        seed=args.seed,
    )
    built = time.perf_counter() - t0
    store.close()  # the reports read as `carewatch report` does: a read-only store
    store = Store(store.url, read_only=True)
    now = day_bounds(REPORT_DAY, config.tz)[1] + 8 * 3600  # the morning after
    start, end = day_bounds(REPORT_DAY, config.tz)
    db_path = store.url.removeprefix("sqlite:///")

    def baseline() -> int:
        conn = sqlite3.connect(db_path)
        try:
            rows = conn.execute(
                "SELECT * FROM cw_call WHERE started_at >= ? AND started_at < ?", (start, end)
            ).fetchall()
        finally:
            conn.close()
        return len(rows)

    csv_path = folder / f"day-{history_days}-{compare_calls}.csv"
    export_day(db_path, start, end, csv_path)
    sl_seconds = float(config.targets.service_level_seconds)

    def with_pandas() -> dict[str, object]:
        return pandas_kpis(csv_path, sl_seconds, TIMEZONE)

    windows = [day_window(REPORT_DAY - timedelta(days=d), config.tz) for d in (0, 1, 7)]

    def engine() -> None:
        for window in windows:
            window_kpis(store, config, window, now=now)

    cache_folder = folder / f"cache-{history_days}-{compare_calls}"
    colds = iter(range(1_000_000))

    def report(cache: KpiCache, fmt: str = "text") -> str:
        return render(build_report(store, config, REPORT_DAY, now=now, cache=cache), fmt)

    def warm(fmt: str = "text") -> str:
        return report(KpiCache(store, config, cache_folder), fmt)

    def cold() -> str:
        empty = folder / f"cold-{next(colds)}"
        try:
            return report(KpiCache(store, config, empty))
        finally:
            shutil.rmtree(empty, ignore_errors=True)

    # the reports of the day before and of a week before keep those days (as the morning
    # reports of those days did); a copy of that cache (a few ms) before each first report
    earlier_days = folder / f"earlier-{history_days}-{compare_calls}"
    for back in (1, 7):
        day = REPORT_DAY - timedelta(days=back)
        build_report(store, config, day, now=now, cache=KpiCache(store, config, earlier_days))
    kept_days = list(earlier_days.rglob("*.json"))
    # the site's ingester kept the day itself a quarter of an hour after midnight
    # (carewatch.report.keep), on top of what the earlier days' reports kept
    night = folder / f"night-{history_days}-{compare_calls}"
    shutil.copytree(earlier_days, night)
    t_keep = time.perf_counter()
    DayKeeper(store.url, config, cache_folder=night).keep(REPORT_DAY, now=now - 7 * 3600)
    t_keep = time.perf_counter() - t_keep

    def copies(kept: Path) -> Iterator[Path]:
        """Fresh copies of what ``kept`` holds, all made before any is timed (a report finds
        its cache as it was left, and the copying is not in its time), one a report."""
        made = []
        for _ in range(args.runs + 1):  # the warm-up round and each timed one
            made.append(folder / f"copy-{history_days}-{compare_calls}-{next(colds)}")
            shutil.copytree(kept, made[-1])
        return iter(made)

    mornings, firsts = copies(night), copies(earlier_days)

    def morning() -> str:
        return report(KpiCache(store, config, next(mornings)))

    def first() -> str:
        return report(KpiCache(store, config, next(firsts)))

    day_rows = baseline()
    plain = build_report(store, config, REPORT_DAY, now=now)
    assert warm() == render(plain, "text") == cold(), "the cache changed the report"
    wrong = check_same(with_pandas(), plain.kpis)
    assert not wrong, f"pandas and the report differ on {wrong}"
    timed = interleaved(
        {
            "baseline": baseline,
            "pandas": with_pandas,
            "text": warm,
            "cold": cold,
            "first": first,
            "morning": morning,
            "json": lambda: warm("json"),
            "engine": engine,
            "render_text": lambda: render(plain, "text"),
        },
        args.runs,
    )
    with_calls = build_report(store, config, REPORT_DAY, now=now, with_calls=True)
    t_calls = {
        fmt: median_time(lambda fmt=fmt: render(with_calls, fmt), 1) for fmt in ("text", "json")
    }
    store.close()
    t_base, t_pd, t_text, t_cold = (
        timed["baseline"],
        timed["pandas"],
        timed["text"],
        timed["cold"],
    )

    def ms(t: float) -> str:
        return f"{t * 1000:8.0f} ms"

    print(f"\n{label}: {total:,} calls over {history_days} days (database built in {built:.0f} s)")
    print(
        f"  report day {day_rows:,} calls; day before and a week before {compare_calls:,} each; "
        f"other days {args.history_calls:,}"
    )
    print(f"  baseline: raw sqlite3 SELECT * of the report day   {ms(t_base)}")
    print(f"  baseline: pandas, the day's KPIs from its CSV       {ms(t_pd)}   (same figures)")
    named = (("warm", t_text), ("cold", t_cold), ("first", timed["first"]))
    for name, t in (*named, ("morning", timed["morning"])):
        print(
            f"  build_report + render(text), {name:7} cache        {ms(t)}"
            f"   = {t / t_pd:4.2f}x pandas, {t / t_base:4.1f}x SELECT   (< 1 s: "
            f"{'yes' if t < 1 else 'NO'})"
        )
    print(f"  build_report + render(json), warm cache            {ms(timed['json'])}")
    print(
        "  (warm: what an earlier report of the day kept; cold: an empty cache; first: the "
        f"first report of the day, with the {len(kept_days)} files the reports of the two days it "
        "compares with kept; morning: the first report of the day after the ingester kept it "
        f"at 00:15, which took {t_keep * 1000:.0f} ms in the ingester)"
    )
    print(
        f"  the KPI engine alone (3 x window_kpis, no cache) {timed['engine'] * 1000:.0f} ms; "
        f"render(text) {timed['render_text'] * 1000:.0f} ms; "
        f"with --calls: render(text) {t_calls['text'] * 1000:.0f} ms, "
        f"render(json) {t_calls['json'] * 1000:.0f} ms"
    )
    return Measured(day_rows, t_base, t_pd, t_text, t_cold, timed["first"], timed["morning"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--day-calls", type=int, default=50_000)
    parser.add_argument("--history-days", type=int, default=30)
    parser.add_argument("--history-calls", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-10x", action="store_true", help="skip the 10x history run")
    parser.add_argument("--no-worst", action="store_true", help="skip the worst-case run")
    args = parser.parse_args()
    print(
        f"carewatch report benchmark — median of {args.runs} runs, Python {sys.version.split()[0]}"
    )
    with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
        folder = Path(tmp)
        one = measure("1. history x1", args, args.history_days, args.history_calls, folder)
        if not args.no_10x:
            ten = measure(
                "2. history x10", args, args.history_days * 10, args.history_calls, folder
            )
            print(
                f"\n  report/SELECT ratio (warm), history x10 against x1: "
                f"{ten.warm / ten.select:.2f} / {one.warm / one.select:.2f} "
                "(the same ratio = the report's cost follows the day's calls, not the history)"
            )
        if not args.no_worst:
            measure("3. worst case", args, args.history_days, args.day_calls, folder)


if __name__ == "__main__":
    main()
