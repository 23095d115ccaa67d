"""The event engine: a discrete-event simulation of the queues, one window of time at a time.

:class:`Window` runs arrivals, rings, talks, pauses, logins and logoffs in time order and
fills the generation's :class:`~carewatch.simulate.context.Context` with calls and operator
events; the context decides who calls, about what and how each call ends.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from carewatch.records import AgentEvent
from carewatch.simulate.call import SimCall
from carewatch.simulate.context import Context
from carewatch.simulate.plan import Operator, Shift

#: Seconds a caller waits at most in each queue before ``EXITWITHTIMEOUT``.
_QUEUE_TIMEOUT = {"sales": 240, "support": 300, "billing": 240}
#: Share of rings nobody answers, and the seconds such a ring lasts (``RINGNOANSWER``).
_RING_NO_ANSWER = 1 / 16
_RING_TIMEOUT = 15

# Event kinds, in the order they are handled within one second.
_LOGIN, _PAUSE_END, _FREE, _RING_END, _CALL_END, _ARRIVE, _GIVE_UP, _EMPTY = range(8)
_PAUSE_DUE, _LOGOFF_DUE = 8, 9


@dataclass(eq=False, slots=True)
class _Agent:
    op: Operator
    state: str = "off"  # off, idle, ringing, busy, paused
    idle_since: int = 0
    token: int = 0
    pending_pauses: list[tuple[int, str]] = field(default_factory=list)
    logoff_pending: bool = False
    free_at: int = 0


@dataclass(eq=False, slots=True)
class _InCall:
    call: SimCall
    category: str | None
    patience: int | None
    talk: int
    end_event: str
    state: str = "waiting"  # waiting, ringing, talking, leaving (EXITEMPTY due), gone
    token: int = 0
    tried: list[str] = field(default_factory=list)
    ring_start: int = 0


class Window:
    """One run of the queue from ``open_t`` (first arrival) to ``close_t`` (no arrivals after).

    The run goes on after ``close_t`` until every call has ended and every operator in
    ``shifts`` with a logoff time has logged off.
    """

    def __init__(
        self,
        ctx: Context,
        open_t: int,
        close_t: int,
        shifts: list[Shift],
        rates: list[tuple[int, int, float]],
    ) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.close_t = close_t
        self.heap: list[tuple[int, int, int, Any]] = []
        self.n = 0
        self.waiting: list[_InCall] = []
        self.agents: list[_Agent] = []
        for shift in shifts:
            agent = _Agent(shift.operator)
            self.agents.append(agent)
            if shift.login is None:
                agent.state = "busy"
                self._push(max(open_t, shift.available), _FREE, agent)
            else:
                self._push(shift.login, _LOGIN, agent)
            for due, seconds, reason in shift.pauses:
                self._push(due, _PAUSE_DUE, (agent, seconds, reason))
            if shift.logoff is not None:
                self._push(shift.logoff, _LOGOFF_DUE, agent)
        for a, b, per_hour in rates:
            if per_hour <= 0:
                continue
            t = a + self.rng.expovariate(per_hour / 3600)
            while t < b:
                self._push(int(t), _ARRIVE, None)
                t += self.rng.expovariate(per_hour / 3600)
        # Repeat calls scheduled by earlier windows.
        keep = []
        for item in ctx.deferred:
            due, caller, queue, category = item
            if due >= close_t:
                keep.append(item)
                continue
            if due < open_t:
                due = open_t + self.rng.randint(0, max(1, min(5400, close_t - open_t - 1)))
            self._push(due, _ARRIVE, (caller, queue, category))
        ctx.deferred = keep

    def _push(self, t: int, kind: int, payload: Any) -> None:
        self.n += 1
        heapq.heappush(self.heap, (t, kind, self.n, payload))

    def run(self) -> dict[str, int]:
        """Run to the end; returns when each operator is free again (for the next window)."""
        handlers: dict[int, Callable[[int, Any], None]] = {
            _LOGIN: self._login,
            _PAUSE_END: self._pause_end,
            _FREE: self._free,
            _RING_END: self._ring_end,
            _CALL_END: self._call_end,
            _ARRIVE: self._arrive,
            _GIVE_UP: self._give_up,
            _EMPTY: self._exit_empty,
            _PAUSE_DUE: self._pause_due,
            _LOGOFF_DUE: self._logoff_due,
        }
        while self.heap:
            t, kind, _, payload = heapq.heappop(self.heap)
            handlers[kind](t, payload)
        return {a.op.name: a.free_at for a in self.agents}

    # -- operators --------------------------------------------------------------------------
    def _state_event(
        self, t: int, agent: _Agent, event: str, queue: str | None, reason: str | None = None
    ) -> None:
        self.ctx.state_events.append(AgentEvent(t, agent.op.name, event, queue, reason=reason))

    def _members(self, queue: str) -> bool:
        """Whether an operator of ``queue`` is logged in and not paused (``leavewhenempty``)."""
        return any(a.state not in ("off", "paused") and queue in a.op.queues for a in self.agents)

    def _login(self, t: int, agent: _Agent) -> None:
        self._state_event(t, agent, "AGENTLOGIN", None)
        for queue in agent.op.queues:
            self._state_event(t, agent, "ADDMEMBER", queue)
        agent.state = "idle"
        agent.idle_since = t
        self._dispatch(t)

    def _logoff(self, t: int, agent: _Agent) -> None:
        for queue in agent.op.queues:
            self._state_event(t, agent, "REMOVEMEMBER", queue)
        self._state_event(t, agent, "AGENTLOGOFF", None)
        agent.state = "off"
        agent.token += 1
        agent.free_at = t
        self._empty_queues(t, agent)

    def _empty_queues(self, t: int, agent: _Agent) -> None:
        """Callers leave a queue whose operators are all logged off or paused (EXITEMPTY)."""
        for queue in agent.op.queues:
            if self._members(queue):
                continue
            for inc in self.waiting:
                if inc.call.queue == queue and inc.state == "waiting":
                    inc.state = "leaving"
                    self._push(t + self.rng.randint(1, 4), _EMPTY, inc)

    def _logoff_due(self, t: int, agent: _Agent) -> None:
        if agent.state in ("idle", "paused"):
            self._logoff(t, agent)
        elif agent.state != "off":
            agent.logoff_pending = True

    def _pause_due(self, t: int, payload: tuple[_Agent, int, str]) -> None:
        agent, seconds, reason = payload
        if agent.state == "off" or agent.logoff_pending:
            return
        if agent.state == "idle":
            self._start_pause(t, agent, seconds, reason)
        else:
            agent.pending_pauses.append((seconds, reason))

    def _start_pause(self, t: int, agent: _Agent, seconds: int, reason: str) -> None:
        agent.state = "paused"
        agent.token += 1
        for queue in agent.op.queues:
            self._state_event(t, agent, "PAUSE", queue, reason)
        self._push(t + seconds, _PAUSE_END, (agent, agent.token, reason))
        self._empty_queues(t, agent)

    def _pause_end(self, t: int, payload: tuple[_Agent, int, str]) -> None:
        agent, token, reason = payload
        if agent.state != "paused" or agent.token != token:
            return
        for queue in agent.op.queues:
            self._state_event(t, agent, "UNPAUSE", queue, reason)
        agent.state = "busy"
        self._free(t, agent)

    def _free(self, t: int, agent: _Agent) -> None:
        """The operator is done with a call, a pause or a ring: next pause, logoff or work."""
        if agent.state == "off":
            return
        agent.free_at = t
        if agent.logoff_pending:
            agent.logoff_pending = False
            self._logoff(t, agent)
            return
        if agent.pending_pauses:
            seconds, reason = agent.pending_pauses.pop(0)
            self._start_pause(t, agent, seconds, reason)
            return
        agent.state = "idle"
        agent.idle_since = t
        self._dispatch(t)
        if agent.state == "idle":
            self._maybe_call_back(t, agent)

    # -- calls ------------------------------------------------------------------------------
    def _arrive(self, t: int, payload: tuple[str, str, str | None] | None) -> None:
        ctx, rng = self.ctx, self.rng
        caller, queue, category = ctx.next_caller(payload)
        seq = ctx.next_seq()
        position = 1 + sum(1 for c in self.waiting if c.call.queue == queue)
        call = SimCall(f"{t}.{seq}", t, queue, caller, position=position)
        ctx.calls.append(call)
        ctx.recent.append((t, caller, queue, category))
        if len(ctx.recent) > 2000:
            del ctx.recent[:1000]
        end_event, talk = ctx.call_ending(queue, category)
        inc = _InCall(call, category, ctx.patience(), talk, end_event)
        self.waiting.append(inc)
        if not self._members(queue):
            inc.state = "leaving"
            self._push(t + rng.randint(1, 4), _EMPTY, inc)
            return
        timeout = _QUEUE_TIMEOUT.get(queue, 300)
        limit = timeout if inc.patience is None else min(inc.patience, timeout)
        self._push(t + max(2, limit), _GIVE_UP, inc)
        self._dispatch(t)

    def _position(self, inc: _InCall) -> int:
        pos = 1
        for other in self.waiting:
            if other is inc:
                return pos
            if other.call.queue == inc.call.queue:
                pos += 1
        return pos

    def _leave(self, t: int, inc: _InCall, event: str, disposition: str) -> None:
        call = inc.call
        call.exit_event = event
        call.exit_position = self._position(inc)
        call.disposition = disposition
        call.wait_seconds = t - call.started_at
        call.ended_at = t
        inc.state = "gone"
        self.waiting.remove(inc)
        if event == "ABANDON":
            r = self.rng.random()
            if r < 0.45:
                self._repeat(t + self.rng.randint(60, 3600), call, inc.category)
            elif r < 0.70:
                self.ctx.callbacks.append((t, call.caller, call.queue or "support"))

    def _repeat(self, due: int, call: SimCall, category: str | None) -> None:
        item = (call.caller, call.queue or "support", category)
        if due < self.close_t:
            self._push(due, _ARRIVE, item)
        else:
            self.ctx.deferred.append((due, *item))

    def _give_up(self, t: int, inc: _InCall) -> None:
        if inc.state not in ("waiting", "ringing"):
            return
        if inc.state == "ringing":
            agent = next(a for a in self.agents if a.op.name == inc.call.agent)
            inc.call.agent = None
            inc.token += 1
            agent.token += 1
            agent.state = "busy"
            self._leave_by_patience(t, inc)
            self._free(t, agent)
            return
        self._leave_by_patience(t, inc)

    def _leave_by_patience(self, t: int, inc: _InCall) -> None:
        timeout = _QUEUE_TIMEOUT.get(inc.call.queue or "", 300)
        if inc.patience is not None and inc.patience < timeout:
            self._leave(t, inc, "ABANDON", "abandoned")
        else:
            self._leave(t, inc, "EXITWITHTIMEOUT", "missed")

    def _exit_empty(self, t: int, inc: _InCall) -> None:
        if inc.state == "leaving":
            self._leave(t, inc, "EXITEMPTY", "missed")

    def _dispatch(self, t: int) -> None:
        for inc in list(self.waiting):
            if inc.state != "waiting":
                continue
            queue = inc.call.queue
            best: _Agent | None = None
            for agent in self.agents:
                if (
                    agent.state == "idle"
                    and queue in agent.op.queues
                    and agent.op.name not in inc.tried
                    and (best is None or agent.idle_since < best.idle_since)
                ):
                    best = agent
            if best is not None:
                self._ring(t, inc, best)

    def _ring(self, t: int, inc: _InCall, agent: _Agent) -> None:
        rng = self.rng
        agent.state = "ringing"
        agent.token += 1
        inc.state = "ringing"
        inc.token += 1
        inc.ring_start = t
        inc.call.agent = agent.op.name
        if rng.random() < _RING_NO_ANSWER:
            self._push(t + _RING_TIMEOUT, _RING_END, (inc, agent, inc.token, False))
        else:
            ring = rng.randint(2, 8) if rng.random() < 0.9 else rng.randint(9, 14)
            self._push(t + ring, _RING_END, (inc, agent, inc.token, True))

    def _ring_end(self, t: int, payload: tuple[_InCall, _Agent, int, bool]) -> None:
        inc, agent, token, answered = payload
        if inc.token != token or inc.state != "ringing":
            return
        call = inc.call
        if not answered:
            call.agent_events.append(
                AgentEvent(
                    t,
                    agent.op.name,
                    "RINGNOANSWER",
                    call.queue,
                    call_id=call.call_id,
                    ring_ms=_RING_TIMEOUT * 1000,
                )
            )
            call.agent = None
            inc.tried.append(agent.op.name)
            inc.state = "waiting"
            agent.state = "busy"
            self._free(t, agent)
            self._dispatch(t)
            return
        inc.state = "talking"
        self.waiting.remove(inc)
        call.answered_at = t
        call.wait_seconds = t - call.started_at
        call.ring_seconds = t - inc.ring_start
        call.bridged_id = f"{inc.ring_start}.{self.ctx.next_seq()}"
        call.disposition = "answered"
        agent.state = "busy"
        self._push(t + inc.talk, _CALL_END, (inc, agent))

    def _call_end(self, t: int, payload: tuple[_InCall, _Agent]) -> None:
        inc, agent = payload
        rng = self.rng
        call = inc.call
        call.ended_at = t
        call.talk_seconds = t - (call.answered_at or t)
        call.exit_event = inc.end_event
        solved = self.ctx.wrap_up(call, t, inc.category)
        if not solved and rng.random() < 0.3:
            self._repeat(t + rng.randint(20 * 3600, 72 * 3600), call, inc.category)
        agent.state = "busy"
        self._push(t + rng.randint(5, 40), _FREE, agent)

    def _maybe_call_back(self, t: int, agent: _Agent) -> None:
        ctx, rng = self.ctx, self.rng
        if t >= self.close_t or not ctx.callbacks:
            return
        ctx.callbacks = [cb for cb in ctx.callbacks if t - cb[0] < 4 * 3600]
        due = [
            i
            for i, (since, _, queue) in enumerate(ctx.callbacks)
            if queue in agent.op.queues and t - since >= 120
        ]
        if not due or rng.random() >= 0.3:
            return
        _, caller, queue = ctx.callbacks.pop(due[0])
        ended = ctx.call_back(t, caller, queue, agent.op.name)
        agent.state = "busy"
        agent.token += 1
        self._push(ended + rng.randint(5, 30), _FREE, agent)
