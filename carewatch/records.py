"""What a parser turns a log line into: plain records, independent of any log format.

A parser reads one line and returns zero or more records, or raises :class:`BadLine`.
The store merges :class:`CallUpdate` records into call rows (a later non-empty value
replaces an earlier one; ``None`` leaves it as it was) and appends :class:`AgentEvent`
records to the agent event table.

All times are UTC epoch seconds (``float``). Parsers convert local or naive times with
the configured timezone (see :func:`carewatch.timeutil.parse_timestamp`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

#: What narrows a read to one operator: an agent id as the calls spell it, or the agent ids of
#: one login (``[operators]``).
AgentFilter = str | tuple[str, ...]
#: An answered call as the away rule reads it: agent, answered_at, ended_at, talk_seconds
#: (:func:`carewatch.kpi.now.note_seen`).
Seen = tuple[str, float | None, float | None, float | None]


def agent_ids(agent: AgentFilter) -> frozenset[str]:
    """The agent ids ``agent`` narrows to."""
    return frozenset((agent,) if isinstance(agent, str) else agent)


#: The log formats a source can have (``auto`` in a config means "detect one of these"); here,
#: free of the config's models, so the command line lists them without loading those.
LOG_FORMATS: tuple[str, ...] = ("csv", "jsonl", "queue_log", "cdr", "mapped")

#: What a phone system says of a call: when, how long, which queue and operator, who
#: called, how it went (what a CDR call's legs decide).
CALL_STATE_FIELDS: tuple[str, ...] = (
    "started_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "talk_seconds",
    "queue",
    "agent",
    "caller",
    "direction",
    "disposition",
)
#: The call fields a source can set. Anything else in ``CallUpdate.fields`` is a bug.
CALL_FIELDS: tuple[str, ...] = (
    *CALL_STATE_FIELDS,
    "transferred",
    "category",
    "outcome",
    "resolved",
    "csat",
    "nps",
    "note",
)

DISPOSITIONS: tuple[str, ...] = ("answered", "abandoned", "missed")
DIRECTIONS: tuple[str, ...] = ("in", "out")


class BadLine(ValueError):
    """A line that cannot be used. ``reason`` is a short, stable label used for counting."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(slots=True)
class CallUpdate:
    """Set some fields of one call.

    ``creates``: this record may create the call when it is not in the store yet
    (ENTERQUEUE, a CSV row with ``started_at``). An update for an unknown call that
    cannot create it is skipped and counted as ``unknown call``.
    """

    call_id: str
    fields: dict[str, Any]
    creates: bool = True
    #: Which leg of the call this is: the queue of a queue_log entry (a call that enters
    #: a second queue has a second leg there), ``""`` for the formats with one row per call.
    leg: str = ""
    #: When the event happened (a queue_log line's time), ``None`` for a row that states a
    #: call rather than an event (csv, jsonl, mapped, CDR): the store orders the events of
    #: one call by it when they arrive out of order.
    at: float | None = None


@dataclass(slots=True)
class AgentEvent:
    """A change of an operator's state, or a ring the operator did not answer.

    ``event`` is the queue_log name: PAUSE, UNPAUSE, ADDMEMBER, REMOVEMEMBER,
    AGENTLOGIN, AGENTLOGOFF, RINGNOANSWER, PAUSEALL, UNPAUSEALL, AGENTCALLBACKLOGIN, ...
    """

    at: float
    agent: str
    event: str
    queue: str | None = None
    reason: str | None = None
    call_id: str | None = None
    ring_ms: int | None = None


#: The event name an :class:`AgentEvent` gets for a queue_log RINGNOANSWER whose ring time
#: is at most :data:`UNREACHABLE_RING_MS`: the phone was busy or unreachable, it never rang
#: (counted apart from missed rings).
UNREACHABLE_RING = "RINGUNREACHABLE"

#: The longest RINGNOANSWER ring time (ms) of a phone that may never have rung. Asterisk
#: writes the ring time of a member's channel that was busy, congested or hung up as whole
#: seconds of its clock times 1000 (``(time(NULL) - starttime) * 1000`` in app_queue.c's
#: ``wait_for_answer``): a channel that failed at once is 0 or 1000 ms, by whether the
#: clock's second changed in between (docs/counting.md, "Missed and unreachable rings").
UNREACHABLE_RING_MS = 1000


@dataclass(slots=True)
class CdrLeg:
    """One Asterisk CDR row: one leg of the call ``call_key`` (its ``linkedid``, else its
    ``uniqueid``, else a stable hash of the row). ``leg_key`` names the row (the same row
    read twice has the same key). ``fields`` are the row's values, JSON-serialisable (see
    :mod:`carewatch.sources.cdr_call`, which derives the call from all its legs).
    """

    call_key: str
    leg_key: str
    fields: dict[str, Any]


@dataclass(slots=True)
class SystemStarted:
    """The phone system started (again) at ``at``: a queue_log QUEUESTART, which Asterisk's
    logger writes once when Asterisk starts. No queue entry of the log open before it can
    still be waiting: the store ends them (:func:`carewatch.store.apply.end_open_entries`,
    docs/counting.md) and keeps nothing of the line itself."""

    at: float


Record = CallUpdate | AgentEvent | CdrLeg | SystemStarted


