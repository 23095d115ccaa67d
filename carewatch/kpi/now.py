"""The centre now: who is waiting, who is talking, what each operator is doing (the wallboard).

Pure: :func:`now_state` takes the recent calls and the operators' events and an instant, and
reads nothing itself.
"""

from __future__ import annotations

import bisect
import heapq
import math
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from carewatch.callstate import as_it_stood, call_end, disposition, end_from, is_inbound
from carewatch.config.screen import AgentNames, fold
from carewatch.kpi.presence import LOGOFF_EVENTS, Presence, event_queue, is_away
from carewatch.records import UNREACHABLE_RING, CallRow, Seen

#: The events of a ring an operator let go (:mod:`carewatch.records`): not a sign that
#: someone is at the desk.
_RINGS = frozenset({"RINGNOANSWER", UNREACHABLE_RING})
#: A call "waiting" or "being talked" for longer than this lost its end line: ignored now.
STALE_CALL_SECONDS = 4 * 3600.0

#: The events after which an operator in no queue any more is logged off.
_OFF_EVENTS = LOGOFF_EVENTS | {"REMOVEMEMBER"}


@dataclass(frozen=True)
class AgentNow:
    """One operator's state now.

    ``state``: "talking" (a call answered and not ended), "paused" (a PAUSE without a later
    UNPAUSE; ``reason`` as logged), "logged_off" (logged off or removed from every queue),
    "away" (in a queue with no event of their own for longer than ``[ui]
    away_after_minutes``: :func:`~carewatch.kpi.presence.is_away`; ``since``: when last seen),
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
    presence: Presence = field(default_factory=Presence)
    logged_off_at: float | None = None
    logged_in_at: float | None = None
    last_event_at: float | None = None
    #: The latest event of the operator that shows them at the desk (a login, a pause, not a
    #: ring they let go): when last seen.
    seen_at: float | None = None
    #: The first event of the operator held (a ring too): seen by the phone system since.
    first_at: float | None = None

    @property
    def queues(self) -> set[str] | None:
        """The queues of the operator now; ``None``: membership not seen in the events."""
        return self.presence.queues() if self.presence.seen else None


class AgentFold:
    """The operators' events folded in time order into each one's state, one event at a time.

    Events may be added in any order: one that comes after the last folded (or at the same
    instant) is folded at once; an earlier one folds everything again. Events after the
    instant asked for wait until it passes them.
    """

    def __init__(
        self, agent_events: Iterable[Mapping[str, Any]] = (), names: AgentNames | None = None
    ) -> None:
        #: Agent id -> the operator it is.
        self.names = names if names is not None else AgentNames({})
        self._events: list[Mapping[str, Any]] = []  # folded, in time order
        self._later: list[tuple[float, int, Mapping[str, Any]]] = []  # a heap, not folded yet
        self._count = 0
        self.tracks: dict[str, _AgentTrack] = {}
        self._folded_until = -math.inf
        self.add(agent_events)

    def add(self, agent_events: Iterable[Mapping[str, Any]]) -> None:
        """Take these events (those without an operator or a time are left out)."""
        for e in agent_events:
            if not e.get("agent") or e.get("at") is None:
                continue
            self._count += 1
            heapq.heappush(self._later, (e["at"], self._count, e))

    def tracks_at(self, now: float) -> dict[str, _AgentTrack]:
        """Each operator's track after every event up to ``now``."""
        later = self._later
        refold = False
        due: list[Mapping[str, Any]] = []
        while later and later[0][0] <= now:
            at, _n, e = heapq.heappop(later)
            refold = refold or at < self._folded_until
            due.append(e)
        if refold:
            self._events = sorted([*self._events, *due], key=lambda e: e["at"])
            self.tracks = {}
            due = self._events
        else:
            self._events.extend(due)
        tracks, names = self.tracks, self.names
        for e in due:
            _fold(tracks, names, e)
        if due:
            self._folded_until = max(self._folded_until, due[-1]["at"])
        return self.tracks

    def events_since(self, start: float) -> list[Mapping[str, Any]]:
        """The events folded so far from ``start`` on, in time order."""
        return [e for e in self._events if e["at"] >= start]


def _fold(tracks: dict[str, _AgentTrack], names: AgentNames, e: Mapping[str, Any]) -> None:
    agent = e["agent"]
    operator = names[agent]
    t = tracks.get(operator)
    if t is None:
        t = tracks[operator] = _AgentTrack()
    presence = t.presence
    was_in = presence.logged_in
    name, at = str(e.get("event") or "").upper(), e["at"]
    # folded in time order; a ring let go is the phone ringing, not someone at the desk (a
    # static member gone home is rung all evening)
    if t.first_at is None:
        t.first_at = at
    if name not in _RINGS:
        t.seen_at = at
    if not presence.apply(agent, name, event_queue(e.get("queue")), at, e.get("reason") or ""):
        return  # RINGNOANSWER and the like do not change the state
    if presence.logged_in:
        if not was_in:
            t.logged_in_at = at
    elif name in _OFF_EVENTS:
        t.logged_off_at, t.logged_in_at = at, None
    t.last_event_at = at


