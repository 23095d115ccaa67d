"""The trend: the main KPIs (:data:`carewatch.kpi.definitions.TREND_KEYS`) of a row of
periods, from sums the database aggregates (:func:`carewatch.store.analysis.trend_totals`).

Pure. The definitions are the engine's (:mod:`carewatch.kpi.engine`), written over sums
instead of calls; a test checks that both give the same values for the same calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def trend_figures(t: Mapping[str, float]) -> dict[str, Any]:
    """The trend's KPIs of one period from its sums (keys of
    :func:`carewatch.store.analysis.trend_totals`)."""
    answered = int(t["answered"])
    return {
        "offered": int(t["offered"]),
        "answered": answered,
        "abandon_rate": _ratio(t["abandoned"], t["offered"]),
        "service_level": _ratio(t["in_time"], t["answered"] + t["abandoned"] + t["missed"]),
        "avg_wait_seconds": _ratio(t["wait_sum"], t["wait_n"]),
        "avg_talk_seconds": _ratio(t["talk_sum"], t["talk_n"]),
        "fcr_rate": _ratio(t["resolved_yes"], t["resolved_known"]),
        "conversion_rate": (
            _ratio(t["conversions"], t["answered"]) if t["outcomes_known"] else None
        ),
        "csat_score": _ratio(t["csat_good"], t["csat_n"]),
    }
