"""Per-queue figures (``by_queue`` of the snapshot), tallied by the KPI engine in its one pass.

The definitions are the SPEC's totals restricted to one queue's inbound calls: ``offered``,
``answered``, ``abandoned``, ``missed``, ``abandon_rate`` (abandoned / offered),
``avg_wait_seconds`` (answered calls with a known wait), ``service_level`` (answered within the
threshold / answered + abandoned + missed) and ``avg_talk_seconds`` (answered calls that have
ended). A call logged without a queue counts in the totals only; a call that entered two
queues is one call per queue entry (SPEC), so each entry counts in its own queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class QueueTally:
    """One queue's inbound calls, counted as the engine reads them."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    missed: int = 0
    in_time: int = 0
    waits: list[float] = field(default_factory=list)
    talks: list[float] = field(default_factory=list)

    def add(
        self, state: str | None, wait: float | None, talk: float | None, sl_seconds: float
    ) -> None:
        """Count one inbound call in ``state`` (answered / abandoned / missed / ``None``)."""
        self.offered += 1
        if state == "answered":
            self.answered += 1
            if wait is not None:
                self.waits.append(wait)
                self.in_time += wait <= sl_seconds
            if talk is not None:
                self.talks.append(talk)
        elif state == "abandoned":
            self.abandoned += 1
        elif state == "missed":
            self.missed += 1

    def figures(self) -> dict[str, Any]:
        """The queue's figures (keys :data:`QUEUE_FIELDS`; ``None`` for an empty denominator)."""
        ended = self.answered + self.abandoned + self.missed
        return {
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "missed": self.missed,
            "abandon_rate": self.abandoned / self.offered if self.offered else None,
            "avg_wait_seconds": sum(self.waits) / len(self.waits) if self.waits else None,
            "service_level": self.in_time / ended if ended else None,
            "avg_talk_seconds": sum(self.talks) / len(self.talks) if self.talks else None,
        }


def queue_figures(tallies: dict[str, QueueTally]) -> dict[str, dict[str, Any]]:
    """``by_queue``: every queue's figures, queues by name."""
    return {name: tallies[name].figures() for name in sorted(tallies)}
