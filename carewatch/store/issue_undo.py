"""Undoing an operator's own change to an issue: withdraw an issue just opened, reopen an
issue just resolved. Plain functions on a write transaction's connection, like
:mod:`carewatch.store.issues`; :func:`withdraw` and :func:`reopen` run them on a
:class:`~carewatch.store.Store` (retried while the database is locked).

Both act only on the operator's own change: an issue someone else opened is never deleted,
and one someone else resolved (or that was reopened already) is left alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, update

from carewatch.store.schema import ISSUES

if TYPE_CHECKING:
    from carewatch.store.facade import Store


def withdraw_issue(conn: Connection, issue_id: int, operator: str) -> bool:
    """Delete an issue ``operator`` opened and nobody has resolved. ``False`` otherwise."""
    result = conn.execute(
        delete(ISSUES).where(
            ISSUES.c.id == issue_id,
            ISSUES.c.opened_by == operator,
            ISSUES.c.resolved_at.is_(None),
        )
    )
    return bool(result.rowcount)


def reopen_issue(conn: Connection, issue_id: int, operator: str) -> bool:
    """Open again an issue ``operator`` resolved. ``False`` when it is not resolved, or was
    resolved by someone else."""
    result = conn.execute(
        update(ISSUES)
        .where(
            ISSUES.c.id == issue_id,
            ISSUES.c.resolved_at.is_not(None),
            ISSUES.c.resolved_by == operator,
        )
        .values(resolved_at=None, resolved_by=None)
    )
    return bool(result.rowcount)


def withdraw(store: Store, issue_id: int, operator: str) -> bool:
    """:func:`withdraw_issue` in its own write transaction."""
    return store.retrying(lambda conn: withdraw_issue(conn, issue_id, operator))


def reopen(store: Store, issue_id: int, operator: str) -> bool:
    """:func:`reopen_issue` in its own write transaction."""
    return store.retrying(lambda conn: reopen_issue(conn, issue_id, operator))
