"""What a live screen keeps between refreshes: today's calls and the operators' recent events,
brought up to date from the store's changes, with today's figures kept as running sums.

:class:`LiveDay` reads the day once (and again at local midnight); after that each
:meth:`LiveDay.sync` reads only the calls written since the change number it has seen and the
agent events stored since the last one it has (:mod:`carewatch.store.changeseq`: numbers the
store gives in commit order, not a writer's clock), takes each changed call's old row out of
the sums and puts the new one in. Today's KPIs (in total and per queue) are then a snapshot of
the sums (:func:`carewatch.kpi.engine.snapshot_of`), the centre now comes from the calls without
an end (:class:`~carewatch.kpi.now.NowCalls`) and the events folded so far
(:class:`~carewatch.kpi.now.AgentFold`), and the newest calls come from the end of lists kept
in start order. A refresh costs what changed, not the length of the day; the memory is today's
calls (and the last hours of yesterday's, for the centre now).

Pure of any screen: the refresh worker of the TUI calls it from its thread.
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from carewatch.config import Config
from carewatch.config.screen import fold
from carewatch.figures import events_since
from carewatch.kpi.engine import snapshot_of
from carewatch.kpi.now import STALE_CALL_SECONDS, AgentFold, NowCalls, NowState
from carewatch.kpi.tally import KpiTally
from carewatch.kpi.windows import Window, day_window
from carewatch.records import UNREACHABLE_RING, CallRow, IssueRow
from carewatch.store import Store

_Key = tuple[float, int]


class _Ordered:
    """Calls in start order (``(started_at, id)`` keys), kept sorted as calls come and go."""

    __slots__ = ("keys",)

    def __init__(self) -> None:
        self.keys: list[_Key] = []

    def add(self, call: CallRow) -> None:
        key = (call.started_at, call.id)
        keys = self.keys
        if not keys or keys[-1] < key:
            keys.append(key)  # the usual case: the newest call
        else:
            bisect.insort(keys, key)

    def remove(self, call: CallRow) -> None:
        key = (call.started_at, call.id)
        i = bisect.bisect_left(self.keys, key)
        if i < len(self.keys) and self.keys[i] == key:
            del self.keys[i]

    def newest_first(self, start: float, end: float) -> Iterator[int]:
        """The ids of the calls that started in [start, end), newest first."""
        keys = self.keys
        i = bisect.bisect_left(keys, (end, -1)) - 1
        while i >= 0 and keys[i][0] >= start:
            yield keys[i][1]
            i -= 1


class LiveDay:
    """Today's calls and figures, in memory, for one screen (see the module doc).

    ``own``: the agent ids (folded) of the operator at the keyboard, whose calls the table
    shows first.
    """

    def __init__(self, config: Config, own: frozenset[str] = frozenset()) -> None:
        self.config = config
        self.own = own
        self.day: date | None = None
        self.today: Window | None = None
        self.seq = 0
        self.event_id = 0
        #: Calls kept: those that started from :data:`STALE_CALL_SECONDS` before today's
        #: start to its end, by primary key.
        self.calls: dict[int, CallRow] = {}
        #: How many times :meth:`sync` found something new (a refresh with nothing new can
        #: skip painting).
        self.changes = 0
        #: How many changed calls :meth:`sync` found that started before the calls it keeps
        #: (a cache of an older day compares it to know whether to read that day again).
        self.older_changes = 0
        self._reset(None)

    def _reset(self, today: Window | None) -> None:
        config = self.config
        self.today = today
        self.calls = {}
        self._order = _Ordered()
        self._own_order = _Ordered()
        self._queue_order: dict[str, _Ordered] = {}
        self._tally = KpiTally(config)
        self._queue_tally: dict[str, KpiTally] = {}
        #: (agent, queue) -> calls of today with both (which queues an operator serves).
        self._agent_queues: Counter[tuple[str, str]] = Counter()
        self._agents: Counter[str] = Counter()  # every call kept
        self._queues: Counter[str] = Counter()
        self._rings: Counter[tuple[str, str | None]] = Counter()
        self._unreachable: Counter[tuple[str, str | None]] = Counter()
        self._events: list[Mapping[str, Any]] = []
        self._fold = AgentFold()
        self._recent = NowCalls()
        self._recent_ids: set[int] = set()
        self._recent_until = -1e300  # calls started up to here are in _recent (or expired)
        self._future: list[_Key] = []  # heap: kept calls that started after _recent_until
        self._expiry: list[_Key] = []  # heap: calls in _recent, by start

    # -- reading the store ----------------------------------------------------------------------
    def sync(self, store: Store, now: float) -> bool:
        """Bring the day up to date with ``store`` at ``now``; whether anything changed."""
        tz = self.config.tz
        day = datetime.fromtimestamp(now, tz).date()
        if day != self.day:
            today = day_window(day, tz)
            seq, calls, events = store.live_start(
                today.start - STALE_CALL_SECONDS, today.end, events_since(now, tz)
            )
            self.begin(today, seq, calls, events)
            return True
        changed, events = store.changes_after(self.seq, self.event_id)
        span_start = self.today.start - STALE_CALL_SECONDS if self.today else 0.0
        for seq, call in changed:
            if call.started_at < span_start:
                self.older_changes += 1
            old = self.calls.get(call.id)
            if old is not None:
                self._take(old)
            self._put(call)
            self.seq = max(self.seq, seq)
        if events:
            self.event_id = max(self.event_id, max(int(e["id"]) for e in events))
            self._add_events(events)
        if changed or events:
            self.changes += 1
            return True
        return False

    def begin(
        self,
        today: Window,
        seq: int,
        calls: Iterable[CallRow],
        events: list[dict[str, Any]],
    ) -> None:
        """Start the day ``today`` from a consistent read: the change number ``seq``, the calls
        that started from :data:`STALE_CALL_SECONDS` before it to its end, and the agent
        events since :func:`~carewatch.figures.events_since`."""
        self._reset(today)
        self.day = datetime.fromtimestamp(today.start, self.config.tz).date()
        self.seq = seq
        self.event_id = max((int(e.get("id") or 0) for e in events), default=0)
        for call in calls:
            self._put(call)
        self._add_events(events)
        self.changes += 1

    def apply(self, call: CallRow) -> None:
        """Take in one call as it is now (its old row, if kept, is taken out first)."""
        old = self.calls.get(call.id)
        if old is not None:
            self._take(old)
        self._put(call)

    def _add_events(self, events: list[dict[str, Any]]) -> None:
        today = self.today
        assert today is not None
        self._events.extend(events)
        self._fold.add(events)
        for e in events:
            if today.start <= e["at"] < today.end:
                if e.get("event") == "RINGNOANSWER":
                    self._rings[(e["agent"], e.get("queue"))] += 1
                elif e.get("event") == UNREACHABLE_RING:
                    self._unreachable[(e["agent"], e.get("queue"))] += 1

    # -- one call in, one call out --------------------------------------------------------------
    def _put(self, call: CallRow) -> None:
        today = self.today
        assert today is not None
        if not (today.start - STALE_CALL_SECONDS <= call.started_at < today.end):
            return
        self.calls[call.id] = call
        self._count(call, 1)

    def _take(self, call: CallRow) -> None:
        del self.calls[call.id]
        self._count(call, -1)

    def _count(self, call: CallRow, sign: int) -> None:
        today = self.today
        assert today is not None
        step = self._order.add if sign > 0 else self._order.remove
        step(call)
        agent, queue = call.agent, call.queue
        if agent:
            _bump(self._agents, agent, sign)
            if fold(agent) in self.own:
                (self._own_order.add if sign > 0 else self._own_order.remove)(call)
        if queue:
            _bump(self._queues, queue, sign)
            order = self._queue_order.get(queue)
            if order is None:
                order = self._queue_order[queue] = _Ordered()
            (order.add if sign > 0 else order.remove)(call)
        if call.id in self._recent_ids:  # the centre now
            self._recent.add(call, -1)
            self._recent_ids.discard(call.id)
        if sign > 0:
            if call.started_at <= self._recent_until:
                if self._recent_until - call.started_at <= STALE_CALL_SECONDS:
                    self._enter_recent(call)
            else:
                heapq.heappush(self._future, (call.started_at, call.id))
        if not (today.start <= call.started_at < today.end):
            return
        self._tally.add(call, sign)
        if queue:
            tally = self._queue_tally.get(queue)
            if tally is None:
                tally = self._queue_tally[queue] = KpiTally(self.config)
            tally.add(call, sign)
            if agent:
                _bump(self._agent_queues, (agent, queue), sign)
            if not tally.offered and not tally.outbound:
                del self._queue_tally[queue]

    def _enter_recent(self, call: CallRow) -> None:
        self._recent.add(call)
        self._recent_ids.add(call.id)
        heapq.heappush(self._expiry, (call.started_at, call.id))

    def now_state(self, now: float) -> NowState:
        """The centre at ``now`` (:func:`carewatch.figures.live_state`'s reading)."""
        if now < self._recent_until:  # the clock went back: take the recent calls anew
            for pk in list(self._recent_ids):
                self._recent.add(self.calls[pk], -1)
            self._recent_ids.clear()
            self._future = [(c.started_at, c.id) for c in self.calls.values()]
            heapq.heapify(self._future)
            self._expiry = []
            self._recent_until = -1e300
        self._recent_until = now
        future, calls = self._future, self.calls
        while future and future[0][0] <= now:
            started, pk = heapq.heappop(future)
            call = calls.get(pk)
            current = call is not None and call.started_at == started
            if current and now - started <= STALE_CALL_SECONDS and pk not in self._recent_ids:
                self._enter_recent(call)  # type: ignore[arg-type]
        expiry = self._expiry
        while expiry and now - expiry[0][0] > STALE_CALL_SECONDS:
            started, pk = heapq.heappop(expiry)
            call = calls.get(pk)
            if pk in self._recent_ids and call is not None and call.started_at == started:
                self._recent.add(call, -1)
                self._recent_ids.discard(pk)
        return self._recent.state(self._fold.tracks_at(now), now)

    # -- what a refresh shows -------------------------------------------------------------------
    def kpis(
        self,
        queue: str | None,
        issues: list[IssueRow],
        now: float,
    ) -> dict[str, Any]:
        """Today's snapshot (of one queue, if given) from the running sums."""
        today = self.today
        assert today is not None
        if queue is None:
            tally = self._tally
        else:
            tally = self._queue_tally.get(queue) or KpiTally(self.config)
        return snapshot_of(
            tally,
            self.config,
            window=today,
            issues=issues,
            missed_rings=_per_agent(self._rings, queue),
            unreachable_rings=_per_agent(self._unreachable, queue),
            now=now,
        )

    def events_in(self, window: Window) -> list[Mapping[str, Any]]:
        """The agent events kept that fall in ``window``."""
        return [e for e in self._events if window.start <= e["at"] < window.end]

    def window_calls(self, window: Window, queue: str | None) -> list[CallRow]:
        """The calls kept that started in ``window`` (of one queue), oldest first."""
        order = self._order if queue is None else self._queue_order.get(queue, _Ordered())
        found = [self.calls[pk] for pk in order.newest_first(window.start, window.end)]
        found.reverse()
        return found

    def newest(self, window: Window, queue: str | None) -> Iterator[CallRow]:
        """The calls of ``window`` (of one queue), newest first."""
        order = self._order if queue is None else self._queue_order.get(queue, _Ordered())
        for pk in order.newest_first(window.start, window.end):
            yield self.calls[pk]

    def own_newest(self, window: Window, queue: str | None) -> Iterator[CallRow]:
        """The operator's own calls of ``window`` (of one queue), newest first."""
        for pk in self._own_order.newest_first(window.start, window.end):
            call = self.calls[pk]
            if queue is None or call.queue == queue:
                yield call

    def queues(self) -> tuple[str, ...]:
        """Every queue of the calls kept, sorted."""
        return tuple(sorted(self._queues))

    def agents(self) -> set[str]:
        """Every agent of the calls kept (folded)."""
        return {fold(a) for a in self._agents}

    def agent_queues(self, queue: str | None) -> dict[str, set[str]]:
        """Operator -> the queues of their calls today (of one queue, if given)."""
        out: dict[str, set[str]] = {}
        for agent, q in self._agent_queues:
            if queue is None or q == queue:
                out.setdefault(agent, set()).add(q)
        return out


def _per_agent(counts: Counter[tuple[str, str | None]], queue: str | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for (agent, q), n in counts.items():
        if queue is None or q == queue:
            out[agent] = out.get(agent, 0) + n
    return out


def _bump(counter: Counter[Any], key: Any, sign: int) -> None:
    left = counter[key] + sign
    if left:
        counter[key] = left
    else:
        del counter[key]
