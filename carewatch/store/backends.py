"""The two database drivers behind :mod:`carewatch.store.database`: ``sqlite3`` and psycopg 3.

A backend knows how to open a connection, how to start a read or a write transaction, how
to translate the store's SQL (written with ``?`` placeholders) for its driver, and how to read
the driver's errors: which ones are worth a retry, and what one line says about them without
SQL, parameters or data.

SQLite
    WAL (set when the file is created, or by the first writable open of an older file), a
    busy timeout, ``synchronous=NORMAL``, foreign keys on, ``secure_delete`` on (what a
    change or a delete frees is zeroed, whatever the SQLite build's default: an erased number
    leaves no copy in the file's free space); ``BEGIN IMMEDIATE`` for every
    write transaction so writers queue up. A read-only open uses ``mode=ro`` and no pragma
    that writes; where the folder does not let SQLite create the ``-wal``/``-shm`` files it
    falls back to ``immutable=1`` (see the README). Booleans come back as ``bool``.
PostgreSQL
    Every write transaction first takes one transaction-level advisory lock
    (:data:`WRITE_LOCK`), so carewatch's writers serialise as SQLite's ``BEGIN IMMEDIATE``
    makes them; reads run in ``REPEATABLE READ READ ONLY`` snapshots and never wait.
    psycopg is imported only when a PostgreSQL URL is opened.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from carewatch.i18n import N_, _
from carewatch.store.errors import StoreError

#: The advisory lock every carewatch write transaction takes on PostgreSQL ("carewatc").
WRITE_LOCK = 7161130662615938147
#: The NOTIFY channel of the change triggers (see :mod:`carewatch.store.pgchanges`).
CHANGE_CHANNEL = "carewatch_change"

#: Seconds a writer waits for another writer's lock before "database is locked".
SQLITE_WRITE_TIMEOUT = 30.0
#: Seconds a read-only open waits (only a database outside WAL mode makes readers wait).
SQLITE_READ_TIMEOUT = 5.0
#: The page cache of a read-only connection (KiB): a report reads a day's table and index pages
#: in turn, and SQLite's default 2 MiB cache drops the index pages it reads again (a day of
#: 50,000 calls: 125 instead of 148 ms). Read-only stores are one command's (a report, the
#: call-backs, a kept day, a metrics scrape); the screen's and the ingester's keep the default.
SQLITE_READ_CACHE_KIB = 64 * 1024

#: SQLSTATEs worth running the transaction again for: serialization failure, deadlock,
#: lock not available, and the connection or server going away.
_PG_RETRY_STATES = frozenset({"40001", "40P01", "55P03", "57P01", "57P02", "57P03"})


#: What SQLite says when a file it needs cannot be created or grown, whatever the cause.
_NO_ROOM_ERRORS = frozenset({"disk I/O error", "unable to open database file"})
#: Free bytes under which the disk of a database counts as full (a few pages: the -shm file
#: alone needs 32 KiB).
DISK_FULL_BYTES = 64 * 1024

#: What SQLite says when this user may not write the database (the file, its ``-wal`` or
#: ``-shm`` file, or the folder where it keeps them): no wait makes that go.
_READ_ONLY_TEXT = "attempt to write a readonly database"
#: SQLite's extended codes of the same, save those that pass (a recovery under way, a file
#: moved away while open).
_READ_ONLY_CODES = frozenset(
    {"SQLITE_READONLY", "SQLITE_READONLY_CANTINIT", "SQLITE_READONLY_CANTLOCK"}
)
_READ_ONLY_FOLDER = "SQLITE_READONLY_DIRECTORY"

#: What SQLite says of a file that is damaged (its extended codes all start with
#: ``SQLITE_CORRUPT``) or has a header that is no SQLite header (``SQLITE_NOTADB``), for a
#: driver that gives no code.
_DAMAGED_TEXTS = {
    "database disk image is malformed": "SQLITE_CORRUPT",
    "file is not a database": "SQLITE_NOTADB",
}


def _damage(exc: sqlite3.DatabaseError) -> str | None:
    """``"corrupt"`` (a damaged file), ``"notadb"`` (a header that is no SQLite header), or
    ``None`` (no damage)."""
    code = getattr(exc, "sqlite_errorname", None) or _DAMAGED_TEXTS.get(str(exc).strip(), "")
    if code.startswith("SQLITE_CORRUPT"):
        return "corrupt"
    return "notadb" if code == "SQLITE_NOTADB" else None


def _disk_full(path: str) -> bool:
    """Whether the disk of the SQLite file ``path`` has no room left (unknown: no)."""
    try:
        free = shutil.disk_usage(os.path.dirname(os.path.abspath(path))).free
    except OSError:
        return False
    return free < DISK_FULL_BYTES


def _sqlite_bool(raw: bytes) -> bool:
    return raw not in (b"0", b"")


# Columns declared BOOLEAN come back as bool (connections open with PARSE_DECLTYPES).
sqlite3.register_converter("BOOLEAN", _sqlite_bool)


class SqliteBackend:
    """An SQLite file (or a private in-memory database)."""

    is_sqlite = True
    placeholder_fix: Callable[[str], str] | None = None
    begin_read = "BEGIN"
    begin_write = "BEGIN IMMEDIATE"
    write_lock_sql: str | None = None

    def __init__(self, path: str, *, read_only: bool) -> None:
        self.path = path
        self.read_only = read_only
        #: Whether the file was opened as a database: from then on, a file that is no
        #: database is a damaged one (before, it may be a wrong path, told as such).
        self.opened = False
        self.memory = path in ("", ":memory:")
        self.immutable = False
        if self.memory:
            # one private database shared by this store's connections
            self._uri = f"file:carewatch-{id(self)}?mode=memory&cache=shared"
        else:
            mode = "ro" if read_only else "rwc"
            # the file name's own bytes (a name in a non-UTF-8 locale is not valid text)
            self._uri = f"file:{quote(os.fsencode(os.path.abspath(path)))}?mode={mode}"
        self._anchor: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def connect(self) -> sqlite3.Connection:
        """A new connection, with carewatch's per-connection pragmas (none of them writes)."""
        if self.memory:
            with self._lock:
                if self._anchor is None:  # keeps the in-memory database alive
                    self._anchor = self._open()
        return self._open()

    def _open(self) -> sqlite3.Connection:
        timeout = SQLITE_READ_TIMEOUT if self.read_only else SQLITE_WRITE_TIMEOUT
        conn = sqlite3.connect(
            self._uri,
            uri=True,
            timeout=timeout,
            isolation_level=None,  # we issue BEGIN ourselves
            check_same_thread=False,  # used by one thread at a time (see the pool)
            detect_types=sqlite3.PARSE_DECLTYPES,
            cached_statements=256,
        )
        try:
            if not self.read_only:
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute("PRAGMA secure_delete=ON")
            else:
                conn.execute("PRAGMA query_only=ON")
                conn.execute(f"PRAGMA cache_size=-{SQLITE_READ_CACHE_KIB}")
        except BaseException:
            conn.close()
            raise
        return conn

    def use_immutable(self) -> None:
        """Open read-only without locking (the folder lets SQLite create no ``-shm`` file)."""
        self.immutable = True
        self._uri = f"file:{quote(os.path.abspath(self.path))}?mode=ro&immutable=1"

    def close(self) -> None:
        with self._lock:
            if self._anchor is not None:
                self._anchor.close()
                self._anchor = None

    # -- errors -------------------------------------------------------------------------------
    @staticmethod
    def is_driver_error(exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.Error)

    @staticmethod
    def is_retryable(exc: BaseException) -> bool:
        if not isinstance(exc, sqlite3.OperationalError):
            return False
        text = str(exc).lower()
        return "database is locked" in text or "is busy" in text or "table is locked" in text

    def lasting_error(self, exc: BaseException, name: str) -> str | None:
        """What to tell the user when waiting will not make ``exc`` go (this user may not
        write the database ``name``, or the file was damaged since it was opened), else
        ``None``."""
        if self.memory or not isinstance(exc, sqlite3.DatabaseError):
            return None
        damage = _damage(exc)
        if damage == "corrupt" or (damage == "notadb" and self.opened):
            return damaged(name, self.short_error(exc))
        if not isinstance(exc, sqlite3.OperationalError):
            return None
        code = getattr(exc, "sqlite_errorname", None)
        if code == _READ_ONLY_FOLDER:
            folder = os.path.dirname(os.path.abspath(self.path))
            return _(
                "the folder {folder} of the database {name} is read-only for this user "
                "(SQLite keeps its journal there): check the folder's permissions"
            ).format(folder=folder, name=name)
        if code in _READ_ONLY_CODES or (code is None and _READ_ONLY_TEXT in str(exc)):
            return _(
                "the database {name} is read-only for this user: check its permissions "
                "(and those of its -wal and -shm files)"
            ).format(name=name)
        return None

    def short_error(self, exc: BaseException) -> str:
        lines = str(exc).strip().splitlines()
        text = lines[0] if lines else type(exc).__name__
        if text in _NO_ROOM_ERRORS and not self.memory and _disk_full(self.path):
            # SQLite says no more when it cannot create the -wal/-shm files on a full disk
            folder = os.path.dirname(os.path.abspath(self.path))
            text = _("{error} (the disk of {folder} is full)").format(error=text, folder=folder)
        return text

    @staticmethod
    def no_slot_free(_exc: BaseException) -> bool:
        """Whether a connection was refused for want of a free slot (never, on SQLite)."""
        return False

    @staticmethod
    def is_broken(_conn: Any) -> bool:
        return False

    @staticmethod
    def is_idle(conn: sqlite3.Connection) -> bool:
        """Usable by the next transaction: none left open."""
        return not conn.in_transaction


