"""The report's sections besides its KPI snapshots: what callers wanted, the callers to call
back and the trend, each kept for a finished period by the cache of :mod:`carewatch.kpicache`
(so a report of a day already reported reads none of the day's calls).

A kept section is given back while everything the KPI snapshots depend on is the same. The
call-backs are kept as judged on the period's calls alone; the calls after it are read each
time and take off the callers they reached (:func:`carewatch.figures.callbacks_for`).

The cache holds no personal data of callers: a call-back is kept by the primary key of its
last lost call, a note by its call's, and the callers' numbers and the notes are read back
from the database (one short read) when the section is given back. The cache files so never
hold a number in clear, whatever ``[privacy]`` says, and a call erased from the database is
erased from what the cache gives back: a section whose call is gone is computed again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from carewatch.config import Config
from carewatch.config.screen import AgentNames
from carewatch.kpi.callbacks import Callback
from carewatch.kpi.definitions import TREND_KEYS
from carewatch.kpi.engine import conversion_outcomes
from carewatch.kpi.now import STALE_CALL_SECONDS, in_progress
from carewatch.kpi.trend import trend_figures
from carewatch.kpi.windows import Period, Window
from carewatch.kpicache import KpiCache, Slot
from carewatch.records import AgentFilter, CallRow
from carewatch.report.model import DayRow, Note, Request, TrendRow
from carewatch.store import Store
from carewatch.timeutil import day_bounds

#: The calls with a note each category of "What callers wanted" shows (the latest).
NOTES_PER_CATEGORY = 20

Value = dict[str, Any]
T = TypeVar("T")


class Kept:
    """Parts of one period's report (by name: what they are kept under besides the period),
    looked up in ``cache`` all at once before any call is read: a call written while the report
    reads is then newer than what is kept."""

    def __init__(
        self,
        cache: KpiCache | None,
        window: Window,
        now: float,
        parts: dict[str, tuple[Any, ...]],
    ) -> None:
        self.cache = cache
        self.slots: dict[str, Slot | None] = {}
        self.values: dict[str, Value] = {}
        if cache is None:
            return
        found = cache.find_all([(window, key) for key in parts.values()], now)
        for name, (slot, value) in zip(parts, found, strict=True):
            self.slots[name] = slot
            if value is not None:
                self.values[name] = value

    def get(self, name: str, compute: Callable[[], Value]) -> Value:
        """The part kept under ``name``, else ``compute()`` (kept for the next report)."""
        return self.part(name, compute, _as_kept, _as_kept)

    def part(
        self,
        name: str,
        compute: Callable[[], T],
        encode: Callable[[T], Value],
        decode: Callable[[Value], T | None],
    ) -> T:
        """The part kept under ``name`` as ``decode`` gives it back, else ``compute()`` (kept,
        as ``encode`` gives it, for the next report). ``decode`` gives ``None`` for a kept value
        it cannot complete (a call it names is no longer stored): computed again."""
        if name in self.values:
            found = decode(self.values[name])
            if found is not None:
                return found
        value = compute()
        if self.cache is not None:
            self.cache.keep(self.slots.get(name), encode(value))
        return value


def _as_kept(value: Value) -> Value:
    """A part kept as it is computed (a KPI snapshot: JSON already)."""
    return value


def days_begun(period: Period, as_of: float, config: Config) -> list[date]:
    """The local days of a longer ``period`` that had begun at ``as_of`` (a day still to come
    is not listed); none for a period of one day."""
    if period.kind == "day":
        return []
    out = []
    day = period.first
    while day <= period.last and day_bounds(day, config.tz)[0] < as_of:
        out.append(day)
        day += timedelta(days=1)
    return out


def encode_days(figures: Sequence[dict[str, Any]]) -> Value:
    """The days' figures as a cache keeps them (JSON already), oldest day first."""
    return {"days": list(figures)}


def decode_days(value: Value, days: Sequence[date]) -> list[dict[str, Any]] | None:
    """The figures of :func:`encode_days`; ``None`` when they are not one per day of ``days``."""
    kept = value.get("days")
    return kept if isinstance(kept, list) and len(kept) == len(days) else None


