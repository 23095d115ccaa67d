"""Issues: opened (optionally from a call) and resolved, inside a given write transaction.

Reads of issues (open ones, those relevant to a day) are in :mod:`carewatch.store.reads`.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, update

from carewatch.store.database import inserted_id
from carewatch.store.schema import ISSUES


def open_issue(
    conn: Connection,
    title: str,
    operator: str,
    at: float,
    *,
    call_pk: int | None = None,
    category: str | None = None,
) -> int:
    """Open an issue; returns its id."""
    return inserted_id(
        conn.execute(
            insert(ISSUES).values(
                call_pk=call_pk,
                title=title,
                category=category,
                opened_by=operator,
                opened_at=at,
            )
        )
    )


def resolve_issue(conn: Connection, issue_id: int, operator: str, at: float) -> bool:
    """Resolve an open issue. ``False`` when it does not exist or is resolved already."""
    result = conn.execute(
        update(ISSUES)
        .where(ISSUES.c.id == issue_id, ISSUES.c.resolved_at.is_(None))
        .values(resolved_at=at, resolved_by=operator)
    )
    return bool(result.rowcount)
