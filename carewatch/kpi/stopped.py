"""Whether the calls logged stop well before the end of what a report covers: the logs may
not have been read since (the ingester stopped), and the report should say so rather than show
a quiet afternoon or a run of empty days. The rules are told in docs/reports.md, "When the logs
stop"; in short, judged only when the last call the database holds (of any queue or operator)
lies in the report's period, before its end or now:

- a week, a month or a range: the whole days after the day of that call, on a weekday the
  centre opens (:func:`carewatch.kpi.day_insights.open_weekdays`, judged on the days up to
  that call) and not closed (``closed_days``), are one trailing span; at least one such day
  is news;
- one day: the same weekday a week before (the report's compared day, taken up to the same
  time of day; the day before when the logs do not reach back a week or that day had no
  call) had calls in the whole hours after the last call's hour; scaled down by how
  much quieter the day was up to that hour (never up), they make at least
  :data:`MIN_EXPECTED_CALLS` calls, whose all being absent by chance is improbable. A centre
  that closed at 18:00 had no call after 18:00 a week before either: it is not told at 22:00
  that its logs stopped;
- a longer period in progress whose last call is today: today, by the one-day rule (its
  whole days after that call are none yet).

The other end, where the logs begin: a day compared with whose logs begin on it, late
(:func:`began_late`: a site that started carewatch at 14:00), holds only its afternoon, no
basis for a comparison; so does a week, a month or a range that begins with that day.

Pure: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, tzinfo
from typing import Any, NamedTuple

from carewatch.kpi.day_insights import DayFigures, open_weekdays

#: The fewest calls the compared day must let one expect after the last call (scaled to the
#: day's own volume) for a one-day report to say its logs stopped: ten expected calls all
#: absent by chance is a chance of 1 in 22,000 (Poisson).
MIN_EXPECTED_CALLS = 10


class Stopped(NamedTuple):
    """The calls logged stop before the end of a report: ``last_call`` the start of the last
    call the database holds (epoch seconds); for a longer period ``open_days`` the open
    weekdays after it with no call (oldest first); for one day (the report's, or today in a
    longer period in progress) ``after_hour`` the first whole local hour after the last call,
    ``compared_calls`` the calls the compared day had from that hour up to the same time of
    day and ``compared_day`` that day (a week before, or the day before)."""

    last_call: float
    open_days: tuple[date, ...] = ()
    after_hour: int | None = None
    compared_calls: int | None = None
    compared_day: date | None = None


class DayCounts(NamedTuple):
    """What the one-day rule weighs, in calls offered: ``own`` the day's before the first
    whole hour after its last call, ``then`` the compared day's before that hour and
    ``after`` the compared day's from that hour up to the same time of day."""

    own: int
    then: int
    after: int

    def stopped(self) -> bool:
        """Whether the calls missing after the last call are too many to be chance (the
        module's rule)."""
        if not self.after:
            return False
        scale = min(1.0, self.own / self.then) if self.then else 1.0
        return self.after * scale >= MIN_EXPECTED_CALLS


def _offered(kpis: Mapping[str, Any], hours: range) -> int:
    """The calls offered in ``hours`` of a snapshot's ``by_hour``."""
    return sum(
        int(entry.get("offered") or 0)
        for entry in kpis.get("by_hour") or ()
        if int(entry.get("hour", -1)) in hours
    )


def period_stopped(
    days: Sequence[DayFigures], last_call: float | None, bounds: tuple[float, float], tz: tzinfo
) -> Stopped | None:
    """The trailing span of a longer period (the module's rule): ``days`` its day rows,
    ``last_call`` the last call the database holds, ``bounds`` the period's start and the
    report time. ``None`` when the calls do not stop before it."""
    if last_call is None or not bounds[0] <= last_call < bounds[1]:
        return None
    last_day = datetime.fromtimestamp(last_call, tz).date()
    before = [d for d in days if d.day <= last_day]
    opens = open_weekdays(before)
    silent = tuple(
        d.day
        for d in days
        if d.day > last_day
        and d.figures is not None
        and not d.partial
        and not d.closed
        and not d.figures.get("offered")
        and opens[d.day.weekday()]
    )
    return Stopped(last_call, open_days=silent) if silent else None


def day_stopped(
    kpis: Mapping[str, Any],
    compared: tuple[date, Mapping[str, Any]] | None,
    last_call: float | None,
    bounds: tuple[float, float],
    tz: tzinfo,
) -> Stopped | None:
    """A one-day report's stop (the module's rule): ``kpis`` the day's snapshot,
    ``compared`` the compared day and its snapshot, taken up to the same time (``None`` when
    no day is a basis for a comparison), ``last_call`` the last call the database holds,
    ``bounds`` the day's start and the report time. ``None`` when nothing says the logs
    stopped."""
    if compared is None or last_call is None or not bounds[0] <= last_call < bounds[1]:
        return None
    after = last_hour_after(last_call, tz)
    day, figures = compared
    counts = DayCounts(
        _offered(kpis, range(after)),
        _offered(figures, range(after)),
        _offered(figures, range(after, 24)),
    )
    if not counts.stopped():
        return None
    return Stopped(last_call, after_hour=after, compared_calls=counts.after, compared_day=day)


def last_hour_after(last_call: float, tz: tzinfo) -> int:
    """The first whole local hour after ``last_call`` (24 after a call at 23:xx)."""
    return datetime.fromtimestamp(last_call, tz).hour + 1


def began_late(kpis: Mapping[str, Any], first_call: float, tz: tzinfo, days: int = 1) -> bool:
    """Whether the logs, which begin at ``first_call`` (the first call the database holds),
    begin late on that day: the report's own snapshot ``kpis``, over ``days`` days with calls,
    had at least :data:`MIN_EXPECTED_CALLS` calls offered a day in the whole hours before the
    first call's hour. A centre that opens at 08:00 and began logging at 08:03 has its first
    day whole; one that began at 14:00 has only the afternoon of it."""
    hour = datetime.fromtimestamp(first_call, tz).hour
    return _offered(kpis, range(hour)) >= MIN_EXPECTED_CALLS * max(1, days)
