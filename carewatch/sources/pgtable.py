"""A realtime ``queue_log`` table in a PostgreSQL database (:class:`QueueLogTable`), and the
wait for its new rows (:class:`TableWatch`).

Asterisk writes queue_log into a table instead of a file when ``extconfig.conf`` maps
``queue_log`` to a realtime driver (Wazo does it so, and many FreePBX setups for QueueMetrics).
The table, as Asterisk's ``contrib/ast-db-manage`` creates it: ``id`` (a BIGSERIAL), ``time``
(TIMESTAMP, local time unless ``queue_log_realtime_use_gmt``; older versions wrote epoch
seconds), ``callid``, ``queuename``, ``agent``, ``event``, ``data1`` … ``data5`` (an event's
sixth data field and those after it go into ``data5``, joined by ``|``). A table without
``data1`` … ``data5`` gets the data fields in one ``data`` column, joined by ``|`` (Asterisk's
non-adaptive realtime). Wazo's ``queue_log`` (xivo-dao) has the same columns with a TIMESTAMPTZ
``time``. Other names are mapped by the source's ``columns``.

New rows are announced by a statement trigger that carewatch installs on the table when its role
may (``TRIGGER`` on the table, ``CREATE`` on its schema), or that a DBA installed as the README
shows: it sends ``NOTIFY carewatch_table`` with the table's name. Without it, the highest id is
polled.

A server with no connection slot free is asked again, as carewatch's own database is
(:func:`carewatch.store.slots.connect`). Errors are :class:`TableError`: one line naming the
database (never its password), without SQL or values; the table's name is said by whoever
shows it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from carewatch.store import slots
from carewatch.store.backends import PostgresBackend
from carewatch.store.database import display_name, make_backend
from carewatch.store.errors import StoreError
from carewatch.store.slots import Waiting

#: The NOTIFY channel of the trigger; the payload is the table's ``schema.name``.
CHANNEL = "carewatch_table"
TRIGGER = "carewatch_notify"
FUNCTION = "carewatch_notify_insert"
#: The advisory lock two carewatch processes installing the trigger at once take ("cwtrig").
_TRIGGER_LOCK = 7161130662615938148
#: Seconds between two looks at the highest id, where no trigger announces new rows.
POLL_SECONDS = 0.25

#: Columns every queue_log table has (under these names unless the config renames them).
REQUIRED = ("id", "time", "callid", "queuename", "agent", "event")
DATA_COLUMNS = ("data1", "data2", "data3", "data4", "data5")


class TableError(Exception):
    """A table that cannot be read now; ``str()`` is one line for the user, ``following``
    what a follower says of it while it goes on trying
    (:func:`~carewatch.store.slots.problem_text`)."""

    def __init__(self, message: str, following: str | None = None) -> None:
        super().__init__(message)
        self.following = message if following is None else following


@dataclass(frozen=True)
class Row:
    """One queue_log row: the event's fields, its data fields as text."""

    id: int
    #: As the driver gives it: a datetime (TIMESTAMP, TIMESTAMPTZ), a number, or text.
    time: datetime | float | str
    callid: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]


def _text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


