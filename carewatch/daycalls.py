"""A day's calls kept column-wise: what a live screen holds of today in about 150 bytes a call.

:class:`DayCalls` keeps each call's values in flat arrays, one per field, in start order (by
``started_at``, then primary key): times as 8-byte floats (``NaN`` for "not known"), every
other short value (queue, operator, caller, direction, disposition, tags, scores...) as a
4-byte number into one table of the values seen (each text kept once for the day), the call
ids in one byte string, notes (rare) in a dict. Nothing is kept per call as a Python object, so
the memory grows by the arrays' bytes and the values not seen before (a new caller's number),
and the collector has nothing to walk. A call is
rebuilt as the :class:`~carewatch.records.CallRow` it was when asked for, equal in every value
and type (a row some value of which the columns cannot say exactly is kept whole instead).

A window of the day is a range of the arrays, rebuilt in bulk. A call is found by its primary
key through an index (primary keys, sorted, and each one's start) and a search by start.

Pure: no database, no screen.
"""

from __future__ import annotations

import bisect
import math
from array import array
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any, cast

from carewatch.records import CallRow

#: The optional times, as :class:`CallRow` orders them (``None`` is kept as ``NaN``).
_TIMES = ("answered_at", "ended_at", "wait_seconds", "talk_seconds", "updated_at")
#: The fields kept apart: the primary key and the start (the order), the call id, the note.
_APART = ("id", "started_at", "call_id", "note")
#: The fields kept as numbers into the table of values (source, queue, operator, caller...
#: scores, leg, subcategory), in :class:`CallRow`'s order.
_VALUES = tuple(name for name in CallRow._fields if name not in (*_APART, *_TIMES))
_FIELD = {name: CallRow._fields.index(name) for name in CallRow._fields}
_TIME_AT = tuple(_FIELD[name] for name in _TIMES)
_VALUE_AT = tuple(_FIELD[name] for name in _VALUES)
_QUEUE = _VALUES.index("queue")
_NAN = math.nan
#: Values that are their own key in the table of values (no two of them are equal); any other
#: is keyed with its type, so that ``1`` and ``True`` stay apart.
_PLAIN = frozenset({str, bool, type(None)})
#: ``CallRow._make`` without its Python frame (the rows rebuilt have every field).
_make = cast(Callable[[Iterable[Any]], CallRow], partial(tuple.__new__, CallRow))


