"""A new connection, asked for again while a PostgreSQL server has no connection slot free
("too many clients already", SQLSTATE 53300): other clients end their work and free one.
A server that cannot be reached, or refuses this user or database, is not asked again (a
server that is down stays down a while); a fault that waiting will not put right (this user
may not write the database) is a lasting :class:`~carewatch.store.errors.StoreError`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from typing import Any

from carewatch.i18n import _
from carewatch.store.backends import PostgresBackend, SqliteBackend
from carewatch.store.errors import StoreError

#: Seconds a new connection is tried again while the server has no connection slot free.
CONNECT_WAIT_SECONDS = 30.0
#: The longest pause between two of those tries.
CONNECT_RETRY_MAX_DELAY = 1.0

#: What to do while a connection waits for a slot (the command line's "waiting for the
#: database" line): given the database's name, a context manager entered at the first
#: refusal and left when the wait ends.
Waiting = Callable[[str], AbstractContextManager[object]]

# The clock and the pause of those tries (the tests put their own).
_clock = time.monotonic
_sleep = time.sleep

# The threads waiting for a slot now (their idents).
_waiting: set[int] = set()


def waiting_for_slot(thread: int) -> bool:
    """Whether the thread ``thread`` (an ident) is waiting for a connection slot now (a wait
    that says so itself: a follower does not take it for a server that does not answer)."""
    return thread in _waiting


def connect(
    backend: SqliteBackend | PostgresBackend,
    name: str,
    *,
    wait: float | None = None,
    waiting: Waiting | None = None,
) -> Any:
    """A new connection of ``backend`` to the database ``name`` (for messages), tried again
    for ``wait`` seconds (default :data:`CONNECT_WAIT_SECONDS`) while its server has no
    connection slot free; ``waiting`` is entered at the first refusal, for the whole wait."""
    wait = CONNECT_WAIT_SECONDS if wait is None else wait
    deadline: float | None = None
    delay = 0.1
    with ExitStack() as told:
        while True:
            try:
                return backend.connect()
            except Exception as exc:
                if not backend.is_driver_error(exc):
                    raise
                lasting = backend.lasting_error(exc, name)
                if lasting is not None:
                    raise StoreError(lasting, lasting=True) from None
                if not backend.no_slot_free(exc):
                    raise StoreError(f"database {name}: {backend.short_error(exc)}") from None
                now = _clock()
                if deadline is None:
                    deadline = now + wait
                    me = threading.get_ident()
                    _waiting.add(me)
                    told.callback(_waiting.discard, me)
                    if waiting is not None:
                        told.enter_context(waiting(name))
                if now >= deadline:
                    raise StoreError(
                        _(
                            "database {name}: no connection free on its server after "
                            "{seconds:g} s ({error}): try again later"
                        ).format(name=name, seconds=wait, error=backend.short_error(exc))
                    ) from None
                _sleep(min(delay, deadline - now))
                delay = min(delay * 2, CONNECT_RETRY_MAX_DELAY)
