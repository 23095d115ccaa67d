"""A contact-centre call simulator: realistic call logs for demos, tests and benchmarks.

Everything is drawn from one ``random.Random(seed)``: the same seed and arguments give the
same calls and the same bytes in every format. No global random state and no wall clock are
used by :func:`generate_calls` (only :func:`simulate_history` without ``now`` and
:func:`run_live` look at the clock).

The centre
==========
* Three queues: ``support`` (about half of the calls), ``sales`` (30 %), ``billing`` (20 %).
  Every operator answers ``support``; a third also answer ``sales`` and ``billing``, the others
  one of the two. A waiting call goes to the operator idle the longest (``leastrecent``).
* Ten operators with invented first names (:data:`OPERATORS`), logged in as their name.
* Working days (Monday–Friday) 08:00–20:00 local time, three shifts: early 08:00–14:00 (four
  operators), middle 09:00–17:30 with lunch (three), late 14:00–20:00 (three); logins and logoffs
  a few minutes either side. Saturday 09:00–13:00 (three operators), Sunday 10:00–13:00 (two).
* Arrivals: a Poisson process whose hourly rate peaks at 10–11 (about 80 new calls an hour on
  a Wednesday, plus callers calling again), dips at lunch, has a smaller bump at 15–16 and
  fades towards 20:00: 600–800 calls on a weekday. Mondays are the busiest, Fridays the
  quietest weekday; Saturday has about 110 calls, Sunday about 70. Each day also has a little
  random variation, and about one day in three is a "shipping day" (a delivery problem) with
  more calls, most of them about shipping (over the 40 % alert share).
* Outcome over a week: about 93 % answered, 6–7 % abandoned, under 1 % missed; service level
  (20 s) around 78 %, average wait about 15 s (over a minute for one call in fifteen), longest
  about five minutes.
* Waits come out of the queue itself: short most of the time, over a minute at peaks. Each
  caller has a patience (some hang up within a minute, some wait long, some never give up):
  ``ABANDON`` when it runs out, ``EXITWITHTIMEOUT`` at the queue's timeout (sales and billing
  240 s, support 300 s), ``EXITEMPTY`` when no operator of the queue is logged in and unpaused
  (``leavewhenempty``: a call before the first login, while all of a queue's operators are on a
  break, or still waiting when the last operator of the day leaves).
* An offered call rings an operator for 2–14 s; about one ring in sixteen is not answered
  (``RINGNOANSWER`` after 15 s) and the call goes to the next operator.
* Talk times are log-normal around a median that depends on the category (shipping about
  2 min, complaints about 4 min; mean about 2 min 40 s, over half over the 120 s target),
  followed by 5–40 s of wrap-up. About 4.5 % of answered calls end in a transfer
  (``TRANSFER`` or ``BLINDTRANSFER``), the rest in ``COMPLETECALLER``/``COMPLETEAGENT``.
* Operators pause (``PAUSE``/``UNPAUSE`` with reason ``break``, ``lunch`` or ``training``),
  log in (``AGENTLOGIN`` then ``ADDMEMBER`` per queue) and out (``REMOVEMEMBER`` per queue then
  ``AGENTLOGOFF``). A pause or logoff due during a call starts when the call is over.
* Repeat callers: many callers who abandon call back within the hour; some callers whose
  issue was not resolved call again one to three days later about the same thing; a few
  callers call again for no visible reason. Some abandoned callers are called back by an
  operator when the queue is empty: these are the outbound calls (``direction`` ``out``; csv
  and jsonl only, a queue_log holds only queue calls).
* Caller numbers come from the UK ranges Ofcom reserves for drama (``+44 113 496 0xxx``,
  ``+44 7700 900xxx``...): realistic, and nobody's real number.
* Tags (answered calls): about 88 % get a category from ``config.categories`` (weighted by queue:
  shipping dominates support, and dominates everything on a shipping day), most get an outcome
  from ``config.outcomes`` (conversions mostly in sales), a resolved flag (complaints and
  transfers are resolved less often) and a few a note (some with commas and quotes). About
  30 % answer a post-call survey: CSAT 1–5 and for most of them NPS 0–10, lower when the wait
  was long or the issue not resolved. Category and outcome names not in the default config get
  neutral weights, so any config works.

Formats
=======
``queue_log``
    Asterisk's ``epoch|callid|queue|agent|EVENT|data...``, one line per event, sorted by time
    across calls: ``ENTERQUEUE |callerid|position`` (url empty), ``RINGNOANSWER ringtime_ms``,
    ``CONNECT holdtime|bridged uniqueid|ringtime``, ``COMPLETECALLER``/``COMPLETEAGENT
    holdtime|calltime|origposition``, ``TRANSFER``/``BLINDTRANSFER ext|context|holdtime|calltime|
    origposition``, ``ABANDON``/``EXITWITHTIMEOUT``/``EXITEMPTY position|origposition|waittime``;
    operator events with callid ``NONE``: ``PAUSE``/``UNPAUSE reason`` and ``ADDMEMBER``/
    ``REMOVEMEMBER`` once per queue of the operator, ``AGENTLOGIN channel`` and ``AGENTLOGOFF
    channel|logintime`` with queue ``NONE``. Call ids are Asterisk uniqueids (``1700000000.123``:
    the start epoch and a sequence number). Outbound calls are not in a queue_log.
``csv``
    carewatch's CSV: a header with :data:`CSV_FIELDS`, then one row per call when it ends (an
    abandoned call when the caller hangs up), with times in ISO 8601 with the offset of the
    centre's time zone. For about 40 % of the tagged calls that row has no tags and a later
    *update row* (same ``call_id``, every other field empty) adds category, outcome, resolved and
    note when the operator tags the call (up to ten minutes later); a survey answer always comes
    as its own update row with ``csat`` and ``nps``, a minute or two after the call. A call still
    in progress at the end of the history (``until``) has one row with what is known so far.
    Rows are in the order they were logged.
``jsonl``
    The same rows as the CSV, one JSON object per line: a call's first row has every field
    (``null`` when unknown; numbers as numbers, ``resolved`` as a boolean); an update row has
    only ``call_id`` and the fields it adds.

Live mode (:func:`run_live`) runs a bigger centre so that a demo looks busy at any hour: 30
operators (all logged in at the start, breaks, some lunch around noon, a little training), always
open, a call every 7–8 s on average in waves of half an hour, enough for queues to build up and
drain; one half-hour in three is a shipping surge.
"""

