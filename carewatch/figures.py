"""The figures the report and the screen ask for: read a window from the store, then compute.

The KPI engine (:mod:`carewatch.kpi.engine`) is pure; this module is where the reading
happens, so each face asks for "the KPIs of this window" in one call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from carewatch.config import Config
from carewatch.kpi.engine import compute_kpis
from carewatch.kpi.windows import Window
from carewatch.records import UNREACHABLE_RING
from carewatch.store import Store


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
