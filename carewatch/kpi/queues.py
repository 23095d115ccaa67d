"""``by_queue``: the SPEC's per-queue figures of a window, one pass over its inbound calls.

Pure, like the engine: calls and the service-level threshold in, a dict out. Per queue:
offered, answered, abandoned, missed, abandon_rate, avg_wait_seconds, service_level (answered
within the threshold / answered + abandoned + missed) and avg_talk_seconds (answered calls that
have ended) — the definitions of the centre-wide keys, restricted to one queue. Calls without a
queue are left out; queues are sorted by name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from carewatch.callstate import disposition, is_inbound
from carewatch.records import CallRow


@dataclass
class _QueueTally:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    missed: int = 0
    in_time: int = 0
    waits: list[float] = field(default_factory=list)
    talks: list[float] = field(default_factory=list)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def by_queue(calls: Iterable[CallRow], service_level_seconds: float) -> dict[str, dict[str, Any]]:
    """Per-queue figures of ``calls`` (already restricted to the window)."""
    tallies: dict[str, _QueueTally] = {}
    for call in calls:
        if not call.queue or not is_inbound(call):
            continue
        t = tallies.setdefault(call.queue, _QueueTally())
        t.offered += 1
        state = disposition(call)
        if state == "answered":
            t.answered += 1
            if call.wait_seconds is not None:
                t.waits.append(call.wait_seconds)
                t.in_time += call.wait_seconds <= service_level_seconds
            if call.talk_seconds is not None:
                t.talks.append(call.talk_seconds)
        elif state == "abandoned":
            t.abandoned += 1
        elif state == "missed":
            t.missed += 1
    return {
        name: {
            "offered": t.offered,
            "answered": t.answered,
            "abandoned": t.abandoned,
            "missed": t.missed,
            "abandon_rate": _ratio(t.abandoned, t.offered),
            "avg_wait_seconds": _mean(t.waits),
            "service_level": _ratio(t.in_time, t.answered + t.abandoned + t.missed),
            "avg_talk_seconds": _mean(t.talks),
        }
        for name, t in sorted(tallies.items())
    }
