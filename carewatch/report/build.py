"""Reading a report: :func:`build_report` asks the store for what one summary shows."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

from carewatch.config import Config
from carewatch.figures import window_kpis
from carewatch.kpi.insights import insights
from carewatch.kpi.windows import day_window
from carewatch.report.model import OpenIssue, Report
from carewatch.report.values import had_calls

if TYPE_CHECKING:
    from carewatch.store import Store


def build_report(
    store: Store,
    config: Config,
    day: date,
    *,
    with_calls: bool = False,
    now: float | None = None,
) -> Report:
    """Read the summary of local calendar ``day`` from ``store``.

    Three KPI snapshots (``day``, the day before, the same weekday a week before), each an
    index range query on the call's start time, so the cost depends on the days' calls and
    never on the length of the history. ``with_calls`` also reads the day's calls (for
    ``--calls``); ``now`` fixes the clock (default: the time now).
    """
    now = time.time() if now is None else now
    tz = config.tz
    window = day_window(day, tz)
    prev_window = day_window(day - timedelta(days=1), tz)
    week_window = day_window(day - timedelta(days=7), tz)

    kpis = window_kpis(store, config, window, now=now)
    previous = window_kpis(store, config, prev_window, now=now)
    last_week = window_kpis(store, config, week_window, now=now)

    as_of = min(now, window.end)
    issue_rows = [
        i
        for i in store.issues_relevant(window.start, window.end)
        if i.opened_at <= as_of and (i.resolved_at is None or i.resolved_at > as_of)
    ]
    # As the report time sees them: an issue resolved after it was still open then.
    open_rows = [i._replace(resolved_at=None, resolved_by=None) for i in issue_rows]
    notes = insights(
        kpis,
        config=config,
        previous_day=previous if had_calls(previous) else None,
        last_week=last_week if had_calls(last_week) else None,
        open_issues=open_rows,
        now=as_of,
    )
    open_issues = [
        OpenIssue(i.id, i.title, i.category, i.opened_by, i.opened_at, as_of - i.opened_at)
        for i in issue_rows
    ]
    calls = store.calls_between(window.start, window.end) if with_calls else None
    mix = kpis.get("category_mix") or {}
    return Report(
        day=day,
        timezone=config.timezone_name,
        tz=tz,
        kpis=kpis,
        previous_day=previous,
        same_day_last_week=last_week,
        insights=list(notes),
        open_issues=open_issues,
        calls=calls,
        generated_at=now,
        as_of=as_of,
        currency=config.currency,
        agent_cost_per_hour=config.agent_cost_per_hour,
        talk_target_seconds=float(config.targets.talk_seconds),
        service_level_seconds=float(config.targets.service_level_seconds),
        category_alert_min_calls=config.targets.category_alert_min_calls,
        category_alert_shares={name: config.alert_share(name) for name in mix},
        category_colours={c.name: c.colour for c in config.categories},
    )