def day_rows(
    days: Sequence[date],
    figures: Sequence[dict[str, Any]],
    logged_from: date | None,
    as_of: float,
    config: Config,
) -> list[DayRow]:
    """Each day with its figures: none for a day before the logs begin (``logged_from``),
    ``partial`` for the day not over at ``as_of``, ``closed`` for a day of the config's
    ``closed_days``."""
    closed = frozenset(config.closed_days)
    return [
        DayRow(
            day,
            None if logged_from is not None and day < logged_from else dict(found),
            day_bounds(day, config.tz)[1] > as_of,
            day in closed,
        )
        for day, found in zip(days, figures, strict=True)
    ]


def calls_in_progress(
    store: Store,
    window: Window,
    now: float,
    calls: Sequence[CallRow] | None,
    names: AgentNames,
    *,
    queue: str | None = None,
    agent: AgentFilter | None = None,
) -> int:
    """How many calls begun in ``window`` (the report's period up to its report time) are
    still in progress at ``now`` (:func:`carewatch.kpi.now.in_progress`: waiting or being
    talked, not stale). Counted on ``calls``, the period's calls when the report has read them;
    else (a period over, its figures kept by the cache) on the calls begun in its last
    :data:`~carewatch.kpi.now.STALE_CALL_SECONDS`, one short read; none, and no read, once the
    period ended longer ago than that (any call of it still open is stale)."""
    since = now - STALE_CALL_SECONDS
    if window.end <= max(window.start, since):
        return 0
    if calls is None:
        start = max(window.start, since)
        calls = store.calls_between(start, window.end, queue=queue, agent=agent)
    return in_progress(calls, now, names)


def encode_callbacks(found: Sequence[Callback]) -> Value:
    """Call-backs as a cache keeps them (JSON): without the caller's number, which
    :func:`decode_callbacks` reads back by the primary key of the last lost call."""
    return {
        "callbacks": [
            [c.id, c.call_id, c.last_at, c.queue, c.result, c.last_wait_seconds, c.attempts]
            for c in found
        ]
    }


def decode_callbacks(store: Store, value: Value) -> list[Callback] | None:
    """The call-backs of :func:`encode_callbacks`, their callers read from ``store``;
    ``None`` when a caller is no longer stored."""
    rows = value["callbacks"]
    stored = store.callers_and_notes([row[0] for row in rows]) if rows else {}
    found = []
    for pk, call_id, last_at, queue, result, wait, attempts in rows:
        caller = stored.get(pk, (None, None))[0]
        if caller is None:
            return None
        found.append(Callback(caller, pk, call_id, last_at, queue, result, wait, attempts))
    return found


def encode_requests(requests: Sequence[Request]) -> Value:
    """What callers wanted as a cache keeps it (JSON): without the notes' text, which
    :func:`decode_requests` reads back by the calls' primary keys."""
    return {
        "requests": [
            [
                r.category,
                r.count,
                r.share,
                r.complaint,
                [[name, n] for name, n in r.subcategories.items()],
                [
                    [n.call_id, n.started_at, n.agent, n.subcategory, n.outcome, n.resolved, n.pk]
                    for n in r.notes
                ],
                r.notes_total,
            ]
            for r in requests
        ]
    }


def decode_requests(store: Store, value: Value) -> list[Request] | None:
    """What callers wanted, from :func:`encode_requests`, the notes read from ``store``;
    ``None`` when a note is no longer stored as it was (an empty one)."""
    entries = value["requests"]
    pks = [n[-1] for entry in entries for n in entry[5]]
    stored = store.callers_and_notes(pks) if pks else {}
    out = []
    for category, count, share, complaint, subs, kept_notes, total in entries:
        notes = []
        for call_id, started_at, agent, sub, outcome, resolved, pk in kept_notes:
            text = " ".join((stored.get(pk, (None, None))[1] or "").split())
            if not text:
                return None
            notes.append(Note(call_id, started_at, agent, sub, outcome, resolved, text, pk))
        out.append(
            Request(
                category=category,
                count=count,
                share=share,
                complaint=complaint,
                subcategories={name: n for name, n in subs},
                notes=notes,
                notes_total=total,
            )
        )
    return out