from __future__ import annotations

import csv
import dataclasses
import heapq
import io
import json
import math
import random
import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as clock_time
from pathlib import Path
from typing import IO, Any

from carewatch.config import Config
from carewatch.records import CALL_FIELDS, AgentEvent
from carewatch.timeutil import combine_local, local_day

__all__ = [
    "CSV_FIELDS",
    "FORMATS",
    "OPERATORS",
    "QUEUES",
    "SimCall",
    "generate_calls",
    "run_live",
    "simulate_history",
    "write_csv",
    "write_jsonl",
    "write_queue_log",
]

#: Formats the simulator writes.
FORMATS: tuple[str, ...] = ("csv", "jsonl", "queue_log")

#: Columns of carewatch's CSV (the SPEC fields, in this order).
CSV_FIELDS: tuple[str, ...] = tuple(f for f in ("call_id", *CALL_FIELDS) if f != "transferred")

QUEUES: tuple[str, ...] = ("sales", "support", "billing")

#: Invented first names; the history uses the first ten, live mode all of them.
OPERATORS: tuple[str, ...] = (
    "Alba",
    "Bruno",
    "Carla",
    "Dario",
    "Elena",
    "Filip",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Luca",
    "Mara",
    "Nils",
    "Olga",
    "Pablo",
    "Rosa",
    "Samir",
    "Tina",
    "Umar",
    "Vera",
    "Wim",
    "Yara",
    "Zeno",
    "Ada",
    "Bela",
    "Cyril",
    "Dina",
    "Emil",
    "Flora",
)

HISTORY_OPERATORS = 10
LIVE_OPERATORS = 30

# -- the centre's parameters -----------------------------------------------------------------

_QUEUE_SHARE = {"sales": 0.30, "support": 0.50, "billing": 0.20}
_QUEUE_TIMEOUT = {"sales": 240, "support": 300, "billing": 240}
_TRANSFER_CONTEXT = "from-internal"
_TRANSFER_EXTENSIONS = ("2001", "2002", "2005", "2010", "2100")

#: Calls an hour at the 10–11 peak of a Wednesday.
_PEAK_RATE = 80.0
#: Local hour -> share of the peak rate, Monday to Friday (08:00–20:00).
_WEEKDAY_HOURS = {
    8: 0.45,
    9: 0.80,
    10: 1.00,
    11: 0.92,
    12: 0.66,
    13: 0.55,
    14: 0.62,
    15: 0.72,
    16: 0.66,
    17: 0.52,
    18: 0.38,
    19: 0.24,
}
_SATURDAY_HOURS = {9: 0.30, 10: 0.30, 11: 0.26, 12: 0.20}
_SUNDAY_HOURS = {10: 0.13, 11: 0.12, 12: 0.10}
#: Monday .. Friday volume factors.
_WEEKDAY_FACTOR = (1.15, 1.05, 1.0, 0.97, 0.92)

_RING_NO_ANSWER = 1 / 16
_RING_TIMEOUT = 15

#: Median talk seconds by category (other names: 150 s).
_TALK_MEDIAN = {
    "pre-sale": 175,
    "shipping": 110,
    "order": 140,
    "admin": 125,
    "complaint": 250,
}
_TALK_SIGMA = 0.5

#: Category weights by queue for the default categories (other names weigh 1).
_CATEGORY_WEIGHTS = {
    "sales": {"pre-sale": 6.0, "order": 3.0, "shipping": 1.0, "admin": 0.5, "complaint": 0.3},
    "support": {"shipping": 6.0, "order": 3.0, "complaint": 1.5, "admin": 1.0, "pre-sale": 0.5},
    "billing": {"admin": 6.0, "order": 1.5, "complaint": 1.5, "shipping": 0.5, "pre-sale": 0.2},
}
_RESOLVE_RATE = {
    "pre-sale": 0.88,
    "shipping": 0.9,
    "order": 0.82,
    "admin": 0.86,
    "complaint": 0.5,
}

_NOTES = {
    "shipping": (
        "Asked for the delivery date, sent the tracking link",
        "Parcel stuck at the depot, opened a claim with the courier",
        'Says the parcel shows "delivered" but never arrived',
        "Wants delivery to a neighbour, address updated",
    ),
    "pre-sale": (
        "Interested in the annual plan; send a quote",
        "Booked a demo for Thursday, 10:30",
        'Asked if the "Pro" model fits, sent the comparison',
    ),
    "order": (
        "Wrong size ordered, exchange arranged",
        "Changed the quantity from 2 to 3, order confirmed",
        "Duplicate order, cancelled the second one",
    ),
    "admin": (
        "Invoice copy requested, sent by email",
        "VAT number added to the account",
        "Changed billing address, effective next invoice",
    ),
    "complaint": (
        'Customer says: "third time I call about this"',
        "Upset about the wait, offered a 10% voucher",
        "Escalated to the team lead, call back by Friday",
    ),
}
_GENERIC_NOTES = (
    "Call back tomorrow, after 3 pm",
    "Caller will send photos by email",
    'Needs a "proper" answer from the back office, will call back',
    "Line was bad, caller rang off and on again",
)

