"""QueueLogParser: real queue_log lines of old and new Asterisk versions and of Wazo."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from carewatch.records import UNREACHABLE_RING, AgentEvent, BadLine, CallUpdate, SystemStarted
from carewatch.sources.base import Parser
from carewatch.sources.queue_log import (
    IGNORED_EVENTS,
    KNOWN_EVENTS,
    QueueLogParser,
    is_queue_log_line,
    looks_like_queue_log,
)

UTC_TZ = ZoneInfo("UTC")


@pytest.fixture
def parser() -> QueueLogParser:
    return QueueLogParser(UTC_TZ)


def parse(line: str, tz: str = "UTC") -> list:
    return QueueLogParser(ZoneInfo(tz)).parse_line(line, 1)


def bad(line: str) -> BadLine:
    with pytest.raises(BadLine) as info:
        parse(line)
    return info.value


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def wazo_row(row: str) -> str:
    """A row of the psql tables in Wazo's "Queue logs" page -> a pipe-separated line."""
    return "|".join(cell.strip() for cell in row.split("|"))


def test_is_a_parser() -> None:
    assert issubclass(QueueLogParser, Parser)
    assert QueueLogParser.format == "queue_log"
    assert QueueLogParser.has_header is False


# --- Examples from the documentation -------------------------------------------------


def test_asterisk_doc_example_ringnoanswer() -> None:
    # Asterisk documentation, "Queue Logs" (Operation/Logging/Queue-Logs), verbatim.
    # 1000 ms: a ring that may never have rung (docs/counting.md, "Missed and unreachable
    # rings"), stored as an unreachable ring with its ring time.
    line = "1366720340|1366720340.303267|MYQUEUE|SIP/8007|RINGNOANSWER|1000"
    assert parse(line) == [
        AgentEvent(
            at=1366720340.0,
            agent="SIP/8007",
            event=UNREACHABLE_RING,
            queue="MYQUEUE",
            call_id="1366720340.303267",
            ring_ms=1000,
        )
    ]


# Rows below are verbatim from the tables of Wazo's "Queue logs" page
# (wazo-doc, source/api_sdk/queue_log.rst); wazo_row() joins their cells with "|".


def test_wazo_doc_agent_callback_login() -> None:
    row = (
        "2012-07-03 15:27:23.896208 | 1341343640.4    | NONE      | Agent/3001 "
        "| AGENTCALLBACKLOGIN  | 1002@pcm-dev        |                 |               |       |"
    )
    assert parse(wazo_row(row)) == [
        AgentEvent(
            at=utc(2012, 7, 3, 15, 27, 23, 896208),
            agent="Agent/3001",
            event="AGENTCALLBACKLOGIN",
            queue=None,
        )
    ]


def test_wazo_doc_agent_callback_logoff() -> None:
    rows = [
        "2012-07-03 15:28:07.348244 | NONE            | q2        | Agent/3001 "
        "| UNPAUSE             |                     |                 |               |       |",
        "2012-07-03 15:28:07.346320 | NONE            | q1        | Agent/3001 "
        "| UNPAUSE             |                     |                 |               |       |",
        "2012-07-03 15:28:07.327425 | NONE            | NONE      | Agent/3001 "
        "| UNPAUSEALL          |                     |                 |               |       |",
        "2012-07-03 15:28:06.249357 | NONE            | NONE      | Agent/3001 "
        "| AGENTCALLBACKLOGOFF | 1002@pcm-dev        | 43              | CommandLogoff |       |",
    ]
    got = [rec for row in rows for rec in parse(wazo_row(row))]
    assert got == [
        AgentEvent(utc(2012, 7, 3, 15, 28, 7, 348244), "Agent/3001", "UNPAUSE", "q2"),
        AgentEvent(utc(2012, 7, 3, 15, 28, 7, 346320), "Agent/3001", "UNPAUSE", "q1"),
        AgentEvent(utc(2012, 7, 3, 15, 28, 7, 327425), "Agent/3001", "UNPAUSEALL", None),
        AgentEvent(
            utc(2012, 7, 3, 15, 28, 6, 249357),
            "Agent/3001",
            "AGENTCALLBACKLOGOFF",
            None,
            reason="CommandLogoff",
        ),
    ]


