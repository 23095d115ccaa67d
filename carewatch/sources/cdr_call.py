"""One call from all its CDR legs: :func:`call_from_legs`, a pure function.

Asterisk 12 and later write one ``Master.csv`` row per dialled leg, all sharing the call's
``linkedid``. A call is derived from every leg known for it, never from the last row read,
so legs may arrive in any order, across batches, ingest runs and rotations.

Rules (docs/counting.md)
    * The call starts at its earliest leg and ends at its latest end.
    * An **operator leg** has a ``dstchannel`` that is not empty and not a ``Local/…``
      channel (a Local channel is the dialplan calling itself: a ring group, a follow-me,
      a queue member; never an operator).
    * **Answered** when some operator leg was ANSWERED (with an answer time). The
      answering leg is the one answered first (ties: the longer billsec, then the leg
      key); it gives the agent, ``answered_at``, ``wait_seconds`` = answer − call start
      and ``talk_seconds`` = its billsec.
    * Otherwise, when some operator leg rang without answer (NO ANSWER): **abandoned**;
      when its operator legs were only BUSY, FAILED or CONGESTION: **missed**; when it
      has no operator leg but was queued (a ``Queue`` row): **abandoned** (the caller
      left the queue).
    * A call with no operator leg and no queue (an announcement, a voicemail, an IVR the
      caller hung up in) was answered only by the dialplan: its disposition stays empty,
      so it counts in ``offered`` and in none of answered, abandoned and missed ("other").
    * Traps this avoids: a ``Queue`` row without ``dstchannel`` says ANSWERED when the
      caller abandoned (the Queue application answers the caller itself); a
      ``Congestion``/``Hangup``/``Playback`` row says ANSWERED after BUSY legs; a
      ``Local/`` follow-me leg says ANSWERED with 0 s.
    * ``caller``, ``direction`` and ``queue`` come from the first leg (by start, then
      sequence, then key) that has them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from carewatch.records import CdrLeg

#: CDR dispositions that mean the dialled phone did not take the call.
_NOT_REACHED = frozenset({"BUSY", "FAILED", "CONGESTION"})


def is_operator_channel(channel: str | None) -> bool:
    """Whether a ``dstchannel`` is an operator's phone: not empty, not ``Local/…``."""
    if not channel:
        return False
    return not channel.strip().lower().startswith("local/")


def _order(leg: CdrLeg) -> tuple[float, int, str]:
    fields = leg.fields
    return (float(fields["start"]), int(fields.get("sequence") or 0), leg.leg_key)


def _answer_order(leg: CdrLeg) -> tuple[float, float, str]:
    fields = leg.fields
    return (float(fields["answer"]), -float(fields.get("billsec") or 0.0), leg.leg_key)


def call_from_legs(legs: Iterable[CdrLeg]) -> dict[str, Any]:
    """The call's fields (:data:`carewatch.records.CALL_FIELDS` names) from all its legs.

    Pure and order-independent: any order of the same legs gives the same fields.
    Raises ``ValueError`` when ``legs`` is empty.
    """
    ordered = sorted({leg.leg_key: leg for leg in legs}.values(), key=_order)
    if not ordered:
        raise ValueError("a call needs at least one leg")
    started = min(float(leg.fields["start"]) for leg in ordered)
    ended = max(float(leg.fields["end"]) for leg in ordered)
    out: dict[str, Any] = {"started_at": started, "ended_at": ended}
    for name in ("caller", "direction", "queue"):
        value = next((leg.fields[name] for leg in ordered if leg.fields.get(name)), None)
        if value is not None:
            out[name] = value
    operator = [leg for leg in ordered if is_operator_channel(leg.fields.get("dstchannel"))]
    answered = [
        leg
        for leg in operator
        if leg.fields.get("disposition") == "ANSWERED" and leg.fields.get("answer") is not None
    ]
    if answered:
        leg = min(answered, key=_answer_order)
        answer = float(leg.fields["answer"])
        out["answered_at"] = answer
        out["wait_seconds"] = max(0.0, answer - started)
        if leg.fields.get("billsec") is not None:
            out["talk_seconds"] = float(leg.fields["billsec"])
        if leg.fields.get("agent"):
            out["agent"] = leg.fields["agent"]
        out["disposition"] = "answered"
        return out
    dispositions = {leg.fields.get("disposition") for leg in operator}
    queued = any(str(leg.fields.get("lastapp") or "").lower() == "queue" for leg in ordered)
    if "NO ANSWER" in dispositions or "ANSWERED" in dispositions:
        out["disposition"] = "abandoned"
    elif dispositions & _NOT_REACHED:
        out["disposition"] = "missed"
    elif queued:
        out["disposition"] = "abandoned"
    return out