class DayCalls:
    """Calls in start order, column-wise (see the module doc)."""

    def __init__(self) -> None:
        self._starts = array("d")
        self._pks = array("q")
        self._times = [array("d") for _ in _TIMES]
        self._values = [array("I") for _ in _VALUES]
        self._id_at = array("Q")  # where each call id begins in _ids
        self._id_len = array("I")
        self._ids = bytearray()
        self._notes: dict[int, Any] = {}
        #: Rows some value of which the columns cannot say exactly (kept whole, by key).
        self._whole: dict[int, CallRow] = {}
        self._table: list[Any] = []  # the values seen, each once
        self._codes: dict[Any, int] = {}
        self._index_pks = array("q")  # primary keys, sorted
        self._index_starts = array("d")  # each one's start

    def __len__(self) -> int:
        return len(self._pks)

    # -- finding -------------------------------------------------------------------------------
    def _start_of(self, pk: int) -> float | None:
        index = self._index_pks
        if not index or pk > index[-1]:
            return None  # the usual case: a call not seen yet
        k = bisect.bisect_left(index, pk)
        if k < len(index) and index[k] == pk:
            return self._index_starts[k]
        return None

    def _slot(self, started: float, pk: int) -> int:
        """Where the call (``started``, ``pk``) is, or would go, in start order."""
        starts, pks = self._starts, self._pks
        n = len(starts)
        if not n or starts[-1] < started or (starts[-1] == started and pks[-1] < pk):
            return n  # the usual case: the newest call
        i = bisect.bisect_left(starts, started)
        while i < n and starts[i] == started and pks[i] < pk:
            i += 1
        return i

    def get(self, pk: int) -> CallRow | None:
        """The call of primary key ``pk``, ``None`` when it is not kept."""
        started = self._start_of(pk)
        if started is None:
            return None
        return self._row(self._slot(started, pk))

    # -- keeping -------------------------------------------------------------------------------
    def put(self, call: CallRow) -> CallRow:
        """Keep ``call`` (in place of the call of the same key, if kept); the row as kept: equal
        to ``call``, its texts the day's one copy of each."""
        pk = call.id
        started = float(call.started_at)
        old = self._start_of(pk)
        if old is not None and old != started:
            self.pop(pk)
            old = None
        i = self._slot(started, pk)
        whole = not (type(call.started_at) is float and started == started)
        values = list(call)
        times = []
        for at in _TIME_AT:
            value = values[at]
            if value is None:
                times.append(_NAN)
            elif type(value) is float and value == value:
                times.append(value)
            else:
                times.append(_NAN)
                whole = True
        table, code_of = self._table, self._codes.get
        codes = []
        try:
            for at in _VALUE_AT:
                value = values[at]
                kind = type(value)
                code = code_of(value if kind in _PLAIN else (value, kind))
                if code is None:
                    code = self._new_code(value)
                codes.append(code)
                values[at] = table[code]
            call_id = call.call_id.encode()
        except (TypeError, AttributeError, UnicodeError):  # unhashable, not a text
            codes, call_id, whole = [0] * len(_VALUE_AT), b"", True
        if old is None:
            self._insert(i, started, pk, times, codes, call_id)
        else:
            self._replace(i, times, codes, call_id)
        if call.note is not None:
            self._notes[pk] = call.note
        else:
            self._notes.pop(pk, None)
        if whole:
            self._whole[pk] = call
            return call
        self._whole.pop(pk, None)
        return _make(values)

    def _new_code(self, value: Any) -> int:
        kind = type(value)
        code = self._codes[value if kind in _PLAIN else (value, kind)] = len(self._table)
        self._table.append(value)
        return code

    def _insert(
        self, i: int, started: float, pk: int, times: list[float], codes: list[int], call_id: bytes
    ) -> None:
        index = self._index_pks
        k = len(index) if not index or pk > index[-1] else bisect.bisect_left(index, pk)
        index.insert(k, pk)
        self._index_starts.insert(k, started)
        self._starts.insert(i, started)
        self._pks.insert(i, pk)
        for column, value in zip(self._times, times, strict=True):
            column.insert(i, value)
        for coded, code in zip(self._values, codes, strict=True):
            coded.insert(i, code)
        self._id_at.insert(i, len(self._ids))
        self._id_len.insert(i, len(call_id))
        self._ids += call_id

    def _replace(self, i: int, times: list[float], codes: list[int], call_id: bytes) -> None:
        for column, value in zip(self._times, times, strict=True):
            column[i] = value
        for coded, code in zip(self._values, codes, strict=True):
            coded[i] = code
        at, size = self._id_at[i], self._id_len[i]
        if self._ids[at : at + size] != call_id:  # a call id changed by hand: rare
            self._id_at[i], self._id_len[i] = len(self._ids), len(call_id)
            self._ids += call_id

    def pop(self, pk: int) -> CallRow | None:
        """Stop keeping the call of key ``pk``; the row it had (``None`` if not kept)."""
        started = self._start_of(pk)
        if started is None:
            return None
        i = self._slot(started, pk)
        row = self._row(i)
        k = bisect.bisect_left(self._index_pks, pk)
        del self._index_pks[k], self._index_starts[k]
        columns: list[array[Any]] = [self._starts, self._pks, *self._times, *self._values]
        for column in columns:
            del column[i]
        del self._id_at[i], self._id_len[i]
        self._notes.pop(pk, None)
        self._whole.pop(pk, None)
        return row

    # -- reading -------------------------------------------------------------------------------
    def between(
        self,
        low: float,
        high: float,
        *,
        lower: bool = True,
        upper: bool = True,
        queue: str | None = None,
    ) -> list[CallRow]:
        """The calls that started between ``low`` and ``high`` (each end included unless told
        otherwise; of one queue, if given), oldest first."""
        starts = self._starts
        i = (bisect.bisect_left if lower else bisect.bisect_right)(starts, low)
        j = (bisect.bisect_right if upper else bisect.bisect_left)(starts, high)
        if queue is None:
            return self._rows(range(i, j))
        code = self._codes.get(queue)
        if code is None:
            return []
        column = self._values[_QUEUE]
        return self._rows([k for k in range(i, j) if column[k] == code])

    def newest_first(self, start: float, end: float, queue: str | None = None) -> Iterator[CallRow]:
        """The calls that started in [start, end) (of one queue, if given), newest first."""
        starts = self._starts
        code = None if queue is None else self._codes.get(queue)
        if queue is not None and code is None:
            return
        column = self._values[_QUEUE]
        i = bisect.bisect_left(starts, end) - 1
        while i >= 0 and starts[i] >= start:
            if code is None or column[i] == code:
                yield self._row(i)
            i -= 1

    def _row(self, i: int) -> CallRow:
        """The call at place ``i``, rebuilt."""
        pk = self._pks[i]
        if self._whole and pk in self._whole:
            return self._whole[pk]
        table = self._table
        answered, ended, wait, talk, updated = [
            x if x == x else None for x in [column[i] for column in self._times]
        ]
        source, *middle, leg, subcategory = [table[column[i]] for column in self._values]
        at = self._id_at[i]
        call_id = self._ids[at : at + self._id_len[i]].decode()
        return _make(
            (
                pk, source, call_id, self._starts[i], answered, ended, wait, talk, *middle,
                self._notes.get(pk), updated, leg, subcategory,
            )
        )  # fmt: skip

    def _rows(self, slots: range | list[int]) -> list[CallRow]:
        """The calls at these places, rebuilt (in bulk: one pass per field)."""
        if isinstance(slots, range):

            def pick(column: Any) -> Any:
                return column[slots.start : slots.stop]
        else:

            def pick(column: Any) -> Any:
                return [column[k] for k in slots]

        table = self._table.__getitem__
        pks = pick(self._pks)
        ids, id_at, id_len = self._ids, pick(self._id_at), pick(self._id_len)
        call_ids = [ids[at : at + size].decode() for at, size in zip(id_at, id_len, strict=True)]
        answered, ended, wait, talk, updated = (
            [x if x == x else None for x in pick(column)] for column in self._times
        )
        source, *middle, leg, subcategory = (map(table, pick(c)) for c in self._values)
        notes = self._notes
        note = [notes.get(pk) for pk in pks] if notes else [None] * len(pks)
        rows = list(
            map(
                _make,
                zip(
                    pks, source, call_ids, pick(self._starts), answered, ended, wait, talk,
                    *middle, note, updated, leg, subcategory,
                    strict=True,
                ),
            )
        )  # fmt: skip
        if self._whole:
            whole = self._whole
            rows = [whole.get(row.id, row) for row in rows]
        return rows
