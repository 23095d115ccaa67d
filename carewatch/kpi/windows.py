"""Windows of time the KPIs are computed over: a local day, the last hour, a shift.

A window is [start, end) in UTC epoch seconds; a call belongs to the window that contains its
``started_at``. Days and shifts are local to the configured time zone (a day is 23 or 25
hours on a daylight-saving switch day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from datetime import time as dtime

from carewatch.config import Config, Shift
from carewatch.timeutil import day_bounds


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