def test_wazo_doc_enter_queue_and_answered() -> None:
    enter = wazo_row(
        "2012-07-04 07:33:21.165823 | 1341401601.24   | q1        | NONE       "
        "| ENTERQUEUE          |                     | 1000            | 1             |       |"
    )
    connect = wazo_row(
        "2012-07-04 07:33:23.085718 | 1341401601.24   | q1        | Agent/3001 "
        "| CONNECT             | 2                   | 1341401601.27   | 1             |       |"
    )
    assert parse(enter) == [
        CallUpdate(
            "1341401601.24",
            {
                "started_at": utc(2012, 7, 4, 7, 33, 21, 165823),
                "caller": "1000",
                "queue": "q1",
                "direction": "in",
            },
            creates=True,
            leg="q1",
            at=utc(2012, 7, 4, 7, 33, 21, 165823),
        )
    ]
    assert parse(connect) == [
        CallUpdate(
            "1341401601.24",
            {
                "answered_at": utc(2012, 7, 4, 7, 33, 23, 85718),
                "wait_seconds": 2.0,
                "agent": "Agent/3001",
                "queue": "q1",
                "disposition": "answered",
            },
            creates=False,
            leg="q1",
            at=utc(2012, 7, 4, 7, 33, 23, 85718),
        )
    ]


def test_wazo_doc_agent_ends_after_12_seconds() -> None:
    row = wazo_row(
        "2012-07-04 07:37:46.601754 | 1341401851.34   | q1        | Agent/3001 "
        "| COMPLETEAGENT       | 2                   | 12              | 1             |       |"
    )
    assert parse(row) == [
        CallUpdate(
            "1341401851.34",
            {
                "ended_at": utc(2012, 7, 4, 7, 37, 46, 601754),
                "talk_seconds": 12.0,
                "wait_seconds": 2.0,
                "agent": "Agent/3001",
                "disposition": "answered",
            },
            creates=False,
            leg="q1",
            at=utc(2012, 7, 4, 7, 37, 46, 601754),
        )
    ]


def test_wazo_doc_caller_abandon() -> None:
    row = wazo_row(
        " 2012-07-04 07:49:52.939802 | 1341402586.51   | q1        | NONE       "
        "| ABANDON             | 1                   | 1               | 6             |       |"
    )
    assert parse(row) == [
        CallUpdate(
            "1341402586.51",
            {
                "disposition": "abandoned",
                "wait_seconds": 6.0,
                "ended_at": utc(2012, 7, 4, 7, 49, 52, 939802),
            },
            creates=False,
            leg="q1",
            at=utc(2012, 7, 4, 7, 49, 52, 939802),
        )
    ]


def test_wazo_doc_closed_queue_gives_no_record() -> None:
    row = (
        "2012-07-04 07:48:03.455999 | 1341402482.49   | q1        | NONE       "
        "| CLOSED              |                     |                 |               |       |"
    )
    assert parse(wazo_row(row)) == []


@pytest.mark.parametrize(
    ("row", "call_id"),
    [
        (
            "2012-07-04 07:27:55.640421 | 1341401275.9    | q1        | NONE       "
            "| JOINEMPTY           |                     |                 |    "
            "           |       |",
            "1341401275.9",
        ),
        (
            "2012-07-04 07:40:17.339945 | 1341402016.44   | q1        | NONE       "
            "| FULL                |                     |                 |    "
            "           |       |",
            "1341402016.44",
        ),
    ],
)
def test_wazo_doc_calls_the_queue_turned_away_are_offered_and_missed(
    row: str, call_id: str
) -> None:
    (update,) = parse(wazo_row(row))
    at = update.fields["started_at"]
    assert update == CallUpdate(
        call_id,
        {
            "started_at": at,
            "ended_at": at,
            "queue": "q1",
            "direction": "in",
            "wait_seconds": 0.0,
            "disposition": "missed",
        },
        creates=True,
        leg="q1",
        at=at,
    )


# --- A whole call ------------------------------------------------------------------------


