"""Reads of calls, agent events and issues, each inside a given transaction.

Calls come back as :class:`~carewatch.records.CallRow` and issues as
:class:`~carewatch.records.IssueRow` (plain tuples: the KPI engine needs no tables). Time
ranges are half-open, ``[start, end)``, and use the time indexes.
"""

from __future__ import annotations

from typing import Any

from carewatch.records import CallRow, IssueRow
from carewatch.store.changeseq import SEQ_TABLE
from carewatch.store.database import Tx

#: The call columns in the order of :class:`CallRow` (a selected row unpacks into one).
CALL_COLUMNS = ", ".join(CallRow._fields)
#: The issue columns in the order of :class:`IssueRow`.
ISSUE_COLUMNS = ", ".join(IssueRow._fields)

_SELECT_CALLS = f"SELECT {CALL_COLUMNS} FROM cw_call"
_SELECT_ISSUES = f"SELECT {ISSUE_COLUMNS} FROM cw_issue"


def calls_between(
    tx: Tx,
    start: float,
    end: float,
    *,
    queue: str | None = None,
    agent: str | None = None,
) -> list[CallRow]:
    """Calls that started in [start, end), oldest first (index range scan on started_at)."""
    sql = f"{_SELECT_CALLS} WHERE started_at >= ? AND started_at < ?"
    params: list[Any] = [start, end]
    if queue is not None:
        sql += " AND queue = ?"
        params.append(queue)
    if agent is not None:
        sql += " AND agent = ?"
        params.append(agent)
    sql += " ORDER BY started_at, id"
    return [CallRow(*r) for r in tx.rows(sql, params)]


def inbound_starts_between(
    tx: Tx, start: float, end: float, *, queue: str | None = None
) -> list[float]:
    """When each inbound call that started in [start, end) started, in order (what a finished
    day's comparison needs, without reading its calls whole)."""
    sql = (
        "SELECT started_at FROM cw_call WHERE started_at >= ? AND started_at < ? AND direction <> ?"
    )
    params: list[Any] = [start, end, "out"]
    if queue is not None:
        sql += " AND queue = ?"
        params.append(queue)
    return [float(r[0]) for r in tx.rows(sql + " ORDER BY started_at", params)]


def recent_calls(tx: Tx, limit: int, *, since: float | None = None) -> list[CallRow]:
    """The newest calls by start time (at most ``limit``), newest first."""
    where, params = (
        ("", [int(limit)]) if since is None else (" WHERE started_at >= ?", [since, int(limit)])
    )
    sql = f"{_SELECT_CALLS}{where} ORDER BY started_at DESC, id DESC LIMIT ?"
    return [CallRow(*r) for r in tx.rows(sql, params)]


def find_calls(tx: Tx, call_id: str) -> list[CallRow]:
    """Every call with this call id (one per source that logged it)."""
    return [CallRow(*r) for r in tx.rows(f"{_SELECT_CALLS} WHERE call_id = ?", (call_id,))]


def get_call(tx: Tx, pk: int) -> CallRow | None:
    """The call with this primary key, or ``None``."""
    row = tx.first(f"{_SELECT_CALLS} WHERE id = ?", (pk,))
    return CallRow(*row) if row else None


def count_calls(tx: Tx) -> int:
    """How many calls the database holds."""
    return int(tx.scalar("SELECT count(*) FROM cw_call"))


def missed_rings_between(
    tx: Tx, start: float, end: float, queue: str | None = None
) -> dict[str, int]:
    """RINGNOANSWER events per agent in [start, end) (of one queue, if given)."""
    sql = "SELECT agent, count(*) FROM cw_agent_event WHERE event = ? AND at >= ? AND at < ?"
    params: list[Any] = ["RINGNOANSWER", start, end]
    if queue is not None:
        sql += " AND queue = ?"
        params.append(queue)
    return {agent: int(n) for agent, n in tx.rows(sql + " GROUP BY agent", params)}


def agent_events_between(tx: Tx, start: float, end: float) -> list[dict[str, Any]]:
    """Agent events in [start, end), oldest first."""
    return tx.dicts(
        "SELECT * FROM cw_agent_event WHERE at >= ? AND at < ? ORDER BY at, id", (start, end)
    )


def issues_relevant(tx: Tx, start: float, end: float) -> list[IssueRow]:
    """Issues open at ``end``, or opened or resolved in [start, end)."""
    sql = (
        f"{_SELECT_ISSUES} WHERE (opened_at < ? AND (resolved_at IS NULL OR resolved_at >= ?))"
        " OR (opened_at >= ? AND opened_at < ?)"
        " OR (resolved_at >= ? AND resolved_at < ?)"
        " ORDER BY opened_at"
    )
    return [IssueRow(*r) for r in tx.rows(sql, (end, end, start, end, start, end))]


def open_issues(tx: Tx) -> list[IssueRow]:
    """Issues not resolved yet, oldest first."""
    sql = f"{_SELECT_ISSUES} WHERE resolved_at IS NULL ORDER BY opened_at"
    return [IssueRow(*r) for r in tx.rows(sql)]


# -- what changed (the live screen) ---------------------------------------------------------------
_SELECT_SEQ_CALLS = f"SELECT change_seq, {CALL_COLUMNS} FROM cw_call"


def change_seq(tx: Tx) -> int:
    """The store's change sequence now (:mod:`carewatch.store.changeseq`)."""
    return int(tx.scalar(f"SELECT value FROM {SEQ_TABLE} WHERE id = 1") or 0)


def calls_changed_after(tx: Tx, seq: int) -> list[tuple[int, CallRow]]:
    """Every call written after change number ``seq``, with its number, in change order."""
    sql = f"{_SELECT_SEQ_CALLS} WHERE change_seq > ? ORDER BY change_seq, id"
    return [(int(r[0]), CallRow(*r[1:])) for r in tx.rows(sql, (seq,))]


def agent_events_after(tx: Tx, event_id: int) -> list[dict[str, Any]]:
    """Agent events stored after the one with id ``event_id``, in the order they were stored
    (writers take turns, so ids follow the commits)."""
    return tx.dicts("SELECT * FROM cw_agent_event WHERE id > ? ORDER BY id", (event_id,))
