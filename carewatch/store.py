"""The database: engine and pragmas, schema and its version, write paths, reads, change detection.

SQLite (the default, embedded) runs in WAL mode with a busy timeout; every transaction that
reads and then writes starts with ``BEGIN IMMEDIATE`` so concurrent writers queue up instead of
failing. Bulk writes go through SQLAlchemy Core ``executemany`` in batches. Nothing in the
schema or the queries is SQLite-only: the same code runs on PostgreSQL through a URL.

The KPI engine (carewatch/kpi.py) reads calls from here; the KPI snapshot contract it must
return (the exact keys) is in docs/kpis.md.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy import update as sa_update
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel

from carewatch.model import (
    SCHEMA_VERSION,
    AgentEventRow,
    Call,
    Issue,
    Meta,
    SourcePosition,
    TagEvent,
)
from carewatch.records import (
    CALL_FIELDS,
    AgentEvent,
    CallRow,
    CallUpdate,
    IssueRow,
    Record,
    derive,
)

CALLS = Call.__table__
TAGS = TagEvent.__table__
ISSUES = Issue.__table__
POSITIONS = SourcePosition.__table__
AGENT_EVENTS = AgentEventRow.__table__
META = Meta.__table__

CALL_COLUMNS = [CALLS.c[name] for name in CallRow._fields]
_CALL_COLUMN_NAMES = CallRow._fields
_CALL_FIELD_SET = frozenset(CALL_FIELDS)
ISSUE_COLUMNS = [ISSUES.c[name] for name in IssueRow._fields]
TAG_FIELDS = ("category", "outcome", "resolved", "note")

#: Text fields stored in bounded columns, and their size.
SHORT_TEXT = frozenset({"queue", "agent", "caller", "category", "outcome", "direction"})
TEXT_MAX = 200

#: Rows per executemany / per IN (...) lookup.
BATCH = 500

T = TypeVar("T")


class StoreError(Exception):
    """The database cannot be used; ``str()`` is one clear line for the user."""


@dataclass
class ApplyResult:
    """What one batch of records did to the store."""

    added: int = 0
    updated: int = 0
    agent_events: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    #: The call ids this batch added, and those it updated (they existed before it).
    added_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)

    def merge(self, other: ApplyResult) -> None:
        self.added += other.added
        self.updated += other.updated
        self.agent_events += other.agent_events
        self.skipped.extend(other.skipped)
        self.added_ids.extend(other.added_ids)
        self.updated_ids.extend(other.updated_ids)


def database_url(db: str | None) -> str:
    """A ``--db`` value (a path or an SQLAlchemy URL) -> URL. ``None`` -> ``carewatch.db``."""
    if not db:
        db = "carewatch.db"
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser()}"


def _agent_event_key(ev: AgentEvent) -> str:
    raw = f"{ev.at!r}|{ev.agent}|{ev.event}|{ev.queue}|{ev.reason}|{ev.call_id}|{ev.ring_ms}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def _chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text


class Store:
    """One database, shared by every carewatch process that opens it."""

    def __init__(self, db: str | None = None, *, create: bool = True) -> None:
        self.url = database_url(db)
        self.is_sqlite = self.url.startswith("sqlite")
        self._version_conn: Any = None
        self._version_lock = threading.Lock()
        try:
            self.engine = self._make_engine()
            self._check_schema(create)
        except StoreError:
            raise
        except (SQLAlchemyError, OSError) as exc:
            raise StoreError(f"cannot open database {self._display()}: {_short(exc)}") from None

    # -- engine and schema -----------------------------------------------------------------
    def _display(self) -> str:
        if self.is_sqlite:
            return self.url.removeprefix("sqlite:///") or ":memory:"
        return self.url.split("@")[-1]

    def _make_engine(self) -> Engine:
        if not self.is_sqlite:
            return create_engine(self.url, pool_pre_ping=True)
        path = self.url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            parent = Path(path).parent
            if not parent.exists():
                raise StoreError(f"cannot open database {path}: folder {parent} does not exist")
        engine = create_engine(
            self.url,
            connect_args={"timeout": 30, "check_same_thread": False},
            **({"poolclass": StaticPool} if path in ("", ":memory:") else {}),
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            immediate = conn.get_execution_options().get("cw_immediate", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine

    def _check_schema(self, create: bool) -> None:
        with self.write() as conn:
            has_meta = self.engine.dialect.has_table(conn, META.name)
            has_calls = self.engine.dialect.has_table(conn, CALLS.name)
            if has_meta:
                found = conn.execute(
                    select(META.c.value).where(META.c.key == "schema_version")
                ).scalar_one_or_none()
                if found != str(SCHEMA_VERSION):
                    raise StoreError(
                        f"database {self._display()} has schema version {found or 'unknown'}; "
                        f"this carewatch uses version {SCHEMA_VERSION}: use a new database file "
                        "or the carewatch version that wrote it"
                    )
                return
            if has_calls or (self.is_sqlite and _has_foreign_tables(conn)):
                raise StoreError(
                    f"database {self._display()} was not written by carewatch (no schema version); "
                    "point --db at a new file"
                )
            if not create:
                raise StoreError(f"database {self._display()} has no carewatch tables")
            SQLModel.metadata.create_all(conn)
            conn.execute(insert(META), [{"key": "schema_version", "value": str(SCHEMA_VERSION)}])

    def close(self) -> None:
        with self._version_lock:
            if self._version_conn is not None:
                self._version_conn.close()
                self._version_conn = None
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions -------------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A read-then-write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(cw_immediate=True)
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction: one consistent snapshot."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def retrying(self, fn: Callable[[Connection], T], attempts: int = 5) -> T:
        """Run ``fn`` in a write transaction, retrying while the database is locked."""
        delay = 0.05
        for attempt in range(attempts):
            try:
                with self.write() as conn:
                    return fn(conn)
            except OperationalError as exc:
                if not _is_locked(exc) or attempt == attempts - 1:
                    raise StoreError(f"database {self._display()}: {_short(exc)}") from None
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    # -- change detection ---------------------------------------------------------------------
    def data_version(self) -> int:
        """A number that changes when any process commits to the database (cheap to poll).

        SQLite: ``PRAGMA data_version`` on a connection kept for this purpose (it only moves
        for commits by *other* connections, so our own writes bump a local counter too).
        Elsewhere: the newest change time of calls, tags, issues and positions.
        """
        if self.is_sqlite:
            # one connection, used by one thread at a time (a screen polls from a worker
            # thread while another may close the store)
            with self._version_lock:
                if self._version_conn is None:
                    self._version_conn = self.engine.raw_connection()
                cur = self._version_conn.cursor()
                try:
                    cur.execute("PRAGMA data_version")
                    (value,) = cur.fetchone()
                finally:
                    cur.close()
            return int(value) * 1_000_000 + self._local_writes
        with self.read() as conn:
            parts = [
                conn.execute(select(func.max(CALLS.c.updated_at))).scalar() or 0,
                conn.execute(select(func.max(TAGS.c.id))).scalar() or 0,
                conn.execute(select(func.max(ISSUES.c.id))).scalar() or 0,
                conn.execute(select(func.max(ISSUES.c.resolved_at))).scalar() or 0,
                conn.execute(select(func.max(POSITIONS.c.updated_at))).scalar() or 0,
            ]
        return hash(tuple(parts))

    _local_writes = 0

    def _touched(self) -> None:
        self._local_writes += 1

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
        now = time.time() if now is None else now
        result = ApplyResult()
        updates = [(n, r) for n, r in records if isinstance(r, CallUpdate)]
        events = [(n, r) for n, r in records if isinstance(r, AgentEvent)]
        if updates:
            self._apply_calls(conn, source, updates, now, result)
        if events:
            self._apply_agent_events(conn, source, events, result)
        if result.added or result.updated or result.agent_events:
            self._touched()
        return result

    def _apply_calls(
        self,
        conn: Connection,
        source: str,
        updates: list[tuple[int, CallUpdate]],
        now: float,
        result: ApplyResult,
    ) -> None:
        ids = list(dict.fromkeys(u.call_id for _, u in updates))
        existing: dict[str, dict[str, Any]] = {}
        # each stored row as read (a tuple, in column order): to tell which rows changed
        originals: dict[str, tuple[Any, ...]] = {}
        for chunk in _chunks(ids):
            rows = conn.execute(
                select(*CALL_COLUMNS).where(CALLS.c.source == source, CALLS.c.call_id.in_(chunk))
            )
            for row in rows:
                existing[row.call_id] = dict(zip(_CALL_COLUMN_NAMES, row, strict=True))
                originals[row.call_id] = tuple(row)
        new: dict[str, dict[str, Any]] = {}
        for line_no, upd in updates:
            row = existing.get(upd.call_id) or new.get(upd.call_id)
            if row is None:
                if not upd.creates or upd.fields.get("started_at") is None:
                    result.skipped.append((line_no, "event for a call never seen starting"))
                    continue
                row = dict.fromkeys(CALL_FIELDS)
                row.update(direction="in", transferred=False, source=source, call_id=upd.call_id)
                new[upd.call_id] = row
            for key, value in upd.fields.items():
                if value is not None and key in _CALL_FIELD_SET:
                    if key in SHORT_TEXT and isinstance(value, str):
                        value = value[:TEXT_MAX]  # the column's size, on every database
                    row[key] = value
            row.update(derive(row))
        inserts = []
        for row in new.values():
            row["updated_at"] = now
            if row.get("direction") is None:
                row["direction"] = "in"
            if row.get("transferred") is None:
                row["transferred"] = False
            inserts.append(row)  # its keys: CALL_FIELDS, source, call_id, updated_at
        changed = []
        for call_id, row in existing.items():
            # the row's keys are the columns, in order, and only their values were set
            if tuple(row.values()) != originals[call_id]:
                row["updated_at"] = now
                changed.append(row)
        for chunk in _chunks(inserts):
            conn.execute(insert(CALLS), list(chunk))
        if changed:
            stmt = (
                sa_update(CALLS)
                .where(CALLS.c.id == bindparam("_pk"))
                .values({name: bindparam(name) for name in (*CALL_FIELDS, "updated_at")})
            )
            params = [
                {"_pk": row["id"], **{n: row[n] for n in (*CALL_FIELDS, "updated_at")}}
                for row in changed
            ]
            for chunk in _chunks(params):
                conn.execute(stmt, list(chunk))
        result.added += len(inserts)
        result.updated += len(changed)
        result.added_ids.extend(new)
        result.updated_ids.extend(row["call_id"] for row in changed)

    def _apply_agent_events(
        self,
        conn: Connection,
        source: str,
        events: list[tuple[int, AgentEvent]],
        result: ApplyResult,
    ) -> None:
        keyed: dict[str, AgentEvent] = {}
        for _, ev in events:
            keyed.setdefault(_agent_event_key(ev), ev)
        keys = list(keyed)
        seen: set[str] = set()
        for chunk in _chunks(keys):
            seen.update(
                conn.execute(
                    select(AGENT_EVENTS.c.dedupe_key).where(
                        AGENT_EVENTS.c.source == source, AGENT_EVENTS.c.dedupe_key.in_(chunk)
                    )
                ).scalars()
            )
        rows = [
            {
                "source": source,
                "at": ev.at,
                "agent": ev.agent,
                "event": ev.event,
                "queue": ev.queue,
                "reason": ev.reason,
                "call_id": ev.call_id,
                "ring_ms": ev.ring_ms,
                "dedupe_key": key,
            }
            for key, ev in keyed.items()
            if key not in seen
        ]
        for chunk in _chunks(rows):
            conn.execute(insert(AGENT_EVENTS), list(chunk))
        result.agent_events += len(rows)

    def ingest(self, source: str, records: Sequence[tuple[int, Record]]) -> ApplyResult:
        """Apply records in their own transaction (for callers that keep no file position)."""
        return self.retrying(lambda conn: self.apply(conn, source, records))

    # -- positions ------------------------------------------------------------------------------
    def positions(self, source: str | None = None) -> list[dict[str, Any]]:
        """Stored read positions (all, or of one source), newest first."""
        stmt = select(POSITIONS).order_by(POSITIONS.c.updated_at.desc(), POSITIONS.c.id.desc())
        if source is not None:
            stmt = stmt.where(POSITIONS.c.source == source)
        with self.read() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def save_position(self, conn: Connection, values: dict[str, Any]) -> int:
        """Insert or update one position row inside ``conn``'s transaction; returns its id.

        ``values`` holds the columns of :class:`SourcePosition`; with ``id`` it updates.
        """
        values = dict(values)
        if isinstance(values.get("bad_by_reason"), dict):
            values["bad_by_reason"] = json.dumps(values["bad_by_reason"], sort_keys=True)
        pk = values.pop("id", None)
        if pk is None:
            return int(conn.execute(insert(POSITIONS).values(**values)).inserted_primary_key[0])
        conn.execute(sa_update(POSITIONS).where(POSITIONS.c.id == pk).values(**values))
        return int(pk)

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
        stmt = select(*CALL_COLUMNS).where(CALLS.c.started_at >= start, CALLS.c.started_at < end)
        if queue is not None:
            stmt = stmt.where(CALLS.c.queue == queue)
        if agent is not None:
            stmt = stmt.where(CALLS.c.agent == agent)
        stmt = stmt.order_by(CALLS.c.started_at, CALLS.c.id)
        with self.read() as conn:
            return [CallRow(*r) for r in conn.execute(stmt)]

    def recent_calls(self, limit: int = 200, *, since: float | None = None) -> list[CallRow]:
        """The newest calls by start time (at most ``limit``), newest first."""
        stmt = select(*CALL_COLUMNS)
        if since is not None:
            stmt = stmt.where(CALLS.c.started_at >= since)
        stmt = stmt.order_by(CALLS.c.started_at.desc(), CALLS.c.id.desc()).limit(limit)
        with self.read() as conn:
            return [CallRow(*r) for r in conn.execute(stmt)]

    def find_calls(self, call_id: str) -> list[CallRow]:
        """Every call with this call id (one per source that logged it)."""
        with self.read() as conn:
            rows = conn.execute(select(*CALL_COLUMNS).where(CALLS.c.call_id == call_id))
            return [CallRow(*r) for r in rows]

    def get_call(self, pk: int) -> CallRow | None:
        with self.read() as conn:
            row = conn.execute(select(*CALL_COLUMNS).where(CALLS.c.id == pk)).first()
        return CallRow(*row) if row else None

    def count_calls(self) -> int:
        with self.read() as conn:
            return int(conn.execute(select(func.count()).select_from(CALLS)).scalar_one())

    def missed_rings_between(
        self, start: float, end: float, queue: str | None = None
    ) -> dict[str, int]:
        """RINGNOANSWER events per agent in [start, end) (of one queue, if given)."""
        stmt = (
            select(AGENT_EVENTS.c.agent, func.count())
            .where(
                AGENT_EVENTS.c.event == "RINGNOANSWER",
                AGENT_EVENTS.c.at >= start,
                AGENT_EVENTS.c.at < end,
            )
            .group_by(AGENT_EVENTS.c.agent)
        )
        if queue is not None:
            stmt = stmt.where(AGENT_EVENTS.c.queue == queue)
        with self.read() as conn:
            return {agent: int(n) for agent, n in conn.execute(stmt)}

    def agent_events_between(self, start: float, end: float) -> list[dict[str, Any]]:
        """Agent events in [start, end), oldest first."""
        stmt = (
            select(AGENT_EVENTS)
            .where(AGENT_EVENTS.c.at >= start, AGENT_EVENTS.c.at < end)
            .order_by(AGENT_EVENTS.c.at, AGENT_EVENTS.c.id)
        )
        with self.read() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def issues_relevant(self, start: float, end: float) -> list[IssueRow]:
        """Issues open at ``end``, or opened or resolved in [start, end)."""
        stmt = (
            select(*ISSUE_COLUMNS)
            .where(
                or_(
                    and_(
                        ISSUES.c.opened_at < end,
                        or_(ISSUES.c.resolved_at.is_(None), ISSUES.c.resolved_at >= end),
                    ),
                    and_(ISSUES.c.opened_at >= start, ISSUES.c.opened_at < end),
                    and_(ISSUES.c.resolved_at >= start, ISSUES.c.resolved_at < end),
                )
            )
            .order_by(ISSUES.c.opened_at)
        )
        with self.read() as conn:
            return [IssueRow(*r) for r in conn.execute(stmt)]

    def open_issues(self) -> list[IssueRow]:
        """Issues not resolved yet, oldest first."""
        stmt = (
            select(*ISSUE_COLUMNS)
            .where(ISSUES.c.resolved_at.is_(None))
            .order_by(ISSUES.c.opened_at)
        )
        with self.read() as conn:
            return [IssueRow(*r) for r in conn.execute(stmt)]

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
        if field_name not in TAG_FIELDS:
            raise ValueError(f"cannot tag {field_name!r}; taggable: {', '.join(TAG_FIELDS)}")
        at = time.time() if now is None else now

        def run(conn: Connection) -> int | None:
            current = conn.execute(select(CALLS.c[field_name]).where(CALLS.c.id == call_pk)).first()
            if current is None:
                raise StoreError(f"no call with id {call_pk}")
            old = current[0]
            if old == value:
                return None
            conn.execute(
                sa_update(CALLS)
                .where(CALLS.c.id == call_pk)
                .values({field_name: value, "updated_at": at})
            )
            pk = conn.execute(
                insert(TAGS).values(
                    call_pk=call_pk,
                    field=field_name,
                    old_value=_tag_text(old),
                    new_value=_tag_text(value),
                    operator=operator,
                    at=at,
                )
            ).inserted_primary_key[0]
            return int(pk)

        result = self.retrying(run)
        self._touched()
        return result

    def undo_last_tag(self, operator: str, *, now: float | None = None) -> dict[str, Any] | None:
        """Undo this operator's last tag that is not undone yet: the field gets its old value
        back (a new event records the undo). Returns the undone event, or ``None``."""
        at = time.time() if now is None else now

        def run(conn: Connection) -> dict[str, Any] | None:
            last = conn.execute(
                select(TAGS)
                .where(
                    TAGS.c.operator == operator, TAGS.c.undone.is_(False), TAGS.c.undo_of.is_(None)
                )
                .order_by(TAGS.c.at.desc(), TAGS.c.id.desc())
                .limit(1)
            ).first()
            if last is None:
                return None
            ev = dict(last._mapping)
            field_name = ev["field"]
            current = conn.execute(
                select(CALLS.c[field_name]).where(CALLS.c.id == ev["call_pk"])
            ).scalar()
            restored = _tag_value(field_name, ev["old_value"])
            conn.execute(
                sa_update(CALLS)
                .where(CALLS.c.id == ev["call_pk"])
                .values({field_name: restored, "updated_at": at})
            )
            conn.execute(sa_update(TAGS).where(TAGS.c.id == ev["id"]).values(undone=True))
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

        result = self.retrying(run)
        self._touched()
        return result

    def tag_events(self, call_pk: int | None = None) -> list[dict[str, Any]]:
        """Tag events (of one call, or all), oldest first."""
        stmt = select(TAGS).order_by(TAGS.c.at, TAGS.c.id)
        if call_pk is not None:
            stmt = stmt.where(TAGS.c.call_pk == call_pk)
        with self.read() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

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
        pk = self.retrying(
            lambda conn: conn.execute(
                insert(ISSUES).values(
                    call_pk=call_pk,
                    title=title,
                    category=category,
                    opened_by=operator,
                    opened_at=at,
                )
            ).inserted_primary_key[0]
        )
        self._touched()
        return int(pk)

    def resolve_issue(self, issue_id: int, operator: str, *, now: float | None = None) -> bool:
        """Resolve an open issue. ``False`` when it does not exist or is resolved already."""
        at = time.time() if now is None else now
        n = self.retrying(
            lambda conn: (
                conn.execute(
                    sa_update(ISSUES)
                    .where(ISSUES.c.id == issue_id, ISSUES.c.resolved_at.is_(None))
                    .values(resolved_at=at, resolved_by=operator)
                ).rowcount
            )
        )
        self._touched()
        return bool(n)


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


def _has_foreign_tables(conn: Connection) -> bool:
    names = (
        conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'").scalars().all()
    )
    return any(not n.startswith(("cw_", "sqlite_")) for n in names)


def _short(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig).splitlines()[0]
    return str(exc).splitlines()[0]