#: UK number ranges Ofcom reserves for drama: 1,000 numbers each, nobody's real number.
_FICTIONAL_PREFIXES = (
    "+441134960",
    "+441144960",
    "+441154960",
    "+441164960",
    "+441174960",
    "+441184960",
    "+441214960",
    "+441314960",
    "+441414960",
    "+441514960",
    "+441614960",
    "+441914980",
    "+442079460",
    "+442920180",
    "+441632960",
    "+447700900",
)


# -- the call record -------------------------------------------------------------------------


@dataclass(slots=True)
class SimCall:
    """One simulated call: the SPEC call fields, how it went through the queue, and events.

    Times are UTC epoch seconds (whole seconds). ``None`` is "not known (yet)": a call still
    waiting has no ``disposition``; a call being talked has ``answered_at`` but no ``ended_at``.
    For an unanswered call ``ended_at`` is when the caller left the queue and ``wait_seconds``
    how long they waited.

    ``agent_events`` are the operator events around this call: its ring-no-answers (with
    ``call_id``), and the state changes of any operator (pause, login...) logged after this
    call started and before the next inbound call started. Walking the calls thus gives every
    event once.
    """

    call_id: str
    started_at: int
    queue: str | None
    caller: str
    direction: str = "in"
    answered_at: int | None = None
    ended_at: int | None = None
    wait_seconds: int | None = None
    talk_seconds: int | None = None
    agent: str | None = None
    disposition: str | None = None
    transferred: bool = False
    category: str | None = None
    outcome: str | None = None
    resolved: bool | None = None
    csat: int | None = None
    nps: int | None = None
    note: str | None = None
    #: queue_log event that ended the call: COMPLETECALLER, COMPLETEAGENT, TRANSFER,
    #: BLINDTRANSFER, ABANDON, EXITWITHTIMEOUT, EXITEMPTY; None in progress or outbound.
    exit_event: str | None = None
    #: Position in the queue on entering, and on leaving unanswered.
    position: int = 1
    exit_position: int | None = None
    #: Seconds the answering operator's phone rang; uniqueid of the operator's channel.
    ring_seconds: int | None = None
    bridged_id: str | None = None
    #: Extension a transferred call went to.
    transfer_to: str | None = None
    #: When the tags (category, outcome, resolved, note) were logged, and whether they are in
    #: the call's own row (True) or come in a later update row (False).
    tagged_at: int | None = None
    tags_in_end_row: bool = True
    #: When the survey answer (csat, nps) was logged (always its own update row).
    rated_at: int | None = None
    agent_events: list[AgentEvent] = field(default_factory=list)

    @property
    def tags(self) -> dict[str, Any]:
        """The tag fields that are set (category, outcome, resolved, note)."""
        values = {
            "category": self.category,
            "outcome": self.outcome,
            "resolved": self.resolved,
            "note": self.note,
        }
        return {k: v for k, v in values.items() if v is not None}


# -- generation context ----------------------------------------------------------------------


@dataclass(slots=True)
class _Operator:
    name: str
    queues: tuple[str, ...]
    index: int


def _operators(count: int) -> list[_Operator]:
    result = []
    for i, name in enumerate(OPERATORS[:count]):
        if i % 3 == 0:
            queues = QUEUES
        elif i % 3 == 1:
            queues = ("sales", "support")
        else:
            queues = ("support", "billing")
        result.append(_Operator(name, queues, i))
    return result


@dataclass(slots=True)
class _Shift:
    operator: _Operator
    login: int | None  # None: already logged in (live mode), available from ``available``
    logoff: int | None
    pauses: list[tuple[int, int, str]]  # (due, seconds, reason)
    available: int = 0


