"""Events that arrived before their call's start, kept in ``cw_pending_event`` until it
arrives (docs/counting.md, "Reading order"), each inside a given write transaction.

A waiting event is a :class:`~carewatch.records.CallUpdate` stored with its line number
and time; ``payload`` holds its fields (JSON), whether it may create, and its own time
(``null`` for the rows of the call formats, which have none: the ``at`` column then holds
the latest time of its fields, or when it was stored, for the range reads below).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from carewatch.records import CallUpdate, latest_time
from carewatch.store.database import Tx, chunks, in_marks

EntryKey = tuple[str, str]

_COLUMNS = "id, call_id, leg, line_no, payload"
_INSERT = (
    "INSERT INTO cw_pending_event (source, call_id, leg, at, line_no, payload, received_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class Waiting:
    """A stored waiting event: its row id, its line number, the event."""

    id: int
    line_no: int
    update: CallUpdate


def _waiting(row: tuple[object, ...]) -> Waiting:
    pk, call_id, leg, line_no, payload = row
    data = json.loads(str(payload))
    update = CallUpdate(
        str(call_id), data["f"], creates=bool(data["c"]), leg=str(leg), at=data["t"]
    )
    return Waiting(int(str(pk)), int(str(line_no)), update)


def exists(tx: Tx, source: str) -> bool:
    """Whether any event of ``source`` waits for its call's start."""
    return (
        tx.first("SELECT 1 FROM cw_pending_event WHERE source = ? LIMIT 1", (source,)) is not None
    )


def put(tx: Tx, source: str, items: Sequence[tuple[int, CallUpdate]], now: float) -> int:
    """Keep these events (each with its line number) until their call's start arrives; an
    event kept already (the same line read again from a copy of its file) is kept once.
    Returns how many were added."""
    known: set[tuple[str, str, str]] = set()
    ids = sorted({update.call_id for _, update in items})
    for chunk in chunks(ids):
        sql = (
            "SELECT call_id, leg, payload FROM cw_pending_event "
            f"WHERE source = ? AND call_id IN ({in_marks(len(chunk))})"
        )
        known.update((str(c), str(leg), str(p)) for c, leg, p in tx.rows(sql, (source, *chunk)))
    rows = []
    for line_no, update in items:
        at = update.at
        where = at if at is not None else latest_time(update.fields)
        payload = json.dumps({"f": update.fields, "c": update.creates, "t": at})
        if (update.call_id, update.leg, payload) in known:
            continue
        known.add((update.call_id, update.leg, payload))
        rows.append(
            (
                source,
                update.call_id,
                update.leg,
                now if where is None else where,
                line_no,
                payload,
                now,
            )
        )
    tx.executemany(_INSERT, rows)
    return len(rows)


def take(tx: Tx, source: str, keys: Collection[EntryKey]) -> dict[EntryKey, list[Waiting]]:
    """The waiting events of these entries, removed from the table (their start is here)."""
    ids = sorted({call_id for call_id, _ in keys})
    found: dict[EntryKey, list[Waiting]] = {}
    for chunk in chunks(ids):
        sql = (
            f"SELECT {_COLUMNS} FROM cw_pending_event "
            f"WHERE source = ? AND call_id IN ({in_marks(len(chunk))})"
        )
        for row in tx.rows(sql, (source, *chunk)):
            waiting = _waiting(row)
            key = (waiting.update.call_id, waiting.update.leg)
            if key in keys:
                found.setdefault(key, []).append(waiting)
    remove(tx, [w.id for items in found.values() for w in items])
    return found


def remove(tx: Tx, ids: Sequence[int]) -> None:
    """Remove waiting events that were applied."""
    for chunk in chunks(ids):
        tx.execute(f"DELETE FROM cw_pending_event WHERE id IN ({in_marks(len(chunk))})", chunk)


def in_legs(tx: Tx, source: str, legs: Collection[str], start: float, end: float) -> list[Waiting]:
    """The waiting events of ``source`` in these legs whose time is in [start, end] (the
    ends a call answered in this batch may be the consult ends of)."""
    found: list[Waiting] = []
    names = sorted(legs)
    for chunk in chunks(names):
        sql = (
            f"SELECT {_COLUMNS} FROM cw_pending_event WHERE source = ? AND at >= ? AND at <= ? "
            f"AND leg IN ({in_marks(len(chunk))}) ORDER BY at, id"
        )
        found.extend(_waiting(row) for row in tx.rows(sql, (source, start, end, *chunk)))
    return found


def count(tx: Tx, source: str) -> int:
    """How many events of ``source`` wait for their call's start."""
    return int(tx.scalar("SELECT count(*) FROM cw_pending_event WHERE source = ?", (source,)))
