"""Asterisk ``queue_log``: ``time|callid|queue|agent|EVENT|data1|...|data5``.

One line is one event. ``time`` is UTC epoch seconds, or (in exports of the realtime
``queue_log`` table, e.g. Wazo's) a datetime string, naive ones in the configured timezone.
Data layouts differ between Asterisk versions; each event reads its data fields by
position, and every field a version does not write is simply left out of the record
(extra trailing fields are ignored). Sources: Asterisk's "Queue Logs" page and
``app_queue.c`` across versions, Wazo's "Queue logs" page.

Events that change a call (``CallUpdate``; only ENTERQUEUE may create the call):

============================= ========================================= ====================
event                         data layouts (old / new)                  call fields
============================= ========================================= ====================
ENTERQUEUE                    url|callerid  /  url|callerid|position     started_at, caller,
                              [|calleridname]                           queue, direction=in
CONNECT                       holdtime  /  holdtime|bridgeduniqueid      answered_at,
                              [|ringtime]                               wait_seconds, agent,
                                                                        queue, disposition
COMPLETEAGENT, COMPLETECALLER holdtime|calltime[|origposition]           ended_at,
                                                                        talk_seconds,
                                                                        wait_seconds, agent,
                                                                        disposition
TRANSFER                      exten|context  /  exten|context|holdtime|  as COMPLETE*, plus
                              calltime[|origposition]                   transferred=True
BLINDTRANSFER                 exten|context|holdtime|calltime|origpos.   as TRANSFER
ATTENDEDTRANSFER              BRIDGE|bridge|holdtime|calltime|origpos.,  as TRANSFER
                              APP|app|..., LINK|chan1|chan2|holdtime|...
ABANDON                       position|origposition|waittime             disposition=abandoned,
                                                                        wait_seconds, ended_at
EXITWITHTIMEOUT               position  /  position|origposition|        disposition=missed,
                              waittime                                  wait_seconds (new
                                                                        layout), ended_at
EXITWITHKEY                   key|position  /  key|position|origpos.|    as EXITWITHTIMEOUT
                              waittime
EXITEMPTY, LEAVEEMPTY         position|origposition|waittime             as EXITWITHTIMEOUT
============================= ========================================= ====================

LEAVEEMPTY is Wazo's name for a caller leaving a queue that became empty; it is read
like EXITEMPTY. FULL, JOINEMPTY and JOINUNAVAIL (a call the queue turned away: full, no
members, none available) create the call, offered and ``missed``, with ``started_at`` =
``ended_at`` = the event's time and a wait of 0 (it never waited in the queue).

Every ``CallUpdate`` has ``leg`` = its queue: a call that enters a second queue has a
second leg there, and ``at`` = the line's time, by which the store orders one entry's events
read out of order (:mod:`carewatch.sources.queue_entries`, which also states the rule for
an end of call logged under a consult call's id).

Events about an operator (``AgentEvent``; the agent field is required):
RINGNOANSWER (``ring_ms`` = data1, ``call_id`` = callid; the call goes on; a ring time
of at most :data:`~carewatch.records.UNREACHABLE_RING_MS` — the phone was busy or
unreachable, it never rang — is stored as :data:`~carewatch.records.UNREACHABLE_RING`,
counted apart from missed rings),
PAUSE, UNPAUSE, PAUSEALL, UNPAUSEALL (``reason`` = data1, the pause reason, when given),
AGENTCALLBACKLOGOFF (``reason`` = data3, e.g. ``Autologoff``, when given),
ADDMEMBER, REMOVEMEMBER, AGENTLOGIN, AGENTLOGOFF, AGENTCALLBACKLOGIN (no reason:
their data is a channel or a login time). ``queue`` is ``None`` for ``NONE``.

Known events that carry nothing carewatch stores give no record (``[]``, not an error):
QUEUESTART, CONFIGRELOAD, AGENTDUMP, RINGCANCELED, SYSCOMPAT, PENALTY, DID, INFO,
and Wazo's CLOSED, DIVERT_CA_RATIO, DIVERT_HOLDTIME, WRAPUPSTART (a call the
configuration sends elsewhere before it queues: out of hours, diverted by a rule; it is
counted where it goes). Any other event name is
``BadLine("unknown event", name)``.

Reasons raised: ``malformed`` (too few fields, no event, a number that is not one),
``bad timestamp``, ``unknown event``, ``missing call id`` (a call event whose callid is
empty, ``NONE`` or ``REALTIME``), ``missing agent`` (an operator event without agent).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from carewatch.records import (
    UNREACHABLE_RING,
    UNREACHABLE_RING_MS,
    AgentEvent,
    BadLine,
    CallUpdate,
    Record,
    SystemStarted,
)
from carewatch.sources.base import Parser, clean_text
from carewatch.timeutil import parse_timestamp

#: Fields before the event data: time, callid, queue, agent, event.
_HEAD = 5

_NUMBER_RE = re.compile(r"^\d+(\.\d+)?$")
_EPOCH_RE = re.compile(r"^\d{9,11}(\.\d+)?$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?")
_EVENT_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")

#: callid values that mean "no call" (a queue or agent means none when empty or ``NONE``).
_NO_CALL_IDS = frozenset({"", "NONE", "REALTIME"})
_NO_CALL_ID_LENGTHS = frozenset(len(name) for name in _NO_CALL_IDS)

_COMPLETE_EVENTS = frozenset({"COMPLETEAGENT", "COMPLETECALLER"})
_TRANSFER_EVENTS = frozenset({"TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"})
#: Event -> index (0-based, within the data fields) of ``waittime``.
_MISSED_WAIT_INDEX: dict[str, int] = {
    "EXITWITHTIMEOUT": 2,
    "EXITWITHKEY": 3,
    "EXITEMPTY": 2,
    "LEAVEEMPTY": 2,
}
_PAUSE_EVENTS = frozenset({"PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL"})
#: Calls the queue turned away: they never waited in it (offered, missed).
TURNED_AWAY_EVENTS = frozenset({"FULL", "JOINEMPTY", "JOINUNAVAIL"})
_MEMBER_EVENTS = frozenset({"ADDMEMBER", "REMOVEMEMBER", "AGENTLOGIN", "AGENTLOGOFF"})
_MEMBER_EVENTS |= {"AGENTCALLBACKLOGIN", "AGENTCALLBACKLOGOFF"}
#: Asterisk's logger writes it once, when Asterisk starts (:class:`SystemStarted`).
_STARTED = "QUEUESTART"
#: Known events that carry nothing carewatch stores. (QUEUESTART, read with them, gives one
#: record: the phone system started again, which ends the queue entries still open.)
IGNORED_EVENTS: frozenset[str] = frozenset(
    {"CONFIGRELOAD", "AGENTDUMP", "RINGCANCELED", "SYSCOMPAT", "PENALTY", "DID"}
    | {"INFO", "CLOSED", "DIVERT_CA_RATIO", "DIVERT_HOLDTIME", "WRAPUPSTART"}
)
#: How :meth:`QueueLogParser._event` reads each known event: the events of each kind, by the
#: kind's number (the call's events first, then the operator's from ``_RING`` on).
_ENTER, _ANSWER, _END, _TRANSFER, _AWAY, _EXIT, _RING, _OPERATOR, _IGNORED = range(9)
_KINDS: tuple[frozenset[str], ...] = (
    frozenset({"ENTERQUEUE"}),
    frozenset({"CONNECT"}),
    _COMPLETE_EVENTS,
    _TRANSFER_EVENTS,
    TURNED_AWAY_EVENTS,
    frozenset({"ABANDON", *_MISSED_WAIT_INDEX}),
    frozenset({"RINGNOANSWER"}),
    _PAUSE_EVENTS | _MEMBER_EVENTS,
    IGNORED_EVENTS | {_STARTED},
)
_KIND: dict[str, int] = {name: kind for kind, names in enumerate(_KINDS) for name in names}
#: Every event name this parser knows.
KNOWN_EVENTS: frozenset[str] = frozenset(_KIND)


class QueueLogParser(Parser):
    """Parser for Asterisk's ``queue_log`` file (and pipe-separated realtime exports)."""

    format: ClassVar[str] = "queue_log"

    def parse_line(self, line: str, line_no: int) -> list[Record]:
        """One queue_log line -> zero or more records, or :class:`BadLine`.

        Every :class:`CallUpdate` has ``leg`` = its queue (``""`` without one) and ``at`` =
        the line's time."""
        fields = line.split("|")
        if len(fields) < _HEAD:
            raise BadLine("malformed", f"{len(fields)} fields, expected at least {_HEAD}")
        raw_time = fields[0]
        if line.isprintable() and " " not in line:
            # the common line: no blank or control character, so no field to strip or clean
            if 9 <= len(raw_time) <= 11 and raw_time.isdigit() and raw_time.isascii():
                at = float(raw_time)  # what parse_timestamp reads it as
            else:
                at = self._time(raw_time)
            callid: str | None = fields[1]
            queue: str | None = fields[2]
            agent: str | None = fields[3]
            # "", NONE, REALTIME: only a text of 0, 4 or 8 characters needs upper()
            if len(fields[1]) in _NO_CALL_ID_LENGTHS and fields[1].upper() in _NO_CALL_IDS:
                callid = None
            if not queue or (len(queue) == 4 and queue.upper() == "NONE"):
                queue = None
            if not agent or (len(agent) == 4 and agent.upper() == "NONE"):
                agent = None
            return self._event(at, callid, queue, agent, fields[4], fields[_HEAD:])
        fields = [f.strip() for f in fields]
        raw_time, raw_callid, raw_queue, raw_agent, event = fields[:_HEAD]
        return self._parse(raw_time, raw_callid, raw_queue, raw_agent, event, fields[_HEAD:])

    def parse_event(
        self,
        when: str | float | datetime,
        callid: str,
        queue: str,
        agent: str,
        event: str,
        data: Sequence[str],
    ) -> list[Record]:
        """One event given field by field (a row of a realtime ``queue_log`` table) ->
        records, exactly as :meth:`parse_line` reads the same event from a file. ``when``:
        epoch seconds, a datetime (naive ones are in the parser's time zone) or its text."""
        text = (callid.strip(), queue.strip(), agent.strip(), event.strip())
        return self._parse(when, *text, [d.strip() for d in data])

    def _time(self, when: str | float | datetime) -> float:
        if isinstance(when, datetime):
            return (when if when.tzinfo else when.replace(tzinfo=self.tz)).timestamp()
        if isinstance(when, int | float):
            return float(when)
        try:
            return parse_timestamp(when, self.tz)
        except ValueError:
            raise BadLine("bad timestamp", clean_text(when) or "") from None

    def _parse(
        self,
        when: str | float | datetime,
        raw_callid: str,
        raw_queue: str,
        raw_agent: str,
        raw_event: str,
        data: list[str],
    ) -> list[Record]:
        at = self._time(when)
        queue, agent = _none_or_text(raw_queue), _none_or_text(raw_agent)
        return self._event(at, _call_id_or_none(raw_callid), queue, agent, raw_event, data)

    def _event(
        self,
        at: float,
        known_call_id: str | None,
        queue: str | None,
        agent: str | None,
        raw_event: str,
        data: list[str],
    ) -> list[Record]:
        """The records of one event, its call id, queue and agent read (``None``: none)."""
        event = raw_event.upper()
        kind = _KIND.get(event)  # one look-up tells every known event how to read it
        if kind is None:
            if not event:
                raise BadLine("malformed", "no event name")
            raise BadLine("unknown event", clean_text(raw_event) or "")
        if kind >= _RING:
            return self._agent_event(kind, at, known_call_id, queue, agent, event, data)
        call_id = known_call_id
        if call_id is None:
            raise BadLine("missing call id", event)
        leg = queue or ""
        # each dict is built with its keys in one fixed order, unknown (None) values left out
        if kind == _ENTER:
            entered: dict[str, Any] = {"started_at": at}
            caller = clean_text(data[1]) if len(data) > 1 else None
            if caller is not None:
                entered["caller"] = caller
            if queue is not None:
                entered["queue"] = queue
            entered["direction"] = "in"
            return [CallUpdate(call_id, entered, True, leg, at)]
        if kind == _ANSWER:
            fields_out: dict[str, Any] = {"answered_at": at}
            wait = _number(data, 0, event, "holdtime")
            if wait is not None:
                fields_out["wait_seconds"] = wait
            if agent is not None:
                fields_out["agent"] = agent
            if queue is not None:
                fields_out["queue"] = queue
            fields_out["disposition"] = "answered"
        elif kind in (_END, _TRANSFER):
            hold_index = 0 if kind == _END else _transfer_hold_index(event, data)
            talk = _number(data, hold_index + 1, event, "calltime")
            fields_out = {"ended_at": at}
            if talk is not None:
                fields_out["talk_seconds"] = talk
            wait = _number(data, hold_index, event, "holdtime")
            if wait is not None:
                fields_out["wait_seconds"] = wait
            if agent is not None:
                fields_out["agent"] = agent
            fields_out["disposition"] = "answered"
            if kind == _TRANSFER:
                fields_out["transferred"] = True
        elif kind == _AWAY:
            away: dict[str, Any] = {"started_at": at, "ended_at": at}
            if queue is not None:
                away["queue"] = queue
            away.update(direction="in", wait_seconds=0.0, disposition="missed")
            return [CallUpdate(call_id, away, True, leg, at)]
        else:  # ABANDON; EXITWITHTIMEOUT, EXITWITHKEY, EXITEMPTY, LEAVEEMPTY
            abandoned = event == "ABANDON"
            fields_out = {"disposition": "abandoned" if abandoned else "missed"}
            index = 2 if abandoned else _MISSED_WAIT_INDEX[event]
            _put(fields_out, "wait_seconds", _number(data, index, event, "waittime"))
            fields_out["ended_at"] = at
        return [CallUpdate(call_id, fields_out, False, leg, at)]

    @staticmethod
    def _agent_event(
        kind: int,
        at: float,
        call_id: str | None,
        queue: str | None,
        agent: str | None,
        event: str,
        data: list[str],
    ) -> list[Record]:
        """The record of an event about an operator (none for an ignored event)."""
        if kind == _IGNORED:
            if event == _STARTED:  # Asterisk started: what queued before it is over
                return [SystemStarted(at)]
            return []
        if kind == _RING:
            ring = _number(data, 0, event, "ringtime")
            return [
                AgentEvent(
                    at=at,
                    agent=_require_agent(agent, event),
                    event=UNREACHABLE_RING
                    if ring is not None and ring <= UNREACHABLE_RING_MS
                    else event,
                    queue=queue,
                    call_id=call_id,
                    ring_ms=None if ring is None else int(ring),
                )
            ]
        return [
            AgentEvent(
                at=at,
                agent=_require_agent(agent, event),
                event=event,
                queue=queue,
                reason=_reason(event, data),
            )
        ]


