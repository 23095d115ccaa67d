"""Applying parsed records to the database: calls merged by (source, call id, leg), events
that came before their call's start kept until it comes, CDR legs kept and their calls
derived again, agent events stored once each.

How a batch of call records is applied (docs/counting.md, "Reading order")
    * The records of an entry (call id, leg) that exists, or that the batch starts, are
      merged in line order with :func:`carewatch.records.merge` (the start first; a late
      event does not replace what later events set).
    * An entry the batch starts that has events waiting for it
      (:mod:`carewatch.store.pending`) is created from them and its records, in entry order
      (:func:`carewatch.sources.queue_entries.entry_order`): the result is the one of a
      reading in order, whatever order the files came in.
    * The records of an entry not started yet wait, but for an end logged under a consult
      call's id that fits a call of its operator (the consult-id rule,
      :func:`carewatch.sources.queue_entries.consult_fits`), which ends that call; and a
      call answered in this batch takes a waiting consult end that fits it.
    * A CDR call's derived fields are replaced by those of all its legs
      (:mod:`carewatch.store.cdr_legs`).
    * A change of a tagged field (category, outcome, resolved, note, csat, nps) of a call an
      operator tagged is recorded as a tag event of origin ``log:<source>``.

Bulk writes are plain SQL through the driver (no per-row parameter handling of an ORM): new
calls and operator events with :meth:`~carewatch.store.database.Tx.insert_rows` (on SQLite,
many rows per INSERT), updates with ``executemany`` in batches of :data:`BATCH`; the existing
rows of a batch are read with ``IN (...)`` lookups.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, TypeVar

import carewatch.store.cdr_legs as cdr_legs
import carewatch.store.consult as consult
import carewatch.store.pending as pending
from carewatch.records import (
    CALL_FIELDS,
    SHORT_TEXT,
    TEXT_MAX,
    AgentEvent,
    CallUpdate,
    CdrLeg,
    Record,
    SystemStarted,
    merge,
)
from carewatch.sources.queue_entries import entry_order, fold_entry, starts
from carewatch.store.callrows import COLUMNS, EntryKey, Originals, Rows, load_calls, new_row
from carewatch.store.database import Tx, chunks, in_marks
from carewatch.store.pgstats import keep_statistics
from carewatch.store.tags import LOGGED_FIELDS, record_log_changes

#: Rows per executemany of updates.
BATCH = 500

_UPDATED_COLUMNS = (*CALL_FIELDS, "updated_at", "change_seq")
_INSERTED_COLUMNS = ("source", "call_id", "leg", *_UPDATED_COLUMNS)
#: A row's values for the INSERT, and for the UPDATE (its id last).
_INSERTED_VALUES = itemgetter(*_INSERTED_COLUMNS)
_UPDATED_VALUES = itemgetter(*_UPDATED_COLUMNS, "id")
#: Where each field a log change is recorded for sits in a row as read.
_LOGGED_AT = tuple((name, COLUMNS.index(name)) for name in LOGGED_FIELDS)
_INSERT_CALL = "INSERT INTO cw_call"
_UPDATE_CALL = f"UPDATE cw_call SET {', '.join(f'{c} = ?' for c in _UPDATED_COLUMNS)} WHERE id = ?"
#: SQLite: the same with ``OR FAIL``. The change-number triggers on ``cw_call`` make SQLite keep
#: a statement journal (a copy of every page a row touches, to undo a failed statement) for
#: each row of a plain INSERT or UPDATE; with ``OR FAIL`` it keeps none (rows written before a
#: failure stay until the transaction, which any error rolls back, ends). Half the cost of a
#: large batch's writes.
_INSERT_CALL_SQLITE = _INSERT_CALL.replace("INSERT INTO", "INSERT OR FAIL INTO", 1)
_UPDATE_CALL_SQLITE = _UPDATE_CALL.replace("UPDATE cw_call", "UPDATE OR FAIL cw_call", 1)
#: The columns that are ``NULL`` when an INSERT leaves them out (nullable, no default).
NULLABLE_CALL_COLUMNS = frozenset(
    {"answered_at", "ended_at", "wait_seconds", "talk_seconds", "queue", "agent", "caller"}
    | {"disposition", "category", "subcategory", "outcome", "resolved", "csat", "nps", "note"}
)
NULLABLE_AGENT_EVENT_COLUMNS = frozenset({"queue", "reason", "call_id", "ring_ms"})
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
_INSERT_AGENT_EVENT = "INSERT INTO cw_agent_event"
_AGENT_EVENT_CONFLICT = " ON CONFLICT (source, dedupe_key) DO NOTHING"

T = TypeVar("T")


@dataclass
class ApplyResult:
    """What one batch of records did to the store."""

    added: int = 0
    updated: int = 0
    agent_events: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    #: The entries (call id, leg) this batch added, and those it updated.
    added_ids: list[EntryKey] = field(default_factory=list)
    updated_ids: list[EntryKey] = field(default_factory=list)
    #: Events this batch kept for their call's start, and waiting events it applied.
    waiting_added: int = 0
    waiting_applied: int = 0
    #: Events of the source that wait for their call's start after this batch (``None``
    #: when the batch held no call record).
    waiting: int | None = None

    def merge(self, other: ApplyResult) -> None:
        self.added += other.added
        self.updated += other.updated
        self.agent_events += other.agent_events
        self.skipped.extend(other.skipped)
        self.added_ids.extend(other.added_ids)
        self.updated_ids.extend(other.updated_ids)
        self.waiting_added += other.waiting_added
        self.waiting_applied += other.waiting_applied
        if other.waiting is not None:
            self.waiting = other.waiting


def apply_records(
    tx: Tx, source: str, records: Sequence[tuple[int, Record]], now: float
) -> ApplyResult:
    """Merge parsed records (each with its line number) into the database, inside ``tx``.
    Calls are upserted by (source, call_id, leg); an event for a call not started yet waits
    for its start (see the module's doc)."""
    result = ApplyResult()
    updates: list[tuple[int, CallUpdate]] = []
    events: list[tuple[int, AgentEvent]] = []
    legs: list[tuple[int, CdrLeg]] = []
    restarts: list[float] = []
    add_update = updates.append
    for item in records:
        kind = type(item[1])  # the exact types first: one test for most records
        if kind is CallUpdate:
            add_update(item)  # type: ignore[arg-type]
        elif kind is AgentEvent:
            events.append(item)  # type: ignore[arg-type]
        elif isinstance(item[1], CallUpdate):
            updates.append(item)  # type: ignore[arg-type]
        elif isinstance(item[1], AgentEvent):
            events.append(item)  # type: ignore[arg-type]
        elif isinstance(item[1], CdrLeg):
            legs.append(item)  # type: ignore[arg-type]
        elif isinstance(item[1], SystemStarted):
            restarts.append(item[1].at)
    derived = cdr_legs.store_and_derive(tx, source, legs) if legs else {}
    if updates or derived:
        _apply_calls(tx, source, updates, derived, now, result)
    for at in sorted(restarts):  # after the batch's calls: they may start before it
        ended = end_open_entries(tx, source, at, now)
        result.updated += len(ended)
        result.updated_ids.extend(ended)
    if events:
        _apply_agent_events(tx, source, events, result)
    return result


def end_open_entries(tx: Tx, source: str, at: float, now: float) -> list[tuple[str, str]]:
    """The phone system started again at ``at`` (a queue_log QUEUESTART): every inbound call
    of ``source`` that entered a queue before it and has neither an answer nor an end was
    lost with the system that stopped. It is **missed** (no operator phone could take it: the
    system failed), ends at ``at`` (its real end is unknown, no later than that) and no
    longer waits; its caller is to be called back. A call answered and not ended keeps its
    unknown end (its talk time is not known). Returns the entries ended, ``(call_id, leg)``;
    each is stamped with ``now`` and the transaction's change number, as any write of a
    call."""
    found = tx.rows(
        "SELECT id, call_id, leg FROM cw_call WHERE source = ? AND started_at < ? "
        "AND ended_at IS NULL AND answered_at IS NULL AND disposition IS NULL "
        "AND direction = 'in'",
        (source, at),
    )
    if not found:
        return []
    ids = [int(pk) for pk, _call_id, _leg in found]
    seq = tx.change_seq()
    for chunk in chunks(ids):
        tx.execute(
            "UPDATE cw_call SET ended_at = ?, disposition = 'missed', updated_at = ?, "
            f"change_seq = ? WHERE id IN ({in_marks(len(chunk))})",
            (at, now, seq, *chunk),
        )
    return [(str(call_id), str(leg)) for _pk, call_id, leg in found]


def _apply_calls(
    tx: Tx,
    source: str,
    updates: list[tuple[int, CallUpdate]],
    derived: dict[str, tuple[int, dict[str, Any]]],
    now: float,
    result: ApplyResult,
) -> None:
    ids = list(dict.fromkeys([u.call_id for _, u in updates] + list(derived)))
    existing, originals = load_calls(tx, source, ids)
    new: Rows = {}
    had_waiting = pending.exists(tx, source)
    if had_waiting:
        _start_waited(tx, source, updates, existing, new, result)
    # in line order; an entry's records before its start are merged right after it
    held: dict[EntryKey, list[CallUpdate]] = {}
    find = new.get if not existing else lambda key: existing.get(key) or new.get(key)
    for _, upd in updates:
        key = (upd.call_id, upd.leg)
        row = find(key)
        if row is None:
            if not starts(upd):
                held.setdefault(key, []).append(upd)
                continue
            row = new[key] = new_row(source, key)
            merge(row, upd)
            for early in held.pop(key, ()):
                merge(row, early)
            continue
        merge(row, upd)
    for call_key, (_, fields) in derived.items():
        key = (call_key, "")
        row = existing.get(key) or new.get(key)
        if row is None:
            row = new[key] = new_row(source, key)
        for name, value in fields.items():
            if name in SHORT_TEXT and isinstance(value, str):
                value = value[:TEXT_MAX]
            row[name] = value
    waiting = [(n, u) for n, u in updates if (u.call_id, u.leg) in held] if held else []
    rows = {**existing, **new}
    if waiting:
        waiting = consult.match_batch_ends(tx, source, waiting, rows, existing, originals)
    if had_waiting:
        result.waiting_applied += consult.match_waiting_ends(tx, source, rows)
    if waiting:
        result.waiting_added += pending.put(tx, source, waiting, now)
    _write(tx, source, existing, originals, new, now, result)
    result.waiting = pending.count(tx, source) if had_waiting or waiting else 0


def _start_waited(
    tx: Tx,
    source: str,
    updates: list[tuple[int, CallUpdate]],
    existing: Rows,
    new: Rows,
    result: ApplyResult,
) -> None:
    """Create the entries this batch starts that have events waiting for them: from those
    events and the batch's records of the entry, in entry order (the batch's records of
    these entries are then taken out of ``updates``)."""
    started = {(u.call_id, u.leg) for _, u in updates if starts(u)}
    early = pending.take(tx, source, started - existing.keys()) if started else {}
    if not early:
        return
    mine: dict[EntryKey, list[tuple[tuple[Any, ...], CallUpdate]]] = {}
    for n, u in updates:
        key = (u.call_id, u.leg)
        if key in early:
            mine.setdefault(key, []).append((entry_order(u, n), u))
    updates[:] = [(n, u) for n, u in updates if (u.call_id, u.leg) not in early]
    for key, waited in early.items():
        ordered = sorted(
            mine.get(key, []) + [(entry_order(w.update, w.line_no, 1), w.update) for w in waited],
            key=lambda pair: pair[0],
        )
        row = fold_entry([u for _, u in ordered], new_row(source, key))
        if row is not None:  # it is: the batch starts it
            new[key] = row
        result.waiting_applied += len(waited)


def _write(
    tx: Tx,
    source: str,
    existing: Rows,
    originals: Originals,
    new: Rows,
    now: float,
    result: ApplyResult,
) -> None:
    for row in new.values():
        row["updated_at"] = now
        if row.get("direction") is None:
            row["direction"] = "in"
        if row.get("transferred") is None:
            row["transferred"] = False
    changed: list[dict[str, Any]] = []
    logged: list[tuple[int, str, Any, Any]] = []
    for key, row in existing.items():
        # the row's keys are the columns, in order, and only their values were set
        original = originals[key]
        if tuple(row.values()) != original:
            row["updated_at"] = now
            changed.append(row)
            logged.extend(
                (row["id"], name, original[i], row[name])
                for name, i in _LOGGED_AT
                if original[i] != row[name]
            )
    if new or changed:  # every row written is stamped with the transaction's number
        seq = tx.change_seq()
        for row in (*new.values(), *changed):
            row["change_seq"] = seq
    insert, update = (
        (_INSERT_CALL_SQLITE, _UPDATE_CALL_SQLITE) if tx.is_sqlite else (_INSERT_CALL, _UPDATE_CALL)
    )
    inserts = list(map(_INSERTED_VALUES, new.values()))
    tx.insert_rows(insert, _INSERTED_COLUMNS, inserts, nullable=NULLABLE_CALL_COLUMNS)
    keep_statistics(tx, "cw_call", len(inserts))  # PostgreSQL: the next batch's look-ups
    update_rows = [_UPDATED_VALUES(row) for row in changed]
    for update_chunk in chunks(update_rows, BATCH):
        tx.executemany(update, update_chunk)
    if logged:
        record_log_changes(tx, source, logged, now)
    result.added += len(inserts)
    result.updated += len(changed)
    result.added_ids.extend(new)
    result.updated_ids.extend((row["call_id"], row["leg"]) for row in changed)


def _agent_event_key(ev: AgentEvent) -> str:
    raw = f"{ev.at!r}|{ev.agent}|{ev.event}|{ev.queue}|{ev.reason}|{ev.call_id}|{ev.ring_ms}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def _cut(text: str | None) -> str | None:
    """Text of a bounded column, cut to its size (on every database)."""
    return text if text is None else text[:TEXT_MAX]


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
        (
            source,
            ev.at,
            ev.agent[:TEXT_MAX],
            ev.event,
            _cut(ev.queue),
            _cut(ev.reason),
            ev.call_id,
            ev.ring_ms,
            key,
        )
        for key, ev in keyed.items()
    ]
    # stored once: a line read again conflicts with its own earlier row
    result.agent_events += tx.insert_rows(
        _INSERT_AGENT_EVENT,
        _AGENT_EVENT_COLUMNS,
        rows,
        _AGENT_EVENT_CONFLICT,
        nullable=NULLABLE_AGENT_EVENT_COLUMNS,
    )
