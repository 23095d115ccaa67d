"""The figures of each local day of a period, for the report's "Days" section.

Per day, the SPEC's per-queue figures (:data:`~carewatch.kpi.definitions.QUEUE_KPIS`:
offered, answered, abandoned, missed, abandon rate, average wait, service level, average
talk), summed as the engine sums a queue's (:class:`~carewatch.kpi.queues.QueueTally`) over
the day's inbound calls instead of the queue's: the definitions of the period's totals,
restricted to one day. One pass over the period's calls, already read for its totals; a call
belongs to the local day its start falls on (a day is 23 or 25 hours when the clocks change).

Pure: no database, no clock.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import date, tzinfo
from typing import Any

from carewatch.callstate import OUTBOUND, state_of
from carewatch.kpi.queues import QueueTally
from carewatch.records import CallRow
from carewatch.timeutil import day_bounds


def day_figures(
    calls: Iterable[CallRow],
    days: Sequence[date],
    tz: tzinfo,
    service_level_seconds: float,
) -> list[dict[str, Any]]:
    """The figures of each of ``days`` (consecutive local days of ``tz``, oldest first), in
    their order, from ``calls``: a day without a call has 0 calls offered. Outbound calls and
    calls outside the days are left out."""
    if not days:
        return []
    starts = [day_bounds(day, tz)[0] for day in days]
    first, end = starts[0], day_bounds(days[-1], tz)[1]
    tallies = [QueueTally() for _ in days]
    for call in calls:
        started = call.started_at
        if call.direction == OUTBOUND or not first <= started < end:
            continue
        talk = call.talk_seconds
        tallies[bisect_right(starts, started) - 1].add(
            state_of(call.disposition, call.answered_at, talk),
            call.wait_seconds,
            talk,
            service_level_seconds,
        )
    return [tally.figures() for tally in tallies]