def call_seen(call: CallRow) -> float | None:
    """When an answered call last shows its operator at the desk: its end, else its answer
    (``None`` for a call not answered)."""
    return seen_at(call.answered_at, call.ended_at, call.talk_seconds)


def seen_at(
    answered_at: float | None, ended_at: float | None, talk_seconds: float | None
) -> float | None:
    """:func:`call_seen` from the three times it reads: the end
    (:func:`~carewatch.callstate.end_from`), else the answer; ``None`` when not answered."""
    if answered_at is None:
        return None
    return end_from(answered_at, ended_at, talk_seconds) or answered_at


def note_call(last: dict[str, float], call: CallRow, names: AgentNames) -> None:
    """Keep in ``last`` (operator -> when last seen on a call) the call ``call``."""
    if call.agent:
        _note(last, names[call.agent], call_seen(call))


def note_seen(
    last: dict[str, float],
    calls: Iterable[Seen],
    names: AgentNames,
) -> None:
    """:func:`note_call` for calls read as (agent, answered_at, ended_at, talk_seconds)
    (:meth:`carewatch.store.Store.seen_between`)."""
    for agent, answered_at, ended_at, talk_seconds in calls:
        if agent:
            _note(last, names[agent], seen_at(answered_at, ended_at, talk_seconds))


def _note(last: dict[str, float], operator: str, at: float | None) -> None:
    if at is not None and at > last.get(operator, -math.inf):
        last[operator] = at


class NowCalls:
    """The recent calls as :func:`now_state` reads them, kept by primary key so a live screen
    adds and takes away the calls that changed. Every call in it has started by the instant
    asked for (the caller keeps later ones out)."""

    def __init__(self, calls: Iterable[CallRow] = (), names: AgentNames | None = None) -> None:
        #: Agent id -> the operator it is.
        self.names = names if names is not None else AgentNames({})
        #: Calls with no end known: waiting, or being talked.
        self.open: dict[int, CallRow] = {}
        #: Operator -> how many of the calls are theirs.
        self.seen: Counter[str] = Counter()
        #: Operator -> when their calls ended (the calls whose end is known), sorted.
        self.ends: dict[str, array[float]] = {}
        for call in calls:
            self.add(call)

    def add(self, call: CallRow, sign: int = 1) -> None:
        """Take ``call`` in (``sign`` 1), or out (-1, as it was taken in)."""
        agent = call.agent
        if agent:
            agent = self.names[agent]
            left = self.seen[agent] + sign
            if left:
                self.seen[agent] = left
            else:
                del self.seen[agent]
        state = disposition(call)
        end = call_end(call)
        if end is None and (state is None or (state == "answered" and call.talk_seconds is None)):
            if sign > 0:
                self.open[call.id] = call
            else:
                self.open.pop(call.id, None)
        elif end is not None and agent:
            ends = self.ends.get(agent)
            if ends is None:
                ends = self.ends[agent] = array("d")
            if sign > 0:
                if not ends or ends[-1] <= end:
                    ends.append(end)
                else:
                    ends.insert(bisect.bisect_right(ends, end), end)
            else:
                i = bisect.bisect_left(ends, end)
                if i < len(ends) and ends[i] == end:
                    del ends[i]
                if not ends:
                    del self.ends[agent]

    def remove(self, call: CallRow) -> None:
        """Take ``call`` out (as it was taken in)."""
        self.add(call, -1)

    def last_end(self, agent: str, now: float) -> float | None:
        """When the operator's latest call that has ended by ``now`` ended."""
        ends = self.ends.get(agent)
        if not ends:
            return None
        i = bisect.bisect_right(ends, now)
        return ends[i - 1] if i else None

    def state(
        self,
        tracks: Mapping[str, _AgentTrack],
        now: float,
        away_after: float = 0.0,
        last_calls: Mapping[str, float] | None = None,
    ) -> NowState:
        """The centre at ``now`` from these calls and the operators' tracks. ``away_after``:
        seconds without an event after which an operator in a queue is away (0: never);
        ``last_calls``: operator -> when last seen on a call (:func:`note_call`) over a span
        at least that long (these calls are only the last :data:`STALE_CALL_SECONDS`)."""
        waiting: list[CallRow] = []
        talking: list[CallRow] = []
        for call in self.open.values():
            if now - call.started_at > STALE_CALL_SECONDS:
                continue
            if disposition(call) is None:
                if is_inbound(call):
                    waiting.append(call)
            elif call.answered_at is None or call.answered_at <= now:
                talking.append(call)
        return _state(waiting, talking, self, tracks, now, away_after, last_calls or {})


