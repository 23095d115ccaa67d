"""A new connection, asked for again while a PostgreSQL server has no connection slot free
("too many clients already", SQLSTATE 53300): other clients end their work and free one.
A server that cannot be reached, or refuses this user or database, is not asked again (a
server that is down stays down a while); a fault that waiting will not put right (this user
may not write the database) is a lasting :class:`~carewatch.store.errors.StoreError`. The
wait is told to :mod:`carewatch.store.waits` (a follower says it as one problem, however
many connections it asks for meanwhile)."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from typing import Any

from carewatch.i18n import _
from carewatch.store.backends import PostgresBackend, SqliteBackend
from carewatch.store.errors import StoreError
from carewatch.store.waits import waiting_on

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


def no_slot_text(name: str, error: str) -> str:
    """What a follower says while its server has no connection slot free for it, from the
    first refusal to the connection it gets (its connections give up after a while and ask
    again: the same problem)."""
    return _("database {name}: its server has no connection free ({error})").format(
        name=name, error=error
    )


class NoSlotFree(StoreError):
    """No connection slot freed on the server within the wait; :attr:`waiting` is the
    :func:`no_slot_text` of the wait, for a follower that goes on asking."""

    def __init__(self, message: str, waiting: str) -> None:
        super().__init__(message)
        self.waiting = waiting


def problem_text(exc: Exception) -> str:
    """What a follower says of ``exc`` while it goes on trying: the wait for a slot that did
    not free, or the error's own line."""
    return exc.waiting if isinstance(exc, NoSlotFree) else str(exc)


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
    first = ""  # the server's words at the first refusal
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
                    first = backend.short_error(exc)
                    told.enter_context(waiting_on("slot", name, first))
                    if waiting is not None:
                        told.enter_context(waiting(name))
                if now >= deadline:
                    raise NoSlotFree(
                        _(
                            "database {name}: no connection free on its server after "
                            "{seconds:g} s ({error}): try again later"
                        ).format(name=name, seconds=wait, error=backend.short_error(exc)),
                        no_slot_text(name, first),
                    ) from None
                _sleep(min(delay, deadline - now))
                delay = min(delay * 2, CONNECT_RETRY_MAX_DELAY)