def test_full_lifecycle_enter_connect_complete_caller(parser: QueueLogParser) -> None:
    lines = [
        "1709629200|1709629200.42|support|NONE|ENTERQUEUE||0612345678|1",
        "1709629200|1709629200.42|support|SIP/1001|RINGNOANSWER|15000",
        "1709629218|1709629200.42|support|SIP/1002|CONNECT|18|1709629203.43|3",
        "1709629398|1709629200.42|support|SIP/1002|COMPLETECALLER|18|180|1",
    ]
    got = [rec for n, line in enumerate(lines, 1) for rec in parser.parse_line(line, n)]
    assert got == [
        CallUpdate(
            "1709629200.42",
            {
                "started_at": 1709629200.0,
                "caller": "0612345678",
                "queue": "support",
                "direction": "in",
            },
            creates=True,
            leg="support",
            at=1709629200.0,
        ),
        AgentEvent(
            1709629200.0,
            "SIP/1001",
            "RINGNOANSWER",
            "support",
            call_id="1709629200.42",
            ring_ms=15000,
        ),
        CallUpdate(
            "1709629200.42",
            {
                "answered_at": 1709629218.0,
                "wait_seconds": 18.0,
                "agent": "SIP/1002",
                "queue": "support",
                "disposition": "answered",
            },
            creates=False,
            leg="support",
            at=1709629218.0,
        ),
        CallUpdate(
            "1709629200.42",
            {
                "ended_at": 1709629398.0,
                "talk_seconds": 180.0,
                "wait_seconds": 18.0,
                "agent": "SIP/1002",
                "disposition": "answered",
            },
            creates=False,
            leg="support",
            at=1709629398.0,
        ),
    ]


# --- Each event, old and new layouts -----------------------------------------------------


def _enter(caller: str | None) -> list:
    fields = {"started_at": 1709629200.0, "queue": "support", "direction": "in"}
    if caller is not None:
        fields["caller"] = caller
    return [CallUpdate("1709629200.1", fields, creates=True, leg="support", at=1709629200.0)]


@pytest.mark.parametrize(
    ("data", "caller"),
    [
        ("|0612345678", "0612345678"),  # 1.2/1.4: url|callerid
        ("|0612345678|3", "0612345678"),  # 1.6+: url|callerid|position
        ("|0612345678|3|ACME Ltd", "0612345678"),  # log_cidname: ...|calleridname
        ("http://crm.example/|0612345678|1", "0612345678"),  # with a url
        ("||1", None),  # no caller id
        ("", None),  # no data at all
    ],
)
def test_enterqueue_layouts(data: str, caller: str | None) -> None:
    line = f"1709629200|1709629200.1|support|NONE|ENTERQUEUE{'|' if data else ''}{data}"
    assert parse(line) == _enter(caller)


@pytest.mark.parametrize(
    "data",
    [
        "7",  # 1.0: holdtime
        "7|1709629200.2",  # 1.2: holdtime|bridgeduniqueid
        "7|1709629200.2|4",  # 1.4+: holdtime|bridgeduniqueid|ringtime
        "7|1709629200.2|4|extra|more",  # extra trailing fields
    ],
)
def test_connect_layouts(data: str) -> None:
    line = f"1709629207|1709629200.1|support|PJSIP/1001|CONNECT|{data}"
    assert parse(line) == [
        CallUpdate(
            "1709629200.1",
            {
                "answered_at": 1709629207.0,
                "wait_seconds": 7.0,
                "agent": "PJSIP/1001",
                "queue": "support",
                "disposition": "answered",
            },
            creates=False,
            leg="support",
            at=1709629207.0,
        )
    ]


def test_connect_without_data_leaves_wait_out() -> None:
    assert parse("1709629207|1709629200.1|support|PJSIP/1001|CONNECT") == [
        CallUpdate(
            "1709629200.1",
            {
                "answered_at": 1709629207.0,
                "agent": "PJSIP/1001",
                "queue": "support",
                "disposition": "answered",
            },
            creates=False,
            leg="support",
            at=1709629207.0,
        )
    ]


