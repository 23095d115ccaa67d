"""Reads of calls, agent events and issues, each inside a given transaction.

Calls come back as :class:`~carewatch.records.CallRow` and issues as
:class:`~carewatch.records.IssueRow` (plain tuples: the KPI engine needs no tables). Time
ranges are half-open, ``[start, end)``, and use the time indexes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, cast

from carewatch.bounds import EARLIEST, LATEST_READ, MAX_DURATION, SCORE_RANGES
from carewatch.records import UNREACHABLE_RING, AgentFilter, CallRow, IssueRow, Seen
from carewatch.store.changeseq import SEQ_TABLE
from carewatch.store.database import Tx, chunks, in_marks

#: A time column that makes sense (see :mod:`carewatch.bounds`), as SQL.
_SANE_TIME = "({c} >= " + repr(EARLIEST) + " AND {c} < " + repr(LATEST_READ) + ")"
#: What each call column reads as: the column, or unknown (NULL) when its value is out of
#: physical sense (written by another program: infinity, a negative or week-long talk
#: time, a score of 7). NaN and infinities fail these comparisons on both databases.
_SANE: dict[str, str] = {
    "answered_at": _SANE_TIME,
    "ended_at": _SANE_TIME,
    "wait_seconds": f"({{c}} >= 0 AND {{c}} <= {MAX_DURATION!r})",
    "talk_seconds": f"({{c}} >= 0 AND {{c}} <= {MAX_DURATION!r})",
    **{name: f"({{c}} >= {low} AND {{c}} <= {high})" for name, (low, high) in SCORE_RANGES.items()},
}

#: Each call column as read: defensively.
_COLUMN = {
    c: f"CASE WHEN {_SANE[c].format(c=c)} THEN {c} END AS {c}" if c in _SANE else c
    for c in CallRow._fields
}
#: The call columns in the order of :class:`CallRow` (a selected row unpacks into one),
#: each read defensively.
CALL_COLUMNS = ", ".join(_COLUMN.values())
#: What the call-backs read of a call (:func:`carewatch.kpi.callbacks.not_reached`: its
#: caller, and whether it reached them); the other columns of :func:`caller_calls_between`'s
#: rows are empty.
_REACH_FIELDS = ("id", "started_at", "answered_at", "talk_seconds", "caller", "direction")
_EMPTY = {"source": "''", "call_id": "''", "transferred": "0", "updated_at": "0", "leg": "''"}


_REACH_COLUMNS = ", ".join(
    _COLUMN[c] if c in (*_REACH_FIELDS, "disposition") else f"{_EMPTY.get(c, 'NULL')} AS {c}"
    for c in CallRow._fields
)
#: What shows an operator at the desk on a call (:func:`carewatch.kpi.now.seen_at`).
_SEEN_COLUMNS = ", ".join(_COLUMN[c] for c in ("answered_at", "ended_at", "talk_seconds"))
#: The issue columns in the order of :class:`IssueRow`.
ISSUE_COLUMNS = ", ".join(IssueRow._fields)

_SELECT_CALLS = f"SELECT {CALL_COLUMNS} FROM cw_call"
#: A selected row (every column of :data:`CALL_COLUMNS`) as a :class:`CallRow`, built by the
#: tuple constructor directly: a third of the cost of ``CallRow(*row)`` per row.
_call_row = CallRow._make
#: The agent event of a ring an operator let go.
MISSED_RING = "RINGNOANSWER"
_SELECT_ISSUES = f"SELECT {ISSUE_COLUMNS} FROM cw_issue"
#: Rows another program wrote with a start out of physical sense are never read as calls.
SANE_START = _SANE_TIME.format(c="started_at")
_SANE_OPENED = _SANE_TIME.format(c="opened_at")
#: A call row with some value out of physical sense (read as unknown).
_IMPLAUSIBLE = " OR ".join(
    f"({c} IS NOT NULL AND NOT {rule.format(c=c)})" for c, rule in _SANE.items()
)


def narrowing(queue: str | None = None, agent: AgentFilter | None = None) -> tuple[str, list[Any]]:
    """The SQL conditions that narrow a read to one queue and/or one operator (each starting
    with `` AND``; an operator by one agent id or several), and their parameters."""
    sql, params = "", []
    if queue is not None:
        sql += " AND queue = ?"
        params.append(queue)
    if isinstance(agent, str):
        sql += " AND agent = ?"
        params.append(agent)
    elif agent is not None:  # the agent ids of one login
        sql += f" AND agent IN ({', '.join('?' * len(agent))})"
        params += agent
    return sql, params


def calls_between(
    tx: Tx,
    start: float,
    end: float,
    *,
    queue: str | None = None,
    agent: AgentFilter | None = None,
) -> list[CallRow]:
    """Calls that started in [start, end), oldest first (index range scan on started_at)."""
    narrow, params = narrowing(queue, agent)
    sql = f"{_SELECT_CALLS} WHERE started_at >= ? AND started_at < ? AND {SANE_START}{narrow}"
    return list(map(_call_row, tx.rows(sql + " ORDER BY started_at, id", [start, end, *params])))


def caller_calls_between(tx: Tx, start: float, end: float) -> list[CallRow]:
    """Calls with a caller that started in [start, end), oldest first, with only what the
    call-backs read of them (:data:`_REACH_FIELDS` and the disposition; the other fields empty:
    ``""``, 0 or ``None``)."""
    sql = (
        f"SELECT {_REACH_COLUMNS} FROM cw_call WHERE started_at >= ? AND started_at < ? "
        f"AND {SANE_START} AND caller IS NOT NULL ORDER BY started_at, id"
    )
    return list(map(_call_row, tx.rows(sql, (start, end))))


def seen_between(tx: Tx, start: float, end: float) -> list[Seen]:
    """The answered calls with an operator that started in [start, end), in no order, as
    (agent, answered_at, ended_at, talk_seconds), each read defensively: what shows when
    their operator was last at the desk (:func:`carewatch.kpi.now.note_seen`)."""
    sql = (
        f"SELECT agent, {_SEEN_COLUMNS} FROM cw_call WHERE started_at >= ? AND started_at < ? "
        f"AND {SANE_START} AND agent IS NOT NULL AND answered_at IS NOT NULL"
    )
    return cast("list[Seen]", tx.rows(sql, (start, end)))


def inbound_starts_between(
    tx: Tx, start: float, end: float, *, queue: str | None = None
) -> list[float]:
    """When each inbound call that started in [start, end) started, in order (what a finished
    day's comparison needs, without reading its calls whole)."""
    sql = (
        "SELECT started_at FROM cw_call WHERE started_at >= ? AND started_at < ? AND direction <> ?"
    )
    params: list[Any] = [start, end, "out"]
    narrow, more = narrowing(queue)
    sql += narrow
    params += more
    return [float(r[0]) for r in tx.rows(sql + " ORDER BY started_at", params)]


def recent_calls(tx: Tx, limit: int, *, since: float | None = None) -> list[CallRow]:
    """The newest calls by start time (at most ``limit``), newest first."""
    where, params = (
        (f" WHERE {SANE_START}", [int(limit)])
        if since is None
        else (f" WHERE started_at >= ? AND {SANE_START}", [since, int(limit)])
    )
    sql = f"{_SELECT_CALLS}{where} ORDER BY started_at DESC, id DESC LIMIT ?"
    return list(map(_call_row, tx.rows(sql, params)))


def find_calls(tx: Tx, call_id: str) -> list[CallRow]:
    """Every call with this call id: one per source that logged it and per queue it entered
    (its legs), by source, then start."""
    sql = f"{_SELECT_CALLS} WHERE call_id = ? ORDER BY source, started_at, leg, id"
    return list(map(_call_row, tx.rows(sql, (call_id,))))


def get_call(tx: Tx, pk: int) -> CallRow | None:
    """The call with this primary key, or ``None``."""
    row = tx.first(f"{_SELECT_CALLS} WHERE id = ?", (pk,))
    return _call_row(row) if row else None


def callers_and_notes(tx: Tx, pks: Sequence[int]) -> dict[int, tuple[str | None, str | None]]:
    """The caller and the note of each call of ``pks`` that is in the database, by primary
    key (what the report cache does not keep: :mod:`carewatch.report.sections`)."""
    found: dict[int, tuple[str | None, str | None]] = {}
    wanted = sorted(set(pks))
    if not tx.is_sqlite:  # one array, one statement (each statement a round trip to a server)
        rows = tx.rows("SELECT id, caller, note FROM cw_call WHERE id = ANY(?)", (wanted,))
        return {int(pk): (caller, note) for pk, caller, note in rows}
    for part in chunks(wanted):
        for pk, caller, note in tx.rows(
            f"SELECT id, caller, note FROM cw_call WHERE id IN ({in_marks(len(part))})", part
        ):
            found[int(pk)] = (caller, note)
    return found


def implausible_calls(tx: Tx, start: float, end: float) -> int:
    """How many calls started in [start, end) hold a value out of physical sense (another
    program wrote it): the reads above give those values as unknown."""
    sql = (
        f"SELECT count(*) FROM cw_call WHERE started_at >= ? AND started_at < ? "
        f"AND {SANE_START} AND ({_IMPLAUSIBLE})"
    )
    return int(tx.scalar(sql, (start, end)))


def queues_between(tx: Tx, start: float, end: float) -> list[str]:
    """The queues of the calls that started in [start, end), sorted."""
    rows = tx.rows(
        "SELECT DISTINCT queue FROM cw_call WHERE started_at >= ? AND started_at < ? "
        "AND queue IS NOT NULL",
        (start, end),
    )
    return sorted(str(queue) for (queue,) in rows if queue)


def count_calls(tx: Tx, start: float | None = None, end: float | None = None) -> int:
    """How many calls the database holds; with ``start`` and ``end``, how many started in
    [start, end) (an index-only count)."""
    if start is None or end is None:
        return int(tx.scalar("SELECT count(*) FROM cw_call"))
    sql = f"SELECT count(*) FROM cw_call WHERE started_at >= ? AND started_at < ? AND {SANE_START}"
    return int(tx.scalar(sql, (start, end)))


def missed_rings_between(
    tx: Tx, start: float, end: float, queue: str | None = None
) -> dict[str, int]:
    """RINGNOANSWER events per agent in [start, end) (of one queue, if given)."""
    sql = "SELECT agent, count(*) FROM cw_agent_event WHERE event = ? AND at >= ? AND at < ?"
    params: list[Any] = [MISSED_RING, start, end]
    narrow, more = narrowing(queue)
    sql += narrow
    params += more
    return {agent: int(n) for agent, n in tx.rows(sql + " GROUP BY agent", params)}


class Rings(NamedTuple):
    """Rings operators did not take, per operator: missed (RINGNOANSWER) and unreachable
    (a ring of 0 or 1000 ms: the phone busy or unreachable,
    :data:`~carewatch.records.UNREACHABLE_RING`)."""

    missed: dict[str, int]
    unreachable: dict[str, int]


def rings_between(tx: Tx, start: float, end: float, queue: str | None = None) -> Rings:
    """Missed and unreachable rings per agent in [start, end) (of one queue, if given): one
    grouped read of the agent events' time index."""
    sql = (
        "SELECT agent, event, count(*) FROM cw_agent_event "
        "WHERE event IN (?, ?) AND at >= ? AND at < ?"
    )
    params: list[Any] = [MISSED_RING, UNREACHABLE_RING, start, end]
    narrow, more = narrowing(queue)
    sql += narrow
    params += more
    rings = Rings({}, {})
    for agent, event, n in tx.rows(sql + " GROUP BY agent, event", params):
        counts = rings.missed if event == MISSED_RING else rings.unreachable
        counts[agent] = int(n)
    return rings


def agent_events_between(tx: Tx, start: float, end: float) -> list[dict[str, Any]]:
    """Agent events in [start, end), oldest first."""
    return tx.dicts(
        "SELECT * FROM cw_agent_event WHERE at >= ? AND at < ? ORDER BY at, id", (start, end)
    )


def issues_relevant(tx: Tx, start: float, end: float) -> list[IssueRow]:
    """Issues open at ``end``, or opened or resolved in [start, end)."""
    sql = (
        f"{_SELECT_ISSUES} WHERE {_SANE_OPENED} AND ("
        "(opened_at < ? AND (resolved_at IS NULL OR resolved_at >= ?))"
        " OR (opened_at >= ? AND opened_at < ?)"
        " OR (resolved_at >= ? AND resolved_at < ?))"
        " ORDER BY opened_at"
    )
    return [IssueRow(*r) for r in tx.rows(sql, (end, end, start, end, start, end))]


def open_issues(tx: Tx) -> list[IssueRow]:
    """Issues not resolved yet, oldest first."""
    sql = f"{_SELECT_ISSUES} WHERE resolved_at IS NULL AND {_SANE_OPENED} ORDER BY opened_at"
    return [IssueRow(*r) for r in tx.rows(sql)]


# -- what changed (the live screen) ---------------------------------------------------------------
_SELECT_SEQ_CALLS = f"SELECT change_seq, {CALL_COLUMNS} FROM cw_call"


def change_seq(tx: Tx) -> int:
    """The store's change sequence now (:mod:`carewatch.store.changeseq`)."""
    return int(tx.scalar(f"SELECT value FROM {SEQ_TABLE} WHERE id = 1") or 0)


def calls_changed_after(tx: Tx, seq: int) -> list[tuple[int, CallRow]]:
    """Every call written after change number ``seq``, with its number, in change order."""
    sql = f"{_SELECT_SEQ_CALLS} WHERE change_seq > ? ORDER BY change_seq, id"
    return [(int(r[0]), _call_row(r[1:])) for r in tx.rows(sql, (seq,))]


def agent_events_after(tx: Tx, event_id: int) -> list[dict[str, Any]]:
    """Agent events stored after the one with id ``event_id``, in the order they were stored
    (writers take turns, so ids follow the commits)."""
    return tx.dicts("SELECT * FROM cw_agent_event WHERE id > ? ORDER BY id", (event_id,))


# -- what a finished window's figures depend on (carewatch.kpicache) -----------------------------
class WindowStamp(NamedTuple):
    """What a store holds of a window, read before its figures are: the change number then,
    its calls' count, the count and last id of the agent events from ``events_from`` to its end,
    the database's first call (which tells one database from another at the same place) and
    the issues its figures read (:func:`issues_relevant`)."""

    seq: int
    calls: int
    events: int
    last_event: int
    first_call: tuple[Any, ...] | None
    issues: tuple[IssueRow, ...]


def window_stamps(tx: Tx, windows: Sequence[tuple[float, float, float]]) -> list[WindowStamp]:
    """The :class:`WindowStamp` of each window ``(start, end, events_from)``: index-only
    counts, no call read; a window's numbers in one statement (each a round trip to a
    server), the change number and the first call read once for all."""
    seq = change_seq(tx)
    first = tx.first("SELECT id, source, call_id, updated_at FROM cw_call ORDER BY id LIMIT 1")
    sql = (
        "SELECT c.n, e.n, e.last FROM "
        "(SELECT count(*) AS n FROM cw_call WHERE started_at >= ? AND started_at < ? "
        f"AND {SANE_START}) AS c, "
        "(SELECT count(*) AS n, max(id) AS last FROM cw_agent_event WHERE at >= ? AND at < ?) AS e"
    )
    out = []
    for start, end, events_from in windows:
        calls, events, last = tx.first(sql, (start, end, events_from, end)) or (0, 0, None)
        out.append(
            WindowStamp(
                seq,
                int(calls),
                int(events),
                int(last or 0),
                tuple(first or ()) or None,
                tuple(issues_relevant(tx, start, end)),
            )
        )
    return out


def calls_changed_since(tx: Tx, seq: int, start: float, end: float) -> bool:
    """Whether a call that started in [start, end) was written after change number ``seq``
    (read through the change number's index: ``+started_at`` keeps the database from scanning
    the window instead)."""
    sql = (
        "SELECT 1 FROM cw_call WHERE change_seq > ? AND +started_at >= ? AND +started_at < ? "
        "LIMIT 1"
    )
    return tx.first(sql, (seq, start, end)) is not None
