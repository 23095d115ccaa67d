"""Read positions of the followed log files (rows of ``cw_source_position``).

A position is saved in the same transaction as the records read up to it, so a crash never
loses or repeats a line (see :mod:`carewatch.sources.tail`); the reader checks, in that same
transaction, that nobody moved the position since it read it (compare and set: two
ingesters of one file never both apply a batch).
"""

from __future__ import annotations

import json
from typing import Any

from carewatch.store.database import Tx

#: The columns of a position row besides ``id``.
POSITION_COLUMNS = (
    "source",
    "path",
    "format",
    "device",
    "inode",
    "fingerprint",
    "fingerprint_len",
    "byte_offset",
    "line_no",
    "lines_read",
    "bad_lines",
    "last_bad_line",
    "last_bad_reason",
    "bad_by_reason",
    "updated_at",
    "last_line_at",
    "finished",
)
_ALLOWED = frozenset(POSITION_COLUMNS)
_SELECT = f"SELECT id, {', '.join(POSITION_COLUMNS)} FROM cw_source_position"


def positions(tx: Tx, source: str | None = None) -> list[dict[str, Any]]:
    """Stored read positions (all, or of one source), newest first."""
    order = " ORDER BY updated_at DESC, id DESC"
    if source is None:
        return tx.dicts(_SELECT + order)
    return tx.dicts(f"{_SELECT} WHERE source = ?{order}", (source,))


def save_position(tx: Tx, values: dict[str, Any]) -> int:
    """Insert or update one position row inside ``tx``; returns its id.

    ``values`` holds columns of ``cw_source_position``; with ``id`` it updates those given.
    """
    values = dict(values)
    if isinstance(values.get("bad_by_reason"), dict):
        values["bad_by_reason"] = json.dumps(values["bad_by_reason"], sort_keys=True)
    pk = values.pop("id", None)
    unknown = set(values) - _ALLOWED
    if unknown:  # a caller's bug: the names go into the SQL text
        raise ValueError(f"not a position column: {', '.join(sorted(unknown))}")
    names = list(values)
    params = [values[n] for n in names]
    if pk is None:
        return tx.insert(
            f"INSERT INTO cw_source_position ({', '.join(names)}) "
            f"VALUES ({', '.join('?' * len(names))}) RETURNING id",
            params,
        )
    tx.execute(
        f"UPDATE cw_source_position SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?",
        (*params, pk),
    )
    return int(pk)
