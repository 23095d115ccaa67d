"""What values make physical sense: the one statement of it, for what parsers produce and
for what the store reads back.

A log line with a value outside these bounds is skipped and counted as a ``bad value`` with
its line number (:func:`check_records`, applied by every reader to every parser's records),
so it is never stored. A row another program wrote with such a value is read defensively
(:mod:`carewatch.store.reads`): an absurd duration, time or score reads as unknown, and a
call whose start is absurd is not read at all. No report fails on stored data.

* **Times** (``started_at``, an event's time, a CDR row's start/answer/end): from
  1990-01-01 UTC (:data:`EARLIEST`) to one day after the clock of the process reading
  the line (:data:`FUTURE_SLACK`: a phone system cannot log the future; a day covers a
  wrong time zone or a clock that drifts). Reads accept up to :data:`LATEST_READ`.
* **Durations** (wait, talk, a CDR billsec): 0 to one day (:data:`MAX_DURATION`); a ring
  time 0 to one day in milliseconds.
* **Scores**: CSAT 1–5, NPS 0–10.
* **Days** a report can be asked for: :data:`EARLIEST_DAY` to :data:`LATEST_DAY`.
* **Call ids** of at most :data:`MAX_CALL_ID` characters (the store's key column; a longer
  one cut short could join two calls).

``NaN`` and infinities fail every bound (``1e308``, a number of 400 digits).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from carewatch.records import AgentEvent, BadLine, CallUpdate, CdrLeg, Record, SystemStarted

#: 1990-01-01T00:00:00Z: no call log holds an earlier time.
EARLIEST = 631_152_000.0
#: How far after the reading clock a time may be.
FUTURE_SLACK = 86_400.0
#: The latest start a read accepts (3000-01-01T00:00:00Z): far beyond any real call, and
#: within what every date library can show.
LATEST_READ = 32_503_680_000.0
#: The longest wait or talk time, in seconds.
MAX_DURATION = 86_400.0
#: The longest ring, in milliseconds.
MAX_RING_MS = 86_400_000
#: Longest call id (or CDR call key) the store keeps.
MAX_CALL_ID = 200
#: Score fields and their inclusive range.
SCORE_RANGES: dict[str, tuple[int, int]] = {"csat": (1, 5), "nps": (0, 10)}
#: The days a report or a simulation can be asked for.
EARLIEST_DAY = date(1990, 1, 1)
LATEST_DAY = date(2999, 12, 31)

#: Call fields that are times.
TIME_FIELDS = ("started_at", "answered_at", "ended_at")
#: The bounds of each numeric call field; ``None`` as the upper bound: the reading clock's.
_LIMITS: tuple[tuple[str, float, float | None], ...] = (
    *((name, EARLIEST, None) for name in TIME_FIELDS),
    ("wait_seconds", 0.0, MAX_DURATION),
    ("talk_seconds", 0.0, MAX_DURATION),
    *((name, float(low), float(high)) for name, (low, high) in SCORE_RANGES.items()),
)
_CDR_TIMES = ("start", "answer", "end")


def _bad(name: str, value: Any, why: str) -> BadLine:
    return BadLine("bad value", f"{name}={value!r} {why}")


def check_time(name: str, value: Any, latest: float) -> None:
    """Raise ``BadLine("bad value")`` unless ``value`` is a time from :data:`EARLIEST` to
    ``latest``."""
    if not EARLIEST <= value <= latest:
        why = "is before 1990" if value < EARLIEST else "is in the future"
        raise _bad(name, value, why if value == value else "is not a number")


def _check_fixed(name: str, value: Any, low: float, high: float) -> None:
    if not low <= value <= high:
        raise _bad(name, value, f"is outside {low:g}..{high:g}")


def _check_id(call_id: str | None) -> None:
    if call_id is not None and len(call_id) > MAX_CALL_ID:
        raise BadLine("bad value", f"call id longer than {MAX_CALL_ID} characters")


def _out_of_bounds(name: str, value: Any, low: float, high: float | None, latest: float) -> None:
    if high is None:
        check_time(name, value, latest)
    raise _bad(name, value, f"is outside {low:g}..{high:g}")


#: The bounds of each numeric call field, by name (the lower one, the upper one or ``None``).
_LIMIT_OF = {name: (low, high) for name, low, high in _LIMITS}


def _check_update(update: CallUpdate, latest: float) -> None:
    if len(update.call_id) > MAX_CALL_ID:
        _check_id(update.call_id)
    at = update.at
    if at is not None and not EARLIEST <= at <= latest:
        check_time("time", at, latest)
    try:  # the common case: every value in bounds
        for name, value in update.fields.items():
            bounds = _LIMIT_OF.get(name)
            if bounds is not None and value is not None:
                low, high = bounds
                if not low <= value <= (latest if high is None else high):
                    break
        else:
            return
    except TypeError:
        pass  # a value that is no number: told as the loop below tells it
    get = update.fields.get  # a value out of bounds: told in the order of _LIMITS
    for name, low, high in _LIMITS:
        value = get(name)
        if value is not None and not low <= value <= (latest if high is None else high):
            _out_of_bounds(name, value, low, high, latest)


def _check_event(event: AgentEvent, latest: float) -> None:
    _check_id(event.call_id)
    check_time("time", event.at, latest)
    if event.ring_ms is not None:
        _check_fixed("ringtime", event.ring_ms, 0, MAX_RING_MS)


def _check_leg(leg: CdrLeg, latest: float) -> None:
    _check_id(leg.call_key)
    fields = leg.fields
    for name in _CDR_TIMES:
        value = fields.get(name)
        if value is not None:
            check_time(name, value, latest)
    billsec = fields.get("billsec")
    if billsec is not None:
        _check_fixed("billsec", billsec, 0.0, MAX_DURATION)


def check_records(records: Sequence[Record], latest: float) -> None:
    """Raise ``BadLine("bad value")`` when a record of one line holds a value outside
    physical sense (times after ``latest`` are in the future)."""
    for record in records:
        kind = type(record)
        if kind is CallUpdate:
            _check_update(record, latest)  # type: ignore[arg-type]
        elif kind is AgentEvent:
            _check_event(record, latest)  # type: ignore[arg-type]
        elif kind is CdrLeg:
            _check_leg(record, latest)  # type: ignore[arg-type]
        elif kind is SystemStarted:
            check_time("time", record.at, latest)  # type: ignore[union-attr]


def plausible_day(day: date) -> bool:
    """Whether a report (or a simulation) can be about ``day``."""
    return EARLIEST_DAY <= day <= LATEST_DAY