def _ended(talk: float | None, wait: float | None, transferred: bool = False) -> list:
    fields: dict = {"ended_at": 1709629400.0}
    if talk is not None:
        fields["talk_seconds"] = talk
    if wait is not None:
        fields["wait_seconds"] = wait
    fields["agent"] = "SIP/1001"
    fields["disposition"] = "answered"
    if transferred:
        fields["transferred"] = True
    return [CallUpdate("1709629200.1", fields, creates=False, leg="support", at=1709629400.0)]


@pytest.mark.parametrize("event", ["COMPLETEAGENT", "COMPLETECALLER"])
@pytest.mark.parametrize(
    ("data", "talk", "wait"),
    [
        ("12|188", 188.0, 12.0),  # 1.2: holdtime|calltime
        ("12|188|2", 188.0, 12.0),  # 1.4+: holdtime|calltime|origposition
        ("12|188|2|x|y", 188.0, 12.0),  # extra trailing fields
        ("12", None, 12.0),  # cut short
    ],
)
def test_complete_layouts(event: str, data: str, talk: float | None, wait: float | None) -> None:
    line = f"1709629400|1709629200.1|support|SIP/1001|{event}|{data}"
    assert parse(line) == _ended(talk, wait)


@pytest.mark.parametrize(
    ("event", "data", "talk", "wait"),
    [
        # TRANSFER in 1.0/1.2: exten|context only
        ("TRANSFER", "2001|from-internal", None, None),
        # TRANSFER in 1.4: exten|context|holdtime|calltime
        ("TRANSFER", "2001|from-internal|9|95", 95.0, 9.0),
        # TRANSFER in 1.6+: exten|context|holdtime|calltime|origposition
        ("TRANSFER", "2001|from-internal|9|95|1", 95.0, 9.0),
        # BLINDTRANSFER (12+): exten|context|holdtime|calltime|origposition
        ("BLINDTRANSFER", "2001|from-internal|9|95|1", 95.0, 9.0),
        # ATTENDEDTRANSFER (12+): BRIDGE|bridge|holdtime|calltime|origposition
        ("ATTENDEDTRANSFER", "BRIDGE|4e3f6a0c-0d5c-4a3b-9d7e-1a2b3c4d5e6f|9|95|1", 95.0, 9.0),
        # ATTENDEDTRANSFER APP|app|holdtime|calltime|origposition
        ("ATTENDEDTRANSFER", "APP|VoiceMail|9|95|1", 95.0, 9.0),
        # ATTENDEDTRANSFER LINK|chan1|chan2|holdtime|calltime|origposition
        (
            "ATTENDEDTRANSFER",
            "LINK|Local/2001@from-internal-00000011;1|Local/2001@from-internal-00000011;2|9|95|1",
            95.0,
            9.0,
        ),
        # trailing empty columns of a realtime export
        ("ATTENDEDTRANSFER", "APP|VoiceMail|9|95|1||", 95.0, 9.0),
    ],
)
def test_transfer_layouts(event: str, data: str, talk: float | None, wait: float | None) -> None:
    line = f"1709629400|1709629200.1|support|SIP/1001|{event}|{data}"
    assert parse(line) == _ended(talk, wait, transferred=True)


def test_abandon() -> None:
    assert parse("1709629260|1709629200.1|support|NONE|ABANDON|2|3|60") == [
        CallUpdate(
            "1709629200.1",
            {"disposition": "abandoned", "wait_seconds": 60.0, "ended_at": 1709629260.0},
            creates=False,
            leg="support",
            at=1709629260.0,
        )
    ]


def test_abandon_missing_waittime_leaves_wait_out() -> None:
    assert parse("1709629260|1709629200.1|support|NONE|ABANDON|2") == [
        CallUpdate(
            "1709629200.1",
            {"disposition": "abandoned", "ended_at": 1709629260.0},
            creates=False,
            leg="support",
            at=1709629260.0,
        )
    ]


def _missed(wait: float | None) -> list:
    fields: dict = {"disposition": "missed"}
    if wait is not None:
        fields["wait_seconds"] = wait
    fields["ended_at"] = 1709629500.0
    return [CallUpdate("1709629200.1", fields, creates=False, leg="support", at=1709629500.0)]


