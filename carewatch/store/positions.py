"""Read positions of the followed log files (rows of ``SourcePosition``).

A position is saved in the same transaction as the records read up to it, so a crash never
loses or repeats a line (see :mod:`carewatch.sources.tail`).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, insert, select, update

from carewatch.store.database import inserted_id
from carewatch.store.schema import POSITIONS


def positions(conn: Connection, source: str | None = None) -> list[dict[str, Any]]:
    """Stored read positions (all, or of one source), newest first."""
    stmt = select(POSITIONS).order_by(POSITIONS.c.updated_at.desc(), POSITIONS.c.id.desc())
    if source is not None:
        stmt = stmt.where(POSITIONS.c.source == source)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def save_position(conn: Connection, values: dict[str, Any]) -> int:
    """Insert or update one position row inside ``conn``'s transaction; returns its id.

    ``values`` holds the columns of :class:`~carewatch.model.SourcePosition`; with ``id``
    it updates.
    """
    values = dict(values)
    if isinstance(values.get("bad_by_reason"), dict):
        values["bad_by_reason"] = json.dumps(values["bad_by_reason"], sort_keys=True)
    pk = values.pop("id", None)
    if pk is None:
        return inserted_id(conn.execute(insert(POSITIONS).values(**values)))
    conn.execute(update(POSITIONS).where(POSITIONS.c.id == pk).values(**values))
    return int(pk)
