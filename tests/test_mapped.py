"""Format ``mapped``: a centre's own CSV export through the config's column mapping.

The last part reads the two public data files in ``tests/data`` with the example configs
and checks what they become against counts computed here from the raw files.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from carewatch.config import Config, ConfigError, load_config, parse_config
from carewatch.records import BadLine, CallUpdate
from carewatch.sources.base import decode_line
from carewatch.sources.mapped import MappedParser

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).parent.parent / "config" / "examples"

HEADER = "Ref,Day,Clock,Waited,Talked,Operator,Topic,Answered,Fixed,Stars"
BASE_MAPPING: dict[str, Any] = {
    "call_id": "Ref",
    "date": "Day",
    "time": "Clock",
    "wait": "Waited",
    "talk": "Talked",
    "agent": "Operator",
    "category": "Topic",
    "answered": "Answered",
    "resolved": "Fixed",
    "csat": "Stars",
}


def config(timezone: str = "Europe/Rome", **mapping: Any) -> Config:
    return parse_config({"timezone": timezone, "mapping": {**BASE_MAPPING, **mapping}})


def parser_for(header: str = HEADER, timezone: str = "Europe/Rome", **mapping: Any) -> MappedParser:
    cfg = config(timezone, **mapping)
    assert cfg.mapping is not None
    parser = MappedParser(cfg.tz, cfg.mapping)
    parser.read_header(header)
    return parser


def one(records: list) -> CallUpdate:
    assert len(records) == 1
    assert isinstance(records[0], CallUpdate)
    return records[0]


def bad(parser: MappedParser, line: str) -> BadLine:
    with pytest.raises(BadLine) as info:
        parser.parse_line(line, 2)
    return info.value


# -- rows ------------------------------------------------------------------------------


def test_an_answered_row() -> None:
    update = one(parser_for().parse_line("A1,2024-07-01,9:05:00,15,0:02:00,op1,billing,Y,Y,4", 2))
    start = 1719817500.0  # 2024-07-01 09:05:00 in Rome (UTC+2)
    assert update == CallUpdate(
        "A1",
        {
            "started_at": start,
            "disposition": "answered",
            "wait_seconds": 15.0,
            "talk_seconds": 120.0,
            "answered_at": start + 15,
            "ended_at": start + 135,
            "agent": "op1",
            "category": "billing",
            "resolved": True,
            "csat": 4,
        },
        creates=True,
    )


def test_an_unanswered_row_becomes_the_configured_disposition() -> None:
    line = "A2,2024-07-01,9:06:00,,,op1,billing,N,N,"
    assert one(parser_for().parse_line(line, 2)).fields == {
        "started_at": 1719817560.0,
        "disposition": "abandoned",
        "agent": "op1",
        "category": "billing",
        "resolved": False,
    }
    missed = parser_for(unanswered_disposition="missed", answered_only=["resolved", "agent"])
    assert one(missed.parse_line(line, 2)).fields == {
        "started_at": 1719817560.0,
        "disposition": "missed",
        "category": "billing",
    }


def test_answered_only_fields_stay_on_answered_calls() -> None:
    parser = parser_for(answered_only=["resolved", "csat", "talk"])
    update = one(parser.parse_line("A3,2024-07-01,9:07:00,5,0:01:00,op2,billing,Y,N,2", 2))
    assert update.fields["resolved"] is False
    assert update.fields["csat"] == 2
    assert update.fields["talk_seconds"] == 60.0


def test_values_are_compared_ignoring_case_and_blanks() -> None:
    update = one(parser_for().parse_line("A4,2024-07-01,9:08:00,5,60, op2 ,x, yes ,true,5", 2))
    assert update.fields["disposition"] == "answered"
    assert update.fields["resolved"] is True
    assert update.fields["agent"] == "op2"


@pytest.mark.parametrize(
    ("line", "reason", "detail"),
    [
        ("B1,2024-07-01,9:00:00,5,60,op,x,perhaps,Y,4", "bad value", "Answered=perhaps"),
        ("B1,2024-07-01,9:00:00,5,60,op,x,Y,later,4", "bad value", "Fixed=later"),
        ("B1,2024-07-01,9:00:00,5,60,op,x,Y,Y,9", "bad value", "Stars=9"),
        ("B1,2024-07-01,9:00:00,-5,60,op,x,Y,Y,4", "bad value", "Waited=-5"),
        ("B1,2024-07-01,9:00:00,5,1:99,op,x,Y,Y,4", "bad value", "Talked=1:99"),
        ("B1,2024-02-30,9:00:00,5,60,op,x,Y,Y,4", "bad timestamp", "Day=2024-02-30"),
        ("B1,2024-07-01,25:00:00,5,60,op,x,Y,Y,4", "bad timestamp", "Clock=25:00:00"),
        ("B1,2024-07-01,noon,5,60,op,x,Y,Y,4", "bad timestamp", "Clock=noon"),
        ("B1,,9:00:00,5,60,op,x,Y,Y,4", "bad timestamp", "Day is empty"),
        (",2024-07-01,9:00:00,5,60,op,x,Y,Y,4", "missing call id", "Ref is empty"),
        ("B1,2024-07-01,9:00:00", "malformed", "3 fields, the header has 10"),
    ],
)
def test_bad_rows(line: str, reason: str, detail: str) -> None:
    error = bad(parser_for(), line)
    assert (error.reason, error.detail) == (reason, detail)


def test_missing_mapped_columns_are_named_at_the_header() -> None:
    cfg = config(caller="Phone")
    assert cfg.mapping is not None
    with pytest.raises(BadLine) as info:
        MappedParser(cfg.tz, cfg.mapping).read_header("Ref,Day,Clock,Waited,Talked,Operator")
    assert info.value.reason == "bad header"
    assert "'Topic' (mapping.category)" in info.value.detail
    assert "'Phone' (mapping.caller)" in info.value.detail


def test_header_names_match_ignoring_case_and_extra_columns_are_ignored() -> None:
    header = "ref,DAY,Clock,Waited,Talked,Operator,Topic,Answered,Fixed,Stars,Site"
    parser = parser_for(header)
    update = one(parser.parse_line("C1,2024-07-01,9:00:00,5,60,op,x,Y,Y,4,north", 2))
    assert update.call_id == "C1"


def test_a_row_before_the_header_and_a_repeated_header() -> None:
    cfg = config()
    assert cfg.mapping is not None
    with pytest.raises(BadLine) as info:
        MappedParser(cfg.tz, cfg.mapping).parse_line("C1,2024-07-01,9:00:00", 1)
    assert info.value.reason == "no header"
    parser = parser_for()
    assert parser.parse_line(HEADER, 7) == []


def test_disposition_column_with_a_value_map_and_skip() -> None:
    header = "Id,Start,Status,Hold,Talk,Agent"
    mapping = {
        "call_id": "Id",
        "started_at": "Start",
        "disposition": "Status",
        "disposition_values": {"DONE": "answered", "HUNG": "abandoned", "GHOST": "skip"},
        "skip_reason": "phantom call",
        "wait": "Hold",
        "talk": "Talk",
        "agent": "Agent",
        "no_agent_values": ["NOBODY"],
    }
    cfg = parse_config({"timezone": "UTC", "mapping": mapping})
    assert cfg.mapping is not None
    parser = MappedParser(cfg.tz, cfg.mapping)
    parser.read_header(header)
    done = one(parser.parse_line("1,2024-07-01T10:00:00+02:00,done,10,50,op", 2))
    assert done.fields["disposition"] == "answered"
    assert done.fields["started_at"] == 1719820800.0
    hung = one(parser.parse_line("2,1719820800,HUNG,30,,NOBODY", 3))
    assert hung.fields == {
        "started_at": 1719820800.0,
        "disposition": "abandoned",
        "wait_seconds": 30.0,
    }
    error = bad(parser, "3,1719820800,GHOST,,,NOBODY")
    assert (error.reason, error.detail) == ("phantom call", "Status=GHOST")
    error = bad(parser, "4,1719820800,LOST,,,NOBODY")
    assert (error.reason, error.detail) == ("bad value", "Status=LOST")


def test_disposition_column_without_a_value_map_takes_carewatch_names() -> None:
    cfg = parse_config(
        {"timezone": "UTC", "mapping": {"started_at": "Start", "disposition": "Status"}}
    )
    assert cfg.mapping is not None
    parser = MappedParser(cfg.tz, cfg.mapping)
    parser.read_header("Start,Status")
    assert one(parser.parse_line("1719820800,Missed", 2)).fields["disposition"] == "missed"
    assert bad(parser, "1719820800,gone").reason == "bad value"


def test_calls_that_never_reached_the_queue_are_skipped_unless_answered() -> None:
    parser = parser_for(
        HEADER + ",Queued",
        queued="Queued",
        null_values={"Queued": ["0:00:00"]},
        answered_only=["resolved"],
    )
    for value in ("", "0", "0:00:00", " 0.0 "):
        error = bad(parser, f"Q1,2024-07-01,9:00:00,,,op,x,N,N,,{value}")
        assert error.reason == "not queued"
        assert error.detail.startswith("Queued=")
    queued = one(parser.parse_line("Q2,2024-07-01,9:00:00,0,,op,x,N,N,,9:00:00", 2))
    assert queued.fields["disposition"] == "abandoned"
    assert "resolved" not in queued.fields
    served = one(parser.parse_line("Q3,2024-07-01,9:00:00,0,40,op,x,Y,Y,,0:00:00", 2))
    assert served.fields["disposition"] == "answered"


def test_null_values_no_agent_values_and_category_renaming() -> None:
    parser = parser_for(
        HEADER + ",Customer",
        caller="Customer",
        null_values={"Customer": ["0"]},
        no_agent_values=["none", "NO_SERVER"],
        category_values={"bl": "billing", "TS": "technical support"},
    )
    first = one(parser.parse_line("N1,2024-07-01,9:00:00,5,60,No_Server,BL,Y,Y,4,0", 2))
    assert "caller" not in first.fields
    assert "agent" not in first.fields
    assert first.fields["category"] == "billing"
    second = one(parser.parse_line("N2,2024-07-01,9:00:00,5,60,op,other,Y,Y,4,0612", 2))
    assert second.fields["caller"] == "0612"
    assert second.fields["category"] == "other"


def test_composite_call_id_and_the_row_hash() -> None:
    composite = parser_for(call_id=["Operator", "Ref"])
    update = one(composite.parse_line("7,2024-07-01,9:00:00,5,60,L2,x,Y,Y,4", 2))
    assert update.call_id == "L2:7"

    cfg = config(call_id=None)
    assert cfg.mapping is not None
    hashed = MappedParser(cfg.tz, cfg.mapping)
    hashed.read_header(HEADER)
    line = "7,2024-07-01,9:00:00,5,60,L2,x,Y,Y,4"
    first = one(hashed.parse_line(line, 2)).call_id
    again = one(hashed.parse_line(line + " ", 3)).call_id
    other = one(hashed.parse_line("8,2024-07-01,9:00:00,5,60,L2,x,Y,Y,4", 4)).call_id
    assert first == again != other
    assert first.startswith("row-")
    digest = hashlib.sha256("\x1f".join(line.split(",")).encode()).hexdigest()
    assert first == "row-" + digest[:16]


def test_answer_and_end_columns_as_clock_times_crossing_midnight() -> None:
    mapping = {
        "call_id": "id",
        "date": "day",
        "time": "in",
        "answered_at": "pick",
        "ended_at": "drop",
        "answered": "ok",
    }
    cfg = parse_config({"timezone": "UTC", "mapping": mapping})
    assert cfg.mapping is not None
    parser = MappedParser(cfg.tz, cfg.mapping)
    parser.read_header("id,day,in,pick,drop,ok")
    update = one(parser.parse_line("m1,2024-07-01,23:59:00,23:59:40,0:01:10,Y", 2))
    start = 1719878340.0  # 2024-07-01 23:59:00 UTC
    assert update.fields == {
        "started_at": start,
        "disposition": "answered",
        "answered_at": start + 40,
        "ended_at": start + 130,
        "talk_seconds": 90.0,
        "wait_seconds": 40.0,
    }
    full = one(parser.parse_line("m2,2024-07-01,10:00:00,2024-07-01T10:00:05,1719828020,Y", 3))
    assert full.fields["answered_at"] == 1719828005.0
    assert full.fields["ended_at"] == 1719828020.0


def test_date_time_and_datetime_formats_and_delimiter() -> None:
    mapping = {
        "call_id": "id",
        "date": "day",
        "time": "clock",
        "date_format": "%d/%m/%Y",
        "time_format": "%I:%M %p",
        "delimiter": ";",
    }
    cfg = parse_config({"timezone": "Europe/Rome", "mapping": mapping})
    assert cfg.mapping is not None
    parser = MappedParser(cfg.tz, cfg.mapping)
    parser.read_header("id;day;clock")
    update = one(parser.parse_line("f1;15/01/2024;10:00 AM", 2))
    assert update.fields == {"started_at": 1705309200.0}  # 09:00 UTC (Rome is UTC+1)
    assert bad(parser, "f2;2024-01-15;10:00 AM").reason == "bad timestamp"

    cfg = parse_config(
        {
            "timezone": "Europe/Rome",
            "mapping": {"started_at": "when", "datetime_format": "%d.%m.%Y %H:%M"},
        }
    )
    assert cfg.mapping is not None
    parser = MappedParser(cfg.tz, cfg.mapping)
    parser.read_header("when")
    assert one(parser.parse_line("15.01.2024 10:00", 2)).fields == {"started_at": 1705309200.0}
    assert bad(parser, "2024-01-15 10:00").reason == "bad timestamp"


def test_direction_column() -> None:
    parser = parser_for(HEADER + ",Way", direction="Way")
    assert (
        one(parser.parse_line("D1,2024-07-01,9:00:00,5,60,op,x,Y,Y,4,Outbound", 2)).fields[
            "direction"
        ]
        == "out"
    )
    assert bad(parser, "D2,2024-07-01,9:00:00,5,60,op,x,Y,Y,4,up").detail == "Way=up"


def test_without_an_answered_column_talk_time_makes_a_call_answered() -> None:
    cfg = parse_config({"timezone": "UTC", "mapping": {"started_at": "s", "talk": "t"}})
    assert cfg.mapping is not None
    parser = MappedParser(cfg.tz, cfg.mapping)
    parser.read_header("s,t")
    assert one(parser.parse_line("1719820800,30", 2)).fields["disposition"] == "answered"
    assert "disposition" not in one(parser.parse_line("1719820800,", 3)).fields


# -- the Mapping's validation ----------------------------------------------------------


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"call_id": "x"}, "mapping: needs 'started_at' or 'date'"),
        ({"date": "d"}, "mapping: 'date' and 'time' go together"),
        ({"started_at": "s", "date": "d", "time": "t"}, "either 'started_at' or 'date'"),
        ({"started_at": "s", "answered": "a", "disposition": "d"}, "'answered' or 'disposition'"),
        ({"started_at": "s", "call_id": []}, "call_id: a column name or a non-empty list"),
        ({"started_at": "s", "agent": " "}, "agent: a column name, not an empty string"),
        ({"started_at": "s", "null_values": {"q": ["0"]}}, "'q' is not a column this mapping"),
        (
            {"started_at": "s", "resolved_values": ["y"], "unresolved_values": ["Y"]},
            "'Y' is in both resolved_values and unresolved_values",
        ),
        (
            {"started_at": "s", "disposition_values": {"X": "gone"}},
            "mapping.disposition_values.X: Input should be",
        ),
        ({"started_at": "s", "answered_only": ["started_at"]}, "mapping.answered_only[0]"),
        ({"started_at": "s", "delimiter": '"'}, "delimiter: one character"),
        ({"started_at": "s", "colour": "red"}, "mapping.colour: unknown key"),
    ],
)
def test_mapping_errors_name_the_key(mapping: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"mapping": mapping}, "centre.toml")
    assert str(info.value).startswith("centre.toml: mapping")
    assert message in str(info.value)


# -- the public data files with the example configs ------------------------------------


def parse_file(cfg: Config, path: Path) -> tuple[dict[str, dict[str, Any]], Counter[str]]:
    """Every call of a file by id, and the skipped lines by reason."""
    assert cfg.mapping is not None
    parser = MappedParser(cfg.tz, cfg.mapping)
    lines = path.read_bytes().split(b"\n")
    parser.read_header(decode_line(lines[0], 1))
    calls: dict[str, dict[str, Any]] = {}
    skipped: Counter[str] = Counter()
    for number, raw in enumerate(lines[1:], 2):
        if not raw.strip():
            continue
        try:
            records = parser.parse_line(decode_line(raw, number), number)
        except BadLine as exc:
            skipped[exc.reason] += 1
            continue
        for record in records:
            assert isinstance(record, CallUpdate)
            assert record.creates
            assert record.call_id not in calls
            calls[record.call_id] = record.fields
    return calls, skipped


def raw_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def hms(text: str) -> int:
    hours, minutes, seconds = (int(part) for part in text.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def test_telecom_call_centre_export() -> None:
    path = DATA / "telecom-call-centre-2021-q1.csv"
    cfg = load_config(EXAMPLES / "telecom-call-centre.toml")
    calls, skipped = parse_file(cfg, path)
    rows = raw_rows(path)
    answered_rows = [r for r in rows if r["Answered (Y/N)"] == "Y"]

    assert not skipped
    assert len(calls) == len(rows) == 5000
    dispositions = Counter(call["disposition"] for call in calls.values())
    assert dispositions == {
        "answered": len(answered_rows),
        "abandoned": len(rows) - len(answered_rows),
    }
    assert dispositions == {"answered": 4054, "abandoned": 946}
    talk = sum(call.get("talk_seconds", 0) for call in calls.values())
    assert talk == sum(hms(r["AvgTalkDuration"]) for r in answered_rows)
    wait = sum(call.get("wait_seconds", 0) for call in calls.values())
    assert wait == sum(int(r["Speed of answer in seconds"]) for r in answered_rows)
    # Resolution and ratings: recorded for answered calls only.
    resolved = Counter(call.get("resolved") for call in calls.values())
    assert resolved == {
        True: sum(r["Resolved"] == "Y" for r in answered_rows),
        False: sum(r["Resolved"] == "N" for r in answered_rows),
        None: len(rows) - len(answered_rows),
    }
    csat = Counter(call.get("csat") for call in calls.values())
    assert csat == Counter(
        int(r["Satisfaction rating"]) if r["Satisfaction rating"] else None for r in rows
    )
    assert Counter(call["category"] for call in calls.values()) == Counter(r["Topic"] for r in rows)
    assert {call["category"] for call in calls.values()} == {c.name for c in cfg.categories}
    assert Counter(call["agent"] for call in calls.values()) == Counter(r["Agent"] for r in rows)

    # Spot checks, Swiss local time: CET (UTC+1) until 28 March 2021 02:00, then CEST.
    first = calls["ID0001"]  # 2021-01-01 9:12:58, wait 109, talk 0:02:23, Y/Y, 3
    assert first == {
        "started_at": 1609488778.0,
        "disposition": "answered",
        "wait_seconds": 109.0,
        "talk_seconds": 143.0,
        "answered_at": 1609488778.0 + 109,
        "ended_at": 1609488778.0 + 109 + 143,
        "agent": "Diane",
        "category": "Contract related",
        "resolved": True,
        "csat": 3,
    }
    assert calls["ID0006"] == {  # 2021-01-01 10:00:29, unanswered
        "started_at": 1609491629.0,
        "disposition": "abandoned",
        "agent": "Stewart",
        "category": "Technical Support",
    }
    assert calls["ID4851"]["started_at"] == 1616915578.0  # 2021-03-28 9:12:58 CEST
    assert calls["ID4889"]["started_at"] == 1617001891.0  # 2021-03-29 9:11:31 CEST
    assert calls["ID4889"]["talk_seconds"] == 381.0  # 0:06:21
    assert calls["ID5000"]["started_at"] == 1617205190.0  # 2021-03-31 17:39:50 CEST


def test_anonymous_bank_one_day() -> None:
    path = DATA / "anonymous-bank-2010-08-01.csv"
    cfg = load_config(EXAMPLES / "anonymous-bank.toml")
    calls, skipped = parse_file(cfg, path)
    rows = raw_rows(path)

    def reached_queue(r: dict[str, str]) -> bool:
        return r["q_start"] != "0:00:00"

    phantom = [r for r in rows if r["outcome"] == "PHANTOM"]
    not_queued = [r for r in rows if r["outcome"] == "HANG" and not reached_queue(r)]
    agent = [r for r in rows if r["outcome"] == "AGENT"]
    hang = [r for r in rows if r["outcome"] == "HANG" and reached_queue(r)]
    assert len(rows) == len(phantom) + len(not_queued) + len(agent) + len(hang) == 2375

    assert skipped == {"phantom call": len(phantom), "not queued": len(not_queued)}
    assert skipped == {"phantom call": 18, "not queued": 118}
    assert len(calls) == len(agent) + len(hang) == 2239
    dispositions = Counter(call["disposition"] for call in calls.values())
    assert dispositions == {"answered": len(agent), "abandoned": len(hang)}
    assert dispositions == {"answered": 1511, "abandoned": 728}
    talk = sum(call.get("talk_seconds", 0) for call in calls.values())
    assert talk == sum(int(r["ser_time"]) for r in agent)
    wait = sum(call.get("wait_seconds", 0) for call in calls.values())
    assert wait == sum(int(r["q_time"]) for r in agent + hang)
    no_agent = sum("agent" not in call for call in calls.values())
    assert no_agent == sum(r["server"] == "NO_SERVER" for r in agent + hang)
    assert not any("talk_seconds" in c for c in calls.values() if c["disposition"] == "abandoned")
    names = {c.name for c in cfg.categories}
    assert {call["category"] for call in calls.values()} <= names
    assert Counter(call["category"].split()[0] for call in calls.values()) == Counter(
        r["type"] for r in agent + hang
    )

    # Spot checks, Israel summer time (UTC+3).
    assert calls["AA0115:22390"] == {
        "started_at": 1280646057.0,  # 10:00:57
        "disposition": "answered",
        "wait_seconds": 44.0,
        "talk_seconds": 445.0,
        "answered_at": 1280646105.0,  # ser_start 10:01:45
        "ended_at": 1280646550.0,  # ser_exit 10:09:10
        "agent": "STEREN",
        "caller": "25013020",
        "category": "PS regular",
    }
    # HANG after queueing, with a service time but no server: abandoned, no talk.
    assert calls["AA0110:37846"] == {
        "started_at": 1280650311.0,  # 11:11:51
        "disposition": "abandoned",
        "wait_seconds": 12.0,
        "caller": "42477224",
        "category": "PS regular",
    }
    # Served, but no service start recorded: answered at start + wait, talk 0.
    served = calls["AA0110:37823"]
    assert served["started_at"] == 1280641733.0  # 8:48:53
    assert (served["answered_at"], served["ended_at"]) == (1280641733.0 + 285, 1280641733.0 + 285)
    assert (served["talk_seconds"], served["agent"]) == (0.0, "STEREN")
    assert "caller" not in served  # customer 0: unidentified
    assert "AA0204:43678" not in calls  # hung up in the voice menu
    assert "AA0203:44973" not in calls  # PHANTOM
