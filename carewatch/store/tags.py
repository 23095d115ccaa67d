"""Tagging: an operator sets a field of a call, every change is an event, and undo puts the
old value back (with an event of its own).

Tag events store values as text (``resolved`` as ``"true"``/``"false"``); the functions that
write run inside a given connection's write transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from carewatch.store.database import StoreError, inserted_id
from carewatch.store.schema import CALLS, TAGS

#: The call fields an operator can tag.
TAG_FIELDS = ("category", "outcome", "resolved", "note")


def check_tag_field(field_name: str) -> None:
    """Raise ``ValueError`` unless ``field_name`` is one of :data:`TAG_FIELDS`."""
    if field_name not in TAG_FIELDS:
        raise ValueError(f"cannot tag {field_name!r}; taggable: {', '.join(TAG_FIELDS)}")


def tag(
    conn: Connection,
    call_pk: int,
    field_name: str,
    value: str | bool | None,
    operator: str,
    at: float,
) -> int | None:
    """Set one tag field of a call and record the event. Returns the event id, or ``None``
    when the value was already that (nothing written). Raises :class:`StoreError` for an
    unknown call."""
    current = conn.execute(select(CALLS.c[field_name]).where(CALLS.c.id == call_pk)).first()
    if current is None:
        raise StoreError(f"no call with id {call_pk}")
    old = current[0]
    if old == value:
        return None
    conn.execute(
        update(CALLS).where(CALLS.c.id == call_pk).values({field_name: value, "updated_at": at})
    )
    return inserted_id(
        conn.execute(
            insert(TAGS).values(
                call_pk=call_pk,
                field=field_name,
                old_value=_tag_text(old),
                new_value=_tag_text(value),
                operator=operator,
                at=at,
            )
        )
    )


def undo_last_tag(conn: Connection, operator: str, at: float) -> dict[str, Any] | None:
    """Undo this operator's last tag that is not undone yet: the field gets its old value
    back (a new event records the undo). Returns the undone event, or ``None``."""
    last = conn.execute(
        select(TAGS)
        .where(TAGS.c.operator == operator, TAGS.c.undone.is_(False), TAGS.c.undo_of.is_(None))
        .order_by(TAGS.c.at.desc(), TAGS.c.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return None
    ev = dict(last._mapping)
    field_name = ev["field"]
    current = conn.execute(select(CALLS.c[field_name]).where(CALLS.c.id == ev["call_pk"])).scalar()
    restored = _tag_value(field_name, ev["old_value"])
    conn.execute(
        update(CALLS)
        .where(CALLS.c.id == ev["call_pk"])
        .values({field_name: restored, "updated_at": at})
    )
    conn.execute(update(TAGS).where(TAGS.c.id == ev["id"]).values(undone=True))
    conn.execute(
        insert(TAGS).values(
            call_pk=ev["call_pk"],
            field=field_name,
            old_value=_tag_text(current),
            new_value=ev["old_value"],
            operator=operator,
            at=at,
            undo_of=ev["id"],
        )
    )
    return ev


def tag_events(conn: Connection, call_pk: int | None = None) -> list[dict[str, Any]]:
    """Tag events (of one call, or all), oldest first."""
    stmt = select(TAGS).order_by(TAGS.c.at, TAGS.c.id)
    if call_pk is not None:
        stmt = stmt.where(TAGS.c.call_pk == call_pk)
    return [dict(r._mapping) for r in conn.execute(stmt)]


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