def _state(
    waiting: list[CallRow],
    talking: list[CallRow],
    calls: NowCalls,
    tracks: Mapping[str, _AgentTrack],
    now: float,
    away_after: float,
    last_calls: Mapping[str, float],
) -> NowState:
    waiting.sort(key=lambda c: (c.started_at, c.id))
    talking.sort(key=lambda c: (c.answered_at or c.started_at, c.id))
    # one call per operator, the ids of one as one; the calls named by the operator
    talking = [calls.names.call(c) for c in talking]
    talking_by_agent = {fold(c.agent): c for c in talking if c.agent}  # newest answer wins
    talking = [c for c in talking if not c.agent or talking_by_agent[fold(c.agent)] is c]

    names = sorted(set(tracks) | set(calls.seen))
    agents: dict[str, AgentNow] = {}
    for name in names:
        t = tracks.get(name, _NO_TRACK)
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
        elif (pause := t.presence.pause()) is not None:
            state = AgentNow(
                name, "paused", pause[0], pause[1] or None, None, t.logged_in_at, member
            )
        else:
            last_end = calls.last_end(name, now)
            marks = [m for m in (t.last_event_at, last_end) if m is not None]
            seen = [m for m in (t.seen_at, last_end, last_calls.get(name)) if m is not None]
            # known only by rings let go: not seen at the desk since the first of them
            last_seen = max(seen) if seen else t.first_at
            away = is_away(last_seen, now, away_after)
            state = AgentNow(
                name,
                "away" if away else "idle",
                last_seen if away else max(marks) if marks else None,
                None,
                None,
                t.logged_in_at,
                member,
            )
        agents[name] = state
    return NowState(now, tuple(waiting), tuple(talking), agents)


_NO_TRACK = _AgentTrack()


def now_state(
    calls: Sequence[CallRow],
    agent_events: Sequence[dict],
    now: float,
    names: AgentNames | None = None,
    away_after: float = 0.0,
    last_calls: Mapping[str, float] | None = None,
) -> NowState:
    """What the wallboard shows at ``now``.

    ``calls``: the recent calls (at least those started in the last
    :data:`STALE_CALL_SECONDS`); ``agent_events``: the store's agent events (dicts with
    ``at``, ``agent``, ``event``, ``queue``, ``reason``), oldest first or not, enough back
    to see each operator's last login and pause. Calls "waiting" or "being talked" for
    longer than :data:`STALE_CALL_SECONDS` are ignored (their end line was lost), as is
    anything after ``now``. ``names``: agent id -> the operator it is
    (:class:`~carewatch.config.screen.AgentNames`): the ids of one operator are one, talking
    on one id wins over idle on another, logged in while any id is. (:class:`NowCalls` and
    :class:`AgentFold` are the same reading, kept up to date one call and one event at a time.)
    ``away_after``: seconds without an event of their own after which an operator in a queue
    is "away" (0: never); ``last_calls``: operator -> when last seen on a call
    (:func:`note_call`), by default from ``calls``.
    """
    recent = NowCalls((c for c in calls if c.started_at <= now), names)
    if last_calls is None:
        seen: dict[str, float] = {}
        for call in calls:
            if call.started_at <= now:
                note_call(seen, call, recent.names)
        last_calls = seen
    tracks = AgentFold(agent_events, names).tracks_at(now)
    return recent.state(tracks, now, away_after, last_calls)


def in_progress(calls: Iterable[CallRow], now: float, names: AgentNames | None = None) -> int:
    """How many of ``calls`` are still in progress at ``now``: those the wallboard shows then
    (:func:`now_state`), waiting in a queue (inbound, no outcome and no end yet) or being
    talked (answered, no end yet; one call an operator), each call taken as it stood at
    ``now`` (:func:`~carewatch.callstate.as_it_stood`). A call open for longer than
    :data:`STALE_CALL_SECONDS` lost its end line: stale, not in progress. What a report of a
    period just over says of the calls that began in it (their figures are not final)."""
    since = now - STALE_CALL_SECONDS  # (an older call is stale: only the recent are looked at)
    recent = (
        as_it_stood(c, now) for c in calls if since <= c.started_at <= now and not _ended_by(c, now)
    )
    open_calls = NowCalls(recent, names)
    state = open_calls.state({}, now)
    return state.waiting + state.talking


def _ended_by(call: CallRow, now: float) -> bool:
    """Whether ``call`` had ended by ``now`` (neither waiting nor talked then)."""
    end = call_end(call)
    return end is not None and end <= now
