"""Reading a report: :func:`build_report` asks the store for what one summary shows."""

from __future__ import annotations

import functools
import time
from datetime import date, datetime, timedelta, tzinfo
from datetime import time as clock_time
from typing import Any

from carewatch.collector import collector_paused
from carewatch.config import Config
from carewatch.config.screen import AgentNames
from carewatch.figures import (
    callbacks_for,
    figures_key,
    operator_named,
    window_callbacks,
    window_figures,
    windows_kpis,
)
from carewatch.i18n import N_, _
from carewatch.kpi.day_insights import day_findings, day_insights, open_weekdays
from carewatch.kpi.days import day_figures
from carewatch.kpi.insights import insights
from carewatch.kpi.open_days import ADDS_UP, open_days, per_open_day
from carewatch.kpi.savings import savings
from carewatch.kpi.stopped import (
    DayCounts,
    Stopped,
    began_late,
    day_stopped,
    last_hour_after,
    period_stopped,
)
from carewatch.kpi.windows import Period, Window, cut_at
from carewatch.kpicache import KpiCache
from carewatch.records import AgentFilter, CallRow
from carewatch.report.model import Compared, DayRow, OpenIssue, Report
from carewatch.report.sections import (
    Kept,
    calls_in_progress,
    day_rows,
    days_begun,
    decode_callbacks,
    decode_days,
    decode_requests,
    encode_callbacks,
    encode_days,
    encode_requests,
    requests_of,
    trend_rows,
)
from carewatch.report.values import comparable, compared_basis, had_calls
from carewatch.store import Store
from carewatch.timeutil import combine_local, day_bounds, same_clock


def build_report(
    store: Store,
    config: Config,
    period: Period | date,
    *,
    with_calls: bool = False,
    now: float | None = None,
    queue: str | None = None,
    agent: str | None = None,
    cache: KpiCache | None = None,
) -> Report:
    """Read the summary of ``period`` (a :class:`Period`, or a date for one day).

    The period and the two it is compared with (:meth:`Period.previous`,
    :meth:`Period.earlier`) are read with an index range query each; a period still in
    progress at ``now`` is read up to now and the others up to the same point
    (:func:`carewatch.kpi.windows.cut_at`). The trend's earlier periods are aggregated by the
    database. ``queue``/``agent`` narrow every figure to those calls (``agent``: a login of
    ``[operators]`` or one of its ids, the login's calls, else an agent id:
    :func:`~carewatch.figures.operator_named`); ``with_calls`` keeps the period's calls (for
    ``--calls``); ``now`` fixes the clock (default: the time now); ``cache`` keeps the
    snapshots of the periods that are over (:mod:`carewatch.kpicache`).
    """
    with collector_paused():  # the rows read make no cycles (carewatch.collector)
        named = None if agent is None else operator_named(store, config, agent)
        return _build(store, config, period, with_calls, now, queue, named, cache)