class _Context:
    """State shared by the windows of one generation: ids, callers, callbacks, results."""

    def __init__(self, rng: random.Random, config: Config) -> None:
        self.rng = rng
        self.categories = [c.name for c in config.categories]
        self.outcomes = [o.name for o in config.outcomes]
        self.conversion = [o.name for o in config.outcomes if o.conversion]
        self.seq = rng.randint(100, 999)
        pool = [f"{p}{n:03d}" for p in _FICTIONAL_PREFIXES for n in range(1000)]
        rng.shuffle(pool)
        self.pool = pool
        self.pool_pos = 0
        #: (time, caller, queue, category) of recent inbound calls, for random repeats.
        self.recent: list[tuple[int, str, str, str | None]] = []
        #: Abandoned callers waiting for an operator to call back: (since, caller, queue).
        self.callbacks: list[tuple[int, str, str]] = []
        #: Repeat calls due after the window that scheduled them: (time, caller, queue, cat).
        self.deferred: list[tuple[int, str, str, str | None]] = []
        self.calls: list[SimCall] = []
        self.state_events: list[AgentEvent] = []
        self.shipping_day = False

    def next_seq(self) -> int:
        self.seq += self.rng.randint(1, 3)
        return self.seq

    def fresh_caller(self) -> str:
        caller = self.pool[self.pool_pos % len(self.pool)]
        self.pool_pos += 1
        return caller

    # -- draws ------------------------------------------------------------------------------
    def pick_queue(self) -> str:
        return _weighted(self.rng, list(_QUEUE_SHARE), list(_QUEUE_SHARE.values()))

    def pick_category(self, queue: str) -> str | None:
        if not self.categories:
            return None
        table = _CATEGORY_WEIGHTS.get(queue, {})
        weights = []
        for name in self.categories:
            w = table.get(name, 1.0)
            if self.shipping_day and "ship" in name.lower():
                w *= 3.0 if queue == "support" else 2.0
            weights.append(w)
        return _weighted(self.rng, self.categories, weights)

    def pick_outcome(self, queue: str, category: str | None) -> str | None:
        if not self.outcomes:
            return None
        selling = queue == "sales" or category == "pre-sale"
        p_conversion = 0.36 if selling else 0.07
        conversion = [o for o in self.outcomes if o in self.conversion]
        others = [o for o in self.outcomes if o not in self.conversion]
        names: list[str] = []
        weights: list[float] = []
        for group, share in ((conversion, p_conversion), (others, 1 - p_conversion)):
            if not group:
                continue
            if len(group) == 1:
                names.append(group[0])
                weights.append(share)
                continue
            # The first one listed is the most common (sale, information).
            names.append(group[0])
            weights.append(share * 0.65)
            for name in group[1:]:
                names.append(name)
                weights.append(share * 0.35 / (len(group) - 1))
        return _weighted(self.rng, names, weights)

    def talk_seconds(self, queue: str, category: str | None) -> int:
        median = _TALK_MEDIAN.get(category or "", 150)
        median *= {"sales": 1.05, "billing": 0.95}.get(queue, 1.0)
        value = math.exp(self.rng.gauss(math.log(median), _TALK_SIGMA))
        return int(min(1800, max(12, value)))

    def patience(self) -> int | None:
        """Seconds a caller waits before hanging up; None: until the queue's timeout."""
        r = self.rng.random()
        if r < 0.2:
            return 4 + int(self.rng.expovariate(1 / 45))
        if r < 0.75:
            return 10 + int(self.rng.expovariate(1 / 210))
        return None

    def note(self, category: str | None) -> str:
        options = _NOTES.get(category or "", ())
        if options and self.rng.random() < 0.75:
            return self.rng.choice(options)
        return self.rng.choice(_GENERIC_NOTES)

    def survey(self, solved: bool, wait: int) -> tuple[int, int | None]:
        good, poor = [0.04, 0.05, 0.11, 0.32, 0.48], [0.2, 0.18, 0.25, 0.24, 0.13]
        weights = good if solved else poor
        csat = _weighted(self.rng, [1, 2, 3, 4, 5], weights)
        if wait > 60 and csat > 1 and self.rng.random() < 0.35:
            csat -= 1
        nps = None
        if self.rng.random() < 0.65:
            base = {1: 2, 2: 4, 3: 6, 4: 8, 5: 9}[csat]
            nps = max(0, min(10, base + self.rng.choice((-2, -1, 0, 0, 1, 1))))
        return csat, nps


def _weighted(rng: random.Random, items: Sequence[Any], weights: Sequence[float]) -> Any:
    return rng.choices(items, weights=weights, k=1)[0]


# -- the queue simulation --------------------------------------------------------------------

# Event kinds, in the order they are handled within one second.
_LOGIN, _PAUSE_END, _FREE, _RING_END, _CALL_END, _ARRIVE, _GIVE_UP, _EMPTY = range(8)
_PAUSE_DUE, _LOGOFF_DUE = 8, 9


@dataclass(eq=False, slots=True)
class _Agent:
    op: _Operator
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


class _Window:
    """One run of the queue from ``open_t`` (first arrival) to ``close_t`` (no arrivals after).

    The run goes on after ``close_t`` until every call has ended and every operator in
    ``shifts`` with a logoff time has logged off.
    """

    def __init__(
        self,
        ctx: _Context,
        open_t: int,
        close_t: int,
        shifts: list[_Shift],
        rates: list[tuple[int, int, float]],
    ) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.open_t = open_t
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
        if payload is None:
            if ctx.recent and rng.random() < 0.04:
                _, caller, queue, category = rng.choice(ctx.recent[-400:])
            else:
                caller, queue, category = ctx.fresh_caller(), ctx.pick_queue(), None
        else:
            caller, queue, category = payload
        if category is None or rng.random() < 0.2:
            category = ctx.pick_category(queue)
        seq = ctx.next_seq()
        position = 1 + sum(1 for c in self.waiting if c.call.queue == queue)
        call = SimCall(f"{t}.{seq}", t, queue, caller, position=position)
        ctx.calls.append(call)
        ctx.recent.append((t, caller, queue, category))
        if len(ctx.recent) > 2000:
            del ctx.recent[:1000]
        r = rng.random()
        if r < 0.025:
            end_event = "TRANSFER"
        elif r < 0.045:
            end_event = "BLINDTRANSFER"
        elif r < 0.55:
            end_event = "COMPLETECALLER"
        else:
            end_event = "COMPLETEAGENT"
        talk = ctx.talk_seconds(queue, category)
        if end_event.endswith("TRANSFER"):
            talk = max(12, int(talk * 0.6))
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
        ctx, rng = self.ctx, self.rng
        call = inc.call
        call.ended_at = t
        call.talk_seconds = t - (call.answered_at or t)
        call.exit_event = inc.end_event
        if inc.end_event.endswith("TRANSFER"):
            call.transferred = True
            call.transfer_to = rng.choice(_TRANSFER_EXTENSIONS)
        solved = (not call.transferred) and rng.random() < _RESOLVE_RATE.get(
            inc.category or "", 0.8
        )
        _tag(ctx, call, t, inc.category, solved)
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
        call = SimCall(f"{t}.{ctx.next_seq()}", t, queue, caller, direction="out")
        call.agent = agent.op.name
        ring = rng.randint(5, 25)
        if rng.random() < 0.7:
            call.answered_at = t + ring
            call.talk_seconds = int(ctx.talk_seconds(queue, None) * 0.7)
            call.ended_at = call.answered_at + call.talk_seconds
            call.disposition = "answered"
            category = ctx.pick_category(queue)
            _tag(ctx, call, call.ended_at, category, rng.random() < 0.85, survey=False)
        else:
            call.ended_at = t + ring
            call.disposition = "missed"
        ctx.calls.append(call)
        agent.state = "busy"
        agent.token += 1
        self._push(call.ended_at + rng.randint(5, 30), _FREE, agent)


