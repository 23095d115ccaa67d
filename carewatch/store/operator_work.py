"""The operators' writes through the :class:`~carewatch.store.Store`: tags (one field, several
at once, resolved toggled, the last one undone) and issues (opened, resolved, withdrawn,
reopened). Each is a write transaction of its own, retried while the database is locked and
counted as a change of this process (the screen refreshes at once); the work itself is
:mod:`carewatch.store.tags`'s and :mod:`carewatch.store.issues`'s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import carewatch.store.issues as issues
import carewatch.store.tags as tags
from carewatch.store.database import Tx

T = TypeVar("T")


class OperatorWork:
    """Tagging and issues, mixed into :class:`~carewatch.store.Store` (which gives the
    transactions)."""

    def _read(self, fn: Callable[[Tx], T]) -> T:
        raise NotImplementedError  # the Store's

    def _write_counted(self, fn: Callable[[Tx], T]) -> T:
        raise NotImplementedError  # the Store's

    # -- tagging ---------------------------------------------------------------------------------
    def tag(
        self,
        call_pk: int,
        field_name: str,
        value: str | bool | None,
        operator: str,
        *,
        now: float | None = None,
    ) -> int | None:
        """Set one tag field of a call and record the event. Returns the event id, or
        ``None`` when the value was already that (nothing written)."""
        tags.check_tag_field(field_name)
        at = time.time() if now is None else now
        return self._write_counted(
            lambda tx: tags.tag(tx, call_pk, field_name, value, operator, at)
        )

    def tag_fields(
        self,
        call_pk: int,
        changes: Sequence[tuple[str, str | bool | None]],
        operator: str,
        *,
        now: float | None = None,
    ) -> int:
        """Set several tag fields of a call in one transaction (all or none); returns how
        many changed."""
        for field_name, _value in changes:
            tags.check_tag_field(field_name)
        at = time.time() if now is None else now
        return self._write_counted(lambda tx: tags.tag_fields(tx, call_pk, changes, operator, at))

    def toggle_resolved(
        self, call_pk: int, operator: str, *, now: float | None = None
    ) -> tuple[bool, int | None]:
        """Resolved, or not resolved when the call is resolved now; the value set, the event."""
        at = time.time() if now is None else now
        return self._write_counted(lambda tx: tags.toggle_resolved(tx, call_pk, operator, at))

    def undo_last_tag(self, operator: str, *, now: float | None = None) -> tags.Undo | None:
        """Undo this operator's last tag, while it is still the field's value: the field gets
        its old value back (a new event records the undo). Returns what happened
        (:class:`~carewatch.store.tags.Undo`: done, or who changed the field since), or
        ``None`` when the operator has nothing to undo."""
        at = time.time() if now is None else now
        return self._write_counted(lambda tx: tags.undo_last_tag(tx, operator, at))

    def tag_events(self, call_pk: int | None = None) -> list[dict[str, Any]]:
        """Tag events (of one call, or all), oldest first."""
        return self._read(lambda tx: tags.tag_events(tx, call_pk))

    # -- issues -----------------------------------------------------------------------------------
    def open_issue(
        self,
        title: str,
        operator: str,
        *,
        call_pk: int | None = None,
        category: str | None = None,
        now: float | None = None,
    ) -> int:
        """Open an issue (optionally from a call); returns its id."""
        at = time.time() if now is None else now
        return self._write_counted(
            lambda tx: issues.open_issue(
                tx, title, operator, at, call_pk=call_pk, category=category
            )
        )

    def resolve_issue(self, issue_id: int, operator: str, *, now: float | None = None) -> bool:
        """Resolve an open issue. ``False`` when it does not exist or is resolved already."""
        at = time.time() if now is None else now
        return self._write_counted(lambda tx: issues.resolve_issue(tx, issue_id, operator, at))

    def withdraw_issue(self, issue_id: int, operator: str) -> bool:
        """Delete an issue ``operator`` opened, while nobody has resolved it (undo of opening)."""
        return self._write_counted(lambda tx: issues.withdraw_issue(tx, issue_id, operator))

    def reopen_issue(self, issue_id: int, operator: str) -> bool:
        """Open again an issue ``operator`` resolved (undo of resolving)."""
        return self._write_counted(lambda tx: issues.reopen_issue(tx, issue_id, operator))
