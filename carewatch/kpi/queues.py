"""``by_queue``: the SPEC's per-queue figures of a window, one pass over its inbound calls.

Pure, like the engine: calls and the service-level threshold in, a dict out. Per queue:
offered, answered, abandoned, missed, abandon_rate, avg_wait_seconds, service_level (answered
within the threshold / answered + abandoned + missed) and avg_talk_seconds (answered calls that
have ended) — the definitions of the centre-wide keys, restricted to one queue. Calls without a
queue are left out; queues are sorted by name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from carewatch.callstate import disposition, is_inbound
from carewatch.records import CallRow


@dataclass
class QueueTally:
    """One queue's sums over its inbound calls; a call is added (``sign`` 1) or taken away
    (``sign`` -1), so a live screen keeps them as calls change."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    missed: int = 0
    in_time: int = 0
    waits: int = 0
    wait_total: float = 0.0
    talks: int = 0
    talk_total: float = 0.0

    def add(self, call: CallRow, service_level_seconds: float, sign: int = 1) -> None:
        """Count ``call`` (inbound, with this queue) once more (``sign`` 1) or once less (-1)."""
        self.count(
            disposition(call), call.wait_seconds, call.talk_seconds, service_level_seconds, sign
        )

    def count(
        self,
        state: str | None,
        wait: float | None,
        talk: float | None,
        service_level_seconds: float,
        sign: int = 1,
    ) -> None:
        """:meth:`add` from the call's :func:`~carewatch.callstate.disposition`, wait and talk
        (for a loop that has them already)."""
        self.offered += sign
        if state == "answered":
            self.answered += sign
            if wait is not None:
                self.waits += sign
                self.wait_total += sign * wait
                self.in_time += sign * (wait <= service_level_seconds)
            if talk is not None:
                self.talks += sign
                self.talk_total += sign * talk
        elif state == "abandoned":
            self.abandoned += sign
        elif state == "missed":
            self.missed += sign
        if sign < 0:
            if not self.waits:
                self.wait_total = 0.0
            if not self.talks:
                self.talk_total = 0.0

    def figures(self) -> dict[str, Any]:
        """The SPEC's per-queue figures from these sums."""
        return {
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "missed": self.missed,
            "abandon_rate": _ratio(self.abandoned, self.offered),
            "avg_wait_seconds": self.wait_total / self.waits if self.waits else None,
            "service_level": _ratio(self.in_time, self.answered + self.abandoned + self.missed),
            "avg_talk_seconds": self.talk_total / self.talks if self.talks else None,
        }


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def add_to_queues(
    tallies: dict[str, QueueTally], call: CallRow, service_level_seconds: float, sign: int = 1
) -> None:
    """Count ``call`` in its queue's tally (calls without a queue and outbound ones are left
    out); a tally whose calls are all taken away is dropped."""
    if not call.queue or not is_inbound(call):
        return
    tally = tallies.get(call.queue)
    if tally is None:
        tally = tallies[call.queue] = QueueTally()
    tally.add(call, service_level_seconds, sign)
    if not tally.offered:
        del tallies[call.queue]


def queue_figures(tallies: dict[str, QueueTally]) -> dict[str, dict[str, Any]]:
    """``by_queue`` from the tallies, queues sorted by name."""
    return {name: tallies[name].figures() for name in sorted(tallies)}


def by_queue(calls: Iterable[CallRow], service_level_seconds: float) -> dict[str, dict[str, Any]]:
    """Per-queue figures of ``calls`` (already restricted to the window)."""
    tallies: dict[str, QueueTally] = {}
    for call in calls:
        add_to_queues(tallies, call, service_level_seconds)
    return queue_figures(tallies)
