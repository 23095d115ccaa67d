"""Applying parsed records to the database: calls merged by (source, call id), agent events
stored once each.

Bulk writes go through the driver's ``executemany`` in batches of :data:`BATCH` (plain SQL,
no per-row parameter handling of an ORM), and the existing rows of a batch are read with one
``IN (...)`` lookup per batch. Every call this module writes has the leg ``''`` (one row per
call, as before schema version 2).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from carewatch.records import CALL_FIELDS, AgentEvent, CallRow, CallUpdate, Record, derive
from carewatch.store.database import Tx

#: Text fields stored in bounded columns, and their size.
SHORT_TEXT = frozenset({"queue", "agent", "caller", "category", "outcome", "direction"})
TEXT_MAX = 200

#: Rows per executemany / per IN (...) lookup.
BATCH = 500

_CALL_COLUMN_NAMES = CallRow._fields
_CALL_FIELD_SET = frozenset(CALL_FIELDS)
_UPDATED_COLUMNS = (*CALL_FIELDS, "updated_at", "change_seq")
_INSERTED_COLUMNS = ("source", "call_id", *_UPDATED_COLUMNS)

_SELECT_CALLS = (
    f"SELECT {', '.join(_CALL_COLUMN_NAMES)} FROM cw_call "
    "WHERE source = ? AND leg = '' AND call_id IN ({marks})"
)
_INSERT_CALL = (
    f"INSERT INTO cw_call ({', '.join(_INSERTED_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_INSERTED_COLUMNS))})"
)
_UPDATE_CALL = f"UPDATE cw_call SET {', '.join(f'{c} = ?' for c in _UPDATED_COLUMNS)} WHERE id = ?"
_AGENT_EVENT_COLUMNS = (
    "source",
    "at",
    "agent",
    "event",
    "queue",
    "reason",
    "call_id",
    "ring_ms",
    "dedupe_key",
)
_INSERT_AGENT_EVENT = (
    f"INSERT INTO cw_agent_event ({', '.join(_AGENT_EVENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_AGENT_EVENT_COLUMNS))}) "
    "ON CONFLICT (source, dedupe_key) DO NOTHING"
)

T = TypeVar("T")


@dataclass
class ApplyResult:
    """What one batch of records did to the store."""

    added: int = 0
    updated: int = 0
    agent_events: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    #: The call ids this batch added, and those it updated (they existed before it).
    added_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)

    def merge(self, other: ApplyResult) -> None:
        self.added += other.added
        self.updated += other.updated
        self.agent_events += other.agent_events
        self.skipped.extend(other.skipped)
        self.added_ids.extend(other.added_ids)
        self.updated_ids.extend(other.updated_ids)


def apply_records(
    tx: Tx, source: str, records: Sequence[tuple[int, Record]], now: float
) -> ApplyResult:
    """Merge parsed records (each with its line number) into the database, inside ``tx``.
    Calls are upserted by (source, call_id): a later non-empty value replaces an earlier
    one. An update for a call never seen starting is skipped and counted.
    """
    result = ApplyResult()
    updates = [(n, r) for n, r in records if isinstance(r, CallUpdate)]
    events = [(n, r) for n, r in records if isinstance(r, AgentEvent)]
    if updates:
        _apply_calls(tx, source, updates, now, result)
    if events:
        _apply_agent_events(tx, source, events, result)
    return result


def _chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _in_marks(n: int) -> str:
    return ", ".join("?" * n)


def _apply_calls(
    tx: Tx,
    source: str,
    updates: list[tuple[int, CallUpdate]],
    now: float,
    result: ApplyResult,
) -> None:
    ids = list(dict.fromkeys(u.call_id for _, u in updates))
    existing: dict[str, dict[str, Any]] = {}
    # each stored row as read (a tuple, in column order): to tell which rows changed
    originals: dict[str, tuple[Any, ...]] = {}
    for id_chunk in _chunks(ids):
        sql = _SELECT_CALLS.format(marks=_in_marks(len(id_chunk)))
        for stored_row in tx.rows(sql, (source, *id_chunk)):
            call_id = stored_row[2]
            existing[call_id] = dict(zip(_CALL_COLUMN_NAMES, stored_row, strict=True))
            originals[call_id] = tuple(stored_row)
    new: dict[str, dict[str, Any]] = {}
    for line_no, upd in updates:
        row = existing.get(upd.call_id) or new.get(upd.call_id)
        if row is None:
            if not upd.creates or upd.fields.get("started_at") is None:
                result.skipped.append((line_no, "event for a call never seen starting"))
                continue
            row = dict.fromkeys(CALL_FIELDS)
            row.update(direction="in", transferred=False, source=source, call_id=upd.call_id)
            new[upd.call_id] = row
        for key, value in upd.fields.items():
            if value is not None and key in _CALL_FIELD_SET:
                if key in SHORT_TEXT and isinstance(value, str):
                    value = value[:TEXT_MAX]  # the column's size, on every database
                row[key] = value
        row.update(derive(row))
    inserts: list[dict[str, Any]] = []
    for row in new.values():
        row["updated_at"] = now
        if row.get("direction") is None:
            row["direction"] = "in"
        if row.get("transferred") is None:
            row["transferred"] = False
        inserts.append(row)  # its keys: CALL_FIELDS, source, call_id, updated_at, change_seq
    changed: list[dict[str, Any]] = []
    for call_id, row in existing.items():
        # the row's keys are the columns, in order, and only their values were set
        if tuple(row.values()) != originals[call_id]:
            row["updated_at"] = now
            changed.append(row)
    if inserts or changed:  # every row written is stamped with the transaction's number
        seq = tx.change_seq()
        for row in (*inserts, *changed):
            row["change_seq"] = seq
    insert_rows = [tuple(row[c] for c in _INSERTED_COLUMNS) for row in inserts]
    for insert_chunk in _chunks(insert_rows):
        tx.executemany(_INSERT_CALL, insert_chunk)
    update_rows = [(*(row[c] for c in _UPDATED_COLUMNS), row["id"]) for row in changed]
    for update_chunk in _chunks(update_rows):
        tx.executemany(_UPDATE_CALL, update_chunk)
    result.added += len(inserts)
    result.updated += len(changed)
    result.added_ids.extend(new)
    result.updated_ids.extend(row["call_id"] for row in changed)


def _agent_event_key(ev: AgentEvent) -> str:
    raw = f"{ev.at!r}|{ev.agent}|{ev.event}|{ev.queue}|{ev.reason}|{ev.call_id}|{ev.ring_ms}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def _apply_agent_events(
    tx: Tx,
    source: str,
    events: list[tuple[int, AgentEvent]],
    result: ApplyResult,
) -> None:
    keyed: dict[str, AgentEvent] = {}
    for _, ev in events:
        keyed.setdefault(_agent_event_key(ev), ev)
    rows = [
        (source, ev.at, ev.agent, ev.event, ev.queue, ev.reason, ev.call_id, ev.ring_ms, key)
        for key, ev in keyed.items()
    ]
    for row_chunk in _chunks(rows):
        # stored once: a line read again conflicts with its own earlier row
        result.agent_events += tx.executemany(_INSERT_AGENT_EVENT, row_chunk)