@pytest.mark.parametrize(
    ("event", "data", "wait"),
    [
        ("EXITWITHTIMEOUT", "1", None),  # 1.2/1.4: position
        ("EXITWITHTIMEOUT", "1|2|300", 300.0),  # 1.6+: position|origposition|waittime
        ("EXITWITHKEY", "5|1", None),  # 1.2/1.4: key|position
        ("EXITWITHKEY", "5|1|2|45", 45.0),  # 1.6+: key|position|origposition|waittime
        ("EXITEMPTY", "1|1|30", 30.0),  # position|origposition|waittime
        ("EXITEMPTY", "1|1|30|extra", 30.0),  # extra trailing field
        ("LEAVEEMPTY", "1|1|30", 30.0),  # Wazo's name for EXITEMPTY
        ("LEAVEEMPTY", "", None),  # no data: the wait is left out
    ],
)
def test_missed_layouts(event: str, data: str, wait: float | None) -> None:
    line = f"1709629500|1709629200.1|support|NONE|{event}|{data}"
    assert parse(line) == _missed(wait)


def test_ringnoanswer_without_ringtime() -> None:
    assert parse("1709629210|1709629200.1|support|SIP/1001|RINGNOANSWER") == [
        AgentEvent(1709629210.0, "SIP/1001", "RINGNOANSWER", "support", call_id="1709629200.1")
    ]


def test_ringnoanswer_needs_an_agent() -> None:
    err = bad("1709629210|1709629200.1|support|NONE|RINGNOANSWER|15000")
    assert err.reason == "missing agent"


def test_ringnoanswer_non_numeric_ringtime_is_malformed() -> None:
    assert bad("1709629210|1709629200.1|support|SIP/1001|RINGNOANSWER|fast").reason == "malformed"


# --- Operator state ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "1709625600|NONE|support|SIP/1001|PAUSE|Lunch",
            AgentEvent(1709625600.0, "SIP/1001", "PAUSE", "support", reason="Lunch"),
        ),
        (
            "1709625600|NONE|support|SIP/1001|PAUSE|",
            AgentEvent(1709625600.0, "SIP/1001", "PAUSE", "support"),
        ),
        (
            "1709625600|NONE|support|SIP/1001|PAUSE",
            AgentEvent(1709625600.0, "SIP/1001", "PAUSE", "support"),
        ),
        (
            "1709625600|NONE|support|SIP/1001|UNPAUSE|",
            AgentEvent(1709625600.0, "SIP/1001", "UNPAUSE", "support"),
        ),
        (
            "1709625600|NONE|NONE|SIP/1001|PAUSEALL|Training session",
            AgentEvent(1709625600.0, "SIP/1001", "PAUSEALL", None, reason="Training session"),
        ),
        (
            "1709625600|NONE|NONE|SIP/1001|UNPAUSEALL|",
            AgentEvent(1709625600.0, "SIP/1001", "UNPAUSEALL", None),
        ),
        (
            "1709625600|NONE|support|SIP/1001|ADDMEMBER|",
            AgentEvent(1709625600.0, "SIP/1001", "ADDMEMBER", "support"),
        ),
        (
            "1709625600|NONE|support|SIP/1001|REMOVEMEMBER|",
            AgentEvent(1709625600.0, "SIP/1001", "REMOVEMEMBER", "support"),
        ),
        (
            "1709625600|1709625590.7|NONE|Agent/1001|AGENTLOGIN|SIP/1001-00000007",
            AgentEvent(1709625600.0, "Agent/1001", "AGENTLOGIN", None),
        ),
        (
            "1709654400|1709625590.7|NONE|Agent/1001|AGENTLOGOFF|SIP/1001-00000007|28800",
            AgentEvent(1709654400.0, "Agent/1001", "AGENTLOGOFF", None),
        ),
        (
            "1709654400|NONE|NONE|Agent/1001|AGENTCALLBACKLOGOFF|1001@from-internal|600|Autologoff",
            AgentEvent(
                1709654400.0, "Agent/1001", "AGENTCALLBACKLOGOFF", None, reason="Autologoff"
            ),
        ),
    ],
)
def test_agent_state_events(line: str, expected: AgentEvent) -> None:
    assert parse(line) == [expected]


