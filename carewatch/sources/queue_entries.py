"""queue_log calls per queue entry: the rules the store keeps for each (call id, leg), stated
as pure functions (:func:`fold_entries` is the reference the store is tested against).

A call that enters a second queue (a blind transfer to a queue, a call the dialplan sends
on) has one leg per queue it entered, ``leg`` = the queue's name. Each leg keeps its own
outcome: answered in the first queue with its operator and talk time, abandoned in the
second, say. The day's totals and the per-queue figures are sums over legs, so they add
up (this is how QueueMetrics and Wazo count calls on queues).

The rules, whatever order the files are read in (docs/counting.md):

* **Order of one entry's events**: by the event's own time, then its kind (the start,
  then the answer, then the end: events of one second keep their causal order), then the
  line (:func:`entry_order`). Line order alone is not enough across files: a rotation read
  after a newer file holds earlier events.
* A record that may create (ENTERQUEUE, a call the queue turned away) starts the leg;
  other records update it with :func:`carewatch.records.merge` (a late event does not
  replace what the later events already applied set; it fills what the call lacks).
* A record for a leg not started yet **waits** (the store keeps it in
  ``cw_pending_event``) and is applied, in entry order with the records that start the
  leg, when the start arrives: files read in any order lose nothing.
* **Attended transfers logged under the consult call's id** (a known Asterisk fault:
  app_queue may write the end of a call transferred with consultation under the uniqueid
  of the consultation call, which never entered the queue): an end of call for a leg
  never started, whose operator has a call in that queue answered and not ended, ends
  that call when its hold and talk times fit it — the call was answered ``calltime``
  seconds before the end (within :data:`CONSULT_SLACK` seconds) and waited ``holdtime``
  (:func:`consult_fits`). The times make the rule independent of reading order: an
  operator is connected to one queue call at a time, so no other call of theirs fits,
  and an end that waits for its own start is never taken for a consult end. An end
  without hold and talk times (old TRANSFER lines) is never matched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from carewatch.records import CallUpdate, Record, merge

EntryKey = tuple[str, str]

#: Seconds an end's hold and talk times may differ from the call they are matched to.
CONSULT_SLACK = 2.0


def event_rank(update: CallUpdate) -> int:
    """0 for a record that may start its entry, 1 for an answer, 2 for an end or another
    update: the order of events logged in the same second."""
    if update.creates:
        return 0
    fields = update.fields
    return 1 if "answered_at" in fields and "ended_at" not in fields else 2


def entry_order(update: CallUpdate, line_no: int, later: int = 0) -> tuple[Any, ...]:
    """The sort key of an entry's records: time, kind, then ``later`` (records read before
    the entry's start, from another file: 1) and the line. Records without a time (rows of
    the call formats) keep the order they were read in, after the start."""
    at = update.at
    return (at is not None, at or 0.0, event_rank(update), later, line_no)


def starts(update: CallUpdate) -> bool:
    """Whether ``update`` can start its entry (it may create, and it has a start time)."""
    return update.creates and update.fields.get("started_at") is not None


def is_consult_end(update: CallUpdate) -> bool:
    """Whether a record is an answered call's end that the consult-id rule may match: an
    event with a time, an operator, and hold and talk times."""
    fields = update.fields
    return (
        not update.creates
        and update.at is not None
        and fields.get("disposition") == "answered"
        and fields.get("ended_at") is not None
        and bool(fields.get("agent"))
        and fields.get("talk_seconds") is not None
        and fields.get("wait_seconds") is not None
    )


def consult_fits(end: CallUpdate, leg: str, row: dict[str, Any]) -> bool:
    """Whether the end ``end`` (logged under an id never started in ``leg``) ends the call
    ``row`` of that leg: same operator, answered and not ended, answered ``talk`` seconds
    before the end after a wait of ``wait`` seconds (within :data:`CONSULT_SLACK`)."""
    fields = end.fields
    answered = row.get("answered_at")
    if (
        end.leg != leg
        or row.get("ended_at") is not None
        or answered is None
        or row.get("agent") != fields["agent"]
        or end.at is None
        or answered > end.at
    ):
        return False
    if abs(answered + fields["talk_seconds"] - end.at) > CONSULT_SLACK:
        return False
    wait = row.get("wait_seconds")
    return wait is None or abs(wait - fields["wait_seconds"]) <= CONSULT_SLACK


def fold_entry(
    updates: Sequence[CallUpdate], row: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """One entry's fields from its records in entry order, merged into ``row`` (a new dict
    by default): the first record that starts it, then the others in order (``None`` when
    none starts it)."""
    first = 0
    if not starts(updates[0]):
        found = next((i for i, update in enumerate(updates) if starts(update)), None)
        if found is None:
            return None
        first = found
    if row is None:
        row = {}
    merge(row, updates[first])
    for i, update in enumerate(updates):
        if i != first:
            merge(row, update)
    return row


def fold_entries(records: Iterable[Record]) -> dict[EntryKey, dict[str, Any]]:
    """The call fields of every started queue entry, by (call id, leg), from the records of
    one or more files in any order (records with a time are ordered by it). Records for an
    entry that never starts are left out, but for consult ends that fit a call."""
    by_entry: dict[EntryKey, list[tuple[tuple[Any, ...], CallUpdate]]] = {}
    for line_no, record in enumerate(records):
        if isinstance(record, CallUpdate):
            key = (record.call_id, record.leg)
            by_entry.setdefault(key, []).append((entry_order(record, line_no), record))
    rows: dict[EntryKey, dict[str, Any]] = {}
    ends: list[tuple[tuple[Any, ...], CallUpdate]] = []
    for key, items in by_entry.items():
        updates = [update for _, update in sorted(items, key=lambda item: item[0])]
        rows_of = fold_entry(updates)
        if rows_of is None:
            ends.extend(item for item in items if is_consult_end(item[1]))
        else:
            rows[key] = rows_of
    for _, end in sorted(ends, key=lambda item: item[0]):
        for (_, leg), row in rows.items():
            if consult_fits(end, leg, row):
                merge(row, end)
                break
    return rows
