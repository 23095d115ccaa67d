"""Reads of calls, agent events and issues, each inside a given connection's transaction.

Calls come back as :class:`~carewatch.records.CallRow` and issues as
:class:`~carewatch.records.IssueRow` (plain tuples: the KPI engine needs no tables). Time
ranges are half-open, ``[start, end)``, and use the time indexes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from carewatch.records import CallRow, IssueRow
from carewatch.store.schema import AGENT_EVENTS, CALL_COLUMNS, CALLS, ISSUE_COLUMNS, ISSUES


def calls_between(
    conn: Connection,
    start: float,
    end: float,
    *,
    queue: str | None = None,
    agent: str | None = None,
) -> list[CallRow]:
    """Calls that started in [start, end), oldest first (index range scan on started_at)."""
    stmt = select(*CALL_COLUMNS).where(CALLS.c.started_at >= start, CALLS.c.started_at < end)
    if queue is not None:
        stmt = stmt.where(CALLS.c.queue == queue)
    if agent is not None:
        stmt = stmt.where(CALLS.c.agent == agent)
    stmt = stmt.order_by(CALLS.c.started_at, CALLS.c.id)
    return [CallRow(*r) for r in conn.execute(stmt)]


def recent_calls(conn: Connection, limit: int, *, since: float | None = None) -> list[CallRow]:
    """The newest calls by start time (at most ``limit``), newest first."""
    stmt = select(*CALL_COLUMNS)
    if since is not None:
        stmt = stmt.where(CALLS.c.started_at >= since)
    stmt = stmt.order_by(CALLS.c.started_at.desc(), CALLS.c.id.desc()).limit(limit)
    return [CallRow(*r) for r in conn.execute(stmt)]


def find_calls(conn: Connection, call_id: str) -> list[CallRow]:
    """Every call with this call id (one per source that logged it)."""
    rows = conn.execute(select(*CALL_COLUMNS).where(CALLS.c.call_id == call_id))
    return [CallRow(*r) for r in rows]


def get_call(conn: Connection, pk: int) -> CallRow | None:
    """The call with this primary key, or ``None``."""
    row = conn.execute(select(*CALL_COLUMNS).where(CALLS.c.id == pk)).first()
    return CallRow(*row) if row else None


def count_calls(conn: Connection) -> int:
    """How many calls the database holds."""
    return int(conn.execute(select(func.count()).select_from(CALLS)).scalar_one())


def missed_rings_between(
    conn: Connection, start: float, end: float, queue: str | None = None
) -> dict[str, int]:
    """RINGNOANSWER events per agent in [start, end) (of one queue, if given)."""
    stmt = (
        select(AGENT_EVENTS.c.agent, func.count())
        .where(
            AGENT_EVENTS.c.event == "RINGNOANSWER",
            AGENT_EVENTS.c.at >= start,
            AGENT_EVENTS.c.at < end,
        )
        .group_by(AGENT_EVENTS.c.agent)
    )
    if queue is not None:
        stmt = stmt.where(AGENT_EVENTS.c.queue == queue)
    return {agent: int(n) for agent, n in conn.execute(stmt)}


def agent_events_between(conn: Connection, start: float, end: float) -> list[dict[str, Any]]:
    """Agent events in [start, end), oldest first."""
    stmt = (
        select(AGENT_EVENTS)
        .where(AGENT_EVENTS.c.at >= start, AGENT_EVENTS.c.at < end)
        .order_by(AGENT_EVENTS.c.at, AGENT_EVENTS.c.id)
    )
    return [dict(r._mapping) for r in conn.execute(stmt)]


def issues_relevant(conn: Connection, start: float, end: float) -> list[IssueRow]:
    """Issues open at ``end``, or opened or resolved in [start, end)."""
    stmt = (
        select(*ISSUE_COLUMNS)
        .where(
            or_(
                and_(
                    ISSUES.c.opened_at < end,
                    or_(ISSUES.c.resolved_at.is_(None), ISSUES.c.resolved_at >= end),
                ),
                and_(ISSUES.c.opened_at >= start, ISSUES.c.opened_at < end),
                and_(ISSUES.c.resolved_at >= start, ISSUES.c.resolved_at < end),
            )
        )
        .order_by(ISSUES.c.opened_at)
    )
    return [IssueRow(*r) for r in conn.execute(stmt)]


def open_issues(conn: Connection) -> list[IssueRow]:
    """Issues not resolved yet, oldest first."""
    stmt = select(*ISSUE_COLUMNS).where(ISSUES.c.resolved_at.is_(None)).order_by(ISSUES.c.opened_at)
    return [IssueRow(*r) for r in conn.execute(stmt)]