def test_pause_reason_is_cleaned_of_control_characters() -> None:
    got = parse("1709625600|NONE|support|SIP/1001|PAUSE|\x1b[31mBreak\x07")
    assert got == [AgentEvent(1709625600.0, "SIP/1001", "PAUSE", "support", reason="[31mBreak")]


def test_agent_state_event_needs_an_agent() -> None:
    assert bad("1709625600|NONE|support||PAUSE|Lunch").reason == "missing agent"


# --- Known events without a record; unknown events ---------------------------------------


@pytest.mark.parametrize("event", sorted(IGNORED_EVENTS))
def test_known_events_without_record(event: str) -> None:
    assert parse(f"1709625600|1709625600.1|support|NONE|{event}|x|y") == []


def test_documented_ignored_events() -> None:
    assert {
        "CONFIGRELOAD",
        "DID",
        "INFO",
        "RINGCANCELED",
        "SYSCOMPAT",
        "AGENTDUMP",
    } <= IGNORED_EVENTS


def test_queuestart_verbatim_form() -> None:
    """Asterisk started (its logger writes QUEUESTART once at start): one record, which the
    store reads as the end of every queue entry still open."""
    assert parse("1709625600|NONE|NONE|NONE|QUEUESTART|") == [SystemStarted(1709625600.0)]
    assert "QUEUESTART" in KNOWN_EVENTS


def test_unknown_event() -> None:
    err = bad("1709625600|1709625600.1|support|NONE|MYCUSTOMEVENT|1|2")
    assert err.reason == "unknown event"
    assert err.detail == "MYCUSTOMEVENT"


def test_event_names_are_case_insensitive() -> None:
    assert parse("1709625600|1709625600.1|support|NONE|abandon|1|1|9") == [
        CallUpdate(
            "1709625600.1",
            {"disposition": "abandoned", "wait_seconds": 9.0, "ended_at": 1709625600.0},
            creates=False,
            leg="support",
            at=1709625600.0,
        )
    ]


# --- Malformed lines ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "1709625600|1709625600.1|support|NONE",
        "1709625600",
        "just some text",
        "1709625600|1709625600.1|sup",  # a half-written line
    ],
)
def test_too_few_fields(line: str) -> None:
    assert bad(line).reason == "malformed"


@pytest.mark.parametrize("stamp", ["yesterday", "17096x5600", "", "-1709625600", "12"])
def test_bad_timestamp(stamp: str) -> None:
    err = bad(f"{stamp}|1709625600.1|support|NONE|ABANDON|1|1|9")
    assert err.reason == "bad timestamp"


def test_empty_event_is_malformed() -> None:
    assert bad("1709625600|1709625600.1|support|NONE||1|1|9").reason == "malformed"


@pytest.mark.parametrize(
    "line",
    [
        "1709625600|1709625600.1|support|SIP/1001|CONNECT|soon|1709625600.2|3",
        "1709625600|1709625600.1|support|SIP/1001|COMPLETECALLER|5|long|1",
        "1709625600|1709625600.1|support|NONE|ABANDON|1|1|-4",
        "1709625600|1709625600.1|support|SIP/1001|BLINDTRANSFER|2001|ctx|x|9|1",
        "1709625600|1709625600.1|support|NONE|EXITWITHTIMEOUT|1|1|ten",
    ],
)
def test_non_numeric_where_a_number_must_be(line: str) -> None:
    assert bad(line).reason == "malformed"


@pytest.mark.parametrize("callid", ["NONE", "", "REALTIME"])
def test_call_event_without_call_id(callid: str) -> None:
    err = bad(f"1709625600|{callid}|support|SIP/1001|CONNECT|3|x|1")
    assert err.reason == "missing call id"


# --- Times and text ----------------------------------------------------------------------