def _tag(
    ctx: _Context,
    call: SimCall,
    ended: int,
    category: str | None,
    solved: bool,
    *,
    survey: bool = True,
) -> None:
    """The operator's tags and the caller's survey for an answered call that ended."""
    rng = ctx.rng
    if (ctx.categories or ctx.outcomes) and rng.random() < 0.88:
        call.category = category
        if rng.random() < 0.9:
            call.outcome = ctx.pick_outcome(call.queue or "", category)
        if rng.random() < 0.85:
            call.resolved = solved
        if rng.random() < 0.12:
            call.note = ctx.note(category)
        if call.tags:
            if rng.random() < 0.4:
                call.tags_in_end_row = False
                call.tagged_at = ended + rng.randint(20, 600)
            else:
                call.tagged_at = ended
    if survey and not call.transferred and rng.random() < 0.3:
        call.csat, call.nps = ctx.survey(solved, call.wait_seconds or 0)
        call.rated_at = ended + rng.randint(20, 150)


# -- the days --------------------------------------------------------------------------------


def _hour_rates(
    day: date, tz: tzinfo, hours: dict[int, float], factor: float
) -> list[tuple[int, int, float]]:
    rates = []
    for hour, share in hours.items():
        a = int(combine_local(day, clock_time(hour), tz))
        b = int(combine_local(day + timedelta(days=1), clock_time(0), tz))
        if hour < 23:
            b = int(combine_local(day, clock_time(hour + 1), tz))
        rates.append((a, b, _PEAK_RATE * share * factor))
    return rates


def _covers(group: Sequence[_Operator]) -> bool:
    return all(any(q in op.queues for op in group) for q in QUEUES)


def _split(rng: random.Random, ops: list[_Operator], sizes: Sequence[int]) -> list[list[_Operator]]:
    order = list(ops)
    groups: list[list[_Operator]] = []
    for _ in range(30):
        rng.shuffle(order)
        groups, at = [], 0
        for size in sizes:
            groups.append(order[at : at + size])
            at += size
        if all(_covers(g) for g in groups):
            break
    return groups


def _day_plan(
    ctx: _Context, day: date, tz: tzinfo, ops: list[_Operator]
) -> tuple[int, int, list[_Shift], list[tuple[int, int, float]]]:
    """Opening hours, shifts and arrival rates of one local day."""
    rng = ctx.rng

    def at(hour: int, minute: int = 0) -> int:
        return int(combine_local(day, clock_time(hour, minute), tz))

    def jitter(t: int, before: int, after: int) -> int:
        return t + rng.randint(-before, after)

    def shift(op: _Operator, start: int, end: int, pauses: list[tuple[int, int, str]]) -> _Shift:
        return _Shift(op, jitter(start, 360, 300), jitter(end, 240, 300), pauses)

    def pause(earliest: int, latest: int, low: int, high: int, reason: str) -> tuple:
        return (rng.randint(earliest, latest), rng.randint(low, high), reason)

    weekday = day.weekday()
    noise = math.exp(rng.gauss(0, 0.08))
    ctx.shipping_day = rng.random() < 0.33
    surge = 1.12 if ctx.shipping_day else 1.0
    shifts: list[_Shift] = []
    if weekday < 5:
        early, middle, late = _split(rng, ops, (4, 3, len(ops) - 7))
        for op in early:
            pauses = [pause(at(11, 15), at(12, 10), 600, 900, "break")]
            shifts.append(shift(op, at(8), at(14), pauses))
        for op in middle:
            pauses = [
                pause(at(12, 15), at(13, 30), 1800, 2700, "lunch"),
                pause(at(15, 40), at(16, 20), 600, 900, "break"),
            ]
            if rng.random() < 0.15:
                pauses.append(pause(at(14, 20), at(15, 0), 1800, 3600, "training"))
            shifts.append(shift(op, at(9), at(17, 30), pauses))
        for op in late:
            pauses = [pause(at(15, 30), at(16, 15), 600, 900, "break")]
            if rng.random() < 0.5:
                pauses.append(pause(at(18, 30), at(19, 0), 300, 600, "break"))
            if rng.random() < 0.12:
                pauses.append(pause(at(14, 30), at(15, 30), 1800, 3600, "training"))
            shifts.append(shift(op, at(14), at(20), pauses))
        factor = _WEEKDAY_FACTOR[weekday] * noise * surge
        return at(8), at(20), shifts, _hour_rates(day, tz, _WEEKDAY_HOURS, factor)
    size = 3 if weekday == 5 else 2
    crew = _split(rng, ops, (size,))[0]
    open_h, close_h = (9, 13) if weekday == 5 else (10, 13)
    hours = _SATURDAY_HOURS if weekday == 5 else _SUNDAY_HOURS
    for op in crew:
        pauses = [pause(at(open_h + 1), at(close_h - 1), 300, 600, "break")]
        shifts.append(shift(op, at(open_h), at(close_h), pauses))
    return at(open_h), at(close_h), shifts, _hour_rates(day, tz, hours, noise * surge)


def _attach(calls: list[SimCall], events: list[AgentEvent]) -> None:
    """Hang every operator state event on the inbound call started last before it."""
    inbound = [c for c in calls if c.direction == "in"] or calls
    if not inbound:
        return
    starts = [c.started_at for c in inbound]
    for event in events:
        i = max(0, bisect_right(starts, event.at) - 1)
        inbound[i].agent_events.append(event)
    for call in inbound:
        call.agent_events.sort(key=lambda e: e.at)


