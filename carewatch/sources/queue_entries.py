"""queue_log calls per queue entry: what the store keeps for each (call id, leg).

A call that enters a second queue (a blind transfer to a queue, a call the dialplan sends
on) has one leg per queue it entered, ``leg`` = the queue's name. Each leg keeps its own
outcome: answered in the first queue with its operator and talk time, abandoned in the
second, say. The day's totals and the per-queue figures are sums over legs, so they add
up (this is how QueueMetrics and Wazo count calls on queues).

:func:`fold_entries` is the pure statement of what the store does with the parser's
records, and what it must do across batches, runs and rotations:

* a record that may create (ENTERQUEUE, or a call the queue turned away) starts the leg;
* other records update the leg of their (call id, leg); a later non-empty value replaces
  an earlier one, and :func:`carewatch.records.derive` completes the fields;
* a record for a leg not started yet is kept and applied, in line order, when its start
  arrives (rotated files read in any order lose nothing);
* **attended transfers logged under the consult call's id** (a known Asterisk fault:
  app_queue may write the end of a call that was transferred with consultation under the
  uniqueid of the consultation call): an end record whose call id was never seen
  (neither started nor connected) while its operator has a call in progress in that queue
  ends that call (:class:`ConsultMatcher`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from carewatch.records import CallUpdate, Record, derive

EntryKey = tuple[str, str]

#: At most this many call ids are remembered as seen by a :class:`ConsultMatcher`.
SEEN_LIMIT = 50_000


class ConsultMatcher:
    """Which call an operator is talking on, per queue, to give an end record logged under
    an unknown (consult) call id to the call it ends."""

    def __init__(self, limit: int = SEEN_LIMIT) -> None:
        self.limit = limit
        self._seen: dict[EntryKey, None] = {}
        self._talking: dict[tuple[str, str], str] = {}

    def _see(self, key: EntryKey) -> None:
        self._seen.pop(key, None)
        self._seen[key] = None
        if len(self._seen) > self.limit:
            del self._seen[next(iter(self._seen))]

    def resolve(self, update: CallUpdate) -> CallUpdate:
        """``update``, or the same update for the call its operator is talking on."""
        key = (update.call_id, update.leg)
        fields = update.fields
        agent = fields.get("agent")
        if update.creates:
            self._see(key)
            return update
        if agent and "answered_at" in fields and "ended_at" not in fields:
            self._see(key)
            self._talking[(update.leg, agent)] = update.call_id
            return update
        if not agent or "ended_at" not in fields or fields.get("disposition") != "answered":
            self._see(key)
            return update
        talking = self._talking.get((update.leg, agent))
        if key not in self._seen and talking is not None:
            del self._talking[(update.leg, agent)]
            return replace(update, call_id=talking)
        if talking == update.call_id:
            del self._talking[(update.leg, agent)]
        self._see(key)
        return update


def fold_entries(records: Iterable[Record]) -> dict[EntryKey, dict[str, Any]]:
    """The call fields of every started queue entry, by (call id, leg), from records in
    line order. Records for an entry that never starts are left out."""
    matcher = ConsultMatcher()
    rows: dict[EntryKey, dict[str, Any]] = {}
    waiting: dict[EntryKey, list[CallUpdate]] = {}
    for record in records:
        if not isinstance(record, CallUpdate):
            continue
        update = matcher.resolve(record)
        key = (update.call_id, update.leg)
        row = rows.get(key)
        if row is None:
            if not update.creates or update.fields.get("started_at") is None:
                waiting.setdefault(key, []).append(update)
                continue
            row = rows[key] = {}
            _merge(row, update)
            for early in waiting.pop(key, []):
                _merge(row, early)
            continue
        _merge(row, update)
    return rows


def _merge(row: dict[str, Any], update: CallUpdate) -> None:
    row.update({name: value for name, value in update.fields.items() if value is not None})
    row.update(derive(row))
