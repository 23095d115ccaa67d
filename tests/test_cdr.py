"""CdrParser: Asterisk Master.csv rows (cdr_csv, 16 to 21 columns) and the cdr_custom layout."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from carewatch.records import BadLine, CallUpdate, CdrLeg
from carewatch.sources.base import Parser
from carewatch.sources.cdr import (
    CdrParser,
    agent_from_channel,
    caller_from_clid,
    direction_of,
    looks_like_cdr,
    queue_from_app,
    stable_call_id,
)
from carewatch.sources.cdr_call import call_from_legs

PARIS = "Europe/Paris"


def parse(line: str, tz: str = PARIS) -> list:
    """The call of one row, as a one-leg call: the leg the parser gives, derived."""
    records = CdrParser(ZoneInfo(tz)).parse_line(line, 1)
    assert all(isinstance(record, CdrLeg) for record in records)
    return [CallUpdate(leg.call_key, call_from_legs([leg])) for leg in records]


def bad(line: str) -> BadLine:
    with pytest.raises(BadLine) as info:
        parse(line)
    return info.value


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


# Rows as cdr_csv writes them: text quoted, duration and billsec bare integers.
# 09:00:00 in Paris on 2024-03-05 is 08:00:00 UTC.
ROW_16 = (
    '"","0612345678","500","from-trunk","""Client"" <0612345678>","SIP/trunk-0000002a",'
    '"SIP/1001-0000002b","Queue","support,t,,,300","2024-03-05 09:00:00",'
    '"2024-03-05 09:00:12","2024-03-05 09:03:12",192,180,"ANSWERED","DOCUMENTATION"'
)
ROW_18 = ROW_16 + ',"1709625600.42",""'
ROW_21 = ROW_16 + ',"1709625600.42","vip","","1709625600.42",7'
# The first mapping of Asterisk's cdr_custom.conf.sample: clid,src,dst,dcontext,channel,
# dstchannel,lastapp,lastdata,start,answer,end,duration,billsec,disposition,amaflags,
# accountcode,uniqueid,userfield,sequence.
ROW_CUSTOM = (
    '"""Client"" <0612345678>","0612345678","500","from-trunk","SIP/trunk-0000002a",'
    '"SIP/1001-0000002b","Queue","support,t,,,300","2024-03-05 09:00:00",'
    '"2024-03-05 09:00:12","2024-03-05 09:03:12","192","180","ANSWERED","DOCUMENTATION",'
    '"","1709625600.42","",7'
)

ANSWERED_FIELDS = {
    "started_at": utc(2024, 3, 5, 8, 0, 0),
    "answered_at": utc(2024, 3, 5, 8, 0, 12),
    "ended_at": utc(2024, 3, 5, 8, 3, 12),
    "wait_seconds": 12.0,
    "talk_seconds": 180.0,
    "caller": "0612345678",
    "agent": "SIP/1001",
    "queue": "support",
    "direction": "in",
    "disposition": "answered",
}


def test_is_a_parser() -> None:
    assert issubclass(CdrParser, Parser)
    assert CdrParser.format == "cdr"
    assert CdrParser.has_header is False


def test_standard_16_columns_without_uniqueid_uses_stable_hash() -> None:
    expected_id = stable_call_id("2024-03-05 09:00:00", "0612345678", "500", "SIP/trunk-0000002a")
    assert parse(ROW_16) == [CallUpdate(expected_id, ANSWERED_FIELDS, creates=True)]
    assert expected_id.startswith("cdr-")
    assert len(expected_id) == 24


def test_18_columns_uniqueid_and_userfield() -> None:
    assert parse(ROW_18) == [CallUpdate("1709625600.42", ANSWERED_FIELDS, creates=True)]


def test_21_columns_with_peeraccount_linkedid_sequence() -> None:
    assert parse(ROW_21) == [CallUpdate("1709625600.42", ANSWERED_FIELDS, creates=True)]


def test_cdr_custom_layout() -> None:
    assert parse(ROW_CUSTOM) == [CallUpdate("1709625600.42", ANSWERED_FIELDS, creates=True)]


def test_cdr_custom_without_accountcode_and_uniqueid() -> None:
    row = ROW_CUSTOM.removesuffix(',"","1709625600.42","",7')  # ends at amaflags
    assert row.endswith('"ANSWERED","DOCUMENTATION"')
    (update,) = parse(row)
    assert update.fields == ANSWERED_FIELDS
    assert update.call_id == stable_call_id(
        "2024-03-05 09:00:00", "0612345678", "500", "SIP/trunk-0000002a"
    )


def test_17_columns_uniqueid_or_userfield() -> None:
    (with_uid,) = parse(ROW_16 + ',"1709625600.42"')
    assert with_uid.call_id == "1709625600.42"
    (with_userfield,) = parse(ROW_16 + ',"vip"')
    assert with_userfield.call_id == parse(ROW_16)[0].call_id