def _build(
    store: Store,
    config: Config,
    period: Period | date,
    with_calls: bool,
    now: float | None,
    queue: str | None,
    named: tuple[str, AgentFilter] | None,
    cache: KpiCache | None,
) -> Report:
    agent = None if named is None else named[1]
    names = AgentNames(config.operators)
    if isinstance(period, date):
        period = Period.day(period)
    now = time.time() if now is None else now
    tz = config.tz
    full = period.window(tz)
    as_of = max(full.start, min(now, full.end))
    window = Window(full.start, as_of, full.label)
    narrow: dict[str, Any] = {"queue": queue, "agent": agent}
    days = days_begun(period, as_of, config)
    parts = {
        "figures": figures_key(queue, agent),
        "requests": ("requests", queue, agent),
        "callbacks": ("callbacks", queue, agent),
    }
    if days:
        parts["days"] = ("days", queue, agent)
    # only whole periods that are over are kept: a period cut at now is never asked again
    kept = Kept(_whole(cache, window, full), window, now, parts)

    @functools.cache
    def calls() -> list[CallRow]:
        """The period's calls, read once and only when something not kept needs them."""
        return store.calls_between(window.start, window.end, **narrow)

    def figures() -> dict[str, Any]:
        return window_figures(
            store,
            config,
            window,
            queue=queue,
            agent=agent,
            now=now,
            with_agent_time=True,
            calls=calls(),
        ).kpis

    others = []
    for other in (period.previous(), period.earlier()):
        other_full = other.window(tz)
        other_window = Window(other_full.start, cut_at(period, other, tz, now), other_full.label)
        others.append((other, other_window, other_full, _whole(cache, other_window, other_full)))
    # the periods compared with are summed apart (a second core) while this one reads its own
    # a period cut at the same point is seen as it stood then: a call answered after the cut
    # was still waiting, one that ended after it was being talked, as they are now in this one
    started = windows_kpis(
        store,
        config,
        [(w, whole) for _, w, _, whole in others],
        now=now,
        as_they_stood=[w for _, w, full, _ in others if w.end < full.end],
        **narrow,
    )
    sl_seconds = float(config.targets.service_level_seconds)
    try:
        kpis = kept.get("figures", figures)
        # each day's figures from the period's calls, split by local day (kept with the others),
        # while the compared periods may still be summed apart
        per_day = (
            kept.part(
                "days",
                lambda: day_figures(calls(), days, tz, sl_seconds),
                encode_days,
                lambda value: decode_days(value, days),
            )
            if days
            else []
        )
        snapshots = started.result()
    finally:
        started.close()
    span = store.call_span()  # where the logs begin (of any queue or operator) and end
    logged_from = None if span is None else datetime.fromtimestamp(span[0], tz).date()
    # the logs begin late on their first day: a period compared with that begins with that
    # day is a part (judged by the calls a day of this period had before that hour)
    busy_days = sum(1 for f in per_day if f.get("offered")) if days else 1
    late = span is not None and began_late(kpis, span[0], tz, days=busy_days)
    closed = frozenset(config.closed_days)
    own_closed = _closed(period, closed)
    day_list = day_rows(days, per_day, logged_from, as_of, config)
    # a period that holds closed days is compared per open day (carewatch.kpi.open_days)
    opens = open_weekdays(day_list)  # the weekdays the centre opens, judged on its own days
    own_days = open_days(period, as_of, tz, closed, opens)
    previous, earlier = (
        Compared(
            other,
            snapshot,
            w.end,
            full.end,
            _covered(logged_from, other.first, late),
            _closed(other, closed) or part.wholly_closed,
            part.closed,
            part.open,
            per_open_day(own_days, part),
        )
        for (other, w, full, _), snapshot in zip(others, snapshots, strict=True)
        for part in (open_days(other, w.end, tz, closed, opens),)
    )
    # the trend takes the whole periods read already from their snapshots, not the database
    seen = {period: kpis} | {c.period: c.kpis for c in (previous, earlier) if c.complete}

    # the call-backs judged on the period's calls are kept; the later calls are read each time
    within = kept.part(
        "callbacks",
        lambda: window_callbacks(store, window, calls=calls, **narrow),
        encode_callbacks,
        lambda value: decode_callbacks(store, value),
    )
    issue_rows = [
        i
        for i in store.issues_relevant(window.start, full.end)
        if i.opened_at <= as_of and (i.resolved_at is None or i.resolved_at > as_of)
    ]
    # As the report time sees them: an issue resolved after it was still open then.
    open_rows = [i._replace(resolved_at=None, resolved_by=None) for i in issue_rows]
    words = _comparison_words(period)
    standing_out = day_findings(day_list, kpis, config) if day_list else []
    notes = insights(
        kpis,
        config=config,
        previous_day=compared_basis(previous),
        last_week=compared_basis(earlier),
        previous_scaled=ADDS_UP if previous.per_open_day is not None else (),
        earlier_scaled=ADDS_UP if earlier.per_open_day is not None else (),
        open_issues=open_rows,
        now=as_of,
        previous_when=words[0],
        earlier_when=words[1],
        day_notes=day_insights(
            standing_out,
            kpis,
            _(OVER_WORDS[period.kind]),
            year=period.first.year != period.last.year,  # the days across two years say theirs
        ),
    )
    open_issues = [
        OpenIssue(i.id, i.title, i.category, i.opened_by, i.opened_at, as_of - i.opened_at)
        for i in issue_rows
    ]
    mix = kpis.get("category_mix") or {}
    # the days the figures cover: from where the logs begin, when that is later than the first
    logged_days = max(period.first, logged_from or period.first)
    covered = (datetime.fromtimestamp(max(window.start, as_of - 1), tz).date() - logged_days).days
    return Report(
        period=period,
        timezone=config.timezone_name,
        tz=tz,
        kpis=kpis,
        previous=previous,
        earlier=earlier,
        insights=list(notes),
        open_issues=open_issues,
        # each call's operator as the centre names them ([operators])
        calls=[names.call(c) for c in calls()] if with_calls else None,
        generated_at=now,
        as_of=as_of,
        currency=config.currency,
        agent_cost_per_hour=config.agent_cost_per_hour,
        talk_target_seconds=float(config.targets.talk_seconds),
        service_level_seconds=sl_seconds,
        category_alert_min_calls=config.targets.category_alert_min_calls,
        category_alert_shares={name: config.alert_share(name) for name in mix},
        category_colours={c.name: c.colour for c in config.categories},
        queue=queue,
        agent=None if named is None else named[0],
        days=day_list,
        standout_days=standing_out,
        trend=[
            row
            for row in trend_rows(store, config, period, as_of, now, seen, cache=cache, **narrow)
            # the periods over before the logs begin held no call to count: left out, not 0
            if row.period == period or logged_from is None or row.period.last >= logged_from
        ],
        requests=kept.part(
            "requests",
            lambda: requests_of(config, calls(), kpis),
            encode_requests,
            lambda value: decode_requests(store, value),
        ),
        savings=savings(kpis, config, covered + 1),
        savings_cut=config.targets.savings_cut,
        callbacks=callbacks_for(store, window, now, queue=queue, agent=agent, within=within),
        complaint_categories=[c.name for c in config.categories if c.complaint],
        privacy=config.privacy,
        data_span=_data_span(store, kpis, span, queue, agent),
        logged_at=None if span is None else span[0],
        stopped=(
            None
            if own_closed  # no call is expected: none is missing
            else _stopped(
                store,
                period,
                kpis,
                (previous, earlier),
                day_list,
                span,
                (window.start, as_of, full.end),
                tz,
                closed,
            )
        ),
        closed=own_closed,
        open_days=own_days.open,
        closed_days=own_days.closed,
        in_progress_calls=calls_in_progress(
            store, window, now, calls() if calls.cache_info().currsize else None, names, **narrow
        ),
    )


