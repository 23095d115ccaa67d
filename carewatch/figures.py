"""The figures the report and the screen ask for: read a window from the store, then compute.

The KPI engine (:mod:`carewatch.kpi.engine`) is pure; this module is where the reading
happens, so each face asks for "the KPIs of this window" in one call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Any

from carewatch.config import Config
from carewatch.kpi.engine import compute_kpis
from carewatch.kpi.now import STALE_CALL_SECONDS, NowState, now_state
from carewatch.kpi.windows import Window
from carewatch.records import UNREACHABLE_RING
from carewatch.store import Store
from carewatch.timeutil import day_bounds


def events_since(now: float, tz: tzinfo) -> float:
    """From when operators' events are read to know each one's state at ``now``: the start of
    the local day before (a day and more: the last login and pause are in it). The same all
    day long, so a live screen folds each event once."""
    return day_bounds(datetime.fromtimestamp(now, tz).date() - timedelta(days=1), tz)[0]


def window_kpis(
    store: Store,
    config: Config,
    window: Window,
    *,
    queue: str | None = None,
    agent: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """Read the window's calls, issues and missed and unreachable rings from ``store``
    (unreachable ones from the window's agent events) and compute the
    snapshot (:func:`carewatch.kpi.engine.compute_kpis`). ``queue``/``agent`` narrow the
    calls and the missed rings; issues are never narrowed."""
    calls = store.calls_between(window.start, window.end, queue=queue, agent=agent)
    issues = store.issues_relevant(window.start, window.end)
    rings = store.missed_rings_between(window.start, window.end, queue=queue)
    unreachable = unreachable_rings(
        store.agent_events_between(window.start, window.end), queue=queue
    )
    if agent is not None:
        rings = {agent: rings[agent]} if agent in rings else {}
        unreachable = {agent: unreachable[agent]} if agent in unreachable else {}
    return compute_kpis(
        calls,
        config,
        window=window,
        issues=issues,
        missed_rings=rings,
        unreachable_rings=unreachable,
        now=now,
    )


def unreachable_rings(
    events: Iterable[Mapping[str, Any]], *, queue: str | None = None
) -> dict[str, int]:
    """Rings to a busy or unreachable phone per operator (:data:`UNREACHABLE_RING` events,
    of one queue if given), from agent events as the store returns them."""
    counts: dict[str, int] = {}
    for event in events:
        if event.get("event") == UNREACHABLE_RING and (
            queue is None or event.get("queue") == queue
        ):
            counts[event["agent"]] = counts.get(event["agent"], 0) + 1
    return counts


def window_kpis_by_queue(
    store: Store, config: Config, window: Window, *, now: float | None = None
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The window's snapshot in total and for each queue with calls in it (queues sorted by
    name), from one read of the window's calls. Issues are never narrowed by queue."""
    calls = store.calls_between(window.start, window.end)
    issues = store.issues_relevant(window.start, window.end)
    rings = store.missed_rings_between(window.start, window.end)
    events = store.agent_events_between(window.start, window.end)
    total = compute_kpis(
        calls,
        config,
        window=window,
        issues=issues,
        missed_rings=rings,
        unreachable_rings=unreachable_rings(events),
        now=now,
    )
    by_queue: dict[str, dict[str, Any]] = {}
    for queue in sorted({c.queue for c in calls if c.queue}):
        by_queue[queue] = compute_kpis(
            [c for c in calls if c.queue == queue],
            config,
            window=window,
            issues=issues,
            missed_rings=store.missed_rings_between(window.start, window.end, queue=queue),
            unreachable_rings=unreachable_rings(events, queue=queue),
            now=now,
        )
    return total, by_queue


def live_state(store: Store, config: Config, now: float) -> NowState:
    """The centre at ``now`` (:func:`carewatch.kpi.now.now_state`): the calls that started in
    the last :data:`~carewatch.kpi.now.STALE_CALL_SECONDS` and the operators' events since
    :func:`events_since`. The live screen keeps the same reading up to date
    (:meth:`carewatch.live.LiveDay.now_state`)."""
    calls = store.calls_between(now - STALE_CALL_SECONDS, now + 1.0)
    events = store.agent_events_between(events_since(now, config.tz), now + 1.0)
    return now_state(calls, events, now)
