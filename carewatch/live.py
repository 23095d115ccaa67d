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
calls (and the last hours of yesterday's, for the centre now), kept column-wise in flat arrays
(:class:`~carewatch.daycalls.DayCalls`: about 150 bytes a call) and rebuilt as rows when read.

Pure of any screen: the refresh worker of the TUI calls it from its thread.
"""

from __future__ import annotations

import bisect
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from carewatch.config import Config
from carewatch.config.screen import AgentNames, fold
from carewatch.daycalls import DayCalls
from carewatch.figures import events_since
from carewatch.kpi.engine import snapshot_of
from carewatch.kpi.now import (
    STALE_CALL_SECONDS,
    AgentFold,
    NowCalls,
    NowState,
    note_call,
    note_seen,
)
from carewatch.kpi.tally import KpiTally
from carewatch.kpi.windows import Window, day_window
from carewatch.records import UNREACHABLE_RING, CallRow, IssueRow, Seen
from carewatch.store import Store


class _Ordered:
    """Calls in start order (by ``started_at``, then id), kept sorted as calls come and go:
    two flat arrays (16 bytes a call) rather than a tuple per call (the operator's own)."""

    __slots__ = ("ids", "starts")

    def __init__(self) -> None:
        self.starts = array("d")
        self.ids = array("q")

    def _index(self, started: float, pk: int) -> int:
        starts, ids = self.starts, self.ids
        i = bisect.bisect_left(starts, started)
        while i < len(starts) and starts[i] == started and ids[i] < pk:
            i += 1
        return i

    def add(self, call: CallRow) -> None:
        starts, ids = self.starts, self.ids
        started, pk = call.started_at, call.id
        if not starts or (starts[-1], ids[-1]) < (started, pk):
            starts.append(started)  # the usual case: the newest call
            ids.append(pk)
            return
        i = self._index(started, pk)
        starts.insert(i, started)
        ids.insert(i, pk)

    def remove(self, call: CallRow) -> None:
        i = self._index(call.started_at, call.id)
        if i < len(self.starts) and self.starts[i] == call.started_at and self.ids[i] == call.id:
            del self.starts[i]
            del self.ids[i]

    def newest_first(self, start: float, end: float) -> Iterator[int]:
        """The ids of the calls that started in [start, end), newest first."""
        starts, ids = self.starts, self.ids
        i = bisect.bisect_left(starts, end) - 1
        while i >= 0 and starts[i] >= start:
            yield ids[i]
            i -= 1


class LiveDay:
    """Today's calls and figures, in memory, for one screen (see the module doc).

    ``own``: the agent ids (folded) of the operator at the keyboard, whose calls the table
    shows first.
    """

    def __init__(self, config: Config, own: frozenset[str] = frozenset()) -> None:
        self.config = config
        self.own = own
        #: Agent id -> the operator it is (``[operators]``): the same both ways, as a call's
        #: old row is taken out of the sums and its new one put in.
        self.names = AgentNames(config.operators)
        self.day: date | None = None
        self.today: Window | None = None
        self.seq = 0
        self.event_id = 0
        #: Calls kept: those that started from :data:`STALE_CALL_SECONDS` before today's
        #: start to its end, column-wise.
        self.calls = DayCalls()
        #: How many times :meth:`sync` found something new (a refresh with nothing new can
        #: skip painting).
        self.changes = 0
        #: How many changed calls :meth:`sync` found that started before the calls it keeps
        #: (a cache of an older day compares it to know whether to read that day again).
        self.older_changes = 0
        #: Whether the operator's agents are in calls of earlier days (asked once, when no
        #: call or event of the last two days shows them: a quiet morning is no mismatch).
        self.own_in_history: bool | None = None
        self._reset(None)

    def _reset(self, today: Window | None) -> None:
        config = self.config
        self.today = today
        self.calls = DayCalls()
        self._own_order = _Ordered()
        self._tally = KpiTally(config, self.names)
        self._queue_tally: dict[str, KpiTally] = {}
        #: (agent, queue) -> calls of today with both (which queues an operator serves).
        self._agent_queues: Counter[tuple[str, str]] = Counter()
        self._agents: Counter[str] = Counter()  # every call kept
        self._queues: Counter[str] = Counter()
        self._rings: Counter[tuple[str, str | None]] = Counter()
        self._unreachable: Counter[tuple[str, str | None]] = Counter()
        self._events: list[Mapping[str, Any]] = []
        self._fold = AgentFold(names=self.names)
        #: The calls that started in [_recent_from, _recent_until]: those the centre now reads.
        self._recent = NowCalls(names=self.names)
        self._recent_from = self._recent_until = -1e300
        #: Operator -> when last seen on a call kept (whether they are away).
        self._last_calls: dict[str, float] = {}

    # -- reading the store ----------------------------------------------------------------------
    def sync(self, store: Store, now: float) -> bool:
        """Bring the day up to date with ``store`` at ``now``; whether anything changed."""
        tz = self.config.tz
        day = datetime.fromtimestamp(now, tz).date()
        if day != self.day:
            today = day_window(day, tz)
            seq, calls, events, seen = store.live_start(
                today.start - STALE_CALL_SECONDS, today.end, events_since(now, tz)
            )
            self.begin(today, seq, calls, events, seen)
            return True
        changed, events = store.changes_after(self.seq, self.event_id)
        span_start = self.today.start - STALE_CALL_SECONDS if self.today else 0.0
        for seq, call in changed:
            if call.started_at < span_start:
                self.older_changes += 1
            self.apply(call)
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
        seen: Iterable[Seen] = (),
    ) -> None:
        """Start the day ``today`` from a consistent read: the change number ``seq``, the calls
        that started from :data:`STALE_CALL_SECONDS` before it to its end, the agent events
        since :func:`~carewatch.figures.events_since`, and the answered calls between that and
        the calls kept (``seen``: when each operator was last on a call before them, for
        whether they are away early in the day)."""
        self._reset(today)
        note_seen(self._last_calls, seen, self.names)
        self.day = datetime.fromtimestamp(today.start, self.config.tz).date()
        self.seq = seq
        self.event_id = max((int(e.get("id") or 0) for e in events), default=0)
        for call in calls:
            if self._keeps(call):
                self._count(self.calls.put(call), 1)
        self._add_events(events)
        self.changes += 1

    def apply(self, call: CallRow) -> None:
        """Take in one call as it is now (its old row, if kept, is taken out first)."""
        old = self.calls.get(call.id)
        if old is not None:
            self._count(old, -1)
        if self._keeps(call):
            self._count(self.calls.put(call), 1)  # in place of the old one
        elif old is not None:
            self.calls.pop(call.id)

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
    def _keeps(self, call: CallRow) -> bool:
        """Whether ``call`` is one of those kept (see :attr:`calls`)."""
        today = self.today
        assert today is not None
        return today.start - STALE_CALL_SECONDS <= call.started_at < today.end

    def _count(self, call: CallRow, sign: int) -> None:
        today = self.today
        assert today is not None
        agent, queue = call.agent, call.queue
        if agent:
            _bump(self._agents, agent, sign)
            if sign > 0:
                note_call(self._last_calls, call, self.names)
            if fold(agent) in self.own:
                (self._own_order.add if sign > 0 else self._own_order.remove)(call)
        if queue:
            _bump(self._queues, queue, sign)
        if self._recent_from <= call.started_at <= self._recent_until:  # the centre now
            self._recent.add(call, sign)
        if not (today.start <= call.started_at < today.end):
            return
        self._tally.add(call, sign)
        if queue:
            tally = self._queue_tally.get(queue)
            if tally is None:
                tally = self._queue_tally[queue] = KpiTally(self.config, self.names)
            tally.add(call, sign)
            if agent:
                _bump(self._agent_queues, (self.names[agent], queue), sign)
            if not tally.offered and not tally.outbound:
                del self._queue_tally[queue]

    def now_state(self, now: float) -> NowState:
        """The centre at ``now`` (:func:`carewatch.figures.live_state`'s reading): the calls
        that started in the last :data:`STALE_CALL_SECONDS`, moved in and out of the reading
        as time passes (ranges of the calls kept in start order)."""
        start, until = now - STALE_CALL_SECONDS, now
        calls = self.calls
        if now < self._recent_until or start > self._recent_until:
            # the clock went back, or jumped past the whole window: read the window anew
            self._recent = NowCalls(calls.between(start, until), self.names)
        else:
            for call in calls.between(self._recent_from, start, upper=False):
                self._recent.remove(call)  # started too long ago now
            for call in calls.between(self._recent_until, until, lower=False):
                self._recent.add(call)  # started since the last reading
        self._recent_from, self._recent_until = start, until
        away = self.config.ui.away_after_minutes * 60.0
        return self._recent.state(self._fold.tracks_at(now), now, away, self._last_calls)

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
            tally = self._queue_tally.get(queue) or KpiTally(self.config, self.names)
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
        return self.calls.between(window.start, window.end, upper=False, queue=queue)

    def newest(self, window: Window, queue: str | None) -> Iterator[CallRow]:
        """The calls of ``window`` (of one queue), newest first."""
        return self.calls.newest_first(window.start, window.end, queue)

    def own_newest(self, window: Window, queue: str | None) -> Iterator[CallRow]:
        """The operator's own calls of ``window`` (of one queue), newest first."""
        for pk in self._own_order.newest_first(window.start, window.end):
            call = self.calls.get(pk)
            assert call is not None
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