def _stopped(
    store: Store,
    period: Period,
    kpis: dict[str, Any],
    compared: tuple[Compared, Compared],
    days: list[DayRow],
    span: tuple[float, float] | None,
    bounds: tuple[float, float, float],
    tz: tzinfo,
    closed: frozenset[date],
) -> Stopped | None:
    """Whether the calls stop well before the report's end (:mod:`carewatch.kpi.stopped`),
    from what the report has read: the last call the database holds, the day rows of a longer
    period, the hours of one day and of the day it is compared with (the same weekday a week
    before, else the day before). ``bounds``: the period's start, the report time, its end.
    Today in a longer period in progress counts its calls by the hour (three counts), unless
    it is ``closed``."""
    if span is None or not had_calls(kpis):
        return None
    start, as_of, end = bounds
    if period.kind == "day":
        previous, earlier = compared
        basis = next((c for c in (earlier, previous) if comparable(c)), None)
        judged = None if basis is None else (basis.period.first, basis.kpis)
        return day_stopped(kpis, judged, span[1], (start, as_of), tz)
    found = period_stopped(days, span[1], (start, as_of), tz)
    if found is None and as_of < end and start <= span[1] < as_of:
        return _today_stopped(store, span, as_of, tz, closed)
    return found


def _today_stopped(
    store: Store, span: tuple[float, float], now: float, tz: tzinfo, closed: frozenset[date]
) -> Stopped | None:
    """The one-day rule for today, in a longer period in progress whose last call is today:
    the calls by the hour of today and of the same weekday a week before (else the day before,
    when the logs do not reach back a week or that day had no call or was closed), of every
    queue. A closed day today expects no call: none is missing."""
    first, last = span
    today = datetime.fromtimestamp(now, tz).date()
    after = last_hour_after(last, tz)
    if datetime.fromtimestamp(last, tz).date() != today or after >= 24 or today in closed:
        return None
    own_hour = combine_local(today, clock_time(after), tz)
    if own_hour >= now:
        return None  # no whole hour after the last call yet: nothing to miss (and no read)
    own: int | None = None  # today's calls before that hour, counted with the first day's
    clock = datetime.fromtimestamp(now, tz).time()
    for back in (7, 1):
        day = today - timedelta(days=back)
        if day < datetime.fromtimestamp(first, tz).date() or day in closed:
            continue  # the logs do not reach back to it, or it is no basis
        hour, cut = combine_local(day, clock_time(after), tz), same_clock(day, clock, tz)
        spans = [(day_bounds(day, tz)[0], hour), (hour, cut)]
        if own is None:
            spans.append((day_bounds(today, tz)[0], own_hour))
        found = store.count_calls_in(spans)  # one read
        own = found[2] if own is None else own
        counts = DayCounts(own, found[0], found[1])
        if counts.then or counts.after:
            if not counts.stopped():
                return None
            return Stopped(last, after_hour=after, compared_calls=counts.after, compared_day=day)
    return None


