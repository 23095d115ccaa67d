"""The :class:`Store`: the one object callers use to open a database and work with it.

Each method picks the transaction (a read snapshot, a retried write, or the caller's own
transaction) and hands the work to a function of a sibling module; the state kept here is the
:class:`~carewatch.store.database.Database` (its connections) and the change counter.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import carewatch.store.analysis as analysis
import carewatch.store.compact as compacting
import carewatch.store.positions as positions
import carewatch.store.reads as reads
from carewatch.i18n import N_, _
from carewatch.records import AgentFilter, CallRow, IssueRow, Record, Seen
from carewatch.store.changes import ChangeCounter
from carewatch.store.database import (
    Database,
    Tx,
    Waiting,
    database_url,
    display_name,
    is_sqlite_url,
    sqlite_path,
)
from carewatch.store.errors import StoreError
from carewatch.store.operator_work import OperatorWork
from carewatch.store.schema import check_schema

if TYPE_CHECKING:  # the ingest machinery, imported when records are applied (not by tag)
    from carewatch.store.apply import ApplyResult

T = TypeVar("T")

#: Attempts to open a database that stays locked (its creation by another process, a
#: database outside WAL mode) before giving up with one line.
OPEN_ATTEMPTS = 6
#: The one line of a database that cannot be opened.
CANNOT_OPEN = N_("cannot open database {name}: {reason}")


class Store(OperatorWork):
    """One database, shared by every carewatch process that opens it.

    ``read_only``: open without writing anything (no schema creation, no pragma that writes;
    SQLite's ``mode=ro``); a database that does not exist is an error then. ``create``: create
    the database (an SQLite file) and its tables when there are none (the default); without
    it, a database that does not exist or has no carewatch tables is an error, as when
    ``read_only``. ``waiting``: entered while a connection waits for a PostgreSQL server to
    have a slot free, at most ``connect_wait`` seconds
    (:class:`~carewatch.store.database.Database`).
    """

    def __init__(
        self,
        db: str | None = None,
        *,
        create: bool = True,
        read_only: bool = False,
        waiting: Waiting | None = None,
        connect_wait: float | None = None,
    ) -> None:
        self.url = database_url(db)
        self.is_sqlite = is_sqlite_url(self.url)
        self.read_only = read_only
        self._db = Database(
            self.url,
            name=self.display_name,
            read_only=read_only,
            create=create,
            waiting=waiting,
            connect_wait=connect_wait,
        )
        try:
            self._open(create=create and not read_only)
        except BaseException:
            self._db.close()
            raise
        self._changes = ChangeCounter(self._db)

    def _open(self, *, create: bool) -> None:
        name = self.display_name
        try:
            self._db.prepare_sqlite()
            state = self._db.run(
                lambda tx: check_schema(tx, name), write=False, attempts=OPEN_ATTEMPTS
            )
            if state.kind == "empty":
                if not create:
                    raise StoreError(_("database {name} has no carewatch tables").format(name=name))
                from carewatch.store.create import create_if_empty

                self._db.run(lambda tx: create_if_empty(tx, name), attempts=OPEN_ATTEMPTS)
            self._db.backend.opened = True  # (SQLite: damage found from now on is told so)
        except StoreError as exc:
            if str(exc).startswith(f"database {name}: "):
                reason = str(exc).removeprefix(f"database {name}: ")
                cannot = _(CANNOT_OPEN).format(name=name, reason=reason)
                raise StoreError(cannot, lasting=exc.lasting) from None
            raise
        except OSError as exc:
            raise StoreError(_(CANNOT_OPEN).format(name=name, reason=exc.strerror or exc)) from None
        except Exception as exc:
            if not self._db.backend.is_driver_error(exc):
                raise
            lasting = self._db.backend.lasting_error(exc, name)
            if lasting is not None:  # (WAL mode set on a file this user may not write)
                raise StoreError(lasting, lasting=True) from None
            reason = self._db.short_error(exc)
            raise StoreError(_(CANNOT_OPEN).format(name=name, reason=reason)) from None

    @property
    def display_name(self) -> str:
        """The database as the user names it (a file's path; a URL without credentials)."""
        return display_name(self.url)

    @property
    def file(self) -> str | None:
        """The SQLite database's file, as an absolute path (``None``: PostgreSQL, or an
        in-memory database)."""
        if not self.is_sqlite:
            return None
        path = sqlite_path(self.url)
        return os.path.abspath(path) if path and path != ":memory:" else None

    @property
    def shared(self) -> bool:
        """Whether another process can open this database as well: an SQLite file or
        PostgreSQL, not an in-memory database."""
        return not self.is_sqlite or self.file is not None

    def close(self) -> None:
        changes = getattr(self, "_changes", None)
        if changes is not None:
            changes.close()
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions -------------------------------------------------------------------------
    def retrying(self, fn: Callable[[Tx], T], attempts: int = 5) -> T:
        """Run ``fn`` in a write transaction (``BEGIN IMMEDIATE`` on SQLite, the writers' lock
        on PostgreSQL), again while the database is locked or the transaction lost a race."""
        return self._db.run(fn, attempts=attempts)

    def compact(self, erased: Collection[str] | None = None) -> compacting.Compaction:
        """Old copies of rows out of the files, or what stays (:mod:`carewatch.store.compact`)."""
        return compacting.compact(self._db, erased=erased)

    def _read(self, fn: Callable[[Tx], T]) -> T:
        return self._db.run(fn, write=False)

    def _write_counted(self, fn: Callable[[Tx], T]) -> T:
        # a write of our own: retried while locked, then counted as a change
        result = self.retrying(fn)
        self._changes.touched()
        return result

    @property
    def waiting(self) -> Waiting | None:
        """What a new connection does while its server has no slot free (given at opening):
        the config's queue_log tables, read for this store, wait the same way."""
        return self._db.waiting

    @waiting.setter
    def waiting(self, waiting: Waiting | None) -> None:
        self._db.waiting = waiting

    # -- change detection ---------------------------------------------------------------------
    def data_version(self) -> int:
        """A number that changes when any process commits to the database (cheap to poll)."""
        return self._changes.data_version()

    @property
    def notifies(self) -> bool:
        """Whether :meth:`wait_for_change` returns early on a change (PostgreSQL)."""
        return self._changes.notifies

    def wait_for_change(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for another process's commit to be announced
        (PostgreSQL's LISTEN/NOTIFY); ``True`` when one was. Returns ``False`` at once where
        nothing is announced (SQLite: poll :meth:`data_version`)."""
        return self._changes.wait(timeout)

    # -- ingest ---------------------------------------------------------------------------------
    def apply(
        self,
        tx: Tx,
        source: str,
        records: Sequence[tuple[int, Record]],
        now: float | None = None,
    ) -> ApplyResult:
        """Merge parsed records (each with its line number) into the store, inside ``tx``.
        Calls are upserted by (source, call_id, leg) with :func:`carewatch.records.merge`; an
        event for a call not started yet waits for its start (:mod:`carewatch.store.apply`)."""
        from carewatch.store.apply import apply_records

        result = apply_records(tx, source, records, time.time() if now is None else now)
        if result.added or result.updated or result.agent_events or result.waiting_added:
            self._changes.touched()
        return result

    def ingest(self, source: str, records: Sequence[tuple[int, Record]]) -> ApplyResult:
        """Apply records in their own transaction (for callers that keep no file position)."""
        return self.retrying(lambda tx: self.apply(tx, source, records))

    # -- positions ------------------------------------------------------------------------------
    def positions(self, source: str | None = None) -> list[dict[str, Any]]:
        """Stored read positions (all, or of one source), newest first."""
        return self._read(lambda tx: positions.positions(tx, source))

    def positions_in(self, tx: Tx, source: str) -> list[dict[str, Any]]:
        """Stored read positions of one source, newest first, inside ``tx`` (a reader checks
        there that nobody moved its position before it commits a batch)."""
        return positions.positions(tx, source)

    def save_position(self, tx: Tx, values: dict[str, Any]) -> int:
        """Insert or update one position row inside ``tx``; returns its id. ``values`` holds
        columns of ``cw_source_position``; with ``id`` it updates those."""
        return positions.save_position(tx, values)

    # -- reads ----------------------------------------------------------------------------------
    def calls_between(
        self,
        start: float,
        end: float,
        *,
        queue: str | None = None,
        agent: AgentFilter | None = None,
    ) -> list[CallRow]:
        """Calls that started in [start, end), oldest first (index range scan on started_at)."""
        return self._read(lambda tx: reads.calls_between(tx, start, end, queue=queue, agent=agent))

    def seen_between(self, start: float, end: float) -> list[Seen]:
        """The answered calls with an operator that started in [start, end), as (agent,
        answered_at, ended_at, talk_seconds) (:func:`carewatch.store.reads.seen_between`)."""
        return self._read(lambda tx: reads.seen_between(tx, start, end))

    def caller_calls_between(self, start: float, end: float) -> list[CallRow]:
        """Calls with a caller that started in [start, end), with only what the call-backs read
        (:func:`carewatch.store.reads.caller_calls_between`)."""
        return self._read(lambda tx: reads.caller_calls_between(tx, start, end))

    def inbound_starts_between(
        self, start: float, end: float, *, queue: str | None = None
    ) -> list[float]:
        """When each inbound call that started in [start, end) started (of one queue, if
        given), in order."""
        return self._read(lambda tx: reads.inbound_starts_between(tx, start, end, queue=queue))

    def recent_calls(self, limit: int = 200, *, since: float | None = None) -> list[CallRow]:
        """The newest calls by start time (at most ``limit``), newest first."""
        return self._read(lambda tx: reads.recent_calls(tx, limit, since=since))

    def find_calls(self, call_id: str) -> list[CallRow]:
        """Every call with this call id: one per source that logged it and per queue it
        entered (its legs), by source, then start."""
        return self._read(lambda tx: reads.find_calls(tx, call_id))

    def get_call(self, pk: int) -> CallRow | None:
        """The call with this primary key, or ``None``."""
        return self._read(lambda tx: reads.get_call(tx, pk))

    def callers_and_notes(self, pks: Sequence[int]) -> dict[int, tuple[str | None, str | None]]:
        """The caller and the note of each call of ``pks`` (by primary key) still stored."""
        return self._read(lambda tx: reads.callers_and_notes(tx, pks))

    def implausible_calls(self, start: float, end: float) -> int:
        """How many calls started in [start, end) hold a value out of physical sense (written
        by another program); the reads give those values as unknown."""
        return self._read(lambda tx: reads.implausible_calls(tx, start, end))

    def queues_between(self, start: float, end: float) -> list[str]:
        """The queues of the calls that started in [start, end), sorted."""
        return self._read(lambda tx: reads.queues_between(tx, start, end))

    def count_calls(self, start: float | None = None, end: float | None = None) -> int:
        """How many calls the database holds; with ``start`` and ``end``, how many started
        in [start, end)."""
        return self._read(lambda tx: reads.count_calls(tx, start, end))

    def count_calls_in(self, spans: Sequence[tuple[float, float]]) -> list[int]:
        """For each ``(start, end)``, how many calls started in [start, end), in one read."""
        return self._read(lambda tx: [reads.count_calls(tx, a, b) for a, b in spans])

    def missed_rings_between(
        self, start: float, end: float, queue: str | None = None
    ) -> dict[str, int]:
        """RINGNOANSWER events per agent in [start, end) (of one queue, if given)."""
        return self._read(lambda tx: reads.missed_rings_between(tx, start, end, queue))

    def rings_between(self, start: float, end: float, queue: str | None = None) -> reads.Rings:
        """Missed and unreachable rings per agent in [start, end) (of one queue, if given)."""
        return self._read(lambda tx: reads.rings_between(tx, start, end, queue))

    def agent_events_between(self, start: float, end: float) -> list[dict[str, Any]]:
        """Agent events in [start, end), oldest first."""
        return self._read(lambda tx: reads.agent_events_between(tx, start, end))

    def window_stamps(
        self, windows: Sequence[tuple[float, float, float]]
    ) -> list[reads.WindowStamp]:
        """What the store holds of each window ``(start, end, events_from)``, in one read
        (:func:`~carewatch.store.reads.window_stamps`)."""
        if not windows:
            return []
        return self._read(lambda tx: reads.window_stamps(tx, windows))

    def calls_changed(self, checks: Sequence[tuple[int, float, float]]) -> list[bool]:
        """For each ``(seq, start, end)``, in one read: whether a call that started in
        [start, end) was written after change number ``seq``."""
        if not checks:
            return []
        return self._read(lambda tx: [reads.calls_changed_since(tx, *check) for check in checks])

    def issues_relevant(self, start: float, end: float) -> list[IssueRow]:
        """Issues open at ``end``, or opened or resolved in [start, end)."""
        return self._read(lambda tx: reads.issues_relevant(tx, start, end))

    def call_span(
        self, *, queue: str | None = None, agent: AgentFilter | None = None
    ) -> tuple[float, float] | None:
        """The first and last call start the database holds (of a queue/operator), or ``None``."""
        return self._read(lambda tx: analysis.call_span(tx, queue=queue, agent=agent))

    def spelled_as(self, column: str, name: str) -> str:
        """A queue's or an operator's ``name`` as the calls spell it, when they spell it
        otherwise only in case (:func:`carewatch.store.analysis.spelled_as`)."""
        return self._read(lambda tx: analysis.spelled_as(tx, column, name))

    def has_agent(self, folded: Collection[str]) -> bool:
        """Whether any call of any day has one of these agents (names folded: lowercase,
        trimmed; :func:`carewatch.store.analysis.has_agent`)."""
        return self._read(lambda tx: analysis.has_agent(tx, folded))

    def trend_totals(
        self,
        windows: Sequence[tuple[float, float]],
        *,
        service_level_seconds: float,
        conversion_outcomes: Collection[str],
        queue: str | None = None,
        agent: AgentFilter | None = None,
    ) -> list[dict[str, float]]:
        """Per window ``(start, end)``, the sums behind the trend's KPIs, added up by the
        database (:func:`carewatch.store.analysis.trend_totals`); no read for no window (a
        warm report's trend is kept whole)."""
        if not windows:
            return []
        return self._read(
            lambda tx: analysis.trend_totals(
                tx,
                windows,
                service_level_seconds=service_level_seconds,
                conversion_outcomes=conversion_outcomes,
                queue=queue,
                agent=agent,
            )
        )

    def open_issues(self) -> list[IssueRow]:
        """Issues not resolved yet, oldest first."""
        return self._read(lambda tx: reads.open_issues(tx))

    # -- what changed --------------------------------------------------------------------------
    def live_start(
        self, start: float, end: float, events_since: float
    ) -> tuple[int, list[CallRow], list[dict[str, Any]], list[Seen]]:
        """One consistent read for a screen that will follow the changes: the change number
        now, the calls that started in [start, end), the agent events since ``events_since``
        (then :meth:`changes_after` with that number and the last event id), and the answered
        calls that started from ``events_since`` to ``start``, as :meth:`seen_between` reads
        them."""

        def read(tx: Tx) -> tuple[int, list[CallRow], list[dict[str, Any]], list[Seen]]:
            seq = reads.change_seq(tx)
            calls = reads.calls_between(tx, start, end)
            events = reads.agent_events_between(tx, events_since, float("inf"))
            seen = reads.seen_between(tx, events_since, start)
            return seq, calls, events, seen

        return self._read(read)

    def changes_after(
        self, seq: int, event_id: int
    ) -> tuple[list[tuple[int, CallRow]], list[dict[str, Any]]]:
        """In one read: the calls written after change number ``seq`` (each with its number)
        and the agent events stored after id ``event_id``."""
        return self._read(
            lambda tx: (reads.calls_changed_after(tx, seq), reads.agent_events_after(tx, event_id))
        )
