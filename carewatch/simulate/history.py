"""The history: days of calls generated in one go (:func:`generate_calls`), cut at a moment
when asked, and written to a file in one of the formats (:func:`simulate_history`)."""

from __future__ import annotations

import dataclasses
import random
import time
from datetime import date, timedelta, tzinfo
from pathlib import Path

from carewatch.config import Config
from carewatch.outfile import replacing
from carewatch.records import AgentEvent
from carewatch.simulate.call import SimCall
from carewatch.simulate.context import Context
from carewatch.simulate.engine import Window
from carewatch.simulate.plan import HISTORY_OPERATORS, day_plan, operators
from carewatch.simulate.writers import FORMATS, write_csv, write_jsonl, write_queue_log
from carewatch.timeutil import local_day


def _truncate(call: SimCall, until: float) -> SimCall | None:
    """The call as it was known at ``until``; None when it had not started."""
    if call.started_at > until:
        return None
    c = dataclasses.replace(call, agent_events=[e for e in call.agent_events if e.at <= until])
    if c.ended_at is not None and c.ended_at > until:
        c.ended_at = c.talk_seconds = None
        c.exit_event = c.exit_position = c.transfer_to = None
        c.transferred = False
        c.category = c.outcome = c.resolved = c.note = None
        c.csat = c.nps = c.tagged_at = c.rated_at = None
        c.tags_in_end_row = True
        if c.answered_at is None or c.answered_at > until:
            c.answered_at = c.ring_seconds = c.bridged_id = None
            c.wait_seconds = None
            c.disposition = None
            if c.direction == "in":
                c.agent = None
    if c.tagged_at is not None and c.tagged_at > until:
        c.category = c.outcome = c.resolved = c.note = c.tagged_at = None
        c.tags_in_end_row = True
    if c.rated_at is not None and c.rated_at > until:
        c.csat = c.nps = c.rated_at = None
    return c


def generate_calls(
    seed: int,
    start: date,
    days: int,
    tz: tzinfo,
    config: Config,
    *,
    until: float | None = None,
    ended_only: bool = False,
) -> list[SimCall]:
    """A deterministic call history of ``days`` local days from ``start``, sorted by start.

    Only ``random.Random(seed)`` is used: the same arguments give the same calls. With
    ``until`` (epoch seconds), what had not happened by then is dropped: calls that had not
    started, events, tags and ratings after it; a call in progress then has no end yet.
    The first days of a longer history are the same as a shorter history from the same start.
    ``ended_only``: leave out the calls still waiting or being talked at ``until`` (a demo's
    history, whose live feed brings the next calls: every call in it ends); the operators'
    events they carried stay (on a neighbouring call).
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    rng = random.Random(seed)
    ctx = Context(rng, config)
    ops = operators(HISTORY_OPERATORS)
    for offset in range(days):
        day = start + timedelta(days=offset)
        open_t, close_t, shifts, rates = day_plan(ctx, day, tz, ops)
        Window(ctx, open_t, close_t, shifts, rates).run()
        ctx.callbacks.clear()  # nobody calls back a caller from yesterday
    calls = ctx.take_calls()
    if until is None:
        return calls
    kept = [t for t in (_truncate(c, until) for c in calls) if t is not None]
    return _ended(kept) if ended_only else kept


def _ended(calls: list[SimCall]) -> list[SimCall]:
    """The calls that have ended; the state events of the others move to a neighbour."""
    out: list[SimCall] = []
    orphans: list[AgentEvent] = []
    for call in calls:
        if call.ended_at is not None:
            if orphans and call.direction == "in":
                call.agent_events = sorted([*orphans, *call.agent_events], key=lambda e: e.at)
                orphans = []
            out.append(call)
        else:
            orphans.extend(e for e in call.agent_events if e.event != "RINGNOANSWER")
    if orphans:
        last = next((c for c in reversed(out) if c.direction == "in"), None)
        if last is not None:
            last.agent_events = sorted([*last.agent_events, *orphans], key=lambda e: e.at)
    return out


_WRITERS = {"csv": write_csv, "jsonl": write_jsonl}


def simulate_history(
    out: Path,
    fmt: str,
    days: int,
    seed: int,
    config: Config,
    *,
    start: date | None = None,
    now: float | None = None,
    ended_only: bool = False,
) -> int:
    """Write ``days`` days of simulated calls to ``out`` (replacing it); returns the call count.

    ``fmt`` is ``csv``, ``jsonl`` or ``queue_log``; times are in the config's time zone. Without
    ``start`` the history ends today (``now``, default the current time): it starts on
    today − days + 1 and today holds only what had happened by ``now``. With ``start`` and
    without ``now`` every day is complete, so the file depends only on the arguments.
    The count is of the calls in the file (a queue_log has no outbound calls).
    ``ended_only``: as :func:`generate_calls`.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    tz = config.tz
    until = now
    if start is None:
        if until is None:
            until = time.time()
        start = local_day(until, tz) - timedelta(days=days - 1)
    calls = generate_calls(seed, start, days, tz, config, until=until, ended_only=ended_only)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # whole or not at all: a reader never meets half a history, an interrupted run leaves the
    # file as it was
    with replacing(out, newline="") as fh:
        if fmt == "queue_log":
            return write_queue_log(calls, fh)
        return _WRITERS[fmt](calls, fh, tz=tz)
