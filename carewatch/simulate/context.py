"""One generation's state and the centre's models: callers, queues, categories, outcomes,
talk times, patience, tags and surveys, each drawn from the generation's one ``Random``."""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from carewatch.config import Config
from carewatch.records import AgentEvent
from carewatch.simulate.call import SimCall

_QUEUE_SHARE = {"sales": 0.30, "support": 0.50, "billing": 0.20}
_TRANSFER_EXTENSIONS = ("2001", "2002", "2005", "2010", "2100")

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


class Context:
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

    def take_calls(self) -> list[SimCall]:
        """The calls generated so far, sorted by start, each operator state event hung on
        one of them; the context forgets them."""
        calls = sorted(self.calls, key=lambda c: (c.started_at, _seq_of(c.call_id)))
        _attach(calls, self.state_events)
        self.calls = []
        self.state_events = []
        return calls

    # -- draws ------------------------------------------------------------------------------
    def next_caller(
        self, repeat: tuple[str, str, str | None] | None
    ) -> tuple[str, str, str | None]:
        """Who calls, in which queue, about what: ``repeat`` (a caller calling again), else
        now and then a recent caller, else a new one."""
        rng = self.rng
        if repeat is None:
            if self.recent and rng.random() < 0.04:
                _, caller, queue, category = rng.choice(self.recent[-400:])
            else:
                caller, queue, category = self.fresh_caller(), self.pick_queue(), None
        else:
            caller, queue, category = repeat
        if category is None or rng.random() < 0.2:
            category = self.pick_category(queue)
        return caller, queue, category

    def call_ending(self, queue: str, category: str | None) -> tuple[str, int]:
        """How a call ends once answered (its queue_log event) and how long it is talked."""
        r = self.rng.random()
        if r < 0.025:
            end_event = "TRANSFER"
        elif r < 0.045:
            end_event = "BLINDTRANSFER"
        elif r < 0.55:
            end_event = "COMPLETECALLER"
        else:
            end_event = "COMPLETEAGENT"
        talk = self.talk_seconds(queue, category)
        if end_event.endswith("TRANSFER"):
            talk = max(12, int(talk * 0.6))
        return end_event, talk

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
        median: float = _TALK_MEDIAN.get(category or "", 150)
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

    # -- after a call ----------------------------------------------------------------------
    def wrap_up(self, call: SimCall, ended: int, category: str | None) -> bool:
        """An answered inbound call has ended: where a transfer went, the tags and the survey.
        Returns whether the caller's issue was solved."""
        rng = self.rng
        if call.exit_event in ("TRANSFER", "BLINDTRANSFER"):
            call.transferred = True
            call.transfer_to = rng.choice(_TRANSFER_EXTENSIONS)
        solved = (not call.transferred) and rng.random() < _RESOLVE_RATE.get(category or "", 0.8)
        self.tag(call, ended, category, solved)
        return solved

    def call_back(self, t: int, caller: str, queue: str, agent: str) -> int:
        """``agent`` calls back a caller who abandoned (an outbound call, answered or not);
        returns when the call ended."""
        rng = self.rng
        call = SimCall(f"{t}.{self.next_seq()}", t, queue, caller, direction="out")
        call.agent = agent
        ring = rng.randint(5, 25)
        if rng.random() < 0.7:
            call.answered_at = t + ring
            call.talk_seconds = int(self.talk_seconds(queue, None) * 0.7)
            call.ended_at = call.answered_at + call.talk_seconds
            call.disposition = "answered"
            category = self.pick_category(queue)
            self.tag(call, call.ended_at, category, rng.random() < 0.85, survey=False)
        else:
            call.ended_at = t + ring
            call.disposition = "missed"
        self.calls.append(call)
        return call.ended_at

    def tag(
        self,
        call: SimCall,
        ended: int,
        category: str | None,
        solved: bool,
        *,
        survey: bool = True,
    ) -> None:
        """The operator's tags and the caller's survey for an answered call that ended."""
        rng = self.rng
        if (self.categories or self.outcomes) and rng.random() < 0.88:
            call.category = category
            if rng.random() < 0.9:
                call.outcome = self.pick_outcome(call.queue or "", category)
            if rng.random() < 0.85:
                call.resolved = solved
            if rng.random() < 0.12:
                call.note = self.note(category)
            if call.tags:
                if rng.random() < 0.4:
                    call.tags_in_end_row = False
                    call.tagged_at = ended + rng.randint(20, 600)
                else:
                    call.tagged_at = ended
        if survey and not call.transferred and rng.random() < 0.3:
            call.csat, call.nps = self.survey(solved, call.wait_seconds or 0)
            call.rated_at = ended + rng.randint(20, 150)


def _weighted(rng: random.Random, items: Sequence[Any], weights: Sequence[float]) -> Any:
    return rng.choices(items, weights=weights, k=1)[0]


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


def _seq_of(call_id: str) -> int:
    return int(call_id.rsplit(".", 1)[1])
