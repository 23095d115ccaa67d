"""Comparing two periods that hold a different number of closed days (the config's
``closed_days``): the figures that add up over days are compared per open day.

W52 2026 holds Fri 25 Dec (closed) and is compared with W51 2026 (no closed day): for a
centre open Monday to Friday, 400 calls over its 4 open days are as many per open day as 500
over the 5 of W51, not a drop of 20%. An open day is a day on a weekday the centre opens
(judged on the report's own days, as "What stands out" judges its gaps:
:func:`carewatch.kpi.day_insights.open_weekdays`) that is not a closed day.
:func:`open_days` counts the days of the part of a period compared, :func:`per_open_day`
gives the factor a compared period's sums are multiplied by (``None``: compared as they are)
and :func:`scaled` applies it to a snapshot. Rates, averages and times per call are never
scaled. The calls logged on a closed day still count in every figure; for this arithmetic
the day is closed all the same.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import Any

from carewatch.kpi.windows import Period
from carewatch.timeutil import day_bounds

#: The snapshot's figures that add up over days (a period's is the sum of its days'): counts
#: of calls, answers, responses, issues opened and resolved, talk time and its cost. Not the
#: calls still waiting nor the open issues (a state at one time), nor rates, averages, scores.
ADDS_UP: frozenset[str] = frozenset(
    {
        "offered",
        "outbound",
        "answered",
        "abandoned",
        "missed",
        "untagged",
        "tagged",
        "conversions",
        "csat_responses",
        "nps_responses",
        "issues_opened",
        "issues_resolved",
        "talk_seconds_total",
        "talk_cost",
    }
)


@dataclass(frozen=True)
class OpenDays:
    """The part of a period compared: its ``days``, those of them the config lists as closed
    (``closed``, oldest first) and its ``open`` days (on a weekday the centre opens, and not
    closed)."""

    days: int
    closed: tuple[date, ...] = ()
    open: int = 0

    @property
    def wholly_closed(self) -> bool:
        """Every day of the part compared is closed: no basis for a comparison."""
        return self.days > 0 and len(self.closed) == self.days


def open_days(
    period: Period,
    end: float,
    tz: tzinfo,
    closed: Collection[date],
    opens: Sequence[bool] | None = None,
) -> OpenDays:
    """The days of ``period`` begun before ``end`` (a period cut at a point counts the days up
    to the cut; one not begun has none), which of them are in ``closed``, and how many are
    open: not closed, on a weekday the centre opens (``opens``, Monday first:
    :func:`carewatch.kpi.day_insights.open_weekdays`; every weekday when ``None``)."""
    days: list[date] = []
    day = period.first
    while day <= period.last and day_bounds(day, tz)[0] < end:
        days.append(day)
        day += timedelta(days=1)
    shut = tuple(d for d in days if d in closed)
    working = [d for d in days if d not in closed and (opens is None or opens[d.weekday()])]
    return OpenDays(len(days), shut, len(working))


def per_open_day(own: OpenDays, other: OpenDays) -> float | None:
    """The factor that puts the sums of the period compared (``other``) on the open days of
    the report's own (``own``): ``own.open / other.open``, when the two differ in open days
    and one of them holds a closed day. ``None`` (compared as they are) when neither holds a
    closed day (a month of 31 days against one of 30 is compared as before), when both have
    as many open days, or when either has none (a wholly closed period is not compared; a
    report of closed days shows its figures as they are)."""
    if not (own.closed or other.closed) or own.open == other.open:
        return None
    if own.open <= 0 or other.open <= 0:
        return None
    return own.open / other.open


def scaled(kpis: Mapping[str, Any], factor: float | None) -> dict[str, Any]:
    """``kpis`` with each figure of :data:`ADDS_UP` multiplied by ``factor`` (counts stay
    whole numbers, rounded; the cost of talk time is scaled in total and by category); the
    other keys as they are. ``None``: a copy as it is."""
    out = dict(kpis)
    if factor is None:
        return out
    for key in ADDS_UP & out.keys():
        value = out[key]
        if key == "talk_cost" and isinstance(value, Mapping):
            cost = dict(value)
            cost["total"] = _times(cost.get("total"), factor)
            by = cost.get("by_category")
            if isinstance(by, Mapping):
                cost["by_category"] = {k: _times(v, factor) for k, v in by.items()}
            out[key] = cost
        else:
            out[key] = _times(value, factor)
    return out


def _times(value: Any, factor: float) -> Any:
    """``value`` × ``factor``: an integer stays an integer (rounded); not a number: as it is."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, int):
        return round(value * factor)
    return value * factor
