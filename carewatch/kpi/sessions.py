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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

LOGIN_EVENTS = frozenset({"AGENTLOGIN", "AGENTCALLBACKLOGIN", "ADDMEMBER"})
LOGOFF_EVENTS = frozenset({"AGENTLOGOFF", "AGENTCALLBACKLOGOFF"})
PAUSE_EVENTS = frozenset({"PAUSE", "PAUSEALL"})
UNPAUSE_EVENTS = frozenset({"UNPAUSE", "UNPAUSEALL"})

#: How far before a window the report reads events to see sessions already running.
LOOKBACK_SECONDS = 24 * 3600.0


@dataclass
class _Track:
    queues: set[str] = field(default_factory=set)
    login_seen: bool = False
    paused: bool = False
    reason: str = ""
    at: float = 0.0  # the time accounted up to
    logged_in: float = 0.0
    paused_by_reason: dict[str, float] = field(default_factory=dict)

    def advance(self, to: float, start: float, end: float) -> None:
        """Account the time from ``self.at`` to ``to`` that falls in [start, end)."""
        span = max(0.0, min(to, end) - max(self.at, start))
        if span:
            if self.queues:
                self.logged_in += span
            if self.paused:
                self.paused_by_reason[self.reason] = (
                    self.paused_by_reason.get(self.reason, 0.0) + span
                )
        self.at = max(self.at, to)


def _queue(event: Mapping[str, Any]) -> str:
    queue = str(event.get("queue") or "*")
    return "*" if queue.upper() == "NONE" else queue


def agent_time(
    events: Iterable[Mapping[str, Any]], start: float, end: float, now: float | None = None
) -> dict[str, dict[str, Any]]:
    """Each operator's time in [start, min(end, now)): ``logged_in_seconds`` (``None`` when
    no login or logoff was seen), ``paused_seconds`` and ``paused_by_reason`` (reason ->
    seconds, reasons by name). Operators with neither login time nor pause are left out."""
    stop = end if now is None else min(end, now)
    tracks: dict[str, _Track] = {}
    ordered = sorted(
        (e for e in events if e.get("agent") and e.get("at") is not None and e["at"] < stop),
        key=lambda e: e["at"],
    )
    for e in ordered:
        name = str(e.get("event") or "").upper()
        at = float(e["at"])
        t = tracks.get(e["agent"])
        if t is None:
            t = tracks[e["agent"]] = _Track(at=at)
        t.advance(at, start, stop)
        if name in LOGIN_EVENTS:
            t.queues.add("*" if name != "ADDMEMBER" else _queue(e))
            t.login_seen = True
        elif name == "REMOVEMEMBER":
            t.queues.discard(_queue(e))
            t.login_seen = True
            if not t.queues:
                t.paused = False
        elif name in LOGOFF_EVENTS:
            t.queues.clear()
            t.paused, t.login_seen = False, True
        elif name in PAUSE_EVENTS:
            t.paused, t.reason = True, str(e.get("reason") or "")
        elif name in UNPAUSE_EVENTS:
            t.paused = False
    out: dict[str, dict[str, Any]] = {}
    for agent in sorted(tracks):
        t = tracks[agent]
        t.advance(stop, start, stop)
        paused = dict(sorted(t.paused_by_reason.items()))
        if not t.logged_in and not paused:
            continue  # nothing in the window (a session of the day before, say)
        out[agent] = {
            "logged_in_seconds": t.logged_in if t.login_seen else None,
            "paused_seconds": float(sum(paused.values())),
            "paused_by_reason": paused,
        }
    return out