def _finish(ctx: _Context) -> list[SimCall]:
    calls = sorted(ctx.calls, key=lambda c: (c.started_at, _seq_of(c.call_id)))
    _attach(calls, ctx.state_events)
    ctx.calls = []
    ctx.state_events = []
    return calls


def _seq_of(call_id: str) -> int:
    return int(call_id.rsplit(".", 1)[1])


def _truncate(call: SimCall, until: float) -> SimCall | None:
    """The call as it was known at ``until``; None when it had not started."""
    if call.started_at > until:
        return None
    c = dataclasses.replace(call, agent_events=[e for e in call.agent_events if e.at <= until])
    if c.ended_at is not None and c.ended_at > until:
        c.ended_at = c.talk_seconds = None
        c.exit_event = c.exit_position = c.transfer_to = None
        c.transferred = False
        c.category = c.outcome = c.resolved = c.note = None
        c.csat = c.nps = c.tagged_at = c.rated_at = None
        c.tags_in_end_row = True
        if c.answered_at is None or c.answered_at > until:
            c.answered_at = c.ring_seconds = c.bridged_id = None
            c.wait_seconds = None
            c.disposition = None
            if c.direction == "in":
                c.agent = None
    if c.tagged_at is not None and c.tagged_at > until:
        c.category = c.outcome = c.resolved = c.note = c.tagged_at = None
        c.tags_in_end_row = True
    if c.rated_at is not None and c.rated_at > until:
        c.csat = c.nps = c.rated_at = None
    return c