def test_19_columns_newcdrcolumns_only() -> None:
    (update,) = parse(ROW_16 + ',"","1709625600.40",3')
    assert update.call_id == parse(ROW_16)[0].call_id
    assert update.fields == ANSWERED_FIELDS


def test_uniqueid_with_system_name() -> None:
    (update,) = parse(ROW_16 + ',"pbx01-1709625600.42"')
    assert update.call_id == "pbx01-1709625600.42"


def test_stable_hash_is_stable_and_distinct() -> None:
    assert parse(ROW_16)[0].call_id == parse(ROW_16)[0].call_id
    other = ROW_16.replace('"0612345678","500"', '"0699999999","500"')
    assert parse(other)[0].call_id != parse(ROW_16)[0].call_id


# --- Dispositions and unanswered calls ---------------------------------------------------


def _row(disposition: str, answer: str = "", billsec: int = 0) -> str:
    return (
        f'"","0612345678","500","from-trunk","""Client"" <0612345678>","SIP/trunk-0000002c",'
        f'"SIP/1002-0000002d","Queue","sales,t","2024-03-05 10:00:00","{answer}",'
        f'"2024-03-05 10:00:40",40,{billsec},"{disposition}","DOCUMENTATION","1709629200.44",""'
    )


def _unanswered(disposition: str) -> list:
    # no agent: the phone that rang did not take the call (its leg stays in the leg)
    return [
        CallUpdate(
            "1709629200.44",
            {
                "started_at": utc(2024, 3, 5, 9, 0, 0),
                "ended_at": utc(2024, 3, 5, 9, 0, 40),
                "caller": "0612345678",
                "queue": "sales",
                "direction": "in",
                "disposition": disposition,
            },
            creates=True,
        )
    ]


def test_no_answer_is_abandoned_and_has_no_answer_wait_or_talk() -> None:
    assert parse(_row("NO ANSWER")) == _unanswered("abandoned")


@pytest.mark.parametrize("disposition", ["BUSY", "FAILED", "CONGESTION"])
def test_busy_failed_congestion_are_missed(disposition: str) -> None:
    assert parse(_row(disposition)) == _unanswered("missed")


def test_answered_disposition() -> None:
    (update,) = parse(_row("ANSWERED", answer="2024-03-05 10:00:05", billsec=35))
    assert update.fields["disposition"] == "answered"
    assert update.fields["answered_at"] == utc(2024, 3, 5, 9, 0, 5)
    assert update.fields["wait_seconds"] == 5.0
    assert update.fields["talk_seconds"] == 35.0


def test_unknown_disposition() -> None:
    err = bad(_row("MAYBE"))
    assert err.reason == "bad disposition"
    assert err.detail == "MAYBE"


# --- Columns -----------------------------------------------------------------------------


def test_outbound_call_from_internal() -> None:
    row = (
        '"","1001","0145678900","from-internal","""Desk 1"" <1001>","PJSIP/1001-00000010",'
        '"PJSIP/trunk-00000011","Dial","PJSIP/0145678900@trunk,60","2024-03-05 11:00:00",'
        '"2024-03-05 11:00:20","2024-03-05 11:02:20",140,120,"ANSWERED","DOCUMENTATION",'
        '"1709632800.16",""'
    )
    assert parse(row) == [
        CallUpdate(
            "1709632800.16",
            {
                "started_at": utc(2024, 3, 5, 10, 0, 0),
                "answered_at": utc(2024, 3, 5, 10, 0, 20),
                "ended_at": utc(2024, 3, 5, 10, 2, 20),
                "wait_seconds": 20.0,
                "talk_seconds": 120.0,
                "caller": "1001",
                "agent": "PJSIP/trunk",
                "direction": "out",
                "disposition": "answered",
            },
            creates=True,
        )
    ]


@pytest.mark.parametrize(
    ("dcontext", "direction"),
    [
        ("from-internal", "out"),
        ("from-internal-xfer", "out"),
        ("outbound-allroutes", "out"),
        ("ext-outbound", "out"),
        ("out-pstn", "out"),
        ("calls-out", "out"),
        ("outgoing", "out"),
        ("outrt-1", "out"),
        ("macro-dialout-trunk", "out"),
        ("From-Internal", "out"),
        ("from-trunk", "in"),
        ("from-pstn", "in"),
        ("ext-queues", "in"),
        ("timeout-handler", "in"),
        ("default", "in"),
        ("", "in"),
    ],
)
def test_direction_rule(dcontext: str, direction: str) -> None:
    assert direction_of(dcontext) == direction


