"""Retention and erasure: deleting the calls older than a day, and erasing one caller's number
and notes, each in one write transaction (``carewatch db purge`` / ``carewatch db forget``).

Each function reads what it would change and returns it as a :class:`Erasure`; with
``apply`` it also changes it, in the same transaction, so what is told is what is done.

* :func:`purge` deletes the calls that started before ``cutoff`` and what belongs to them
  alone: their tag events (``cw_tag_event.call_pk``), the CDR rows kept to derive them again
  (``cw_cdr_leg``, unless a call that stays has the same call id) and the events still
  waiting for a call's start from before ``cutoff`` (``cw_pending_event``); and the agent
  events before ``cutoff``; and the issues resolved before ``cutoff`` (their title may be a
  call's note), which no figure of a day from ``cutoff`` on counts (an issue counts on the days
  it was opened, open or resolved). An issue still open at ``cutoff`` stays, as it is, for the
  days it counts in: one opened from a deleted call loses only its link to it.
* :func:`forget` keeps a caller's calls for the figures and erases what names the caller or
  holds their words: ``cw_call.caller`` and ``.note``, the old and new text of every note
  change in ``cw_tag_event``, the title of an issue opened from one of the calls (it starts
  as the call's note), and the number and note in the CDR rows and waiting events of those
  calls. The rows written get a new change number, so a screen reads them again and a kept
  report of their day is computed again.

Both change the tables named in :data:`PURGED` and :data:`FORGOTTEN`; what they leave of the
old rows in the database's files is for :mod:`carewatch.store.compact`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from carewatch.store.database import Tx, chunks, in_marks


@dataclass(frozen=True)
class Erasure:
    """What a purge or a forget changes (or would change): the calls, the first and last of
    their starts, their tag events (purge: deleted; forget: note changes blanked), the agent
    events deleted, the issues kept but unlinked (purge) or whose title is erased (forget),
    the issues deleted (purge), and, for a forget, the caller texts as the calls have them."""

    calls: int
    first: float | None
    last: float | None
    tag_events: int = 0
    agent_events: int = 0
    issues: int = 0
    forms: tuple[str, ...] = field(default=())
    issues_deleted: int = 0


#: The tables a forget changes rows of (and the change number's).
FORGOTTEN = (
    "cw_call",
    "cw_cdr_leg",
    "cw_change_seq",
    "cw_issue",
    "cw_pending_event",
    "cw_tag_event",
)
#: The tables a purge deletes rows of: those, and the agent events.
PURGED = ("cw_agent_event", *FORGOTTEN)

_OLD_CALLS = "SELECT id FROM cw_call WHERE started_at < ?"
#: The issues a purge keeps: those not resolved before the cutoff.
_KEPT_ISSUE = "(resolved_at IS NULL OR resolved_at >= ?)"


def purge(tx: Tx, cutoff: float, *, apply: bool) -> Erasure:
    """Delete (with ``apply``) the calls that started before ``cutoff``, what belongs to them
    alone, and the agent events before ``cutoff`` (see the module)."""
    count, first, last = tx.first(
        "SELECT COUNT(*), MIN(started_at), MAX(started_at) FROM cw_call WHERE started_at < ?",
        (cutoff,),
    ) or (0, None, None)
    tag_events = tx.scalar(
        f"SELECT COUNT(*) FROM cw_tag_event WHERE call_pk IN ({_OLD_CALLS})", (cutoff,)
    )
    agent_events = tx.scalar("SELECT COUNT(*) FROM cw_agent_event WHERE at < ?", (cutoff,))
    issues = tx.scalar(
        f"SELECT COUNT(*) FROM cw_issue WHERE call_pk IN ({_OLD_CALLS}) AND {_KEPT_ISSUE}",
        (cutoff, cutoff),
    )
    resolved = tx.scalar("SELECT COUNT(*) FROM cw_issue WHERE resolved_at < ?", (cutoff,))
    done = Erasure(
        int(count or 0),
        None if first is None else float(first),
        None if last is None else float(last),
        int(tag_events or 0),
        int(agent_events or 0),
        int(issues or 0),
        issues_deleted=int(resolved or 0),
    )
    if not apply:
        return done
    tx.change_seq()  # a write: the store's change number moves
    tx.execute(f"DELETE FROM cw_tag_event WHERE call_pk IN ({_OLD_CALLS})", (cutoff,))
    tx.execute("DELETE FROM cw_issue WHERE resolved_at < ?", (cutoff,))
    tx.execute(f"UPDATE cw_issue SET call_pk = NULL WHERE call_pk IN ({_OLD_CALLS})", (cutoff,))
    tx.execute(
        "DELETE FROM cw_cdr_leg WHERE EXISTS (SELECT 1 FROM cw_call c WHERE "
        "c.source = cw_cdr_leg.source AND c.call_id = cw_cdr_leg.call_key AND c.started_at < ?) "
        "AND NOT EXISTS (SELECT 1 FROM cw_call c WHERE c.source = cw_cdr_leg.source "
        "AND c.call_id = cw_cdr_leg.call_key AND c.started_at >= ?)",
        (cutoff, cutoff),
    )
    tx.execute("DELETE FROM cw_pending_event WHERE at < ?", (cutoff,))
    tx.execute("DELETE FROM cw_call WHERE started_at < ?", (cutoff,))
    tx.execute("DELETE FROM cw_agent_event WHERE at < ?", (cutoff,))
    return done


def forget(tx: Tx, is_caller: Callable[[str], bool], *, apply: bool) -> Erasure:
    """Erase (with ``apply``) the number and the notes of the calls whose caller
    ``is_caller`` says is the one to forget (see the module); the calls stay."""
    texts = [str(c) for (c,) in tx.rows("SELECT DISTINCT caller FROM cw_call") if c is not None]
    forms = tuple(sorted(t for t in texts if is_caller(t)))
    pks: list[int] = []
    first: float | None = None
    last: float | None = None
    for names in chunks(forms):
        for pk, started in tx.rows(
            f"SELECT id, started_at FROM cw_call WHERE caller IN ({in_marks(len(names))})", names
        ):
            pks.append(int(pk))
            first = float(started) if first is None else min(first, float(started))
            last = float(started) if last is None else max(last, float(started))
    pks.sort()
    notes = issues = 0
    for chunk in chunks(pks):
        marks = in_marks(len(chunk))
        notes += int(
            tx.scalar(
                f"SELECT COUNT(*) FROM cw_tag_event WHERE field = 'note' AND call_pk IN ({marks})",
                chunk,
            )
            or 0
        )
        issues += int(
            tx.scalar(f"SELECT COUNT(*) FROM cw_issue WHERE call_pk IN ({marks})", chunk) or 0
        )
    done = Erasure(len(pks), first, last, tag_events=notes, issues=issues, forms=forms)
    if apply:
        _erase(tx, pks, is_caller)
    return done


def _erase(tx: Tx, pks: Sequence[int], is_caller: Callable[[str], bool]) -> None:
    seq = tx.change_seq()
    for chunk in chunks(pks):
        marks = in_marks(len(chunk))
        _blank_legs(tx, chunk)
        tx.execute(
            f"UPDATE cw_call SET caller = NULL, note = NULL, change_seq = ? WHERE id IN ({marks})",
            (seq, *chunk),
        )
        tx.execute(
            "UPDATE cw_tag_event SET old_value = NULL, new_value = NULL "
            f"WHERE field = 'note' AND call_pk IN ({marks})",
            chunk,
        )
        tx.execute(f"UPDATE cw_issue SET title = '' WHERE call_pk IN ({marks})", chunk)
    _blank_waiting(tx, is_caller)


def _blank_legs(tx: Tx, pks: Sequence[int]) -> None:
    """The caller's number out of the CDR rows of these calls."""
    rows = tx.rows(
        "SELECT l.id, l.payload FROM cw_cdr_leg l JOIN cw_call c ON c.source = l.source "
        f"AND c.call_id = l.call_key WHERE c.id IN ({in_marks(len(pks))})",
        pks,
    )
    for leg_id, payload in rows:
        fields = json.loads(payload)
        if isinstance(fields, dict) and fields.get("caller") is not None:
            fields["caller"] = None
            tx.execute(
                "UPDATE cw_cdr_leg SET payload = ? WHERE id = ?", (json.dumps(fields), leg_id)
            )


def _blank_waiting(tx: Tx, is_caller: Callable[[str], bool]) -> None:
    """The caller's number and note out of the events waiting for their call's start."""
    for event_id, payload in tx.rows("SELECT id, payload FROM cw_pending_event"):
        data = json.loads(payload)
        fields = data.get("f") if isinstance(data, dict) else None
        caller = fields.get("caller") if isinstance(fields, dict) else None
        if isinstance(caller, str) and is_caller(caller) and isinstance(fields, dict):
            fields["caller"] = None
            if "note" in fields:
                fields["note"] = None
            tx.execute(
                "UPDATE cw_pending_event SET payload = ? WHERE id = ?",
                (json.dumps(data), event_id),
            )
