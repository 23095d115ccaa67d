"""What the screen benchmarks share: a database with a busy day in it, a call log that another
process appends to at a given rate, and the statistics they print (not collected by pytest).

* :func:`build_day` fills a database through ``Store.ingest`` (the path ``carewatch ingest``
  takes) with ``today`` calls spread over the local day up to a few minutes before ``now``,
  and ``history`` more calls on the days before, drawn from ``random.Random(seed)``.
* :class:`Appender` is a process of its own (as a phone system is) that appends one call per
  line to a carewatch CSV file at ``rate`` calls a second, and tells when it wrote each.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import statistics
import time
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from carewatch.config import Config, default_config_text, parse_config
from carewatch.records import AgentEvent, CallUpdate, Record
from carewatch.store import Store

AGENTS = tuple(f"op-{i:03d}" for i in range(1, 61))
QUEUES = ("support", "support", "sales", "billing")
CSV_HEADER = (
    "call_id,started_at,answered_at,ended_at,queue,agent,caller,direction,category,outcome,note\n"
)
BATCH = 20_000


def bench_config(timezone: str = "UTC") -> Config:
    """The documented default config, in a fixed time zone."""
    data = tomllib.loads(default_config_text())
    data["timezone"] = timezone
    return parse_config(data, "config/carewatch.toml")


def _call(rng: random.Random, call_id: str, t: float, categories: Sequence[str]) -> CallUpdate:
    fields: dict[str, object] = {
        "started_at": t,
        "queue": rng.choice(QUEUES),
        "caller": f"+44 7700 9{rng.randrange(40_000):05d}",
    }
    r = rng.random()
    if r < 0.06:
        fields.update(disposition="abandoned", wait_seconds=rng.uniform(3, 180))
    elif r < 0.07:
        fields.update(disposition="missed", wait_seconds=300.0)
    else:
        wait = rng.expovariate(1 / 15)
        talk = rng.lognormvariate(4.6, 0.5)
        fields.update(answered_at=t + wait, ended_at=t + wait + talk, agent=rng.choice(AGENTS))
        if rng.random() < 0.85:
            fields["category"] = rng.choice(categories)
            fields["outcome"] = rng.choice(("sale", "information", "none"))
            fields["resolved"] = rng.random() < 0.8
    return CallUpdate(call_id, fields)


def _records(
    rng: random.Random, config: Config, start: float, end: float, n: int, prefix: str
) -> Iterator[Record]:
    categories = [c.name for c in config.categories] or ["general"]
    times = sorted(start + rng.random() * (end - start) for _ in range(n))
    for i, t in enumerate(times):
        yield _call(rng, f"{prefix}-{i}", t, categories)
        if i % 20 == 0:  # the operators' missed rings and pauses, about one per 20 calls
            kind = rng.choice(("RINGNOANSWER", "PAUSE", "UNPAUSE"))
            yield AgentEvent(t, rng.choice(AGENTS), kind, queue="support", ring_ms=15000)


def build_day(
    path: Path, config: Config, now: float, *, today: int, history: int = 0, seed: int = 7
) -> int:
    """A database at ``path`` with ``today`` calls on the local day of ``now`` (up to two
    minutes before it) and ``history`` calls over the 100 days before; returns the calls."""
    rng = random.Random(seed)
    tz = config.tz
    day = datetime.fromtimestamp(now, tz).date()
    day_start = datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()
    with Store(str(path)) as store:
        batch: list[tuple[int, Record]] = []

        def add(records: Iterator[Record]) -> None:
            for rec in records:
                batch.append((len(batch) + 1, rec))
                if len(batch) >= BATCH:
                    store.ingest("bench", batch)
                    batch.clear()

        days = 100
        for back in range(days, 0, -1):
            d = day - timedelta(days=back)
            start = datetime(d.year, d.month, d.day, 7, tzinfo=tz).timestamp()
            add(_records(rng, config, start, start + 12 * 3600, history // days, d.isoformat()))
        add(_records(rng, config, day_start, max(day_start + 60, now - 120), today, "today"))
        if batch:
            store.ingest("bench", batch)
        return store.count_calls()


def csv_line(call_id: str, t: float, agent: str) -> str:
    """One finished call as a line of carewatch CSV (answered 10 s after it started)."""
    return f"{call_id},{t - 90:.3f},{t - 80:.3f},{t:.3f},support,{agent},+44 7700 900123,in,,,\n"


def _append(path: str, rate: float, n: int, offset: float, prefix: str, out: mp.Queue) -> None:
    times: list[float] = []
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    start = time.time() + 0.05
    try:
        for k in range(n):
            due = start + k / rate
            wait = due - time.time()
            if wait > 0:
                time.sleep(wait)
            now = time.time()
            os.write(fd, csv_line(f"{prefix}-{k}", now + offset, AGENTS[k % 7]).encode())
            times.append(now)
    finally:
        os.close(fd)
    out.put(times)


@dataclass
class Appender:
    """A process that appends ``n`` calls to ``path`` at ``rate`` a second. ``offset``: added
    to the wall clock for the calls' times (a screen whose clock runs elsewhere)."""

    path: Path
    rate: float
    n: int
    offset: float = 0.0
    prefix: str = "live"

    def __post_init__(self) -> None:
        ctx = mp.get_context("fork")
        self._queue: mp.Queue = ctx.Queue()
        self._proc = ctx.Process(
            target=_append,
            args=(str(self.path), self.rate, self.n, self.offset, self.prefix, self._queue),
            daemon=True,
        )

    def start(self) -> None:
        self._proc.start()

    def times(self, timeout: float = 600.0) -> list[float]:
        """When each call was appended (wall clock), once the process is done."""
        found: list[float] = self._queue.get(timeout=timeout)
        self._proc.join(timeout=5)
        return found

    def stop(self) -> None:
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(timeout=5)


def new_log(path: Path) -> Path:
    """An empty carewatch CSV file (its header only)."""
    path.write_text(CSV_HEADER, encoding="utf-8")
    return path


def quantile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``values``, by the nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def rss_mb(pid: int) -> float:
    """The resident memory of process ``pid`` in MB (from /proc)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")
