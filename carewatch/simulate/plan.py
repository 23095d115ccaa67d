"""The centre's plan: queues, operators, shifts and breaks, opening hours and arrival rates.

:func:`day_plan` lays out one local day of the history (see the package doc for the centre).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from datetime import time as clock_time

from carewatch.simulate.context import Context
from carewatch.timeutil import combine_local

QUEUES: tuple[str, ...] = ("sales", "support", "billing")

#: Invented first names; the history uses the first ten, live mode all of them.
OPERATORS: tuple[str, ...] = (
    "Alba",
    "Bruno",
    "Carla",
    "Dario",
    "Elena",
    "Filip",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Luca",
    "Mara",
    "Nils",
    "Olga",
    "Pablo",
    "Rosa",
    "Samir",
    "Tina",
    "Umar",
    "Vera",
    "Wim",
    "Yara",
    "Zeno",
    "Ada",
    "Bela",
    "Cyril",
    "Dina",
    "Emil",
    "Flora",
)

HISTORY_OPERATORS = 10
LIVE_OPERATORS = 30

#: Calls an hour at the 10–11 peak of a Wednesday.
_PEAK_RATE = 80.0
#: Local hour -> share of the peak rate, Monday to Friday (08:00–20:00).
_WEEKDAY_HOURS = {
    8: 0.45,
    9: 0.80,
    10: 1.00,
    11: 0.92,
    12: 0.66,
    13: 0.55,
    14: 0.62,
    15: 0.72,
    16: 0.66,
    17: 0.52,
    18: 0.38,
    19: 0.24,
}
_SATURDAY_HOURS = {9: 0.30, 10: 0.30, 11: 0.26, 12: 0.20}
_SUNDAY_HOURS = {10: 0.13, 11: 0.12, 12: 0.10}
#: Monday .. Friday volume factors.
_WEEKDAY_FACTOR = (1.15, 1.05, 1.0, 0.97, 0.92)


@dataclass(slots=True)
class Operator:
    name: str
    queues: tuple[str, ...]


def operators(count: int) -> list[Operator]:
    result = []
    for i, name in enumerate(OPERATORS[:count]):
        if i % 3 == 0:
            queues = QUEUES
        elif i % 3 == 1:
            queues = ("sales", "support")
        else:
            queues = ("support", "billing")
        result.append(Operator(name, queues))
    return result


@dataclass(slots=True)
class Shift:
    operator: Operator
    login: int | None  # None: already logged in (live mode), available from ``available``
    logoff: int | None
    pauses: list[tuple[int, int, str]]  # (due, seconds, reason)
    available: int = 0


def _hour_rates(
    day: date, tz: tzinfo, hours: dict[int, float], factor: float
) -> list[tuple[int, int, float]]:
    rates = []
    for hour, share in hours.items():
        a = int(combine_local(day, clock_time(hour), tz))
        b = int(combine_local(day + timedelta(days=1), clock_time(0), tz))
        if hour < 23:
            b = int(combine_local(day, clock_time(hour + 1), tz))
        rates.append((a, b, _PEAK_RATE * share * factor))
    return rates


def _covers(group: Sequence[Operator]) -> bool:
    return all(any(q in op.queues for op in group) for q in QUEUES)


def _split(rng: random.Random, ops: list[Operator], sizes: Sequence[int]) -> list[list[Operator]]:
    order = list(ops)
    groups: list[list[Operator]] = []
    for _ in range(30):
        rng.shuffle(order)
        groups, at = [], 0
        for size in sizes:
            groups.append(order[at : at + size])
            at += size
        if all(_covers(g) for g in groups):
            break
    return groups


def day_plan(
    ctx: Context, day: date, tz: tzinfo, ops: list[Operator]
) -> tuple[int, int, list[Shift], list[tuple[int, int, float]]]:
    """Opening hours, shifts and arrival rates of one local day."""
    rng = ctx.rng

    def at(hour: int, minute: int = 0) -> int:
        return int(combine_local(day, clock_time(hour, minute), tz))

    def jitter(t: int, before: int, after: int) -> int:
        return t + rng.randint(-before, after)

    def shift(op: Operator, start: int, end: int, pauses: list[tuple[int, int, str]]) -> Shift:
        return Shift(op, jitter(start, 360, 300), jitter(end, 240, 300), pauses)

    def pause(earliest: int, latest: int, low: int, high: int, reason: str) -> tuple:
        return (rng.randint(earliest, latest), rng.randint(low, high), reason)

    weekday = day.weekday()
    noise = math.exp(rng.gauss(0, 0.08))
    ctx.shipping_day = rng.random() < 0.33
    surge = 1.12 if ctx.shipping_day else 1.0
    shifts: list[Shift] = []
    if weekday < 5:
        early, middle, late = _split(rng, ops, (4, 3, len(ops) - 7))
        for op in early:
            pauses = [pause(at(11, 15), at(12, 10), 600, 900, "break")]
            shifts.append(shift(op, at(8), at(14), pauses))
        for op in middle:
            pauses = [
                pause(at(12, 15), at(13, 30), 1800, 2700, "lunch"),
                pause(at(15, 40), at(16, 20), 600, 900, "break"),
            ]
            if rng.random() < 0.15:
                pauses.append(pause(at(14, 20), at(15, 0), 1800, 3600, "training"))
            shifts.append(shift(op, at(9), at(17, 30), pauses))
        for op in late:
            pauses = [pause(at(15, 30), at(16, 15), 600, 900, "break")]
            if rng.random() < 0.5:
                pauses.append(pause(at(18, 30), at(19, 0), 300, 600, "break"))
            if rng.random() < 0.12:
                pauses.append(pause(at(14, 30), at(15, 30), 1800, 3600, "training"))
            shifts.append(shift(op, at(14), at(20), pauses))
        factor = _WEEKDAY_FACTOR[weekday] * noise * surge
        return at(8), at(20), shifts, _hour_rates(day, tz, _WEEKDAY_HOURS, factor)
    size = 3 if weekday == 5 else 2
    crew = _split(rng, ops, (size,))[0]
    open_h, close_h = (9, 13) if weekday == 5 else (10, 13)
    hours = _SATURDAY_HOURS if weekday == 5 else _SUNDAY_HOURS
    for op in crew:
        pauses = [pause(at(open_h + 1), at(close_h - 1), 300, 600, "break")]
        shifts.append(shift(op, at(open_h), at(close_h), pauses))
    return at(open_h), at(close_h), shifts, _hour_rates(day, tz, hours, noise * surge)
