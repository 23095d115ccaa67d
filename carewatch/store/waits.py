"""What a thread waits on now (:class:`waiting_on`), for a watch on another thread to read
(:func:`waits_of`).

The code that may wait says what it waits on, for as long as it does: a transaction of the
database being written (:meth:`~carewatch.store.database.Database.run`), a connection slot of
a PostgreSQL server (:func:`~carewatch.store.slots.connect`), the rows of a source table read
from another database (:class:`~carewatch.sources.table_tail.TableTail`), an archive being
decompressed (:func:`~carewatch.sources.archive.decompress`). A follower's stall watch
(:mod:`carewatch.ingest.stall`) reads it to say which of them does not answer, and leaves an
archive out: decompressing a big one commits nothing for a while, and nothing is wrong.

A thread changes only its own entry, by replacing a tuple: a reader on another thread sees
the one before or the one after, never half of one (no lock on the per-batch path).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Literal

#: What is waited on: the database being written, a connection slot of a server, a source
#: table's server, an archive being decompressed.
Kind = Literal["database", "slot", "table", "archive"]

# The clock of the waits (the tests put their own).
_clock = time.monotonic

# The waits of each thread now (its ident), the outermost first.
_now: dict[int, tuple[Wait, ...]] = {}


@dataclass(frozen=True)
class Wait:
    """One wait of a thread."""

    kind: Kind
    #: What is waited on, as messages name it: the database (without credentials), the
    #: source table's label, the archive's path.
    name: str
    #: When it began (:data:`_clock`).
    since: float
    #: More of it for messages: the server's words for a slot refused, the database of a
    #: source table (without credentials).
    detail: str = ""


class waiting_on:  # (named as the function it is used as: ``with waiting_on(...)``)
    """Within the block, the calling thread waits on ``kind`` ``name``."""

    __slots__ = ("_before", "_me", "_wait")

    def __init__(self, kind: Kind, name: str, detail: str = "") -> None:
        self._wait = Wait(kind, name, _clock(), detail)
        self._me = 0
        self._before: tuple[Wait, ...] = ()

    def __enter__(self) -> Wait:
        self._me = me = threading.get_ident()
        self._before = before = _now.get(me, ())
        _now[me] = (*before, self._wait)
        return self._wait

    def __exit__(self, *exc: object) -> None:
        if self._before:
            _now[self._me] = self._before
        else:
            _now.pop(self._me, None)


def now() -> float:
    """The clock of the waits' ``since`` (monotonic)."""
    return _clock()


def waits_of(thread: int) -> tuple[Wait, ...]:
    """What the thread ``thread`` (an ident) waits on now, the outermost first."""
    return _now.get(thread, ())
