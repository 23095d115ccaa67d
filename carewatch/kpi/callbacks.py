"""Callers to call back: callers whose call was not answered and who have not been reached
since.

Pure: the caller reads the calls and passes them here.

Definitions (docs/reports.md)
-----------------------------
* A **lost call** is an inbound call that was abandoned or missed (the caller left the queue
  unanswered: hung up, or timed out).
* A caller was **called back** when, after their last lost call started, there is an
  outbound call to their number (any outbound call: an attempt was made; for an outbound
  call ``caller`` is the number called, as carewatch CSV/JSONL and the simulator write it),
  or an inbound call of theirs that was answered (they called again and got through).
* A caller is on the list when their last lost call in the period was followed by neither,
  up to the time the list is made. They show once, with that last call (its time, queue and
  wait) and how many lost calls they made since they were last reached.
* Numbers are compared by their digits (``+39 02 1234 567`` is ``39021234567``), and one
  number matches another that ends with it when the shorter has at least 6 digits (a
  ``0039…`` or national form matches the ``+39…`` one). Withheld and unknown callers
  (:func:`carewatch.kpi.engine.known_caller`) cannot be called back and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from carewatch.callstate import OUTBOUND, disposition, is_inbound, state_of
from carewatch.kpi.engine import known_caller
from carewatch.records import CallRow

#: The shortest number a longer one may end with and still be the same caller.
MIN_SUFFIX_DIGITS = 6

_NOT_DIGITS = re.compile(r"[^0-9]")


@dataclass(frozen=True)
class Callback:
    """A caller to call back: their number as logged, their last lost call (its primary key
    and call id, start, queue, abandoned or missed, wait) and how many lost calls since they
    were last reached."""

    caller: str
    id: int
    call_id: str
    last_at: float
    queue: str | None
    result: str
    last_wait_seconds: float | None
    attempts: int


def number_key(caller: str | None) -> str | None:
    """The digits of a known caller (the caller's text, lowercased, when it has none)."""
    known = known_caller(caller)
    if known is None:
        return None
    digits = _NOT_DIGITS.sub("", known)
    return digits or known.lower()


def same_number(a: str, b: str) -> bool:
    """Whether two :func:`number_key` values are one caller: equal, or the longer ends with
    the shorter of at least :data:`MIN_SUFFIX_DIGITS` digits."""
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return short.isdigit() and len(short) >= MIN_SUFFIX_DIGITS and long.endswith(short)


def _bucket(key: str) -> str:
    """Numbers that can match share their last :data:`MIN_SUFFIX_DIGITS` digits."""
    return key[-MIN_SUFFIX_DIGITS:] if key.isdigit() else key


def _reaches(call: CallRow, state: str | None) -> bool:
    """Whether ``call`` (its :func:`disposition` ``state``) reaches its caller: an outbound
    call, or an inbound one answered."""
    return not is_inbound(call) or state == "answered"


def callbacks(calls: Iterable[CallRow], start: float, end: float) -> list[Callback]:
    """The callers to call back for the lost calls that started in [start, end), judged on
    ``calls`` (the period's and any later ones, up to when the list is made), oldest last
    lost call first."""
    # One pass that keeps, per caller text, the lost calls and the last call that reached
    # them; numbers are compared only among the few callers who lost a call (a report's day
    # has tens of thousands of callers, a few thousand of them lost).
    lost_by_text: dict[str, list[CallRow]] = {}
    reached_by_text: dict[str, float] = {}  # when a call last reached that caller text
    for call in calls:
        # one unpacking of the fields read, not a named field read each (as the tally does)
        _pk, _, _, started, answered_at, _, _, talk, _, _, caller, direction, stored = call[:13]
        if caller is None:
            continue
        state = state_of(stored, answered_at, talk)
        if direction == OUTBOUND or state == "answered":
            if reached_by_text.get(caller, float("-inf")) < started:
                reached_by_text[caller] = started
        elif state is not None and start <= started < end:
            lost_by_text.setdefault(caller, []).append(call)
    lost: dict[str, list[CallRow]] = {}
    for text, lost_calls in lost_by_text.items():
        key = number_key(text)
        if key is not None:
            lost.setdefault(key, []).extend(lost_calls)
    buckets = {_bucket(key) for key in lost}
    reached: dict[str, list[tuple[str, float]]] = {}  # who was reached when, by bucket
    for text, when in reached_by_text.items():
        tail = text[-MIN_SUFFIX_DIGITS:]
        if tail.isascii() and tail.isdigit() and tail not in buckets:
            continue  # its number ends in these digits: no lost caller's can match it
        key = number_key(text)
        if key is not None and (bucket := _bucket(key)) in buckets:
            reached.setdefault(bucket, []).append((key, when))
    out: list[Callback] = []
    for key, lost_calls in lost.items():
        lost_calls.sort(key=lambda c: (c.started_at, c.id))
        last = lost_calls[-1]
        since = max(
            (when for other, when in reached.get(_bucket(key), ()) if same_number(key, other)),
            default=float("-inf"),
        )
        if since > last.started_at:
            continue
        out.append(
            Callback(
                caller=known_caller(last.caller) or "",
                id=last.id,
                call_id=last.call_id,
                last_at=last.started_at,
                queue=last.queue,
                result=disposition(last) or "abandoned",
                last_wait_seconds=last.wait_seconds,
                attempts=sum(1 for c in lost_calls if c.started_at > since),
            )
        )
    out.sort(key=lambda c: (c.last_at, c.call_id))
    return out


def not_reached(found: Iterable[Callback], later: Iterable[CallRow]) -> list[Callback]:
    """The callers of ``found`` (:func:`callbacks` of a period, judged on the calls up to some
    point) that none of the ``later`` calls (all after that point) reaches. A later call that
    reaches a caller is after their last lost call, so it takes them off the list, and the
    others keep their count of lost calls: ``not_reached(callbacks(calls, start, end),
    later)`` is ``callbacks([*calls, *later], start, end)`` when ``later`` starts after
    ``end``."""
    reached: dict[str, list[str]] = {}  # the numbers the later calls reach, by bucket
    for call in later:
        key = number_key(call.caller)
        if key is not None and _reaches(call, disposition(call)):
            reached.setdefault(_bucket(key), []).append(key)
    out = []
    for c in found:
        key = number_key(c.caller)
        if key is None or not any(same_number(key, k) for k in reached.get(_bucket(key), ())):
            out.append(c)
    return out
