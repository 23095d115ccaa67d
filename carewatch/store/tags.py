"""Tagging: an operator sets a field of a call, every change is an event, and undo puts the
old value back (with an event of its own) while nobody else changed the field since.

Every change of a tagged field is an event with its origin: ``operator`` for an operator's
tag or undo, ``log:<source>`` for a log line that changed a field of a call an operator
tagged (category, outcome, resolved, note, csat or nps; the event's operator is its origin).

Tag events store values as text (``resolved`` as ``"true"``/``"false"``); the functions that
write run inside a given write transaction. The field's name is put into the SQL text only
after :func:`check_tag_field` accepted it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from carewatch.store.database import Tx
from carewatch.store.errors import StoreError

#: The call fields an operator can tag.
TAG_FIELDS = ("category", "subcategory", "outcome", "resolved", "note")
#: The fields whose every change is a tag event: the tags, and the ratings a log may carry.
LOGGED_FIELDS = (*TAG_FIELDS, "csat", "nps")
#: The origin of an operator's tag; a log's is ``log:<source>``.
ORIGIN_OPERATOR = "operator"
LOG_ORIGIN_PREFIX = "log:"

_TAG_COLUMNS = "id, call_pk, field, old_value, new_value, operator, at, undo_of, undone, origin"
_INSERT_TAG_ROW = (
    "INSERT INTO cw_tag_event (call_pk, field, old_value, new_value, operator, at, undo_of, "
    "undone, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_TAG = _INSERT_TAG_ROW + " RETURNING id"


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
        (
            call_pk,
            field_name,
            _tag_text(old),
            _tag_text(value),
            operator,
            at,
            None,
            False,
            ORIGIN_OPERATOR,
        ),
    )


def tag_fields(
    tx: Tx,
    call_pk: int,
    changes: Sequence[tuple[str, str | bool | None]],
    operator: str,
    at: float,
) -> int:
    """Set several tag fields of one call in the one transaction given, so they are written
    together or not at all. Returns how many changed (a field already at its value is
    left, as :func:`tag` leaves it)."""
    return sum(tag(tx, call_pk, name, value, operator, at) is not None for name, value in changes)


def toggle_resolved(tx: Tx, call_pk: int, operator: str, at: float) -> tuple[bool, int | None]:
    """Mark the call resolved, or not resolved when it is resolved now: read in the
    transaction that writes it, so a second toggle toggles back whatever a screen last
    showed. Returns the value set and the event id."""
    current = tx.first("SELECT resolved FROM cw_call WHERE id = ?", (call_pk,))
    if current is None:
        raise StoreError(f"no call with id {call_pk}")
    value = not current[0]
    return value, tag(tx, call_pk, "resolved", value, operator, at)


@dataclass(frozen=True)
class Undo:
    """What an undo did: ``event`` is the operator's last tag; ``done`` whether its old
    value was put back; when not, ``changed_by`` says who changed the field since (an
    operator, ``log:<source>``), ``None`` for a change no event records (another program)."""

    event: dict[str, Any]
    done: bool
    changed_by: str | None = None


def undo_last_tag(tx: Tx, operator: str, at: float) -> Undo | None:
    """Undo this operator's last tag (not undone yet, not an undo): the field gets its old
    value back, and a new event records the undo — only while the tag is still the current
    value, that is nobody else changed the field since. ``None``: nothing to undo."""
    found = tx.dicts(
        f"SELECT {_TAG_COLUMNS} FROM cw_tag_event "
        "WHERE operator = ? AND origin = ? AND undone = ? AND undo_of IS NULL "
        "ORDER BY id DESC LIMIT 1",
        (operator, ORIGIN_OPERATOR, False),
    )
    if not found:
        return None
    ev = found[0]
    field_name = ev["field"]
    check_tag_field(field_name)
    others = tx.first(
        "SELECT operator, origin FROM cw_tag_event WHERE call_pk = ? AND field = ? AND id > ? "
        "AND (operator <> ? OR origin <> ?) ORDER BY id DESC LIMIT 1",
        (ev["call_pk"], field_name, ev["id"], operator, ORIGIN_OPERATOR),
    )
    if others is not None:
        who, origin = others
        return Undo(ev, False, str(who if origin == ORIGIN_OPERATOR else origin))
    current = tx.scalar(f"SELECT {field_name} FROM cw_call WHERE id = ?", (ev["call_pk"],))
    if _tag_text(current) != ev["new_value"]:
        return Undo(ev, False, None)
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
            ORIGIN_OPERATOR,
        ),
    )
    return Undo(ev, True)


def record_log_changes(
    tx: Tx, source: str, changes: Sequence[tuple[int, str, Any, Any]], at: float
) -> int:
    """Record, as tag events of origin ``log:<source>``, the changes a log made to tagged
    fields (:data:`LOGGED_FIELDS`) of calls an operator tagged: ``(call pk, field, old,
    new)`` each. Returns how many were recorded."""
    pks = sorted({pk for pk, _, _, _ in changes})
    tagged: set[int] = set()
    for i in range(0, len(pks), 500):
        chunk = pks[i : i + 500]
        sql = (
            "SELECT DISTINCT call_pk FROM cw_tag_event WHERE origin = ? "
            f"AND call_pk IN ({', '.join('?' * len(chunk))})"
        )
        tagged.update(int(pk) for (pk,) in tx.rows(sql, (ORIGIN_OPERATOR, *chunk)))
    origin = log_origin(source)
    rows = [
        (pk, name, _tag_text(old), _tag_text(new), origin, at, None, False, origin)
        for pk, name, old, new in changes
        if pk in tagged
    ]
    if rows:
        tx.executemany(_INSERT_TAG_ROW, rows)
    return len(rows)


def log_origin(source: str) -> str:
    """The origin (and operator) of a tag event a log line made: ``log:<source>``."""
    return f"{LOG_ORIGIN_PREFIX}{source}"[:200]


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