def damaged(name: str, error: str) -> str:
    """The line of an SQLite database ``name`` found damaged (``error``: SQLite's words) while
    in use, with what to do: no retry makes it whole again."""
    recovered = f"{os.path.splitext(name)[0]}-recovered.db"
    return _(
        "the database {name} is damaged ({error}): stop carewatch, then restore a backup "
        "or recover it: sqlite3 {name} .recover | sqlite3 {recovered}"
    ).format(name=name, error=error, recovered=recovered)


#: The SQLSTATE of a server with no connection slot free for one more client.
_PG_NO_SLOT_STATE = "53300"
#: The server's messages for it (as libpq passes them on, without an SQLSTATE).
_PG_NO_SLOT_TEXTS = (
    "too many clients already",
    "remaining connection slots are reserved",
    "too many connections for role",
    "too many connections for database",
)

#: The severity libpq writes before a server's message.
_SEVERITY = re.compile(r"\b(?:FATAL|PANIC|ERROR):\s+")
#: libpq's line of a connection that failed: ``connection to server at "HOST" (ADDRESS),
#: port PORT failed: REASON`` or ``connection to server on socket "PATH" failed: REASON``
#: (psycopg puts "connection failed: " or "connection is bad: " before it).
_CONNECT_FAILED = re.compile(
    r'connection to server (?:at "(?P<host>[^"]*)"(?: \([^)]*\))?, port (?P<port>\d+)'
    r'|on socket "(?P<socket>[^"]*)") failed: (?P<reason>.*)'
)
#: psycopg's line of a host name it could not resolve.
_NO_HOST = re.compile(r"failed to resolve host '(?P<host>[^']*)': (?:\[Errno -?\d+\] )?(?P<why>.*)")


