"""Call rows as the write paths hold them: dicts of their columns, keyed by (call id, leg),
each with the tuple it was read as (to tell which rows changed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from carewatch.records import CALL_FIELDS, CallRow
from carewatch.store.database import Tx, chunks, in_marks

EntryKey = tuple[str, str]
#: Rows keyed by entry, and each row as read.
Rows = dict[EntryKey, dict[str, Any]]
Originals = dict[EntryKey, tuple[Any, ...]]

#: The columns of a call row, in the order of :class:`CallRow`.
COLUMNS = CallRow._fields

_SELECT = f"SELECT {', '.join(COLUMNS)} FROM cw_call WHERE source = ? "


def _read(tx: Tx, sql: str, params: Sequence[Any], rows: Rows, originals: Originals) -> None:
    for stored in tx.rows(sql, params):
        row = dict(zip(COLUMNS, stored, strict=True))
        key = (row["call_id"], row["leg"])
        if key not in rows:
            rows[key] = row
            originals[key] = tuple(stored)


def load_calls(tx: Tx, source: str, call_ids: Sequence[str]) -> tuple[Rows, Originals]:
    """The stored calls (every leg) of these call ids.

    On PostgreSQL the ids go as one array (``call_id = ANY(?)``), which the unique index on
    (source, call_id, leg) looks up id by id. A list of parameters (``IN (?, ?, …)``) was
    planned, once psycopg prepared the statement, as a scan of the source's every call with
    each id compared in turn: a batch's look-ups grew with the table (0.3 s for the first
    20,000 lines of a queue_log, 2.3 s for the fifth)."""
    rows: Rows = {}
    originals: Originals = {}
    for chunk in chunks(call_ids):
        if tx.is_sqlite:
            _read(
                tx,
                _SELECT + f"AND call_id IN ({in_marks(len(chunk))})",
                (source, *chunk),
                rows,
                originals,
            )
        else:
            _read(tx, _SELECT + "AND call_id = ANY(?)", (source, list(chunk)), rows, originals)
    return rows, originals


def load_open_calls(
    tx: Tx,
    source: str,
    agents: Sequence[str],
    start: float,
    end: float,
    rows: Rows,
    originals: Originals,
) -> None:
    """Add to ``rows`` the calls of these operators started in [start, end] that were
    answered and have not ended (those an end of call logged under another id may end)."""
    for chunk in chunks(agents):
        sql = _SELECT + (
            "AND started_at >= ? AND started_at <= ? AND answered_at IS NOT NULL "
            f"AND ended_at IS NULL AND agent IN ({in_marks(len(chunk))})"
        )
        _read(tx, sql, (source, start, end, *chunk), rows, originals)


_EMPTY: dict[str, Any] = dict.fromkeys((*CALL_FIELDS, "source", "call_id", "leg"))


def new_row(source: str, key: EntryKey) -> dict[str, Any]:
    """An empty call row (every column a value is merged into)."""
    row = _EMPTY.copy()
    row["source"], row["call_id"], row["leg"] = source, key[0], key[1]
    return row