def requests_of(config: Config, calls: Sequence[CallRow], kpis: dict[str, Any]) -> list[Request]:
    """What callers wanted: per category of the mix with calls, its share, whether it is a
    complaint, its sub-categories and its latest calls with a note (by the operator each
    call's agent is, ``[operators]``)."""
    names = AgentNames(config.operators)
    sub_counts: dict[str, dict[str, int]] = {}
    notes: dict[str, list[Note]] = {}
    for call in calls:
        name = call.category or None
        if name is None:
            continue
        sub = None if call.subcategory is None else str(call.subcategory)
        if sub is not None:
            counts = sub_counts.setdefault(name, {})
            counts[sub] = counts.get(sub, 0) + 1
        text = " ".join((call.note or "").split())
        if text:
            notes.setdefault(name, []).append(
                Note(
                    call.call_id,
                    call.started_at,
                    names[call.agent] if call.agent else call.agent,
                    sub,
                    call.outcome,
                    call.resolved,
                    text,
                    call.id,
                )
            )
    out = []
    mix = kpis.get("category_mix") or {}
    for name, entry in sorted(mix.items(), key=lambda kv: -int(kv[1].get("count") or 0)):
        count = int(entry.get("count") or 0)
        if not count:
            continue
        category = config.category(name)
        listed = notes.get(name, [])
        out.append(
            Request(
                category=name,
                count=count,
                share=entry.get("share"),
                complaint=bool(category and category.complaint),
                subcategories=dict(
                    sorted(sub_counts.get(name, {}).items(), key=lambda kv: (-kv[1], kv[0]))
                ),
                notes=listed[-NOTES_PER_CATEGORY:],
                notes_total=len(listed),
            )
        )
    return out


def trend_rows(
    store: Store,
    config: Config,
    period: Period,
    as_of: float,
    now: float,
    seen: dict[Period, dict[str, Any]],
    *,
    queue: str | None = None,
    agent: AgentFilter | None = None,
    cache: KpiCache | None = None,
) -> list[TrendRow]:
    """The main KPIs of the 12 periods ending with this one (this one up to ``as_of``). The
    periods whose snapshot the report has read whole already (``seen``: the report's period,
    and the one before once the report's is over) are taken from it, the finished ones kept by
    ``cache`` from it; the database adds up the others (kept for the next report)."""
    periods = period.trend()
    full = [p.window(config.tz) for p in periods]
    windows = list(full)
    windows[-1] = Window(full[-1].start, max(full[-1].start, min(as_of, full[-1].end)), "")
    figures = {p: seen[p] for p in periods if p in seen}
    slots: dict[int, Slot | None] = {}
    key = ("trend", queue, agent)
    looked = [
        i
        for i, p in enumerate(periods)
        if cache is not None and p not in figures and windows[i].end == full[i].end
    ]
    if cache is not None:
        found = cache.find_all([(windows[i], key) for i in looked], now)
        for i, (slot, value) in zip(looked, found, strict=True):
            slots[i] = slot
            if value is not None:
                figures[periods[i]] = value
    missing = [i for i, p in enumerate(periods) if p not in figures]
    totals = store.trend_totals(
        [(windows[i].start, windows[i].end) for i in missing],
        service_level_seconds=float(config.targets.service_level_seconds),
        conversion_outcomes=conversion_outcomes(config),
        queue=queue,
        agent=agent,
    )
    for i, t in zip(missing, totals, strict=True):
        figures[periods[i]] = trend_figures(t)
        if cache is not None:
            cache.keep(slots.get(i), figures[periods[i]])
    return [
        TrendRow(p, {k: figures[p][k] for k in TREND_KEYS}, partial=w.end < f.end)
        for p, w, f in zip(periods, windows, full, strict=True)
    ]
