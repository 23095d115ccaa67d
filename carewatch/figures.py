"""The figures the report and the screen ask for: read a window from the store, then compute.

The KPI engine (:mod:`carewatch.kpi.engine`) is pure; this module is where the reading
happens, so each face asks for "the KPIs of this window" in one call.
"""

from __future__ import annotations

from typing import Any

from carewatch.config import Config
from carewatch.kpi.engine import compute_kpis
from carewatch.kpi.windows import Window
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
    """Read the window's calls, issues and missed rings from ``store`` and compute the
    snapshot (:func:`carewatch.kpi.engine.compute_kpis`). ``queue``/``agent`` narrow the
    calls and the missed rings; issues are never narrowed."""
    calls = store.calls_between(window.start, window.end, queue=queue, agent=agent)
    issues = store.issues_relevant(window.start, window.end)
    rings = store.missed_rings_between(window.start, window.end, queue=queue)
    if agent is not None:
        rings = {agent: rings[agent]} if agent in rings else {}
    return compute_kpis(calls, config, window=window, issues=issues, missed_rings=rings, now=now)