def derive(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` plus the values SPEC says can be derived from them (a new dict).

    - ``talk_seconds`` = ``ended_at`` − ``answered_at``
    - ``wait_seconds`` = ``answered_at`` − ``started_at``
    - ``disposition`` = ``answered`` when ``answered_at`` or ``talk_seconds`` is known

    A value already present (not ``None``) is never replaced, and a negative difference
    (times out of order) derives nothing. Pure: the store calls it again on the merge of
    every row about one call, so a later row can complete an earlier one.
    """
    out = dict(fields)
    _derive_into(out)
    return out


def _derive_into(out: dict[str, Any]) -> None:
    """:func:`derive`, in place."""
    started = out.get("started_at")
    answered = out.get("answered_at")
    ended = out.get("ended_at")
    if (
        out.get("talk_seconds") is None
        and answered is not None
        and ended is not None
        and ended >= answered
    ):
        out["talk_seconds"] = float(ended - answered)
    if (
        out.get("wait_seconds") is None
        and started is not None
        and answered is not None
        and answered >= started
    ):
        out["wait_seconds"] = float(answered - started)
    if out.get("disposition") is None and (
        answered is not None or out.get("talk_seconds") is not None
    ):
        out["disposition"] = "answered"


#: What the figures call the calls without a category (``talk_cost.by_category``, the
#: report's category rows): no configured category may take the name.
UNTAGGED = "untagged"

#: Text fields stored in bounded columns, and their size (cut to it on every database).
SHORT_TEXT = frozenset({"queue", "agent", "caller", "category", "outcome", "direction"})
TEXT_MAX = 200
_CALL_FIELD_SET = frozenset(CALL_FIELDS)
_TIME_FIELDS = ("started_at", "answered_at", "ended_at")


def latest_time(fields: dict[str, Any]) -> float | None:
    """The latest of a call's start, answer and end times (``None`` when it has none)."""
    times = [t for t in (fields.get(name) for name in _TIME_FIELDS) if t is not None]
    return max(times) if times else None


#: What the event that set each time field sets with it (a queue_log ENTERQUEUE, CONNECT,
#: or an end of call): the fields a later event of that kind may have set. Keyed by the
#: three time fields, which :func:`merge` reads first.
EVENT_FIELDS: dict[str, frozenset[str]] = {
    "started_at": frozenset({"started_at", "caller", "queue", "direction"}),
    "answered_at": frozenset({"answered_at", "wait_seconds", "agent", "queue", "disposition"}),
    "ended_at": frozenset(
        {"ended_at", "talk_seconds", "wait_seconds", "agent", "disposition", "transferred"}
    ),
}
_EVENT_FIELDS = tuple(EVENT_FIELDS.items())


def merge(row: dict[str, Any], update: CallUpdate) -> None:
    """Merge one update into a call's fields, in place: the rule every reading of calls
    shares (the store, :func:`carewatch.sources.queue_entries.fold_entries`).

    A non-empty value replaces the earlier one, ``None`` leaves it as it was. An event that
    is **late** — its time (``update.at``) is before the call's start, answer or end already
    known, because the files were read out of order — does not replace what those later
    events set (:data:`EVENT_FIELDS`); it fills what the call lacks. So the call is the one
    a reading in time order gives, whatever order its events came in. Then :func:`derive`
    completes the fields. Text of bounded columns is cut to :data:`TEXT_MAX` characters.
    """
    at = update.at
    kept: set[str] | None = None
    if at is not None:
        get = row.get
        started, answered, ended = get("started_at"), get("answered_at"), get("ended_at")
        if (
            (started is not None and at < started)
            or (answered is not None and at < answered)
            or (ended is not None and at < ended)
        ):  # a late event (rare): what the later ones set stays
            kept = set()
            for name, fields in _EVENT_FIELDS:
                known = get(name)
                if known is not None and at < known:
                    kept |= fields
    for key, value in update.fields.items():
        if value is None or key not in _CALL_FIELD_SET:
            continue
        if kept is not None and key in kept and row.get(key) is not None:
            continue
        if isinstance(value, str) and len(value) > TEXT_MAX and key in SHORT_TEXT:
            value = value[:TEXT_MAX]
        row[key] = value
    _derive_into(row)


class CallRow(NamedTuple):
    """A call as read back from the store (the columns of ``carewatch.model.Call``)."""

    id: int
    source: str
    call_id: str
    started_at: float
    answered_at: float | None
    ended_at: float | None
    wait_seconds: float | None
    talk_seconds: float | None
    queue: str | None
    agent: str | None
    caller: str | None
    direction: str
    disposition: str | None
    transferred: bool
    category: str | None
    outcome: str | None
    resolved: bool | None
    csat: int | None
    nps: int | None
    note: str | None
    updated_at: float
    #: Which entry of the call this is (the queue of a queue_log entry; ``""`` for a call
    #: of one row).
    leg: str = ""
    #: The request type within the category (a tag only operators set; see the config's
    #: ``subcategories`` of a category).
    subcategory: str | None = None


class IssueRow(NamedTuple):
    """An issue as read back from the store (the columns of ``carewatch.model.Issue``)."""

    id: int
    call_pk: int | None
    title: str
    category: str | None
    opened_by: str
    opened_at: float
    resolved_at: float | None
    resolved_by: str | None
