"""What state a call is in: the one reading the KPI engine, the report and the screen share.

* :func:`disposition` — answered / abandoned / missed, or ``None`` for a call still waiting:
  the stored ``disposition`` when it is one of those, else answered when an answer time or
  a talk time is known (SPEC: "a call being talked counts as answered").
* :func:`status` — the word a person reads for a call: waiting, talking, answered,
  abandoned, missed, outbound (an outbound call with no outcome) or ended (ended with no
  outcome logged).
* :func:`status_word` — that word in the current language (:mod:`carewatch.i18n`).
"""

from __future__ import annotations

from typing import Literal

from carewatch.i18n import pgettext
from carewatch.records import DISPOSITIONS, CallRow

Status = Literal["waiting", "talking", "answered", "abandoned", "missed", "outbound", "ended"]

_DISPOSITIONS = frozenset(DISPOSITIONS)


def disposition(call: CallRow) -> str | None:
    """answered / abandoned / missed, or ``None`` for a call still waiting."""
    return state_of(call.disposition, call.answered_at, call.talk_seconds)


def state_of(
    stored: str | None, answered_at: float | None, talk_seconds: float | None
) -> str | None:
    """:func:`disposition` from the three fields it reads (for a loop that has unpacked the
    call's row already)."""
    if stored in _DISPOSITIONS:
        return stored
    if answered_at is not None or talk_seconds is not None:
        return "answered"
    return None


#: The ``direction`` of an outbound call; every other one (also none) is inbound.
OUTBOUND = "out"


def is_inbound(call: CallRow) -> bool:
    """Every call that is not marked outbound (``direction`` other than ``"out"``)."""
    return call.direction != OUTBOUND


def is_ended(call: CallRow) -> bool:
    """Whether the call's end is known (an end time, or a talk time)."""
    return call.ended_at is not None or call.talk_seconds is not None


def call_end(call: CallRow) -> float | None:
    """When the call ended: its end time, else answer + talk; ``None`` while unknown."""
    return end_from(call.answered_at, call.ended_at, call.talk_seconds)


def end_from(
    answered_at: float | None, ended_at: float | None, talk_seconds: float | None
) -> float | None:
    """:func:`call_end` from the three times it reads."""
    if ended_at is not None:
        return ended_at
    if answered_at is not None and talk_seconds is not None:
        return answered_at + talk_seconds
    return None


def as_it_stood(call: CallRow, at: float) -> CallRow:
    """``call`` as it stood at ``at``, to compare a period cut there with one in progress,
    whose calls are seen as they are now: a call answered after ``at`` was still waiting
    (no answer, wait or talk), one answered by then that ended after was being talked (no
    talk time), one abandoned or missed after ``at`` (its start + its wait) was still
    waiting. What is not timed in the row (tags, ratings) stays as it is now. The call
    itself when nothing about it happened after ``at``."""
    started = call.started_at
    state = disposition(call)
    if state == "answered":
        answered = call.answered_at
        if answered is None and call.wait_seconds is not None:
            answered = started + call.wait_seconds
        if answered is not None and answered > at:
            return call._replace(
                answered_at=None,
                ended_at=None,
                wait_seconds=None,
                talk_seconds=None,
                disposition=None,
                transferred=False,
            )
        end = call_end(call)
        if end is not None and end > at:
            return call._replace(ended_at=None, talk_seconds=None, transferred=False)
        return call
    if state in ("abandoned", "missed"):
        lost = started + call.wait_seconds if call.wait_seconds is not None else call.ended_at
        if lost is not None and lost > at:
            return call._replace(disposition=None, wait_seconds=None, ended_at=None)
    return call


def status(call: CallRow) -> Status:
    """waiting / talking / answered / abandoned / missed / outbound / ended."""
    found = disposition(call)
    if found == "answered":
        return "answered" if is_ended(call) else "talking"
    if found == "abandoned":
        return "abandoned"
    if found == "missed":
        return "missed"
    if call.direction == "out":
        return "outbound"
    return "waiting" if call.ended_at is None else "ended"


def status_words() -> dict[Status, str]:
    """Every status as a person reads it, in the current language ("call status" context in
    the catalog: a call's "answered", not a count's)."""
    return {
        "waiting": pgettext("call status", "waiting"),
        "talking": pgettext("call status", "talking"),
        "answered": pgettext("call status", "answered"),
        "abandoned": pgettext("call status", "abandoned"),
        "missed": pgettext("call status", "missed"),
        "outbound": pgettext("call status", "outbound"),
        "ended": pgettext("call status", "ended"),
    }


def status_word(state: Status) -> str:
    """A call's status (:func:`status`) as a person reads it, in the current language."""
    return status_words()[state]
