"""The days that stand out in a longer period: the worst day, and the days nothing was logged.

A report of a week, a month or a range has each local day's figures (:mod:`carewatch.kpi.days`);
this module says which of those days a manager should look at, in the plain sentences of "What
stands out" (the rules are told in docs/reports.md, "What stands out"):

- the day with the highest abandon rate and the day with the lowest service level, each only
  when it is *clearly* worse than the period as a whole: the day had at least
  :data:`MIN_DAY_CALLS` calls, is beyond the target (over the abandon maximum, under the
  service-level goal), and is off the period's figure by more than :data:`MIN_MARGIN` and more
  than :data:`NOISE_ERRORS` standard errors of a day of that many calls (the spread a day of
  ordinary calls shows by chance); only among :data:`MIN_WHOLE_DAYS` whole days or more;
- the days with no call at all between days with calls, on a weekday that had calls on at
  least half its other days of the period (or, when the period holds that weekday once,
  Monday to Friday): a weekend or a day the centre is closed every week is not a gap, nor
  is a day of the config's ``closed_days`` (a public holiday), which does not count in its
  weekday's tally either.

Days before the logs begin (no figures) and the day in progress (``partial``) are never judged.
Pure: no database, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple, Protocol

from carewatch.config import Config
from carewatch.i18n import _, ngettext
from carewatch.present import count, date_text, kpi_value

#: The fewest calls offered a day must have had to be named the worst of its period.
MIN_DAY_CALLS = 20
#: The fewest whole days with calls a period must have for one of them to be named the worst.
MIN_WHOLE_DAYS = 3
#: The least a day's rate must be off the period's to be news (2 points).
MIN_MARGIN = 0.02
#: How many standard errors of a day of its calls a day's rate must be off the period's.
NOISE_ERRORS = 3.0
#: The most days with no call named one by one; more are said as a count, first and last.
MAX_GAPS_NAMED = 4


class DayFigures(Protocol):
    """One local day of the period (:class:`carewatch.report.model.DayRow` is one)."""

    @property
    def day(self) -> date: ...

    @property
    def figures(self) -> Mapping[str, Any] | None: ...

    @property
    def partial(self) -> bool: ...

    @property
    def closed(self) -> bool: ...


def _margin(share: float, calls: int) -> float:
    """How far a day of ``calls`` calls must be off the period's ``share`` to be news."""
    return max(MIN_MARGIN, NOISE_ERRORS * math.sqrt(share * (1 - share) / calls))


def _handled(figures: Mapping[str, Any]) -> int:
    """The calls the service level is over (answered, abandoned or missed)."""
    return int(figures["answered"] + figures["abandoned"] + figures["missed"])


def worst_days(
    days: Sequence[DayFigures], kpis: Mapping[str, Any], config: Config
) -> tuple[DayFigures | None, DayFigures | None]:
    """The whole day clearly worst on the abandon rate and the one clearly worst on the
    service level (see the module's rules); ``None`` for a figure no day is clearly worst on."""
    whole = [d for d in days if d.figures is not None and not d.partial and d.figures["offered"]]
    if len(whole) < MIN_WHOLE_DAYS:
        return None, None
    targets = config.targets
    period_rate, period_level = kpis.get("abandon_rate"), kpis.get("service_level")
    high: DayFigures | None = None
    low: DayFigures | None = None
    for d in whole:
        f = d.figures
        assert f is not None
        rate, offered = f["abandon_rate"], int(f["offered"])
        if (
            period_rate is not None
            and rate is not None
            and offered >= MIN_DAY_CALLS
            and rate > targets.abandon_rate_max
            and rate - period_rate > _margin(period_rate, offered)
            and (high is None or rate > (high.figures or {})["abandon_rate"])
        ):
            high = d
        level, handled = f["service_level"], _handled(f)
        if (
            period_level is not None
            and level is not None
            and offered >= MIN_DAY_CALLS
            and handled
            and level < targets.service_level_goal
            and period_level - level > _margin(period_level, handled)
            and (low is None or level < (low.figures or {})["service_level"])
        ):
            low = d
    return high, low


def gap_days(days: Sequence[DayFigures]) -> list[date]:
    """The whole days with no call that lie between days with calls, on a weekday with calls
    on at least half its other days of the period (Monday to Friday when the period holds that
    weekday once). A closed day (``closed_days``) is never one."""
    seen = [d for d in days if d.figures is not None]
    busy = [i for i, d in enumerate(seen) if (d.figures or {}).get("offered")]
    if not busy:
        return []
    opens = open_weekdays(seen, own=True)
    return [
        d.day
        for d in seen[busy[0] + 1 : busy[-1]]
        if not d.partial
        and not d.closed
        and not (d.figures or {}).get("offered")
        and opens[d.day.weekday()]
    ]