def generate_calls(
    seed: int,
    start: date,
    days: int,
    tz: tzinfo,
    config: Config,
    *,
    until: float | None = None,
) -> list[SimCall]:
    """A deterministic call history of ``days`` local days from ``start``, sorted by start.

    Only ``random.Random(seed)`` is used: the same arguments give the same calls. With
    ``until`` (epoch seconds), what had not happened by then is dropped: calls that had not
    started, events, tags and ratings after it; a call in progress then has no end yet.
    The first days of a longer history are the same as a shorter history from the same start.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    rng = random.Random(seed)
    ctx = _Context(rng, config)
    ops = _operators(HISTORY_OPERATORS)
    for offset in range(days):
        day = start + timedelta(days=offset)
        open_t, close_t, shifts, rates = _day_plan(ctx, day, tz, ops)
        _Window(ctx, open_t, close_t, shifts, rates).run()
        ctx.callbacks.clear()  # nobody calls back a caller from yesterday
    calls = _finish(ctx)
    if until is None:
        return calls
    kept = (_truncate(c, until) for c in calls)
    return [c for c in kept if c is not None]


# -- writers ---------------------------------------------------------------------------------

_QL_RANK = {
    "AGENTLOGIN": 0,
    "ADDMEMBER": 1,
    "UNPAUSE": 2,
    "ENTERQUEUE": 3,
    "RINGNOANSWER": 4,
    "CONNECT": 5,
    "END": 6,
    "PAUSE": 7,
    "REMOVEMEMBER": 8,
    "AGENTLOGOFF": 9,
}

#: A line with when it happened, a sort key, and the index of its call (None: operator event).
_Item = tuple[int, tuple[int, ...], str, int | None]


def _queue_log_items(calls: Sequence[SimCall], first_index: int = 0) -> list[_Item]:
    items: list[_Item] = []
    n = 0
    state_events: list[tuple[AgentEvent, int]] = []
    index = first_index - 1

    def add(t: int, rank: str, text: str) -> None:
        nonlocal n
        n += 1
        items.append((t, (t, _QL_RANK[rank], n), text, index))

    for call in calls:
        for event in call.agent_events:
            n += 1
            if event.event != "RINGNOANSWER":
                state_events.append((event, n))
        if call.direction != "in":
            continue
        index += 1
        cid, queue = call.call_id, call.queue or "NONE"
        add(
            call.started_at,
            "ENTERQUEUE",
            f"{call.started_at}|{cid}|{queue}|NONE|ENTERQUEUE||{call.caller}|{call.position}",
        )
        for ev in call.agent_events:
            if ev.event == "RINGNOANSWER":
                at = int(ev.at)
                add(at, "RINGNOANSWER", f"{at}|{cid}|{queue}|{ev.agent}|RINGNOANSWER|{ev.ring_ms}")
        if call.answered_at is not None and call.agent:
            t = call.answered_at
            add(
                t,
                "CONNECT",
                f"{t}|{cid}|{queue}|{call.agent}|CONNECT|{call.wait_seconds}|"
                f"{call.bridged_id}|{call.ring_seconds}",
            )
        event = call.exit_event
        if event is None or call.ended_at is None:
            continue
        t = call.ended_at
        if event in ("COMPLETECALLER", "COMPLETEAGENT"):
            data = f"{call.wait_seconds}|{call.talk_seconds}|{call.position}"
            add(t, "END", f"{t}|{cid}|{queue}|{call.agent}|{event}|{data}")
        elif event in ("TRANSFER", "BLINDTRANSFER"):
            data = (
                f"{call.transfer_to}|{_TRANSFER_CONTEXT}|{call.wait_seconds}|"
                f"{call.talk_seconds}|{call.position}"
            )
            add(t, "END", f"{t}|{cid}|{queue}|{call.agent}|{event}|{data}")
        else:
            data = f"{call.exit_position}|{call.position}|{call.wait_seconds}"
            add(t, "END", f"{t}|{cid}|{queue}|NONE|{event}|{data}")
    logged_in: dict[str, int] = {}
    for event, order in sorted(state_events, key=lambda p: (p[0].at, p[1])):
        at = int(event.at)
        queue = event.queue or "NONE"
        name = event.event
        if name == "AGENTLOGIN":
            logged_in[event.agent] = at
            data = f"PJSIP/{event.agent.lower()}"
        elif name == "AGENTLOGOFF":
            since = logged_in.pop(event.agent, at)
            data = f"PJSIP/{event.agent.lower()}|{at - since}"
        else:
            data = event.reason or ""
        text = f"{at}|NONE|{queue}|{event.agent}|{name}|{data}"
        items.append((at, (at, _QL_RANK.get(name, 6), order), text, None))
    items.sort(key=lambda item: item[1])
    return items


def _iso(t: int | None, tz: tzinfo) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(t, tz).isoformat(timespec="seconds")


def _row_items(
    calls: Sequence[SimCall], tz: tzinfo, first_index: int = 0
) -> list[tuple[int, tuple[int, ...], dict[str, Any], int]]:
    """The rows of the csv/jsonl formats as dicts (missing keys: empty), in logging order."""
    rows: list[tuple[int, tuple[int, ...], dict[str, Any], int]] = []
    for index, call in enumerate(calls, start=first_index):
        row: dict[str, Any] = {
            "call_id": call.call_id,
            "started_at": _iso(call.started_at, tz),
            "answered_at": _iso(call.answered_at, tz),
            "ended_at": _iso(call.ended_at, tz),
            "wait_seconds": call.wait_seconds,
            "talk_seconds": call.talk_seconds,
            "queue": call.queue,
            "agent": call.agent,
            "caller": call.caller,
            "direction": call.direction,
            "disposition": call.disposition,
            "category": None,
            "outcome": None,
            "resolved": None,
            "csat": None,
            "nps": None,
            "note": None,
        }
        tags = call.tags
        if tags and call.tags_in_end_row:
            row.update(tags)
        if call.ended_at is not None:
            t = call.ended_at
        else:
            t = call.answered_at if call.answered_at is not None else call.started_at
        rows.append((t, (t, 0, index), row, index))
        if tags and not call.tags_in_end_row and call.tagged_at is not None:
            t = call.tagged_at
            rows.append((t, (t, 1, index), {"call_id": call.call_id, **tags}, index))
        if call.rated_at is not None and call.csat is not None:
            t = call.rated_at
            rating = {"call_id": call.call_id, "csat": call.csat}
            if call.nps is not None:
                rating["nps"] = call.nps
            rows.append((t, (t, 2, index), rating, index))
    rows.sort(key=lambda item: item[1])
    return rows


def _csv_values(row: dict[str, Any]) -> list[str]:
    values = []
    for name in CSV_FIELDS:
        value = row.get(name)
        if value is None:
            values.append("")
        elif isinstance(value, bool):
            values.append("true" if value else "false")
        else:
            values.append(str(value))
    return values


def _csv_line(row: dict[str, Any]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(_csv_values(row))
    return buf.getvalue()


def _csv_header() -> str:
    return ",".join(CSV_FIELDS) + "\n"


def _jsonl_line(row: dict[str, Any], full: bool) -> str:
    if full:
        obj = {name: row.get(name) for name in CSV_FIELDS}
    else:
        obj = {name: row[name] for name in CSV_FIELDS if row.get(name) is not None}
    return json.dumps(obj, ensure_ascii=False) + "\n"


def write_queue_log(calls: Iterable[SimCall], fh: IO[str]) -> int:
    """Write Asterisk queue_log lines for the inbound calls and all operator events.

    Lines are sorted by time across calls. Returns the number of calls written.
    """
    calls = list(calls)
    for _, _, text, _ in _queue_log_items(calls):
        fh.write(text + "\n")
    return sum(1 for c in calls if c.direction == "in")


def write_csv(calls: Iterable[SimCall], fh: IO[str], *, tz: tzinfo = UTC) -> int:
    """Write carewatch CSV: header, then call rows and update rows in logging order.

    Times are shown in ``tz`` (default UTC). Open ``fh`` with ``newline=""``. Returns the
    number of calls written.
    """
    calls = list(calls)
    fh.write(_csv_header())
    writer = csv.writer(fh, lineterminator="\n")
    for _, _, row, _ in _row_items(calls, tz):
        writer.writerow(_csv_values(row))
    return len(calls)


def write_jsonl(calls: Iterable[SimCall], fh: IO[str], *, tz: tzinfo = UTC) -> int:
    """Write carewatch JSONL: one object per row, in logging order (see the module doc).

    Times are shown in ``tz`` (default UTC). Returns the number of calls written.
    """
    calls = list(calls)
    for _, _, row, _ in _row_items(calls, tz):
        fh.write(_jsonl_line(row, "started_at" in row))
    return len(calls)


_WRITERS = {"csv": write_csv, "jsonl": write_jsonl}


def simulate_history(
    out: Path,
    fmt: str,
    days: int,
    seed: int,
    config: Config,
    *,
    start: date | None = None,
    now: float | None = None,
) -> int:
    """Write ``days`` days of simulated calls to ``out`` (replacing it); returns the call count.

    ``fmt`` is ``csv``, ``jsonl`` or ``queue_log``; times are in the config's time zone. Without
    ``start`` the history ends today (``now``, default the current time): it starts on
    today − days + 1 and today holds only what had happened by ``now``. With ``start`` and
    without ``now`` every day is complete, so the file depends only on the arguments.
    The count is of the calls in the file (a queue_log has no outbound calls).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    tz = config.tz
    until = now
    if start is None:
        if until is None:
            until = time.time()
        start = local_day(until, tz) - timedelta(days=days - 1)
    calls = generate_calls(seed, start, days, tz, config, until=until)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        if fmt == "queue_log":
            return write_queue_log(calls, fh)
        return _WRITERS[fmt](calls, fh, tz=tz)