class QueueLogTable:
    """One queue_log table, read through a connection of its own (autocommit: each
    statement sees what was committed when it started). Thread-safe. ``waiting`` is entered
    while a new connection waits for the server to have a slot free."""

    def __init__(
        self,
        url: str,
        table: str,
        columns: Mapping[str, str] | None = None,
        *,
        waiting: Waiting | None = None,
    ) -> None:
        self.url, self.table, self.columns = url, table, dict(columns or {})
        self.waiting = waiting
        #: The database, as messages name it (without credentials).
        self.where = display_name(url)
        backend = make_backend(url, read_only=False)
        if not isinstance(backend, PostgresBackend):  # the config allows PostgreSQL URLs only
            raise TableError(f"{self.where} is not a PostgreSQL database")
        self.backend = backend
        self._conn: Any = None
        self._lock = threading.Lock()
        #: The table as found in the database: its oid, schema and name.
        self.oid = 0
        self.schema = self.name = ""
        self._select = self._top = ""
        #: How many of the selected columns after ``event`` are data1..data5; whether the
        #: last one is ``data``.
        self._numbered = 0
        self._joined = False

    @property
    def qualified(self) -> str:
        """``schema.name``, as the trigger announces the table."""
        return f"{self.schema}.{self.name}"

    # -- connection and statements ---------------------------------------------------------
    def _fail(self, exc: Exception) -> TableError:
        if isinstance(exc, TableError):
            return exc
        if self.backend.is_driver_error(exc):
            self._drop()
            return TableError(f"{self.backend.short_error(exc)} ({self.where})")
        raise exc

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with suppress(Exception):  # already broken
                conn.close()

    def _connection(self) -> Any:
        """The open connection (opened, and the table looked up, on first use or after a
        failure). Called with the lock held."""
        if self._conn is None or self.backend.is_broken(self._conn):
            self._drop()
            conn = self.connect()
            try:
                self._describe(conn)
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def connect(self) -> Any:
        """A new connection to the table's database, waited for while its server has no
        connection slot free (:class:`TableError` if none frees, or it cannot connect)."""
        try:
            return slots.connect(self.backend, self.where, waiting=self.waiting)
        except StoreError as exc:
            raise TableError(str(exc), slots.problem_text(exc)) from None

    def _run(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Every row of one statement (``""``: the SELECT of the table's rows)."""
        with self._lock:
            try:
                conn = self._connection()
                return list(conn.execute(statement or self._select, params).fetchall())
            except Exception as exc:
                raise self._fail(exc) from None

    def open(self) -> None:
        """Connect and look the table up, if not done yet (:class:`TableError` if it cannot)."""
        with self._lock:
            try:
                self._connection()
            except Exception as exc:
                raise self._fail(exc) from None

    def _describe(self, conn: Any) -> None:
        """Find the table and its columns; build the statements that read it."""
        from psycopg import sql

        quoted = ".".join(f'"{part}"' for part in self.table.split("."))
        found = conn.execute(
            "SELECT c.oid, n.nspname, c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(%s)",
            (quoted,),
        ).fetchone()
        if found is None:
            raise TableError(f"no such table in {self.where} (or no right to see it)")
        self.oid, self.schema, self.name = found
        present = {
            row[0]
            for row in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s AND attnum > 0 "
                "AND NOT attisdropped",
                (self.oid,),
            )
        }
        named = {key: self.columns.get(key, key) for key in (*REQUIRED, *DATA_COLUMNS, "data")}
        missing = [named[key] for key in REQUIRED if named[key] not in present]
        if missing:
            raise TableError(f"it has no column {missing[0]} (see the source's columns)")
        data = [named[key] for key in DATA_COLUMNS if named[key] in present]
        self._numbered, self._joined = len(data), named["data"] in present
        if self._joined:
            data.append(named["data"])
        picked = sql.SQL(", ").join(sql.Identifier(named[k]) for k in REQUIRED)
        if data:
            picked = sql.SQL(", ").join([picked, *(sql.Identifier(c) for c in data)])
        table, key = sql.Identifier(self.schema, self.name), sql.Identifier(named["id"])
        self._select = (
            sql.SQL("SELECT {} FROM {} WHERE {} > %s AND {} <= %s ORDER BY {} LIMIT %s")
            .format(picked, table, key, key, key)
            .as_string(conn)
        )
        self._top = sql.SQL("SELECT max({}) FROM {}").format(key, table).as_string(conn)

    # -- reading ---------------------------------------------------------------------------
    def rows(self, after: int, upto: int | None, limit: int) -> list[Row]:
        """Rows with ``after`` < id <= ``upto`` (no upper bound for ``None``), in id order,
        at most ``limit``, as committed now."""
        found = self._run("", (after, 2**63 - 1 if upto is None else upto, limit))
        numbered = self._numbered
        out = []
        for raw in found:
            data = [_text(value) for value in raw[6 : 6 + numbered]]
            if self._joined and not any(data):  # the fields joined by "|" in `data`
                joined = _text(raw[6 + numbered])
                data = joined.split("|") if joined else []
            elif data and "|" in data[-1]:  # Asterisk puts a sixth field and on in data5
                data[-1:] = data[-1].split("|")
            when = raw[1] if isinstance(raw[1], datetime | int | float | str) else _text(raw[1])
            callid, queue, agent, event = (_text(value) for value in raw[2:6])
            out.append(Row(int(raw[0]), when, callid, queue, agent, event, tuple(data)))
        return out

    def highest_id(self) -> int | None:
        """The highest id committed now (``None`` for an empty table)."""
        self.open()
        value = self._run(self._top)[0][0]
        return None if value is None else int(value)

    def inserting(self) -> frozenset[str]:
        """The other transactions writing to the table now (their virtual ids): a row one of
        them adds may have a lower id than rows already committed."""
        self.open()
        found = self._run(
            "SELECT virtualtransaction FROM pg_locks WHERE locktype = 'relation' "
            "AND relation = %s AND mode = 'RowExclusiveLock' AND granted AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND pid IS DISTINCT FROM pg_backend_pid()",
            (self.oid,),
        )
        return frozenset(str(row[0]) for row in found)

    # -- announcing new rows ---------------------------------------------------------------
    def announced(self) -> bool:
        """Whether new rows are announced: the trigger is there, or carewatch may install it
        (and did, now)."""
        self.open()
        if self._has_trigger():
            return True
        query = (
            "SELECT has_table_privilege(%s::oid, 'TRIGGER') AND has_schema_privilege(%s, 'CREATE')"
        )
        if not self._run(query, (self.oid, self.schema))[0][0]:
            return False
        try:
            self._install()
        except TableError:  # not allowed after all (the function belongs to another role)
            return self._has_trigger()
        return True

    def _has_trigger(self) -> bool:
        query = "SELECT 1 FROM pg_trigger WHERE tgrelid = %s AND tgname = %s"
        return bool(self._run(query, (self.oid, TRIGGER)))

    def _install(self) -> None:
        from psycopg import sql

        function = sql.Identifier(self.schema, FUNCTION)
        create_function = sql.SQL(_FUNCTION_SQL).format(function, sql.Literal(CHANNEL))
        create_trigger = sql.SQL(_TRIGGER_SQL).format(
            sql.Identifier(TRIGGER), sql.Identifier(self.schema, self.name), function
        )
        with self._lock:
            try:
                conn = self._connection()
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_TRIGGER_LOCK,))
                    query = "SELECT 1 FROM pg_trigger WHERE tgrelid = %s AND tgname = %s"
                    if conn.execute(query, (self.oid, TRIGGER)).fetchone() is None:
                        conn.execute(create_function)
                        conn.execute(create_trigger)
            except Exception as exc:
                raise self._fail(exc) from None

    def close(self) -> None:
        with self._lock:
            self._drop()


