"""Today's calls kept column-wise (carewatch.daycalls.DayCalls): whatever is put in comes back
equal in every value and type, in start order, as calls are written, rewritten and dropped."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from carewatch.daycalls import DayCalls
from carewatch.records import CallRow

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None)

_TIME = st.none() | st.floats(0, 4000, allow_nan=False)
_ROW = st.fixed_dictionaries(
    {
        "source": st.sampled_from(["pbx", "crm"]),
        "call_id": st.sampled_from(["c", "é-1", "a" * 40]),
        # a few starts shared by several calls: ties are ordered by key
        "started_at": st.sampled_from([10.0, 20.0, 20.0, 30.5, -0.0]),
        "answered_at": _TIME,
        "ended_at": _TIME,
        "wait_seconds": _TIME | st.just(math.nan) | st.just(7),  # values the columns cannot say
        "talk_seconds": _TIME,
        "queue": st.sampled_from([None, "", "sales", "support"]),
        "agent": st.sampled_from([None, "op-a", "OP-A"]),
        "caller": st.sampled_from([None, "111", "222"]),
        "direction": st.sampled_from(["in", "out"]),
        "disposition": st.sampled_from([None, "answered", "abandoned"]),
        "transferred": st.sampled_from([False, True, 0, 1]),
        "category": st.sampled_from([None, "order"]),
        "outcome": st.sampled_from([None, "sale"]),
        "resolved": st.sampled_from([None, True, False, 1]),
        "csat": st.none() | st.integers(0, 6),
        "nps": st.none() | st.integers(-1, 11),
        "note": st.sampled_from([None, "", "call back after 5"]),
        "updated_at": st.floats(0, 1e9, allow_nan=False),
        "leg": st.sampled_from(["", "sales"]),
        "subcategory": st.sampled_from([None, "late"]),
    }
)
#: Write call ``pk`` (insert, or rewrite it whole), or drop it (``None``).
_OPS = st.lists(st.tuples(st.integers(1, 15), st.none() | _ROW), max_size=80)


def _same(a: Any, b: Any) -> bool:
    """Equal in value and type, NaN equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


def _rows_same(got: list[CallRow], expected: list[CallRow]) -> bool:
    return len(got) == len(expected) and all(
        all(_same(x, y) for x, y in zip(g, e, strict=True))
        for g, e in zip(got, expected, strict=True)
    )


@SETTINGS
@given(_OPS)
def test_calls_come_back_as_they_were_put_in_start_order(ops: list[tuple[int, Any]]) -> None:
    calls = DayCalls()
    model: dict[int, CallRow] = {}
    for pk, fields in ops:
        if fields is None:
            dropped = calls.pop(pk)
            assert dropped is None if pk not in model else _rows_same([dropped], [model[pk]])
            model.pop(pk, None)
            continue
        row = CallRow(id=pk, **fields)
        kept = calls.put(row)
        assert _rows_same([kept], [row])
        model[pk] = row
    assert len(calls) == len(model)
    for pk in range(1, 16):
        got = calls.get(pk)
        assert got is None if pk not in model else _rows_same([got], [model[pk]])

    in_order = sorted(model.values(), key=lambda c: (c.started_at, c.id))
    assert _rows_same(calls.between(-1.0, 100.0), in_order)
    assert _rows_same(calls.between(10.0, 30.5, lower=False, upper=False), [
        c for c in in_order if 10.0 < c.started_at < 30.5
    ])  # fmt: skip
    assert _rows_same(list(calls.newest_first(10.0, 30.5)), [
        c for c in reversed(in_order) if 10.0 <= c.started_at < 30.5
    ])  # fmt: skip
    for queue in ("sales", "support", "nowhere"):
        mine = [c for c in in_order if c.queue == queue]
        assert _rows_same(calls.between(-1.0, 100.0, queue=queue), mine)
        assert _rows_same(list(calls.newest_first(-1.0, 100.0, queue)), mine[::-1])


def test_a_text_is_kept_once_for_all_the_calls_that_have_it() -> None:
    calls = DayCalls()
    base = CallRow(
        1, "pbx", "c1", 5.0, None, None, None, None, "sales", "op-a", "111", "in", None,
        False, None, None, None, None, None, None, 0.0,
    )  # fmt: skip
    first = calls.put(base)
    second = calls.put(base._replace(id=2, queue="".join(["sa", "les"])))
    assert first.queue is second.queue
