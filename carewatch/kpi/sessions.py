"""Operators' time over a window, from their events: logged in, paused (by reason).

Pure: the caller reads the agent events (dicts with ``at``, ``agent``, ``event``, ``queue``,
``reason``, as the store returns them) and passes them here.

Decisions (where the SPEC is silent; docs/reports.md)
-----------------------------------------------------
* **Logged in** means a member of at least one queue: ``AGENTLOGIN`` /
  ``AGENTCALLBACKLOGIN`` (every queue) and ``ADDMEMBER`` (its queue) start membership,
  ``REMOVEMEMBER`` ends it for its queue, ``AGENTLOGOFF`` / ``AGENTCALLBACKLOGOFF`` for all.
* **Paused** runs from ``PAUSE`` / ``PAUSEALL`` to ``UNPAUSE`` / ``UNPAUSEALL`` or a logoff,
  under the reason of the pause (``""`` when none was logged). A pause counts whether or not
  a login was seen (a phone system pauses members only).
* **What is seen**: the caller passes the events from some time before the window (the
  report reads 24 hours before), so a session that began before the window counts from the
  window's start; a session that began earlier than that is not seen. An operator with no
  login or logoff seen has ``logged_in_seconds`` ``None`` ("–", not recorded), and so has
  no occupancy.
* Time after ``now`` does not count: a period still in progress counts up to now.
* **One operator, several agent ids** (``[operators]``): the ids' events are one operator's
  (:mod:`carewatch.kpi.presence`): logged in while any id is a member of a queue, paused
  while any id is paused; time logged in under two ids at once counts once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from carewatch.kpi.presence import Presence, event_queue

#: The membership events of one queue (a login or logoff is of every queue).
_QUEUE_EVENTS = frozenset({"ADDMEMBER", "REMOVEMEMBER"})

#: How far before a window the report reads events to see sessions already running.
LOOKBACK_SECONDS = 24 * 3600.0


@dataclass
class _Track:
    presence: Presence = field(default_factory=Presence)
    at: float = 0.0  # the time accounted up to
    logged_in: float = 0.0
    paused_by_reason: dict[str, float] = field(default_factory=dict)

    def advance(self, to: float, start: float, end: float) -> None:
        """Account the time from ``self.at`` to ``to`` that falls in [start, end)."""
        span = max(0.0, min(to, end) - max(self.at, start))
        if span:
            presence = self.presence
            if presence.logged_in:
                self.logged_in += span
            pause = presence.pause()
            if pause is not None:
                reason = pause[1]
                self.paused_by_reason[reason] = self.paused_by_reason.get(reason, 0.0) + span
        self.at = max(self.at, to)


def agent_time(
    events: Iterable[Mapping[str, Any]],
    start: float,
    end: float,
    now: float | None = None,
    names: Mapping[str, str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Each operator's time in [start, min(end, now)): ``logged_in_seconds`` (``None`` when
    no login or logoff was seen), ``paused_seconds`` and ``paused_by_reason`` (reason ->
    seconds, reasons by name). Operators with neither login time nor pause are left out.
    ``names``: agent id -> the operator it is (:class:`carewatch.config.screen.AgentNames`);
    the ids of one operator are one track (:mod:`carewatch.kpi.presence`), so time logged in
    under two ids at once counts once."""
    stop = end if now is None else min(end, now)
    tracks: dict[str, _Track] = {}
    ordered = sorted(
        (e for e in events if e.get("agent") and e.get("at") is not None and e["at"] < stop),
        key=lambda e: e["at"],
    )
    for e in ordered:
        name = str(e.get("event") or "").upper()
        at = float(e["at"])
        agent = e["agent"]
        operator = agent if names is None else names[agent]
        t = tracks.get(operator)
        if t is None:
            t = tracks[operator] = _Track(at=at)
        t.advance(at, start, stop)
        queue = event_queue(e.get("queue")) if name in _QUEUE_EVENTS else "*"
        t.presence.apply(agent, name, queue, at, str(e.get("reason") or ""))
    out: dict[str, dict[str, Any]] = {}
    for operator in sorted(tracks):
        t = tracks[operator]
        t.advance(stop, start, stop)
        paused = dict(sorted(t.paused_by_reason.items()))
        if not t.logged_in and not paused:
            continue  # nothing in the window (a session of the day before, say)
        out[operator] = {
            "logged_in_seconds": t.logged_in if t.presence.seen else None,
            "paused_seconds": float(sum(paused.values())),
            "paused_by_reason": paused,
        }
    return out
