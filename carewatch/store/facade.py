"""The :class:`Store`: the one object callers use to open a database and work with it.

Each method picks the transaction (a read snapshot, a write, or the caller's connection)
and hands the work to a function of a sibling module; the state kept here is the engine and
the change counter.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

import carewatch.store.issues as issues
import carewatch.store.positions as positions
import carewatch.store.reads as reads
import carewatch.store.tags as tags
from carewatch.records import CallRow, IssueRow, Record
from carewatch.store.apply import ApplyResult, apply_records
from carewatch.store.changes import ChangeCounter
from carewatch.store.database import (
    StoreError,
    database_url,
    display_name,
    is_sqlite_url,
    make_engine,
    read_transaction,
    run_retrying,
    short_error,
    write_transaction,
)
from carewatch.store.schema import check_schema

T = TypeVar("T")


class Store:
    """One database, shared by every carewatch process that opens it."""

    def __init__(self, db: str | None = None, *, create: bool = True) -> None:
        self.url = database_url(db)
        self.is_sqlite = is_sqlite_url(self.url)
        try:
            self.engine = make_engine(self.url)
            self._changes = ChangeCounter(self.engine, is_sqlite=self.is_sqlite)
            with self.write() as conn:
                check_schema(conn, name=self.display_name, is_sqlite=self.is_sqlite, create=create)
        except StoreError:
            raise
        except (SQLAlchemyError, OSError) as exc:
            raise StoreError(
                f"cannot open database {self.display_name}: {short_error(exc)}"
            ) from None

    @property
    def display_name(self) -> str:
        """The database as the user names it (a file's path; a URL without credentials)."""
        return display_name(self.url)

    def close(self) -> None:
        self._changes.close()
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions -------------------------------------------------------------------------
    def write(self) -> AbstractContextManager[Connection]:
        """A read-then-write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
        return write_transaction(self.engine)

    def read(self) -> AbstractContextManager[Connection]:
        """A read-only transaction: one consistent snapshot."""
        return read_transaction(self.engine)

    def retrying(self, fn: Callable[[Connection], T], attempts: int = 5) -> T:
        """Run ``fn`` in a write transaction, retrying while the database is locked."""
        return run_retrying(self.engine, fn, name=self.display_name, attempts=attempts)

    def _write_counted(self, fn: Callable[[Connection], T]) -> T:
        # a write of our own: retried while locked, then counted as a change
        result = self.retrying(fn)
        self._changes.touched()
        return result

    # -- change detection ---------------------------------------------------------------------
    def data_version(self) -> int:
        """A number that changes when any process commits to the database (cheap to poll)."""
        return self._changes.data_version()

    # -- ingest ---------------------------------------------------------------------------------
    def apply(
        self,
        conn: Connection,
        source: str,
        records: Sequence[tuple[int, Record]],
        now: float | None = None,
    ) -> ApplyResult:
        """Merge parsed records (each with its line number) into the store, inside ``conn``'s
        transaction. Calls are upserted by (source, call_id): a later non-empty value replaces
        an earlier one. An update for a call never seen starting is skipped and counted.
        """
        result = apply_records(conn, source, records, time.time() if now is None else now)
        if result.added or result.updated or result.agent_events:
            self._changes.touched()
        return result

    def ingest(self, source: str, records: Sequence[tuple[int, Record]]) -> ApplyResult:
        """Apply records in their own transaction (for callers that keep no file position)."""
        return self.retrying(lambda conn: self.apply(conn, source, records))

    # -- positions ------------------------------------------------------------------------------
    def positions(self, source: str | None = None) -> list[dict[str, Any]]:
        """Stored read positions (all, or of one source), newest first."""
        with self.read() as conn:
            return positions.positions(conn, source)

    def save_position(self, conn: Connection, values: dict[str, Any]) -> int:
        """Insert or update one position row inside ``conn``'s transaction; returns its id.

        ``values`` holds the columns of :class:`SourcePosition`; with ``id`` it updates.
        """
        return positions.save_position(conn, values)

    # -- reads ----------------------------------------------------------------------------------
    def calls_between(
        self,
        start: float,
        end: float,
        *,
        queue: str | None = None,
        agent: str | None = None,
    ) -> list[CallRow]:
        """Calls that started in [start, end), oldest first (index range scan on started_at)."""
        with self.read() as conn:
            return reads.calls_between(conn, start, end, queue=queue, agent=agent)

    def recent_calls(self, limit: int = 200, *, since: float | None = None) -> list[CallRow]:
        """The newest calls by start time (at most ``limit``), newest first."""
        with self.read() as conn:
            return reads.recent_calls(conn, limit, since=since)

    def find_calls(self, call_id: str) -> list[CallRow]:
        """Every call with this call id (one per source that logged it)."""
        with self.read() as conn:
            return reads.find_calls(conn, call_id)

    def get_call(self, pk: int) -> CallRow | None:
        """The call with this primary key, or ``None``."""
        with self.read() as conn:
            return reads.get_call(conn, pk)

    def count_calls(self) -> int:
        """How many calls the database holds."""
        with self.read() as conn:
            return reads.count_calls(conn)

    def missed_rings_between(
        self, start: float, end: float, queue: str | None = None
    ) -> dict[str, int]:
        """RINGNOANSWER events per agent in [start, end) (of one queue, if given)."""
        with self.read() as conn:
            return reads.missed_rings_between(conn, start, end, queue)

    def agent_events_between(self, start: float, end: float) -> list[dict[str, Any]]:
        """Agent events in [start, end), oldest first."""
        with self.read() as conn:
            return reads.agent_events_between(conn, start, end)

    def issues_relevant(self, start: float, end: float) -> list[IssueRow]:
        """Issues open at ``end``, or opened or resolved in [start, end)."""
        with self.read() as conn:
            return reads.issues_relevant(conn, start, end)

    def open_issues(self) -> list[IssueRow]:
        """Issues not resolved yet, oldest first."""
        with self.read() as conn:
            return reads.open_issues(conn)

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
            lambda conn: tags.tag(conn, call_pk, field_name, value, operator, at)
        )

    def undo_last_tag(self, operator: str, *, now: float | None = None) -> dict[str, Any] | None:
        """Undo this operator's last tag that is not undone yet: the field gets its old value
        back (a new event records the undo). Returns the undone event, or ``None``."""
        at = time.time() if now is None else now
        return self._write_counted(lambda conn: tags.undo_last_tag(conn, operator, at))

    def tag_events(self, call_pk: int | None = None) -> list[dict[str, Any]]:
        """Tag events (of one call, or all), oldest first."""
        with self.read() as conn:
            return tags.tag_events(conn, call_pk)

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
            lambda conn: issues.open_issue(
                conn, title, operator, at, call_pk=call_pk, category=category
            )
        )

    def resolve_issue(self, issue_id: int, operator: str, *, now: float | None = None) -> bool:
        """Resolve an open issue. ``False`` when it does not exist or is resolved already."""
        at = time.time() if now is None else now
        return self._write_counted(lambda conn: issues.resolve_issue(conn, issue_id, operator, at))
