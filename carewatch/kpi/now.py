"""The centre now: who is waiting, who is talking, what each operator is doing (the wallboard).

Pure: :func:`now_state` takes the recent calls and the operators' events and an instant, and
reads nothing itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from carewatch.callstate import call_end, disposition, is_inbound
from carewatch.config.screen import fold
from carewatch.records import CallRow

#: A call "waiting" or "being talked" for longer than this lost its end line: ignored now.
STALE_CALL_SECONDS = 4 * 3600.0

_LOGIN_EVENTS = frozenset({"AGENTLOGIN", "AGENTCALLBACKLOGIN", "ADDMEMBER"})
_LOGOFF_EVENTS = frozenset({"AGENTLOGOFF", "AGENTCALLBACKLOGOFF"})
_PAUSE_EVENTS = frozenset({"PAUSE", "PAUSEALL"})
_UNPAUSE_EVENTS = frozenset({"UNPAUSE", "UNPAUSEALL"})


@dataclass(frozen=True)
class AgentNow:
    """One operator's state now.

    ``state``: "talking" (a call answered and not ended), "paused" (a PAUSE without a later
    UNPAUSE; ``reason`` as logged), "logged_off" (logged off or removed from every queue),
    or "idle". ``since``: when that state began, when known; ``call_id``: the call being
    talked. ``logged_in_at``: the login (or first queue membership) of the current session,
    when the events show it; ``queues``: the queues the operator is a member of now
    (``None`` when no event tells); ``queue``: the queue of the call being talked.
    """

    agent: str
    state: str
    since: float | None = None
    reason: str | None = None
    call_id: str | None = None
    logged_in_at: float | None = None
    queues: frozenset[str] | None = None
    queue: str | None = None


@dataclass(frozen=True)
class NowState:
    """The centre at one instant: calls waiting and being talked, and every operator."""

    at: float
    #: Inbound calls waiting in a queue now, longest waiting first.
    waiting_calls: tuple[CallRow, ...]
    #: Calls answered and not ended, oldest answer first; at most one per operator (an
    #: operator talks one call at a time: an older unended call of theirs lost its end line).
    talking_calls: tuple[CallRow, ...]
    #: Operator -> state now, operators sorted by name.
    agents: Mapping[str, AgentNow]

    @property
    def waiting(self) -> int:
        """How many calls are waiting in a queue now."""
        return len(self.waiting_calls)

    @property
    def talking(self) -> int:
        """How many calls are being talked now."""
        return len(self.talking_calls)

    @property
    def longest_wait_seconds(self) -> float | None:
        """How long the caller waiting longest has waited, ``None`` when nobody waits."""
        if not self.waiting_calls:
            return None
        return max(0.0, self.at - self.waiting_calls[0].started_at)


@dataclass
class _AgentTrack:
    queues: set[str] | None = None  # None: membership not seen in the events
    paused: bool = False
    reason: str | None = None
    paused_at: float | None = None
    logged_off_at: float | None = None
    logged_in_at: float | None = None
    last_event_at: float | None = None


def _track_agents(agent_events: Iterable[Mapping[str, Any]], now: float) -> dict[str, _AgentTrack]:
    tracks: dict[str, _AgentTrack] = {}
    events = sorted(
        (e for e in agent_events if e.get("agent") and e.get("at") is not None and e["at"] <= now),
        key=lambda e: e["at"],
    )
    for e in events:
        name = str(e.get("event") or "").upper()
        t = tracks.setdefault(e["agent"], _AgentTrack())
        queue = e.get("queue") or "*"
        if queue.upper() == "NONE":
            queue = "*"
        if name in _LOGIN_EVENTS:
            if not t.queues:
                t.logged_in_at = e["at"]
            t.queues = (t.queues or set()) | {queue}
        elif name == "REMOVEMEMBER":
            t.queues = (t.queues or set()) - {queue}
            if not t.queues:
                t.logged_off_at, t.paused, t.logged_in_at = e["at"], False, None
        elif name in _LOGOFF_EVENTS:
            t.queues, t.logged_off_at, t.paused = set(), e["at"], False
            t.logged_in_at = None
        elif name in _PAUSE_EVENTS:
            t.paused, t.reason, t.paused_at = True, e.get("reason") or None, e["at"]
        elif name in _UNPAUSE_EVENTS:
            t.paused, t.reason, t.paused_at = False, None, None
        else:
            continue  # RINGNOANSWER and the like do not change the state
        t.last_event_at = e["at"]
    return tracks


def now_state(calls: Sequence[CallRow], agent_events: Sequence[dict], now: float) -> NowState:
    """What the wallboard shows at ``now``.

    ``calls``: the recent calls (at least those started in the last
    :data:`STALE_CALL_SECONDS`); ``agent_events``: the store's agent events (dicts with
    ``at``, ``agent``, ``event``, ``queue``, ``reason``), oldest first or not, enough back
    to see each operator's last login and pause. Calls "waiting" or "being talked" for
    longer than :data:`STALE_CALL_SECONDS` are ignored (their end line was lost), as is
    anything after ``now``.
    """
    waiting: list[CallRow] = []
    talking: list[CallRow] = []
    last_end: dict[str, float] = {}
    seen: set[str] = set()
    for call in calls:
        if call.started_at > now:
            continue
        if call.agent:
            seen.add(call.agent)
        call_state = disposition(call)
        end = call_end(call)
        fresh = now - call.started_at <= STALE_CALL_SECONDS
        if call_state is None and end is None:
            if fresh and is_inbound(call):
                waiting.append(call)
        elif call_state == "answered" and end is None and call.talk_seconds is None:
            if fresh and (call.answered_at is None or call.answered_at <= now):
                talking.append(call)
        elif end is not None and call.agent and end <= now:
            last_end[call.agent] = max(end, last_end.get(call.agent, end))
    waiting.sort(key=lambda c: c.started_at)
    talking.sort(key=lambda c: (c.answered_at or c.started_at, c.id))
    talking_by_agent = {fold(c.agent): c for c in talking if c.agent}  # newest answer wins
    talking = [c for c in talking if not c.agent or talking_by_agent[fold(c.agent)] is c]

    tracks = _track_agents(agent_events, now)
    names = sorted(set(tracks) | seen)
    agents: dict[str, AgentNow] = {}
    for name in names:
        t = tracks.get(name, _AgentTrack())
        member = None if t.queues is None else frozenset(q for q in t.queues if q != "*")
        talking_call = talking_by_agent.get(fold(name))
        if talking_call is not None:
            state = AgentNow(
                name,
                "talking",
                talking_call.answered_at or talking_call.started_at,
                None,
                talking_call.call_id,
                t.logged_in_at,
                member,
                talking_call.queue,
            )
        elif t.queues is not None and not t.queues:
            state = AgentNow(name, "logged_off", t.logged_off_at, queues=frozenset())
        elif t.paused:
            state = AgentNow(name, "paused", t.paused_at, t.reason, None, t.logged_in_at, member)
        else:
            marks = [m for m in (t.last_event_at, last_end.get(name)) if m is not None]
            state = AgentNow(
                name, "idle", max(marks) if marks else None, None, None, t.logged_in_at, member
            )
        agents[name] = state
    return NowState(now, tuple(waiting), tuple(talking), agents)
