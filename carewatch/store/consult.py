"""The consult-id rule in the store, across files and runs
(:func:`carewatch.sources.queue_entries.consult_fits` states it): an end of call logged
under an id that never entered the queue ends the call of its operator that it fits, found
among the batch's calls and the stored ones; an end that fits none waits, and a call
answered later takes it when it fits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import carewatch.store.pending as pending
from carewatch.bounds import MAX_DURATION
from carewatch.records import CallUpdate, merge
from carewatch.sources.queue_entries import CONSULT_SLACK, consult_fits, entry_order, is_consult_end
from carewatch.store.callrows import Originals, Rows, load_open_calls
from carewatch.store.database import Tx

#: How long before its end a call may have started (a day's wait and a day's talk).
LONGEST_CALL = 2 * MAX_DURATION + CONSULT_SLACK


def _fitting(end: CallUpdate, rows: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The call ``end`` fits best (closest answer time, then id), or ``None``."""
    fits = [row for row in rows if consult_fits(end, row["leg"], row)]
    if not fits:
        return None
    assert end.at is not None
    talk = end.fields["talk_seconds"]
    return min(fits, key=lambda row: (abs(row["answered_at"] + talk - end.at), row["call_id"]))


def match_batch_ends(
    tx: Tx,
    source: str,
    waiting: list[tuple[int, CallUpdate]],
    rows: Rows,
    existing: Rows,
    originals: Originals,
) -> list[tuple[int, CallUpdate]]:
    """Apply the consult ends among ``waiting`` (records of entries not started) to the
    calls they fit, in the batch (``rows``) or stored (read into ``existing``); returns the
    records that still wait."""
    ends = [(n, u) for n, u in waiting if is_consult_end(u)]
    if not ends:
        return waiting
    times = [u.at for _, u in ends if u.at is not None]
    agents = sorted({str(u.fields["agent"]) for _, u in ends})
    found: Rows = {}
    load_open_calls(tx, source, agents, min(times) - LONGEST_CALL, max(times), found, originals)
    for key, row in found.items():
        if key not in rows:
            rows[key] = existing[key] = row
    matched: set[int] = set()
    for _, end in sorted(ends, key=lambda item: entry_order(item[1], item[0])):
        fit = _fitting(end, rows.values())
        if fit is not None:
            merge(fit, end)
            matched.add(id(end))
    return [(n, u) for n, u in waiting if id(u) not in matched]


def match_waiting_ends(tx: Tx, source: str, rows: Rows) -> int:
    """Apply the waiting consult ends that fit a call of ``rows`` answered and not ended;
    returns how many were applied (and removed from the waiting events)."""
    open_calls = [
        row
        for row in rows.values()
        if row.get("answered_at") is not None and row.get("ended_at") is None and row.get("agent")
    ]
    if not open_calls:
        return 0
    legs = {row["leg"] for row in open_calls}
    start = min(row["answered_at"] for row in open_calls)
    end = max(row["answered_at"] for row in open_calls) + MAX_DURATION + CONSULT_SLACK
    ends = [w for w in pending.in_legs(tx, source, legs, start, end) if is_consult_end(w.update)]
    applied: list[int] = []
    for waiting in sorted(ends, key=lambda w: entry_order(w.update, w.line_no, 1)):
        row = _fitting(waiting.update, open_calls)
        if row is not None:
            merge(row, waiting.update)
            applied.append(waiting.id)
    pending.remove(tx, applied)
    return len(applied)
