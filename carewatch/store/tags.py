"""Tagging: an operator sets a field of a call, every change is an event, and undo puts the
old value back (with an event of its own).

Tag events store values as text (``resolved`` as ``"true"``/``"false"``); the functions that
write run inside a given write transaction. The field's name is put into the SQL text only
after :func:`check_tag_field` accepted it.
"""

from __future__ import annotations

from typing import Any

from carewatch.store.database import Tx
from carewatch.store.errors import StoreError

#: The call fields an operator can tag.
TAG_FIELDS = ("category", "outcome", "resolved", "note")

_TAG_COLUMNS = "id, call_pk, field, old_value, new_value, operator, at, undo_of, undone, origin"
_INSERT_TAG = (
    "INSERT INTO cw_tag_event (call_pk, field, old_value, new_value, operator, at, undo_of, "
    "undone) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)


def check_tag_field(field_name: str) -> None:
    """Raise ``ValueError`` unless ``field_name`` is one of :data:`TAG_FIELDS`."""
    if field_name not in TAG_FIELDS:
        raise ValueError(f"cannot tag {field_name!r}; taggable: {', '.join(TAG_FIELDS)}")


def tag(
    tx: Tx,
    call_pk: int,
    field_name: str,
    value: str | bool | None,
    operator: str,
    at: float,
) -> int | None:
    """Set one tag field of a call and record the event. Returns the event id, or ``None``
    when the value was already that (nothing written). Raises :class:`StoreError` for an
    unknown call."""
    check_tag_field(field_name)
    current = tx.first(f"SELECT {field_name} FROM cw_call WHERE id = ?", (call_pk,))
    if current is None:
        raise StoreError(f"no call with id {call_pk}")
    old = current[0]
    if old == value:
        return None
    tx.execute(
        f"UPDATE cw_call SET {field_name} = ?, updated_at = ?, change_seq = ? WHERE id = ?",
        (value, at, tx.change_seq(), call_pk),
    )
    return tx.insert(
        _INSERT_TAG,
        (call_pk, field_name, _tag_text(old), _tag_text(value), operator, at, None, False),
    )


def undo_last_tag(tx: Tx, operator: str, at: float) -> dict[str, Any] | None:
    """Undo this operator's last tag that is not undone yet: the field gets its old value
    back (a new event records the undo). Returns the undone event, or ``None``."""
    found = tx.dicts(
        f"SELECT {_TAG_COLUMNS} FROM cw_tag_event "
        "WHERE operator = ? AND undone = ? AND undo_of IS NULL "
        "ORDER BY at DESC, id DESC LIMIT 1",
        (operator, False),
    )
    if not found:
        return None
    ev = found[0]
    field_name = ev["field"]
    check_tag_field(field_name)
    current = tx.scalar(f"SELECT {field_name} FROM cw_call WHERE id = ?", (ev["call_pk"],))
    restored = _tag_value(field_name, ev["old_value"])
    tx.execute(
        f"UPDATE cw_call SET {field_name} = ?, updated_at = ?, change_seq = ? WHERE id = ?",
        (restored, at, tx.change_seq(), ev["call_pk"]),
    )
    tx.execute("UPDATE cw_tag_event SET undone = ? WHERE id = ?", (True, ev["id"]))
    tx.insert(
        _INSERT_TAG,
        (
            ev["call_pk"],
            field_name,
            _tag_text(current),
            ev["old_value"],
            operator,
            at,
            ev["id"],
            False,
        ),
    )
    return ev


def tag_events(tx: Tx, call_pk: int | None = None) -> list[dict[str, Any]]:
    """Tag events (of one call, or all), oldest first."""
    sql = f"SELECT {_TAG_COLUMNS} FROM cw_tag_event"
    params: tuple[Any, ...] = ()
    if call_pk is not None:
        sql += " WHERE call_pk = ?"
        params = (call_pk,)
    return tx.dicts(sql + " ORDER BY at, id", params)


def _tag_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _tag_value(field_name: str, text: str | None) -> Any:
    if text is None:
        return None
    if field_name == "resolved":
        return text == "true"
    return text
