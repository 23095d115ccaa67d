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


def withdraw_issue(tx: Tx, issue_id: int, operator: str) -> bool:
    """Delete an issue ``operator`` opened and nobody has resolved (the undo of opening it).
    ``False`` otherwise: an issue someone else opened is never deleted."""
    changed = tx.execute(
        "DELETE FROM cw_issue WHERE id = ? AND opened_by = ? AND resolved_at IS NULL",
        (issue_id, operator),
    )
    return changed > 0


def reopen_issue(tx: Tx, issue_id: int, operator: str) -> bool:
    """Open again an issue ``operator`` resolved (the undo of resolving it). ``False`` when it
    is not resolved, or someone else resolved it."""
    changed = tx.execute(
        "UPDATE cw_issue SET resolved_at = NULL, resolved_by = NULL "
        "WHERE id = ? AND resolved_at IS NOT NULL AND resolved_by = ?",
        (issue_id, operator),
    )
    return changed > 0