def _transfer_hold_index(event: str, data: list[str]) -> int:
    """Index of ``holdtime`` in the data fields of an end-of-call event."""
    if event in _COMPLETE_EVENTS:
        return 0
    if event == "ATTENDEDTRANSFER" and _get(data, 0).upper() == "LINK":
        return 3  # LINK|chan1|chan2|holdtime|calltime|origposition
    return 2  # exten|context|... and BRIDGE|bridge|... / APP|app|...


def _get(data: list[str], index: int) -> str:
    return data[index] if index < len(data) else ""


def _put(fields: dict[str, Any], name: str, value: Any) -> None:
    """Set a field when its value is known (not ``None``)."""
    if value is not None:
        fields[name] = value


def _number(data: list[str], index: int, event: str, name: str) -> float | None:
    """A numeric data field: ``None`` when absent or empty, BadLine when not a number."""
    value = data[index] if index < len(data) else ""
    if value == "":
        return None
    if not (value.isdigit() and value.isascii()) and not _NUMBER_RE.match(value):
        raise BadLine("malformed", f"{event} {name} is not a number: {clean_text(value)!r}")
    number = float(value)
    if number == math.inf:  # hundreds of digits
        raise BadLine("bad value", f"{event} {name} has {len(value)} digits")
    return number


def _none_or_text(value: str) -> str | None:
    if not value or value.upper() == "NONE":
        return None
    return clean_text(value)


