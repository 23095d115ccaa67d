"""The centre now, as the panels show it: one line per queue, one per operator, and who the
operator at the keyboard is in the logs. Pure (no Textual): the refresh worker builds these
from the KPI snapshot and :func:`~carewatch.kpi.now.now_state`.

Per queue, operators are counted by membership: a member of ``sales`` and ``support`` who is
talking on a support call is busy for both queues, so for every queue ``logged in = talking +
free + paused``. Membership comes from the phone system's ADDMEMBER/REMOVEMEMBER events; an
operator with no such event counts in the queues of the calls they answered in the window.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from carewatch.config import Config
from carewatch.config.screen import QueueGoals, fold, queue_goals
from carewatch.kpi.now import NowState
from carewatch.present import name_order
from carewatch.records import CallRow

#: How many of the operator's own calls come first in the call table.
OWN_CALLS_FIRST = 50


@dataclass(frozen=True)
class OperatorLine:
    """One row of the operators panel."""

    name: str
    state: str
    since: float | None
    reason: str | None
    answered: int
    avg_talk_seconds: float | None
    total_talk_seconds: float
    tagged_share: float | None
    missed_rings: int
    logged_in_at: float | None = None
    #: The operator at the keyboard (their agent id, by ``[operators]`` or by name).
    own: bool = False


@dataclass(frozen=True)
class QueueLine:
    """One row of the queues panel: the queue now and its figures for the window."""

    name: str
    waiting: int
    #: When the caller waiting longest started waiting (the wait ticks from it).
    longest_since: float | None
    logged_in: int
    talking: int
    free: int
    paused: int
    offered: int
    answered: int
    abandoned: int
    abandon_rate: float | None
    service_level: float | None
    goals: QueueGoals


def is_own(agent: str | None, own: frozenset[str]) -> bool:
    """Whether ``agent`` (as a log spells it) is the operator at the keyboard."""
    return bool(agent) and fold(agent) in own


def order_calls(calls: Sequence[CallRow], own: frozenset[str], limit: int) -> list[CallRow]:
    """The call table's rows: the operator's own calls first (newest first, at most
    :data:`OWN_CALLS_FIRST`), then the other calls newest first, ``limit`` rows in all."""
    newest = sorted(calls, key=lambda c: (c.started_at, c.id), reverse=True)
    return pick_rows(newest, (c for c in newest if is_own(c.agent, own)), limit)


def pick_rows(
    newest: Iterable[CallRow], own_newest: Iterable[CallRow], limit: int
) -> list[CallRow]:
    """:func:`order_calls` from the calls newest first and the operator's own calls newest
    first (a live screen keeps both in order: it reads only as many as it shows)."""
    mine = list(islice(own_newest, min(limit, OWN_CALLS_FIRST)))
    mine_ids = {c.id for c in mine}
    rest = islice((c for c in newest if c.id not in mine_ids), max(0, limit - len(mine)))
    return mine + list(rest)


def answered_in(calls: Iterable[CallRow], names: Mapping[str, str]) -> dict[str, set[str]]:
    """Operator -> the queues of their calls (the queues they serve when no event tells);
    ``names``: agent id -> the operator it is (:class:`~carewatch.config.screen.AgentNames`)."""
    out: dict[str, set[str]] = {}
    for call in calls:
        if call.agent and call.queue:
            out.setdefault(names[call.agent], set()).add(call.queue)
    return out


def operator_lines(
    kpis: Mapping[str, Any], state: NowState, own: frozenset[str]
) -> list[OperatorLine]:
    """Operators with a call in the window or a state now; logged-off ones without calls
    are left out. Sorted: talking, paused, idle, away, logged off; then by name."""
    by_agent: Mapping[str, Mapping[str, Any]] = kpis.get("by_agent", {})
    order = {"talking": 0, "paused": 1, "idle": 2, "away": 3, "logged_off": 4}
    lines: list[OperatorLine] = []
    for name in sorted(set(by_agent) | set(state.agents)):
        figures = by_agent.get(name, {})
        now = state.agents.get(name)
        if now is not None and now.state == "logged_off" and not figures.get("answered"):
            continue
        lines.append(
            OperatorLine(
                name=name,
                state=now.state if now else "",
                since=now.since if now else None,
                reason=now.reason if now else None,
                answered=int(figures.get("answered", 0)),
                avg_talk_seconds=figures.get("avg_talk_seconds"),
                total_talk_seconds=float(figures.get("total_talk_seconds", 0.0)),
                tagged_share=figures.get("tagged_share"),
                missed_rings=int(figures.get("missed_rings", 0)),
                logged_in_at=now.logged_in_at if now else None,
                own=is_own(name, own),
            )
        )
    lines.sort(key=lambda line: (order.get(line.state, 4), name_order(line.name)))
    return lines


def queue_lines(
    kpis: Mapping[str, Any],
    state: NowState,
    served: Mapping[str, set[str]],
    config: Config,
) -> list[QueueLine]:
    """One line per queue seen in the window, waiting now, or configured in ``[queues]``.
    ``served``: operator -> the queues of their calls in the window (:func:`answered_in`).
    An operator away (:func:`~carewatch.kpi.presence.is_away`) is counted in no column: they
    are not free, and ``logged in = talking + free + paused`` holds."""
    by_queue: Mapping[str, Mapping[str, Any]] = kpis.get("by_queue", {})
    waiting: dict[str, list[CallRow]] = {}
    for call in state.waiting_calls:
        if call.queue:
            waiting.setdefault(call.queue, []).append(call)
    names = set(by_queue) | set(waiting) | set(config.queues)
    members: dict[str, dict[str, int]] = {}
    for agent in state.agents.values():
        if agent.state == "logged_off":
            continue
        queues = agent.queues or frozenset(served.get(agent.agent, ()))
        for queue in queues:
            names.add(queue)
            counts = members.setdefault(queue, {"talking": 0, "idle": 0, "paused": 0})
            if agent.state in counts:  # not "away"
                counts[agent.state] += 1
    lines: list[QueueLine] = []
    for name in sorted(names):
        figures = by_queue.get(name, {})
        queued = waiting.get(name, [])
        counts = members.get(name, {})
        talking, free, paused = (
            counts.get("talking", 0),
            counts.get("idle", 0),
            counts.get("paused", 0),
        )
        lines.append(
            QueueLine(
                name=name,
                waiting=len(queued),
                longest_since=min(c.started_at for c in queued) if queued else None,
                logged_in=talking + free + paused,
                talking=talking,
                free=free,
                paused=paused,
                offered=int(figures.get("offered", 0)),
                answered=int(figures.get("answered", 0)),
                abandoned=int(figures.get("abandoned", 0)),
                abandon_rate=figures.get("abandon_rate"),
                service_level=figures.get("service_level"),
                goals=queue_goals(config.targets, config.queues, name),
            )
        )
    return lines
