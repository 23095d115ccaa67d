"""The live feed: a busy centre generated half an hour at a time and appended to a file as
its lines come due (:func:`run_live`)."""

from __future__ import annotations

import heapq
import math
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path

from carewatch.config import Config
from carewatch.simulate.context import Context
from carewatch.simulate.engine import Window
from carewatch.simulate.plan import LIVE_OPERATORS, Shift, operators
from carewatch.simulate.writers import (
    FORMATS,
    csv_header,
    csv_line,
    jsonl_line,
    queue_log_items,
    row_items,
)

#: Live mode: calls an hour on average, and the simulated minutes generated at a time.
_LIVE_RATE = 450.0
_LIVE_CHUNK = 1800


class _LiveFeed:
    """Generates the live centre half an hour at a time, carrying operators over."""

    def __init__(self, seed: int, config: Config, start: int, tz: tzinfo, fmt: str) -> None:
        self.rng = random.Random(seed)
        self.ctx = Context(self.rng, config)
        self.ops = operators(LIVE_OPERATORS)
        self.tz = tz
        self.fmt = fmt
        self.start = start
        self.next_start = start
        self.available: dict[str, int] | None = None
        self.phase = self.rng.uniform(0, 2 * math.pi)
        self.calls = 0  # calls generated so far (those the format writes)
        self.chunks = 0

    def chunk(self) -> list[tuple[int, int, tuple[int, ...], str, int | None]]:
        """The next half hour: its lines as (time, chunk, key, text, call index)."""
        rng = self.rng
        a = self.next_start
        b = a + _LIVE_CHUNK
        self.next_start = b
        shifts = []
        for op in self.ops:
            pauses = []
            if rng.random() < 0.3:
                pauses.append((rng.randint(a, b - 1), rng.randint(300, 720), "break"))
            hour = datetime.fromtimestamp(a, self.tz).hour
            if 12 <= hour <= 13 and rng.random() < 0.3:
                pauses.append((rng.randint(a, b - 1), rng.randint(1800, 2700), "lunch"))
            elif rng.random() < 0.03:
                pauses.append((rng.randint(a, b - 1), rng.randint(1200, 2400), "training"))
            if self.available is None:
                shifts.append(Shift(op, a - rng.randint(1, 30), None, pauses))
            else:
                shifts.append(Shift(op, None, None, pauses, self.available.get(op.name, a)))
        self.ctx.shipping_day = rng.random() < 0.3
        surge = 1.1 if self.ctx.shipping_day else 1.0
        rates = []
        for s in range(a, b, 60):
            wave = 1 + 0.15 * math.sin(2 * math.pi * (s - self.start) / 1800 + self.phase)
            rates.append((s, s + 60, _LIVE_RATE * wave * surge))
        self.available = Window(self.ctx, a, b, shifts, rates).run()
        calls = self.ctx.take_calls()
        first = self.calls
        self.chunks += 1
        lines: list[tuple[int, int, tuple[int, ...], str, int | None]] = []
        if self.fmt == "queue_log":
            for t, key, text, idx in queue_log_items(calls, first):
                lines.append((t, self.chunks, key, text + "\n", idx))
            self.calls += sum(1 for c in calls if c.direction == "in")
        else:
            for t, key, row, idx in row_items(calls, self.tz, first):
                full = "started_at" in row
                text = csv_line(row) if self.fmt == "csv" else jsonl_line(row, full)
                lines.append((t, self.chunks, key, text, idx))
            self.calls += len(calls)
        return lines


def run_live(
    out: Path,
    fmt: str,
    seed: int,
    config: Config,
    *,
    speed: float = 1.0,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    stop: threading.Event | None = None,
    max_calls: int | None = None,
) -> int:
    """Append simulated calls to ``out`` as they happen; returns the number of calls written.

    Calls start from ``clock()`` on; each line is written (whole, then flushed) when its time
    comes, ``speed`` times faster than real time (timestamps are simulated time, so at
    ``speed`` > 1 they run ahead of the clock). A new or empty csv file gets the header first.
    Stops when ``stop`` is set, on KeyboardInterrupt, or once every line of the first
    ``max_calls`` calls is written (later calls are then left out). The live centre is always
    open and busy: a call every 7–8 s on average (see the module doc).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if not speed > 0:
        raise ValueError(f"speed must be positive, not {speed!r}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tz = config.tz
    wall0 = clock()
    sim0 = int(wall0)
    feed = _LiveFeed(seed, config, sim0, tz, fmt)
    pending: list[tuple[int, int, tuple[int, ...], str, int | None]] = []
    generated_until = sim0
    outstanding = 0  # lines not yet written of the first max_calls calls
    written: set[int] = set()

    def stopped() -> bool:
        return stop is not None and stop.is_set()

    def wait_until(due: float) -> bool:
        while not stopped():
            now = clock()
            if now >= due:
                return True
            sleep(min(due - now, 0.5))
        return False

    size = out.stat().st_size if out.exists() else 0
    with out.open("ab") as fh:
        if size and not _ends_with_newline(out):
            fh.write(b"\n")
        if fmt == "csv" and size == 0:
            fh.write(csv_header().encode("utf-8"))
        fh.flush()
        try:
            while not stopped():
                if max_calls is not None and feed.calls >= max_calls and outstanding == 0:
                    break
                more = max_calls is None or feed.calls < max_calls
                if more and (not pending or pending[0][0] >= generated_until):
                    for line in feed.chunk():
                        heapq.heappush(pending, line)
                        idx = line[4]
                        if max_calls is not None and idx is not None and idx < max_calls:
                            outstanding += 1
                    generated_until = feed.next_start
                    continue
                if not pending:
                    break
                t, _, _, text, idx = heapq.heappop(pending)
                if max_calls is not None and idx is not None and idx >= max_calls:
                    continue
                if not wait_until(wall0 + (t - sim0) / speed):
                    break
                fh.write(text.encode("utf-8"))
                fh.flush()
                if idx is not None:
                    written.add(idx)
                    if max_calls is not None:
                        outstanding -= 1
        except KeyboardInterrupt:
            pass
    return len(written)


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(-1, 2)
        return fh.read(1) == b"\n"
