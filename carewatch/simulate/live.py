"""The live feed: a busy centre generated half an hour at a time and appended to a file as
its lines come due (:func:`run_live`)."""

from __future__ import annotations

import heapq
import itertools
import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from pathlib import Path

from carewatch.config import Config
from carewatch.simulate.call import SimCall
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

#: What :func:`run_live` tells ``on_call`` about a call, when it happens: ``"tags"`` (the
#: operator tagged it: category, outcome, resolved, note) or ``"rating"`` (the caller answered
#: the survey: csat, nps). ``on_call(kind, call, at)`` returns ``False`` to be asked again a
#: few seconds later (the call is not in the database yet).
CallHook = Callable[[str, SimCall, float], bool]
#: Seconds between the end of a call and the earliest hook about it, and between tries.
_HOOK_DELAY = 3
_HOOK_TRIES = 5


class _LiveFeed:
    """Generates the live centre half an hour at a time, carrying operators over."""

    def __init__(
        self,
        seed: int,
        config: Config,
        start: int,
        tz: tzinfo,
        fmt: str,
        at_work: Mapping[str, float] | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.at_work = dict(at_work or {})
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
        self.last_calls: list[SimCall] = []

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
                early = rng.randint(1, 30)
                login = a - early
                first = self.at_work.get(op.name)
                if first is not None:  # logged in a little before their first call of the day
                    login = min(login, int(first) - 60 * early)
                shifts.append(Shift(op, login, None, pauses))
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
        self.last_calls = calls
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
    on_call: CallHook | None = None,
    at_work: Mapping[str, float] | None = None,
    begin: float | None = None,
) -> int:
    """Append simulated calls to ``out`` as they happen; returns the number of calls written.

    Calls start from ``clock()`` on; each line is written (whole, then flushed) when its time
    comes, ``speed`` times faster than real time (timestamps are simulated time, so at
    ``speed`` > 1 they run ahead of the clock). A new or empty csv file gets the header first.
    Stops when ``stop`` is set, on KeyboardInterrupt, or once every line of the first
    ``max_calls`` calls is written (later calls are then left out). The live centre is always
    open and busy: a call every 7–8 s on average (see the module doc). ``on_call``: told when
    an operator tags a call and when a caller rates one (:data:`CallHook`), so that a demo can
    record what a queue_log cannot carry. ``at_work``: operator -> when they took their first
    call of the day (a demo's history): they logged in a few minutes before it, not at the
    start; the others log in at the start. ``begin``: the calls start there instead, before
    ``clock()`` (a feed that has been running for a while): the lines due by ``clock()`` are
    written at once, then the others when their time comes.
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
    first = sim0 if begin is None else min(int(begin), sim0)
    feed = _LiveFeed(seed, config, first, tz, fmt, at_work)
    pending: list[tuple[int, int, tuple[int, ...], str, int | None]] = []
    generated_until = first
    outstanding = 0  # lines not yet written of the first max_calls calls
    written = CallsWritten()
    hooks: dict[tuple[int, ...], tuple[str, SimCall, int]] = {}

    hook_numbers = itertools.count()

    def schedule(kind: str, call: SimCall, t: int, tries: int) -> None:
        key = (t, 99, next(hook_numbers))
        hooks[key] = (kind, call, tries)
        heapq.heappush(pending, (t, feed.chunks, key, "", None))

    def schedule_chunk() -> None:
        if on_call is None:
            return
        for call in feed.last_calls:
            if call.ended_at is None or call.direction != "in":
                continue
            if call.tags and call.tagged_at is not None:
                schedule("tags", call, max(call.tagged_at, call.ended_at + _HOOK_DELAY), 0)
            if call.csat is not None and call.rated_at is not None:
                schedule("rating", call, max(call.rated_at, call.ended_at + _HOOK_DELAY), 0)

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
                        if idx is not None and (max_calls is None or idx < max_calls):
                            written.expect(idx)
                            if max_calls is not None:
                                outstanding += 1
                    schedule_chunk()
                    generated_until = feed.next_start
                    continue
                if not pending:
                    break
                t, _, key, text, idx = heapq.heappop(pending)
                if max_calls is not None and idx is not None and idx >= max_calls:
                    continue
                if not wait_until(wall0 + (t - sim0) / speed):
                    break
                hook = hooks.pop(key, None)
                if hook is not None and on_call is not None:
                    kind, call, tries = hook
                    if not on_call(kind, call, float(t)) and tries + 1 < _HOOK_TRIES:
                        # ask again a few seconds from now (a line written at once was not
                        # read yet), in the feed's simulated time
                        now = sim0 + (clock() - wall0) * speed
                        schedule(kind, call, int(max(t, now)) + _HOOK_DELAY, tries + 1)
                    continue
                fh.write(text.encode("utf-8"))
                fh.flush()
                if idx is not None:
                    written.wrote(idx)
                    if max_calls is not None:
                        outstanding -= 1
        except KeyboardInterrupt:
            pass
    return written.count


class CallsWritten:
    """How many calls have had a line written, keeping only the calls with lines still to
    write (a feed that runs for weeks keeps the calls of the next half hour, not every call
    it ever wrote)."""

    def __init__(self) -> None:
        #: Calls with a line written so far.
        self.count = 0
        #: Call index -> lines of it still to write.
        self.left: dict[int, int] = {}
        #: Calls in :attr:`left` some line of which is written (counted already).
        self.started: set[int] = set()

    def expect(self, idx: int) -> None:
        """One more line of call ``idx`` is to be written."""
        self.left[idx] = self.left.get(idx, 0) + 1

    def wrote(self, idx: int) -> None:
        """A line of call ``idx`` was written."""
        left = self.left.get(idx, 1) - 1
        if idx not in self.started:
            self.count += 1
            if left:
                self.started.add(idx)
        if left:
            self.left[idx] = left
        else:
            self.left.pop(idx, None)
            self.started.discard(idx)


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(-1, 2)
        return fh.read(1) == b"\n"
