"""The figures the report and the screen ask for: read a window from the store, then compute.

The KPI engine (:mod:`carewatch.kpi.engine`) is pure; this module is where the reading
happens, so each face asks for "the KPIs of this window" in one call.
"""

from __future__ import annotations

from typing import Any

from carewatch.config import Config
from carewatch.kpi.engine import compute_kpis
from carewatch.kpi.now import STALE_CALL_SECONDS, NowState, now_state
from carewatch.kpi.windows import Window
from carewatch.store import Store

#: How far back operators' events are read to know each one's state now.
AGENT_EVENTS_LOOKBACK = 24 * 3600.0


def window_kpis(
    store: Store,
    config: Config,
    window: Window,
    *,
    queue: str | None = None,
    agent: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """Read the window's calls, issues and missed and unreachable rings from ``store`` and
    compute the snapshot (:func:`carewatch.kpi.engine.compute_kpis`). ``queue``/``agent``
    narrow the calls and the rings; issues are never narrowed."""
    calls = store.calls_between(window.start, window.end, queue=queue, agent=agent)
    issues = store.issues_relevant(window.start, window.end)
    rings, unreachable = store.rings_between(window.start, window.end, queue=queue)
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


def window_kpis_by_queue(
    store: Store, config: Config, window: Window, *, now: float | None = None
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The window's snapshot in total and for each queue with calls in it (queues sorted by
    name), from one read of the window's calls. Issues are never narrowed by queue."""
    calls = store.calls_between(window.start, window.end)
    issues = store.issues_relevant(window.start, window.end)
    rings = store.rings_between(window.start, window.end)
    total = compute_kpis(
        calls,
        config,
        window=window,
        issues=issues,
        missed_rings=rings.missed,
        unreachable_rings=rings.unreachable,
        now=now,
    )
    by_queue: dict[str, dict[str, Any]] = {}
    for queue in sorted({c.queue for c in calls if c.queue}):
        in_queue = store.rings_between(window.start, window.end, queue=queue)
        by_queue[queue] = compute_kpis(
            [c for c in calls if c.queue == queue],
            config,
            window=window,
            issues=issues,
            missed_rings=in_queue.missed,
            unreachable_rings=in_queue.unreachable,
            now=now,
        )
    return total, by_queue


def live_state(store: Store, now: float) -> NowState:
    """The centre at ``now`` (:func:`carewatch.kpi.now.now_state`): the recent calls and the
    operators' events of the last :data:`AGENT_EVENTS_LOOKBACK` seconds."""
    calls = store.calls_between(now - STALE_CALL_SECONDS, now + 1.0)
    events = store.agent_events_between(now - AGENT_EVENTS_LOOKBACK, now + 1.0)
    return now_state(calls, events, now)