#: The trigger carewatch installs on a queue_log table (the README shows it for a DBA).
_FUNCTION_SQL = (
    "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "PERFORM pg_notify({}, TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME); RETURN NULL; END $$"
)
_TRIGGER_SQL = "CREATE TRIGGER {} AFTER INSERT ON {} FOR EACH STATEMENT EXECUTE FUNCTION {}()"


class TableWatch:
    """Waits for a table's new rows on connections of its own: LISTEN where they are
    announced, else a look at the highest id every :data:`POLL_SECONDS`."""

    def __init__(self, table: QueueLogTable) -> None:
        self.table = QueueLogTable(table.url, table.table, table.columns)
        self._listener: Any = None
        self._checked = False
        self._top: int | None = None

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds; ``True`` when new rows may have come."""
        try:
            if not self._checked:
                if self.table.announced():
                    self._listener = self.table.connect()
                    self._listener.execute(f"LISTEN {CHANNEL}")
                self._checked = True
                return True  # rows may have come while nobody listened
            if self._listener is not None:
                deadline = time.monotonic() + timeout
                while (left := deadline - time.monotonic()) > 0:
                    for note in self._listener.notifies(timeout=left, stop_after=1):
                        if note.payload == self.table.qualified:
                            return True
                return False
            threading.Event().wait(min(timeout, POLL_SECONDS))
            top, self._top = self._top, self.table.highest_id()
            return top != self._top
        except Exception as exc:  # the server went away: start again on the next wait
            if not isinstance(exc, TableError) and not self.table.backend.is_driver_error(exc):
                raise
            self.close()
            threading.Event().wait(min(timeout, 1.0))
            return False

    def close(self) -> None:
        listener, self._listener = self._listener, None
        self._checked = False
        if listener is not None:
            with suppress(Exception):  # already broken
                listener.close()
        self.table.close()