def _covered(logged_from: date | None, first: date, late: bool) -> bool:
    """Whether the logs, which begin on the day ``logged_from``, cover a compared period from
    its ``first`` day: they begin before it, or on it but not ``late``
    (:func:`carewatch.kpi.stopped.began_late`, judged for a day against the report's own day;
    a longer period loses at most a part of a day)."""
    if logged_from is None or logged_from != first:
        return logged_from is None or logged_from < first
    return not late


def _closed(period: Period, closed: frozenset[date]) -> bool:
    """Whether ``period`` is one day the config lists in ``closed_days`` (the report's own
    longer period is never closed as a whole: its Days mark each closed day; one compared
    with is when every day of the part compared is: ``OpenDays.wholly_closed``)."""
    return period.days == 1 and period.first in closed


def _data_span(
    store: Store,
    kpis: dict[str, Any],
    span: tuple[float, float] | None,
    queue: str | None,
    agent: AgentFilter | None,
) -> tuple[float, float] | None:
    """The first and last call the database holds, said when the period has none: ``span``
    (all of them, read already), or those of the queue / operator the report is narrowed to."""
    if had_calls(kpis):
        return None
    if queue is None and agent is None:
        return span
    return store.call_span(queue=queue, agent=agent)


def _whole(cache: KpiCache | None, window: Window, full: Window) -> KpiCache | None:
    """``cache`` for a window that is its whole period, else ``None``."""
    return cache if window.end == full.end else None


def _comparison_words(period: Period) -> tuple[str, str]:
    """How the insights name the two compared periods ("on the previous day"…)."""
    before, earlier = COMPARISON_WORDS[period.kind]
    return _(before), _(earlier)


COMPARISON_WORDS = {
    "day": (N_("on the previous day"), N_("on the same weekday last week")),
    "week": (N_("in the previous week"), N_("in the same week last year")),
    "month": (N_("in the previous month"), N_("in the same month last year")),
    "range": (N_("in the days before"), N_("on the same days last year")),
}

#: How the days' insights name the period a day is set against ("against 5.1% for the month").
OVER_WORDS = {
    "day": N_("for the day"),
    "week": N_("for the week"),
    "month": N_("for the month"),
    "range": N_("for the period"),
}
