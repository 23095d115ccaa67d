"""The sums behind a KPI snapshot: :class:`KpiTally` adds one call's contribution, or takes
it away, in constant time; :func:`carewatch.kpi.engine.snapshot_of` turns the sums into the
snapshot in time proportional to the categories, operators, queues and hours, never to the
calls.

:func:`carewatch.kpi.engine.compute_kpis` is this tally over a window's calls, so the report, the
metrics and the live screen (which keeps a tally of today and adds and takes away the calls
that changed) share one definition of every figure. Pure: no database, no clock.

Sums of seconds are floats added in the calls' order, exactly as a ``sum()`` over them; after
calls are taken away they may differ from a fresh sum in the last bits (a sum is set back to 0
when its count is 0). Counts are exact.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from carewatch.callstate import OUTBOUND, state_of
from carewatch.config import Config
from carewatch.config.screen import AgentNames
from carewatch.kpi.queues import QueueTally, add_to_queues
from carewatch.records import CallRow
from carewatch.timeutil import LocalHours

#: Outcomes that count as a conversion when the config lists no outcomes (SPEC default).
DEFAULT_CONVERSION_OUTCOMES = frozenset({"sale", "appointment"})

_UNKNOWN_CALLERS = frozenset(
    {"anonymous", "unknown", "private", "restricted", "unavailable", "withheld"}
)


def known_caller(caller: str | None) -> str | None:
    """The caller id, or ``None`` for an empty, all-zero or withheld one."""
    if caller is None:
        return None
    text = caller.strip()
    if not text.strip("0") or text.lower() in _UNKNOWN_CALLERS:
        return None
    return text


def conversion_outcomes(config: Config) -> frozenset[str]:
    """The outcomes that count as a conversion (config, else sale and appointment)."""
    return config.conversion_outcomes if config.outcomes else DEFAULT_CONVERSION_OUTCOMES


@dataclass
class AgentTally:
    """One operator's sums over their inbound calls in the window."""

    calls: int = 0
    answered: int = 0
    tagged: int = 0
    conversions: int = 0
    talks: int = 0
    talk_total: float = 0.0
    waits: int = 0
    wait_total: float = 0.0


