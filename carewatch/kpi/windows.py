"""Windows of time the KPIs are computed over: a local day, the last hour, a shift, and the
periods of whole local days a report covers (a day, an ISO week, a month, a range).

A window is [start, end) in UTC epoch seconds; a call belongs to the window that contains its
``started_at``. Days and shifts are local to the configured time zone (a day is 23 or 25
hours on a daylight-saving switch day).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from datetime import time as dtime
from typing import Literal

from carewatch.bounds import EARLIEST_DAY, LATEST_DAY, plausible_day
from carewatch.config import Config, Shift
from carewatch.i18n import _
from carewatch.timeutil import day_bounds, same_clock


@dataclass(frozen=True)
class Window:
    """A span of time [start, end) in UTC epoch seconds, with a label for people."""

    start: float
    end: float
    label: str


def day_window(day: date, tz: tzinfo) -> Window:
    """The local calendar ``day`` in ``tz`` (23 or 25 hours on daylight-saving switch days)."""
    start, end = day_bounds(day, tz)
    return Window(start, end, day.isoformat())


def last_hour_window(now: float) -> Window:
    """The hour up to ``now``: [now − 3600, now)."""
    return Window(now - 3600.0, now, "last hour")


def _clock_minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _local_instant(day: date, minutes: int, tz: tzinfo) -> float:
    days, rest = divmod(minutes, 24 * 60)
    clock = dtime(rest // 60, rest % 60)
    return datetime.combine(day + timedelta(days=days), clock, tzinfo=tz).timestamp()


def _shift_span(shift: Shift, day: date, tz: tzinfo) -> tuple[float, float]:
    """The shift that starts on local ``day``; an end at or before the start is the next day."""
    start_min, end_min = _clock_minutes(shift.start), _clock_minutes(shift.end)
    if end_min <= start_min:
        end_min += 24 * 60
    return _local_instant(day, start_min, tz), _local_instant(day, end_min, tz)


def shift_window(config: Config, now: float) -> Window:
    """The configured shift that contains ``now`` (local times; a shift may run past
    midnight), else today's local calendar day."""
    tz = config.tz
    today = datetime.fromtimestamp(now, tz).date()
    for shift in config.shifts:
        for day in (today, today - timedelta(days=1)):
            start, end = _shift_span(shift, day, tz)
            if start <= now < end:
                return Window(start, end, f"{shift.name} shift ({shift.start}–{shift.end})")
    return day_window(today, tz)


# -- periods of local days: a day, an ISO week, a month, a range ---------------------------------

PeriodKind = Literal["day", "week", "month", "range"]

#: How many periods the trend shows (the report's period and the ones before it).
TREND_PERIODS = 12


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _month_end(first: date) -> date:
    return _month_start(first, -1) - timedelta(days=1)


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Period:
    """Whole local calendar days ``first`` to ``last`` (inclusive): one day, an ISO week
    (Monday to Sunday), a calendar month or any range of days.

    It is compared with :meth:`previous` (the period of the same length just before) and
    :meth:`earlier` (a day: the same weekday a week before; a week: the same ISO week a year
    before; a month: the same month a year before; a range: the same dates a year before).
    """

    kind: PeriodKind
    first: date
    last: date

    @classmethod
    def day(cls, day: date) -> Period:
        return cls("day", day, day)

    @classmethod
    def week(cls, year: int, week: int) -> Period:
        """ISO week ``week`` of ``year`` (raises ``ValueError`` for a week the year lacks)."""
        monday = date.fromisocalendar(year, week, 1)
        return cls("week", monday, monday + timedelta(days=6))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = date(year, month, 1)
        return cls("month", first, _month_end(first))

    @property
    def days(self) -> int:
        """How many local days the period spans."""
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        """ "2024-05-14", "2024-W20", "2024-05" or "2024-05-01..2024-05-10"."""
        if self.kind == "day":
            return self.first.isoformat()
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def window(self, tz: tzinfo) -> Window:
        """[start of ``first``, end of ``last``) in ``tz`` (days of 23 or 25 hours included)."""
        return Window(day_bounds(self.first, tz)[0], day_bounds(self.last, tz)[1], self.label)

    def previous(self) -> Period:
        """The period of the same length just before: the day before, the week before, the
        month before, or the same number of days before a range."""
        if self.kind == "month":
            first = _month_start(self.first, 1)
            return Period("month", first, _month_end(first))
        step = timedelta(days=self.days)
        return Period(self.kind, self.first - step, self.last - step)

    def earlier(self) -> Period:
        """The same period earlier: a day a week before (the same weekday); a week, a month or
        a range a year before (the same ISO week, month or dates; 29 February -> 28)."""
        if self.kind == "day":
            return Period.day(self.first - timedelta(days=7))
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            last_week = date(year - 1, 12, 28).isocalendar()[1]  # 52 or 53
            return Period.week(year - 1, min(week, last_week))
        if self.kind == "month":
            return Period.month(self.first.year - 1, self.first.month)
        return Period("range", _year_earlier(self.first), _year_earlier(self.last))

    def trend(self, count: int = TREND_PERIODS) -> list[Period]:
        """``count`` periods of this kind ending with this one, oldest first; fewer when the
        calendar ends before them (twelve ranges of a century each)."""
        periods = [self]
        while len(periods) < count:
            try:
                periods.append(periods[-1].previous())
            except OverflowError:  # before 1 January of the year 1
                break
        return periods[::-1]