@pytest.mark.parametrize(
    ("channel", "agent"),
    [
        ("SIP/1001-0000abcd", "SIP/1001"),
        ("PJSIP/1001-00000003", "PJSIP/1001"),
        ("SIP/my-peer-0000000a", "SIP/my-peer"),
        ("Local/1001@from-queue-0000001a;1", "Local/1001@from-queue"),
        ("DAHDI/1-1", "DAHDI/1"),
        ("SIP/1001", "SIP/1001"),
        ("", None),
        ("  ", None),
    ],
)
def test_agent_from_dstchannel(channel: str, agent: str | None) -> None:
    assert agent_from_channel(channel) == agent


@pytest.mark.parametrize(
    ("clid", "caller"),
    [
        ('"Client" <0612345678>', "0612345678"),
        ("<0612345678>", "0612345678"),
        ("0612345678", "0612345678"),
        ("+33612345678", "+33612345678"),
        ('"Anonymous"', None),
        ("", None),
    ],
)
def test_caller_from_clid(clid: str, caller: str | None) -> None:
    assert caller_from_clid(clid) == caller


def test_caller_falls_back_to_clid_when_src_is_empty() -> None:
    row = ROW_18.replace('"","0612345678","500"', '"","","500"', 1)
    (update,) = parse(row)
    assert update.fields["caller"] == "0612345678"


def test_no_caller_at_all_leaves_caller_out() -> None:
    row = ROW_18.replace('"","0612345678","500"', '"","","500"', 1).replace(
        '"""Client"" <0612345678>"', '"""Anonymous"""'
    )
    (update,) = parse(row)
    assert "caller" not in update.fields


@pytest.mark.parametrize(
    ("lastapp", "lastdata", "queue"),
    [
        ("Queue", "support,t,,,300", "support"),
        ("Queue", "support|t", "support"),  # 1.4 and older separate arguments with |
        ("Queue", "sales", "sales"),
        ("queue", "sales", "sales"),
        ("Dial", "SIP/1001,30", None),
        ("Queue", "", None),
    ],
)
def test_queue_from_lastdata(lastapp: str, lastdata: str, queue: str | None) -> None:
    assert queue_from_app(lastapp, lastdata) == queue


def test_empty_dstchannel_leaves_agent_out() -> None:
    row = ROW_18.replace('"SIP/1001-0000002b"', '""')
    (update,) = parse(row)
    assert "agent" not in update.fields


def test_text_is_cleaned_of_control_characters() -> None:
    row = ROW_18.replace('"0612345678","500"', '"06\x1b[2J12","500"', 1)
    (update,) = parse(row)
    assert update.fields["caller"] == "06[2J12"


def test_times_are_local_in_configured_timezone() -> None:
    (in_paris,) = parse(ROW_18, PARIS)
    (in_utc,) = parse(ROW_18, "UTC")
    assert in_utc.fields["started_at"] - in_paris.fields["started_at"] == 3600.0


def test_extra_trailing_columns_are_ignored() -> None:
    assert parse(ROW_21 + ',"x","y"') == parse(ROW_21)


# --- Malformed rows ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        '"","0612345678","500"',  # too few columns
        ROW_16[:120],  # a half-written row
        '"","0612345678","500","from-trunk","x","SIP/a-1","SIP/b-2","Dial","x","yesterday",'
        '"","later",1,1,"ANSWERED","DOCUMENTATION"',  # no date-time columns
        "1709629200|1709629200.42|support|NONE|ENTERQUEUE||0612345678|1",  # a queue_log line
        '"","0612345678","500","unclosed',  # bad CSV quoting
    ],
)
def test_malformed_rows(line: str) -> None:
    assert bad(line).reason == "malformed"


def test_impossible_date_is_bad_timestamp() -> None:
    row = ROW_18.replace("2024-03-05 09:03:12", "2024-02-30 09:03:12")
    assert bad(row).reason == "bad timestamp"


def test_non_numeric_billsec_is_malformed() -> None:
    row = ROW_18.replace(",192,180,", ",192,abc,")
    assert bad(row).reason == "malformed"


# --- Detection ---------------------------------------------------------------------------


def test_looks_like_cdr() -> None:
    assert looks_like_cdr([ROW_16, ROW_18, ROW_21])
    assert looks_like_cdr([ROW_CUSTOM])
    assert looks_like_cdr(["", ROW_18, "garbage", ROW_21])


@pytest.mark.parametrize(
    "lines",
    [
        [],
        ["", " "],
        ["1709629200|1709629200.42|support|NONE|ENTERQUEUE||0612345678|1"],
        ["call_id,started_at,agent", "c1,2024-03-05T09:00:00,SIP/1001"],
        ['{"call_id": "c1", "started_at": "2024-03-05T09:00:00"}'],
    ],
)
def test_does_not_look_like_cdr(lines: list[str]) -> None:
    assert not looks_like_cdr(lines)


def test_one_cdr_row_among_other_lines_is_not_enough() -> None:
    assert not looks_like_cdr(["call_id,started_at", "c1,2024-03-05T09:00:00", ROW_18])
