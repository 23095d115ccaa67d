"""Issues: opened (optionally from a call) and resolved, inside a given write transaction.

Reads of issues (open ones, those relevant to a day) are in :mod:`carewatch.store.reads`.
"""

from __future__ import annotations

from carewatch.store.database import Tx


def open_issue(
    tx: Tx,
    title: str,
    operator: str,
    at: float,
    *,
    call_pk: int | None = None,
    category: str | None = None,
) -> int:
    """Open an issue; returns its id."""
    return tx.insert(
        "INSERT INTO cw_issue (call_pk, title, category, opened_by, opened_at) "
        "VALUES (?, ?, ?, ?, ?) RETURNING id",
        (call_pk, title, category, operator, at),
    )


def resolve_issue(tx: Tx, issue_id: int, operator: str, at: float) -> bool:
    """Resolve an open issue. ``False`` when it does not exist or is resolved already."""
    changed = tx.execute(
        "UPDATE cw_issue SET resolved_at = ?, resolved_by = ? WHERE id = ? AND resolved_at IS NULL",
        (at, operator, issue_id),
    )
    return changed > 0
