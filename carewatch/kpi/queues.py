"""``by_queue``: the SPEC's per-queue figures of a window, summed as the KPI tally adds each
inbound call (:meth:`carewatch.kpi.tally.KpiTally.add` calls :func:`add_to_queues`).

Pure, like the engine: a call's state, wait and talk in, sums out, a dict from them. Per queue:
offered, answered, abandoned, missed, abandon_rate, avg_wait_seconds, service_level (answered
within the threshold / answered + abandoned + missed) and avg_talk_seconds (answered calls that
have ended) — the definitions of the centre-wide keys, restricted to one queue. Calls without a
queue are left out; queues are sorted by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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

    def add(
        self,
        state: str | None,
        wait: float | None,
        talk: float | None,
        service_level_seconds: float,
        sign: int = 1,
    ) -> None:
        """Count an inbound call of this queue once more (``sign`` 1) or once less (-1), by
        its :func:`~carewatch.callstate.disposition` ``state``, its wait and its talk."""
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
    tallies: dict[str, QueueTally],
    queue: str,
    state: str | None,
    wait: float | None,
    talk: float | None,
    service_level_seconds: float,
    sign: int = 1,
) -> None:
    """Count an inbound call of ``queue`` (its state, wait and talk) in that queue's tally; a
    tally whose calls are all taken away is dropped."""
    tally = tallies.get(queue)
    if tally is None:
        tally = tallies[queue] = QueueTally()
    tally.add(state, wait, talk, service_level_seconds, sign)
    if not tally.offered:
        del tallies[queue]


def queue_figures(tallies: dict[str, QueueTally]) -> dict[str, dict[str, Any]]:
    """``by_queue`` from the tallies, queues sorted by name."""
    return {name: tallies[name].figures() for name in sorted(tallies)}