# -- live ------------------------------------------------------------------------------------

#: Live mode: calls an hour on average, and the simulated minutes generated at a time.
_LIVE_RATE = 450.0
_LIVE_CHUNK = 1800


class _LiveFeed:
    """Generates the live centre half an hour at a time, carrying operators over."""

    def __init__(self, seed: int, config: Config, start: int, tz: tzinfo, fmt: str) -> None:
        self.rng = random.Random(seed)
        self.ctx = _Context(self.rng, config)
        self.ops = _operators(LIVE_OPERATORS)
        self.tz = tz
        self.fmt = fmt
        self.start = start
        self.next_start = start
        self.available: dict[str, int] | None = None
        self.phase = self.rng.uniform(0, 2 * math.pi)
        self.calls = 0  # calls generated so far (those the format writes)
        self.chunks = 0

    def chunk(self) -> list[tuple[int, int, tuple[int, ...], str, int | None]]:
        """The next half hour: its lines as (time, chunk, key, text, call index)."""
        rng = self.rng
        a = self.next_start
        b = a + _LIVE_CHUNK
        self.next_start = b
        shifts = []
        for op in self.ops:
            pauses = []
            if rng.random() < 0.3:
                pauses.append((rng.randint(a, b - 1), rng.randint(300, 720), "break"))
            hour = datetime.fromtimestamp(a, self.tz).hour
            if 12 <= hour <= 13 and rng.random() < 0.3:
                pauses.append((rng.randint(a, b - 1), rng.randint(1800, 2700), "lunch"))
            elif rng.random() < 0.03:
                pauses.append((rng.randint(a, b - 1), rng.randint(1200, 2400), "training"))
            if self.available is None:
                shifts.append(_Shift(op, a - rng.randint(1, 30), None, pauses))
            else:
                shifts.append(_Shift(op, None, None, pauses, self.available.get(op.name, a)))
        self.ctx.shipping_day = rng.random() < 0.3
        surge = 1.1 if self.ctx.shipping_day else 1.0
        rates = []
        for s in range(a, b, 60):
            wave = 1 + 0.15 * math.sin(2 * math.pi * (s - self.start) / 1800 + self.phase)
            rates.append((s, s + 60, _LIVE_RATE * wave * surge))
        self.available = _Window(self.ctx, a, b, shifts, rates).run()
        calls = _finish(self.ctx)
        first = self.calls
        self.chunks += 1
        lines: list[tuple[int, int, tuple[int, ...], str, int | None]] = []
        if self.fmt == "queue_log":
            for t, key, text, idx in _queue_log_items(calls, first):
                lines.append((t, self.chunks, key, text + "\n", idx))
            self.calls += sum(1 for c in calls if c.direction == "in")
        else:
            for t, key, row, idx in _row_items(calls, self.tz, first):
                full = "started_at" in row
                text = _csv_line(row) if self.fmt == "csv" else _jsonl_line(row, full)
                lines.append((t, self.chunks, key, text, idx))
            self.calls += len(calls)
        return lines


def run_live(
    out: Path,
    fmt: str,
    seed: int,
    config: Config,
    *,
    speed: float = 1.0,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    stop: threading.Event | None = None,
    max_calls: int | None = None,
) -> int:
    """Append simulated calls to ``out`` as they happen; returns the number of calls written.

    Calls start from ``clock()`` on; each line is written (whole, then flushed) when its time
    comes, ``speed`` times faster than real time (timestamps are simulated time, so at
    ``speed`` > 1 they run ahead of the clock). A new or empty csv file gets the header first.
    Stops when ``stop`` is set, on KeyboardInterrupt, or once every line of the first
    ``max_calls`` calls is written (later calls are then left out). The live centre is always
    open and busy: a call every 7–8 s on average (see the module doc).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if not speed > 0:
        raise ValueError(f"speed must be positive, not {speed!r}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tz = config.tz
    wall0 = clock()
    sim0 = int(wall0)
    feed = _LiveFeed(seed, config, sim0, tz, fmt)
    pending: list[tuple[int, int, tuple[int, ...], str, int | None]] = []
    generated_until = sim0
    outstanding = 0  # lines not yet written of the first max_calls calls
    written: set[int] = set()

    def stopped() -> bool:
        return stop is not None and stop.is_set()

    def wait_until(due: float) -> bool:
        while not stopped():
            now = clock()
            if now >= due:
                return True
            sleep(min(due - now, 0.5))
        return False

    size = out.stat().st_size if out.exists() else 0
    with out.open("ab") as fh:
        if size and not _ends_with_newline(out):
            fh.write(b"\n")
        if fmt == "csv" and size == 0:
            fh.write(_csv_header().encode("utf-8"))
        fh.flush()
        try:
            while not stopped():
                if max_calls is not None and feed.calls >= max_calls and outstanding == 0:
                    break
                more = max_calls is None or feed.calls < max_calls
                if more and (not pending or pending[0][0] >= generated_until):
                    for line in feed.chunk():
                        heapq.heappush(pending, line)
                        idx = line[4]
                        if max_calls is not None and idx is not None and idx < max_calls:
                            outstanding += 1
                    generated_until = feed.next_start
                    continue
                if not pending:
                    break
                t, _, _, text, idx = heapq.heappop(pending)
                if max_calls is not None and idx is not None and idx >= max_calls:
                    continue
                if not wait_until(wall0 + (t - sim0) / speed):
                    break
                fh.write(text.encode("utf-8"))
                fh.flush()
                if idx is not None:
                    written.add(idx)
                    if max_calls is not None:
                        outstanding -= 1
        except KeyboardInterrupt:
            pass
    return len(written)


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(-1, 2)
        return fh.read(1) == b"\n"