def _call_id_or_none(value: str) -> str | None:
    if value.upper() in _NO_CALL_IDS:
        return None
    return clean_text(value)


def _require_agent(agent: str | None, event: str) -> str:
    if agent is None:
        raise BadLine("missing agent", event)
    return agent


def _reason(event: str, data: list[str]) -> str | None:
    if event in _PAUSE_EVENTS:
        return clean_text(_get(data, 0))
    if event == "AGENTCALLBACKLOGOFF":
        return clean_text(_get(data, 2))
    return None


def is_queue_log_line(line: str) -> bool:
    """Whether one decoded line has the shape of a queue_log line."""
    fields = [f.strip() for f in line.split("|")]
    if len(fields) < _HEAD:
        return False
    first = fields[0]
    if not (_EPOCH_RE.match(first) or _DATETIME_RE.match(first)):
        return False
    return bool(_EVENT_RE.match(fields[4].upper()))


def looks_like_queue_log(lines: list[str], sample: int = 10) -> bool:
    """Whether the first non-blank lines of a file are queue_log (format detection).

    Looks at up to ``sample`` non-blank lines; true when more than half of them have
    the queue_log shape (time, callid, queue, agent, an upper-case event name), so one
    half-written or odd line does not decide.
    """
    picked = [line for line in lines if line.strip()][:sample]
    if not picked:
        return False
    hits = sum(1 for line in picked if is_queue_log_line(line))
    return hits * 2 > len(picked)
