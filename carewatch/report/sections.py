"""The report's sections besides its KPI snapshots: what callers wanted, the callers to call
back and the trend, each kept for a finished period by the cache of :mod:`carewatch.kpicache`
(so a report of a day already reported reads none of the day's calls).

A kept section is given back while everything the KPI snapshots depend on is the same. The
call-backs are kept as judged on the period's calls alone; the calls after it are read each
time and take off the callers they reached (:func:`carewatch.figures.callbacks_for`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from carewatch.config import Config
from carewatch.kpi.callbacks import Callback
from carewatch.kpi.definitions import TREND_KEYS
from carewatch.kpi.engine import conversion_outcomes
from carewatch.kpi.trend import trend_figures
from carewatch.kpi.windows import Period, Window
from carewatch.kpicache import KpiCache, Slot
from carewatch.records import CallRow
from carewatch.report.model import Note, Request, TrendRow
from carewatch.store import Store

#: The calls with a note each category of "What callers wanted" shows (the latest).
NOTES_PER_CATEGORY = 20

Value = dict[str, Any]


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
        for name, key in parts.items():
            self.slots[name], value = cache.find(window, now, key)
            if value is not None:
                self.values[name] = value

    def get(self, name: str, compute: Callable[[], Value]) -> Value:
        """The part kept under ``name``, else ``compute()`` (kept for the next report)."""
        if name in self.values:
            return self.values[name]
        value = compute()
        if self.cache is not None:
            self.cache.keep(self.slots.get(name), value)
        return value


def encode_callbacks(found: Sequence[Callback]) -> Value:
    """Call-backs as a cache keeps them (JSON)."""
    return {"callbacks": [list(vars(c).values()) for c in found]}


def decode_callbacks(value: Value) -> list[Callback]:
    """The call-backs of :func:`encode_callbacks`."""
    return [Callback(*row) for row in value["callbacks"]]


def encode_requests(requests: Sequence[Request]) -> Value:
    """What callers wanted as a cache keeps it (JSON)."""
    return {
        "requests": [
            [
                r.category,
                r.count,
                r.share,
                r.complaint,
                [[name, n] for name, n in r.subcategories.items()],
                [list(vars(n).values()) for n in r.notes],
                r.notes_total,
            ]
            for r in requests
        ]
    }


def decode_requests(value: Value) -> list[Request]:
    """What callers wanted, from :func:`encode_requests`."""
    return [
        Request(
            category=category,
            count=count,
            share=share,
            complaint=complaint,
            subcategories={name: n for name, n in subs},
            notes=[Note(*n) for n in notes],
            notes_total=total,
        )
        for category, count, share, complaint, subs, notes, total in value["requests"]
    ]


def requests_of(config: Config, calls: Sequence[CallRow], kpis: dict[str, Any]) -> list[Request]:
    """What callers wanted: per category of the mix with calls, its share, whether it is a
    complaint, its sub-categories and its latest calls with a note."""
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
                    call.agent,
                    sub,
                    call.outcome,
                    call.resolved,
                    text,
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
    agent: str | None = None,
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
    for i, p in enumerate(periods):
        if cache is None or p in figures or windows[i].end != full[i].end:
            continue
        slots[i], value = cache.find(windows[i], now, key)
        if value is not None:
            figures[p] = value
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