class KpiTally:
    """Every sum a KPI snapshot needs, over the calls added (and not taken away).

    The caller decides which calls belong (the window); :meth:`add` and :meth:`remove` take
    the call as it was counted: to change a call, remove its old row and add the new one.
    """

    def __init__(self, config: Config, names: AgentNames | None = None) -> None:
        """``names``: agent id -> the operator it is (default: the config's
        :class:`~carewatch.config.screen.AgentNames`; a live day gives its own, one for all
        its sums)."""
        self.tz = config.tz
        self._local_hour = LocalHours(config.tz)
        self.conversions_set = conversion_outcomes(config)
        self.target = float(config.targets.talk_seconds)
        self.sl_seconds = float(config.targets.service_level_seconds)
        self.offered = self.outbound = self.answered = self.abandoned = 0
        self.missed = self.waiting = self.in_time = self.tagged = self.untagged = 0
        self.conversions = self.outcomes_known = self.resolved_yes = self.resolved_known = 0
        self.talks = self.over_target = self.waits = 0
        self.talk_total = self.untagged_talk = self.wait_total = 0.0
        self.csat = self.csat_total = self.csat_good = 0
        self.nps = self.promoters = self.detractors = 0
        self.repeat_callers = 0
        self.category_counts: Counter[str] = Counter()
        self.category_talk: dict[str, float] = {}
        self.caller_calls: Counter[str] = Counter()
        self.hours = [[0, 0, 0] for _ in range(24)]  # offered, answered, abandoned
        #: Operator (an agent id, or the login ``[operators]`` maps it to) -> their sums.
        self.agents: dict[str, AgentTally] = {}
        self.names = AgentNames(config.operators) if names is None else names
        self.queues: dict[str, QueueTally] = {}
        self._known: dict[str | None, str | None] = {}

    def remove(self, call: CallRow) -> None:
        """Take away what :meth:`add` counted for ``call``."""
        self.add(call, -1)

    def add(self, call: CallRow, sign: int = 1) -> None:
        """Count ``call`` once more (``sign`` 1), or once less (-1)."""
        # One unpacking instead of a named field read per figure, and no call of a helper a
        # figure can do without (a report adds every call of three days).
        (
            _pk,
            _source,
            _call_id,
            started_at,
            answered_at,
            ended_at,
            wait,
            talk,
            queue,
            agent_name,
            caller_text,
            direction,
            stored,
            _transferred,
            category,
            outcome,
            resolved,
            csat,
            nps,
            *_rest,
        ) = call
        state = state_of(stored, answered_at, talk)
        category = category or None

        # every direction: category mix, resolution, ratings
        if category is not None:
            self.tagged += sign
            left = self.category_counts[category] + sign
            if left:
                self.category_counts[category] = left
            else:
                del self.category_counts[category]
        if resolved is not None:
            self.resolved_known += sign
            self.resolved_yes += sign * bool(resolved)
        if csat is not None and 1 <= csat <= 5:
            self.csat += sign
            self.csat_total += sign * csat
            self.csat_good += sign * (csat >= 4)
        if nps is not None and 0 <= nps <= 10:
            self.nps += sign
            self.promoters += sign * (nps >= 9)
            self.detractors += sign * (nps <= 6)
        if direction == OUTBOUND:
            self.outbound += sign
            return

        # inbound only: volume, speed, talk time and cost, conversion, callers, operators
        self.offered += sign
        bucket = self.hours[self._local_hour(started_at)]
        bucket[0] += sign
        known = self._known
        caller = known[caller_text] if caller_text in known else self._known_caller(caller_text)
        if caller is not None:
            self._count_caller(caller, sign)
        agent = self._agent(agent_name, sign) if agent_name else None
        if queue:
            add_to_queues(self.queues, queue, state, wait, talk, self.sl_seconds, sign)
        if state == "answered":
            self.answered += sign
            bucket[1] += sign
            self.untagged += sign * (category is None)
            converted = outcome in self.conversions_set
            self.conversions += sign * converted
            self.outcomes_known += sign * (outcome is not None)
            if wait is not None:
                self.waits += sign
                self.wait_total += sign * wait
                self.in_time += sign * (wait <= self.sl_seconds)
            if talk is not None:
                self.talks += sign
                self.talk_total += sign * talk
                self.over_target += sign * (talk > self.target)
                if category is not None:
                    self.category_talk[category] = (
                        self.category_talk.get(category, 0.0) + sign * talk
                    )
                else:
                    self.untagged_talk += sign * talk
            if agent is not None:
                agent.answered += sign
                agent.tagged += sign * (category is not None)
                agent.conversions += sign * converted
                if talk is not None:
                    agent.talks += sign
                    agent.talk_total += sign * talk
                if wait is not None:
                    agent.waits += sign
                    agent.wait_total += sign * wait
        elif state == "abandoned":
            self.abandoned += sign
            bucket[2] += sign
        elif state == "missed":
            self.missed += sign
        elif ended_at is None:
            self.waiting += sign
        if sign < 0:
            self._tidy(call, category, agent)

    def _known_caller(self, caller_text: str | None) -> str | None:
        """:func:`known_caller`, kept for each caller text seen (callers call again)."""
        found = self._known[caller_text] = known_caller(caller_text)
        return found

    def _count_caller(self, caller: str, sign: int) -> None:
        before = self.caller_calls[caller]
        after = before + sign
        if after:
            self.caller_calls[caller] = after
        else:
            del self.caller_calls[caller]
        if before < 2 <= after:
            self.repeat_callers += 1
        elif after < 2 <= before:
            self.repeat_callers -= 1

    def _agent(self, agent_id: str, sign: int) -> AgentTally:
        name = self.names[agent_id]  # the ids of one login are one operator
        agent = self.agents.get(name)
        if agent is None:
            agent = self.agents[name] = AgentTally()
        agent.calls += sign
        return agent

    def _tidy(self, call: CallRow, category: str | None, agent: AgentTally | None) -> None:
        """After taking a call away: drop what counts nothing any more, and set a sum back to
        0 when nothing is left in it (no rounding crumbs)."""
        if agent is not None:
            if not agent.calls:
                del self.agents[self.names[str(call.agent)]]
            else:
                agent.talk_total = agent.talk_total if agent.talks else 0.0
                agent.wait_total = agent.wait_total if agent.waits else 0.0
        if category is not None and category not in self.category_counts:
            self.category_talk.pop(category, None)
        if not self.talks:
            self.talk_total = 0.0
        if not self.waits:
            self.wait_total = 0.0
        if not self.untagged:
            self.untagged_talk = 0.0