def open_weekdays(days: Sequence[DayFigures], *, own: bool = False) -> list[bool]:
    """Per weekday (Monday first), whether the centre opens on it: it had calls on at least
    half of its whole days among ``days`` (before the logs begin, in progress and closed days
    are not counted), or, when ``days`` hold none of it, it is Monday to Friday. With ``own``
    the day judged is one of ``days`` with no call, and is not counted among them (one pass
    over ``days``, not one a day)."""
    whole, busy = [0] * 7, [0] * 7
    for d in days:
        if d.figures is not None and not d.partial and not d.closed:
            whole[d.day.weekday()] += 1
            busy[d.day.weekday()] += bool(d.figures.get("offered"))
    others = [max(0, n - own) for n in whole]
    return [
        (2 * busy[weekday] >= others[weekday]) if others[weekday] else weekday < 5
        for weekday in range(7)
    ]


class DayFinding(NamedTuple):
    """One day that stands out: ``why`` is ``"abandon_rate"`` (clearly the highest),
    ``"service_level"`` (clearly the lowest) or ``"no_calls"`` (a gap); ``value`` the day's
    figure and ``period_value`` the period's (``None`` for a gap); ``figures`` the day's."""

    day: date
    why: str
    value: float | None
    period_value: float | None
    figures: Mapping[str, Any]


def day_findings(
    days: Sequence[DayFigures], kpis: Mapping[str, Any], config: Config
) -> list[DayFinding]:
    """The days of a longer period that stand out (the module's rules): its clearly worst
    day(s), then the days with no call logged, oldest first."""
    high, low = worst_days(days, kpis, config)
    out = [
        DayFinding(d.day, why, (d.figures or {})[why], kpis.get(why), d.figures or {})
        for d, why in ((high, "abandon_rate"), (low, "service_level"))
        if d is not None
    ]
    by_day = {d.day: d.figures or {} for d in days}
    return out + [DayFinding(day, "no_calls", None, None, by_day[day]) for day in gap_days(days)]


def day_insights(
    findings: Sequence[DayFinding], kpis: Mapping[str, Any], over: str, *, year: bool = False
) -> list[str]:
    """The sentences of :func:`day_findings`: the worst day(s) with the figures that make the
    case, then the days with no call logged. ``over`` names the period ("for the month");
    ``year``: the days are named with their year ("Mon 28 Dec 2026", for a period across two
    years)."""
    form = "short_weekday_year" if year else "short_weekday"
    worst = {f.why: f for f in findings if f.why != "no_calls"}
    high, low = worst.get("abandon_rate"), worst.get("service_level")
    same = high is not None and low is not None and high.day == low.day
    out = []
    if high is not None:
        f = high.figures
        text = (
            _(
                "{day}: abandon rate {rate} ({abandoned} of {offered} calls), against {usual} "
                "{over}; service level {level}, against {usual_level}."
            )
            if same
            else _(
                "{day}: abandon rate {rate} ({abandoned} of {offered} calls), against {usual} "
                "{over}; service level {level}."
            )
        )
        out.append(
            text.format(
                day=date_text(high.day, form),
                rate=kpi_value("abandon_rate", f["abandon_rate"]),
                abandoned=count(f["abandoned"]),
                offered=count(f["offered"]),
                usual=kpi_value("abandon_rate", kpis.get("abandon_rate")),
                over=over,
                level=kpi_value("service_level", f["service_level"]),
                usual_level=kpi_value("service_level", kpis.get("service_level")),
            )
        )
    if low is not None and not same:
        f = low.figures
        out.append(
            _(
                "{day}: service level {level} ({handled} calls), against {usual} {over}; "
                "abandon rate {rate}."
            ).format(
                day=date_text(low.day, form),
                level=kpi_value("service_level", f["service_level"]),
                handled=count(_handled(f)),
                usual=kpi_value("service_level", kpis.get("service_level")),
                over=over,
                rate=kpi_value("abandon_rate", f["abandon_rate"]),
            )
        )
    gaps = [f.day for f in findings if f.why == "no_calls"]
    if gaps and len(gaps) <= MAX_GAPS_NAMED:
        named = ", ".join(date_text(day, form) for day in gaps)
        out.append(_("No call logged on {days}.").format(days=named))
    elif gaps:
        out.append(
            ngettext(
                "No call logged on {count} day, from {first} to {last}.",
                "No call logged on {count} days, from {first} to {last}.",
                len(gaps),
            ).format(
                count=count(len(gaps)),
                first=date_text(gaps[0], form),
                last=date_text(gaps[-1], form),
            )
        )
    return out