def test_realtime_datetime_is_local_in_configured_timezone() -> None:
    got = parse("2024-03-05 09:00:00|1709625600.1|support|NONE|ABANDON|1|1|9", "Europe/Paris")
    assert got == [
        CallUpdate(
            "1709625600.1",
            {
                "disposition": "abandoned",
                "wait_seconds": 9.0,
                "ended_at": utc(2024, 3, 5, 8, 0, 0),
            },
            creates=False,
            leg="support",
            at=utc(2024, 3, 5, 8, 0, 0),
        )
    ]


def test_datetime_with_offset_ignores_configured_timezone() -> None:
    got = parse("2024-03-05T09:00:00+00:00|1709625600.1|q|NONE|ABANDON|1|1|9", "Europe/Paris")
    assert got[0].fields["ended_at"] == utc(2024, 3, 5, 9, 0, 0)


def test_epoch_is_utc_whatever_the_timezone() -> None:
    got = parse("1709625600|1709625600.1|q|NONE|ABANDON|1|1|9", "America/New_York")
    assert got[0].fields["ended_at"] == 1709625600.0


def test_text_fields_are_cleaned() -> None:
    got = parse("1709625600|1709625600.1|sup\x1bport|NONE|ENTERQUEUE||06\x0012 34|1")
    assert got == [
        CallUpdate(
            "1709625600.1",
            {
                "started_at": 1709625600.0,
                "caller": "0612 34",
                "queue": "support",
                "direction": "in",
            },
            creates=True,
            leg="support",
            at=1709625600.0,
        )
    ]


def test_agent_none_is_left_out_of_call_fields() -> None:
    got = parse("1709625600|1709625600.1|support|NONE|CONNECT|3|1709625600.2|1")
    assert "agent" not in got[0].fields


# --- Detection ---------------------------------------------------------------------------


def test_looks_like_queue_log_epoch_lines() -> None:
    lines = [
        "1709625600|NONE|NONE|NONE|QUEUESTART|",
        "1709629200|1709629200.42|support|NONE|ENTERQUEUE||0612345678|1",
        "1709629218|1709629200.42|support|SIP/1002|CONNECT|18|1709629203.43|3",
    ]
    assert looks_like_queue_log(lines)


def test_looks_like_queue_log_realtime_lines() -> None:
    assert looks_like_queue_log(
        ["2012-07-04 07:33:21.165823|1341401601.24|q1|NONE|ENTERQUEUE||1000|1||"]
    )


def test_looks_like_queue_log_tolerates_one_odd_line() -> None:
    lines = [
        "",
        "1709629200|1709629200.42|support|NONE|ENTERQUEUE||0612345678|1",
        "garbage",
        "1709629218|1709629200.42|support|SIP/1002|CONNECT|18|1709629203.43|3",
    ]
    assert looks_like_queue_log(lines)


@pytest.mark.parametrize(
    "lines",
    [
        [],
        ["", "  "],
        ["call_id,started_at,agent", "c1,2024-03-05T09:00:00,SIP/1001"],
        ['{"call_id": "c1", "started_at": "2024-03-05T09:00:00"}'],
        [
            '"","1001","2000","from-internal","""Desk"" <1001>","SIP/1001-00000001",'
            '"SIP/2000-00000002","Dial","SIP/2000,30","2024-03-05 09:15:00",'
            '"2024-03-05 09:15:04","2024-03-05 09:17:04",124,120,"ANSWERED","DOCUMENTATION"'
        ],
        ["a|b|c|d|e", "x|y|z|w|v"],
    ],
)
def test_does_not_look_like_queue_log(lines: list[str]) -> None:
    assert not looks_like_queue_log(lines)


def test_is_queue_log_line() -> None:
    assert is_queue_log_line("1366720340|1366720340.303267|MYQUEUE|SIP/8007|RINGNOANSWER|1000")
    assert not is_queue_log_line("1366720340|1366720340.303267|MYQUEUE|SIP/8007")


def test_one_queue_log_line_among_other_lines_is_not_enough() -> None:
    lines = [
        "call_id,started_at",
        "c1,2024-03-05T09:00:00",
        "1709629200|1709629200.42|support|NONE|ENTERQUEUE||0612345678|1",
    ]
    assert not looks_like_queue_log(lines)