def cut_at(period: Period, other: Period, tz: tzinfo, now: float) -> float:
    """Where ``other`` is cut to compare it with ``period`` seen at ``now``: the end of
    ``other`` when ``period`` is over; else the same point of ``other`` — as many local days
    after its first day, at the same local clock time (so a day switching to summer time is
    compared clock to clock; a time that day skips is cut where its clock jumps past it:
    :func:`carewatch.timeutil.same_clock`), never past its end. A period not started yet
    gives the start."""
    window = period.window(tz)
    other_window = other.window(tz)
    if now >= window.end:
        return other_window.end
    if now <= window.start:
        return other_window.start
    local = datetime.fromtimestamp(now, tz)
    offset = (local.date() - period.first).days
    cut = same_clock(other.first + timedelta(days=offset), local.time(), tz)
    return min(cut, other_window.end)


def parse_day(option: str, text: str, today: date) -> date:
    """A day on the command line: ``today``, ``yesterday`` (before the local ``today``) or
    ``YYYY-MM-DD``; ``ValueError`` naming ``option`` otherwise."""
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            _("{option}: expected today, yesterday or YYYY-MM-DD, not {text!r}").format(
                option=option, text=text
            )
        ) from None
    if not plausible_day(day):
        raise ValueError(_outside(option, day.isoformat()))
    return day


def _numbered(
    option: str,
    text: str,
    pattern: re.Pattern[str],
    make: Callable[[int, int], Period],
    form: str,
    current: tuple[int, int],
) -> Period:
    """A week or a month by its two numbers (year and week or month), ``current`` for ``""``."""
    expected = _("{option}: expected {form}, not {text!r}").format(
        option=option, form=form, text=text
    )
    match = pattern.match(text.strip()) if text else None
    if text and match is None:
        raise ValueError(expected)
    year, number = current if match is None else (int(match[1]), int(match[2]))
    if not EARLIEST_DAY.year <= year <= LATEST_DAY.year:
        raise ValueError(_outside(option, text.strip()))
    try:
        period = make(year, number)
    except ValueError:  # no such week or month
        raise ValueError(expected) from None
    if not (plausible_day(period.first) and plausible_day(period.last)):
        raise ValueError(_outside(option, text.strip()))
    return period


def _outside(option: str, shown: str) -> str:
    """ "--date: 3000-01-01 is outside the days carewatch knows (1990-01-01 to 2999-12-31)"."""
    outside = _("{option}: {day} is outside the days carewatch knows ({first} to {last})")
    return outside.format(
        option=option, day=shown, first=EARLIEST_DAY.isoformat(), last=LATEST_DAY.isoformat()
    )


def parse_period(
    today: date,
    *,
    day: str | None = None,
    week: str | None = None,
    month: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> Period:
    """The period a command line names (``today``: the local date now).

    ``day``: ``today``, ``yesterday`` or ``YYYY-MM-DD``; ``week``: ``YYYY-Www`` or ``""`` for
    the week of today; ``month``: ``YYYY-MM`` or ``""`` for this month; ``start``/``end``:
    inclusive days (``end`` defaults to today). Nothing: today. At most one way may be given.
    Raises ``ValueError`` with a one-line message naming the option.
    """
    given = [
        name
        for name, value in (("--date", day), ("--week", week), ("--month", month))
        if value is not None
    ]
    if start is not None or end is not None:
        given.append("--from/--to")
    if len(given) > 1:
        one = _("give one of --date, --week, --month or --from/--to, not {given}")
        raise ValueError(one.format(given=", ".join(given)))
    if week is not None:
        week_form, now_week = _("YYYY-Www (e.g. 2024-W20)"), today.isocalendar()[:2]
        return _numbered("--week", week, _WEEK_RE, Period.week, week_form, now_week)
    if month is not None:
        month_form, now_month = _("YYYY-MM (e.g. 2024-05)"), (today.year, today.month)
        return _numbered("--month", month, _MONTH_RE, Period.month, month_form, now_month)
    if start is not None or end is not None:
        if start is None:
            raise ValueError(_("--to needs --from"))
        first = parse_day("--from", start, today)
        last = parse_day("--to", end, today) if end is not None else today
        if end is None and last < first:
            # --to was not given: it is today, and --from is what needs changing
            after = _("--from {first} is after today ({today}); give --to as well")
            raise ValueError(after.format(first=first.isoformat(), today=today.isoformat()))
        if last < first:
            before = _("--to {last} is before --from {first}")
            raise ValueError(before.format(last=last.isoformat(), first=first.isoformat()))
        return Period("range", first, last)
    return Period.day(parse_day("--date", day, today) if day is not None else today)


_WEEK_RE = re.compile(r"^(\d{4})-?[Ww](\d{1,2})$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
