"""Time helpers: everything is stored as UTC epoch seconds; days and hours are local."""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_EPOCH_RE = re.compile(r"^\d{9,11}(\.\d+)?$")
_HMS_RE = re.compile(r"^(\d+):([0-5]?\d):([0-5]?\d)(\.\d+)?$")


def _tz_env_zone() -> tuple[str, tzinfo | None] | None:
    """``TZ`` as set: its value and the zone it names (``None``: none carewatch can use), or
    ``None`` when it is unset, empty or the system's own file (``:/etc/localtime``). A path
    into a zoneinfo folder (``:/usr/share/zoneinfo/Europe/Rome``) names that zone."""
    raw = os.environ.get("TZ", "")
    name = raw.lstrip(":")
    if not name or os.path.abspath(name) == "/etc/localtime":
        return None
    if name.startswith("/") and "zoneinfo/" in name:
        name = name.split("zoneinfo/", 1)[1]
    try:
        return raw, ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return raw, None


def tz_env_problem() -> str | None:
    """``TZ``'s value when it is set but names no time zone carewatch knows (a misspelt
    name, a POSIX rule such as ``CET-1CEST,M3.5.0,M10.5.0/3``): the machine's zone is then
    taken from the system (:func:`local_timezone`), which a command should say. ``None``
    when ``TZ`` is unset or names a zone."""
    found = _tz_env_zone()
    return found[0] if found is not None and found[1] is None else None


def local_timezone() -> tzinfo:
    """The machine's timezone: ``TZ`` if it names a zone, else the system's local zone
    (:func:`tz_env_problem` tells when ``TZ`` was set and passed over)."""
    found = _tz_env_zone()
    if found is not None and found[1] is not None:
        return found[1]
    try:
        with open("/etc/timezone", encoding="utf-8") as fh:
            return ZoneInfo(fh.read().strip())
    except (OSError, ZoneInfoNotFoundError, ValueError):
        pass
    try:
        link = os.readlink("/etc/localtime")
        if "zoneinfo/" in link:
            return ZoneInfo(link.split("zoneinfo/", 1)[1])
    except (OSError, ZoneInfoNotFoundError, ValueError):
        pass
    tz = datetime.now().astimezone().tzinfo
    assert tz is not None
    return tz


def get_timezone(name: str | None) -> tzinfo:
    """A zone by IANA name, or the machine's local zone for ``None``/empty."""
    if not name:
        return local_timezone()
    return ZoneInfo(name)


def parse_timestamp(value: str, tz: tzinfo) -> float:
    """ISO 8601 (with or without offset; naive means ``tz``) or epoch seconds -> epoch.

    Also accepts ``YYYY-MM-DD HH:MM:SS`` (the Asterisk CDR form) and a trailing ``Z``.
    Raises ``ValueError`` on anything else.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty timestamp")
    if _EPOCH_RE.match(text):
        return float(text)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt.timestamp()


def combine_local(day: date, clock: time, tz: tzinfo) -> float:
    """A local calendar day and wall-clock time -> epoch seconds."""
    return datetime.combine(day, clock, tzinfo=tz).timestamp()


def same_clock(day: date, clock: time, tz: tzinfo) -> float:
    """The instant the clock of local ``day`` reads ``clock``, to cut that day at the same
    point as another one. A time the day skips (02:30 when the clocks jump from 02:00 to
    03:00) gives the jump: every instant before it read an earlier time, every one after a
    later. A time the day has twice is taken on the pass ``clock.fold`` names (0: the first)."""
    wanted = datetime.combine(day, clock, tzinfo=tz)
    found = wanted.timestamp()
    if datetime.fromtimestamp(found, tz).replace(tzinfo=None) == wanted.replace(tzinfo=None):
        return found
    # in a gap: the time read with the offset after the jump is before it, with the offset
    # before the jump after it; the jump is the instant the offset changes in between
    low, high = wanted.replace(fold=1 - wanted.fold).timestamp(), found
    low, high = min(low, high), max(low, high)
    after = datetime.fromtimestamp(high, tz).utcoffset()
    while high - low > 1.0:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high


def parse_duration(value: str) -> float:
    """Seconds from ``"75"``, ``"75.5"``, ``"0:01:15"`` or ``"01:15"`` (M:SS). Raises ValueError."""
    text = value.strip()
    if not text:
        raise ValueError("empty duration")
    if ":" in text:
        parts = text.split(":")
        if len(parts) == 2:
            parts = ["0", *parts]
        match = _HMS_RE.match(":".join(parts))
        if not match:
            raise ValueError(f"not a duration: {value!r}")
        h, m, s, frac = match.groups()
        return int(h) * 3600 + int(m) * 60 + int(s) + (float(frac) if frac else 0.0)
    seconds = float(text)
    if seconds < 0 or seconds != seconds:
        raise ValueError(f"negative duration: {value!r}")
    return seconds


def day_bounds(day: date, tz: tzinfo) -> tuple[float, float]:
    """Epoch bounds [start, end) of a local calendar day (23 or 25 hours on DST switch days)."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.timestamp(), end.timestamp()


def local_day(epoch: float, tz: tzinfo) -> date:
    """The local calendar day an instant falls on."""
    return datetime.fromtimestamp(epoch, tz).date()


def is_weekend(day: date) -> bool:
    """Saturday or Sunday: the weekend the report marks (the same for every centre; the days
    a centre is closed are the config's ``closed_days``)."""
    return day.weekday() >= 5


def local_hour(epoch: float, tz: tzinfo) -> int:
    """The local wall-clock hour 0–23 an instant falls in."""
    return datetime.fromtimestamp(epoch, tz).hour


class LocalHours:
    """:func:`local_hour` for many instants, most of them in the same hour as the one before
    (calls in start order): the span of instants of the last hour looked up is kept, and an
    instant in it gets that hour without a date conversion. The span is one local hour of a
    constant UTC offset (checked at both its ends), 1 ms shorter at each end, so rounding to
    microseconds can never move an instant kept in it across an hour's boundary."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self._low, self._high, self._hour = 1.0, 0.0, 0

    def __call__(self, epoch: float) -> int:
        if self._low <= epoch < self._high:
            return self._hour
        tz = self.tz
        found = datetime.fromtimestamp(epoch, tz)
        offset = found.utcoffset()
        if offset is not None:
            seconds = offset.total_seconds()
            start = (epoch + seconds) // 3600 * 3600 - seconds
            end = start + 3600
            low, high = start + 0.001, end - 0.001
            if (
                datetime.fromtimestamp(low, tz).utcoffset() == offset
                and datetime.fromtimestamp(high, tz).utcoffset() == offset
            ):
                self._low, self._high, self._hour = low, high, found.hour
        return found.hour