def _pg_fix(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


#: libpq's connection settings a URL does not set itself: a connection attempt gives up after
#: 10 s, and a server gone for good (a failover that moved its address, a host switched off)
#: is noticed within about a minute — by keepalive probes on an idle connection (a LISTEN), by
#: TCP_USER_TIMEOUT on one waiting for an answer — rather than the kernel's 15 minutes, so the
#: connection is opened again. A value the URL gives wins (``?keepalives_idle=5``).
PG_CONNECT_DEFAULTS = {
    "connect_timeout": "10",
    "application_name": "carewatch",
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
    "tcp_user_timeout": "60000",
}


class PostgresBackend:
    """A PostgreSQL database reached through psycopg 3."""

    is_sqlite = False
    begin_write = "BEGIN"
    opened = False
    write_lock_sql = f"SELECT pg_advisory_xact_lock({WRITE_LOCK})"

    def __init__(self, conninfo: str, *, read_only: bool) -> None:
        self.conninfo = conninfo
        self.read_only = read_only
        self.begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        self.placeholder_fix: Callable[[str], str] | None = _pg_fix
        self._errors = _psycopg_errors()
        self._full: str | None = None  # conninfo with PG_CONNECT_DEFAULTS it lacks

    def connect(self) -> Any:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        if self._full is None:
            given = conninfo_to_dict(self.conninfo)
            lacking = {k: v for k, v in PG_CONNECT_DEFAULTS.items() if k not in given}
            self._full = make_conninfo(self.conninfo, **lacking)
        return psycopg.connect(self._full, autocommit=True)

    def listen_connection(self) -> Any:
        """A connection of its own that listens on :data:`CHANGE_CHANNEL`."""
        conn = self.connect()
        conn.execute(f"LISTEN {CHANGE_CHANNEL}")
        return conn

    def close(self) -> None:
        pass

    # -- errors -------------------------------------------------------------------------------
    def is_driver_error(self, exc: BaseException) -> bool:
        return isinstance(exc, self._errors.Error)

    def is_retryable(self, exc: BaseException) -> bool:
        if not isinstance(exc, self._errors.Error):
            return False
        state = getattr(exc, "sqlstate", None)
        return state in _PG_RETRY_STATES or (
            state is None and isinstance(exc, self._errors.OperationalError)
        )

    def no_slot_free(self, exc: BaseException) -> bool:
        """Whether a connection was refused because the server has no slot free for it (too
        many clients, the last slots kept for superusers, a role's or a database's
        connection limit reached: SQLSTATE 53300), which others free as they end their
        work. libpq gives no SQLSTATE for a connection refused: its message tells."""
        if not isinstance(exc, self._errors.OperationalError):
            return False
        if getattr(exc, "sqlstate", None) == _PG_NO_SLOT_STATE:
            return True
        text = str(exc)
        return any(words in text for words in _PG_NO_SLOT_TEXTS)

    def lasting_error(self, exc: BaseException, name: str) -> str | None:
        """What to tell the user when waiting will not make ``exc`` go (this user has no
        privilege on carewatch's tables in ``name``), else ``None``."""
        if not isinstance(exc, self._errors.Error) or getattr(exc, "sqlstate", None) != "42501":
            return None
        return _("database {name}: {error}: check this user's privileges").format(
            name=name, error=self.short_error(exc)
        )

    def short_error(self, exc: BaseException) -> str:
        diag = getattr(exc, "diag", None)
        text = (getattr(diag, "message_primary", None) or str(exc)).strip()
        line = text.splitlines()[0] if text else type(exc).__name__
        # libpq's severity word ("FATAL:  password authentication failed") says nothing more
        line = _SEVERITY.sub("", line)
        connecting = _connect_error(line)
        if connecting is not None:
            return connecting
        state = getattr(exc, "sqlstate", None) or ""
        if state.startswith("22") and ":" in line:
            line = line.split(":", 1)[0]  # a data exception quotes the value: leave it out
        return line

    @staticmethod
    def is_broken(conn: Any) -> bool:
        return bool(conn.closed or conn.broken)

    def is_idle(self, conn: Any) -> bool:
        """Usable by the next transaction: connected, none left open."""
        from psycopg.pq import TransactionStatus

        return not self.is_broken(conn) and conn.info.transaction_status == TransactionStatus.IDLE


def _connect_error(line: str) -> str | None:
    """libpq's (or psycopg's) line of a connection that failed, shorter: the reason, and the
    server it was (``None``: not such a line). The hint libpq adds on the lines after ("Is
    the server running on that host…") is left out, as is the list of every address tried."""
    found = _CONNECT_FAILED.search(line)
    if found is None:
        no_host = _NO_HOST.search(line)
        if no_host is None:
            return None
        return _("cannot find the host {host}: {reason}").format(
            host=no_host["host"], reason=no_host["why"]
        )
    reason = found["reason"].strip()
    known = _CONNECT_REASONS.get(reason.lower())
    if known is not None:
        reason = _(known)
    if found["socket"] is not None:
        where = _("socket {path}").format(path=found["socket"])
    else:
        where = _("server {host}, port {port}").format(host=found["host"], port=found["port"])
    return _("{reason} ({where})").format(reason=reason, where=where)


#: libpq's most common reasons, said the way carewatch says things (through ``_()``).
_CONNECT_REASONS = {
    "connection refused": N_("connection refused"),
    "no such file or directory": N_("no server is listening there"),
    "timeout expired": N_("no answer (timeout expired)"),
}


def _psycopg_errors() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError(
            "PostgreSQL needs the psycopg driver: pip install 'carewatch[postgres]' "
            "(or pip install 'psycopg[binary]')"
        ) from None
    return psycopg
