"""carewatch's own CSV and JSONL formats: fields, validation, derivation."""

from __future__ import annotations

import csv
import io
import json
from zoneinfo import ZoneInfo

import pytest

from carewatch.records import BadLine, CallUpdate
from carewatch.sources.csvjson import CsvParser, JsonlParser, derive

ROME = ZoneInfo("Europe/Rome")
HEADER = (
    "call_id,started_at,answered_at,ended_at,wait_seconds,talk_seconds,queue,agent,caller,"
    "direction,disposition,category,outcome,resolved,csat,nps,note"
)
COLUMNS = HEADER.split(",")


def csv_parser(header: str = HEADER) -> CsvParser:
    parser = CsvParser(ROME)
    parser.read_header(header)
    return parser


def row(**values: str) -> str:
    """A CSV data line for :data:`HEADER` with the given fields (others empty)."""
    unknown = set(values) - set(COLUMNS)
    assert not unknown, unknown
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([values.get(name, "") for name in COLUMNS])
    return out.getvalue()


def one(records: list) -> CallUpdate:
    assert len(records) == 1
    record = records[0]
    assert isinstance(record, CallUpdate)
    return record


# -- CSV -------------------------------------------------------------------------------


def test_start_row_then_update_row_for_the_same_call() -> None:
    parser = csv_parser()
    start = one(
        parser.parse_line(
            row(
                call_id="c1",
                started_at="2024-07-01T10:00:00",
                queue="support",
                caller="+39061234567",
                direction="in",
            ),
            2,
        )
    )
    assert start == CallUpdate(
        "c1",
        {
            "started_at": 1719820800.0,
            "queue": "support",
            "caller": "+39061234567",
            "direction": "in",
        },
        creates=True,
    )
    end = one(
        parser.parse_line(
            row(
                call_id="c1",
                answered_at="2024-07-01T10:00:30",
                ended_at="2024-07-01T10:02:30",
                agent="op7",
                category="shipping",
                outcome="sale",
                resolved="yes",
                csat="5",
                nps="9",
                note="wants tracking, sent SMS",
            ),
            3,
        )
    )
    assert end.call_id == "c1"
    assert end.creates is False
    assert end.fields == {
        "answered_at": 1719820830.0,
        "ended_at": 1719820950.0,
        "talk_seconds": 120.0,
        "disposition": "answered",
        "agent": "op7",
        "category": "shipping",
        "outcome": "sale",
        "resolved": True,
        "csat": 5,
        "nps": 9,
        "note": "wants tracking, sent SMS",
    }


def test_empty_fields_are_left_out_so_they_keep_earlier_values() -> None:
    parser = csv_parser()
    update = one(parser.parse_line(row(call_id="c1", category="order", csat=" "), 2))
    assert update.fields == {"category": "order"}
    assert update.creates is False


def test_a_row_derives_talk_wait_and_disposition() -> None:
    parser = csv_parser()
    update = one(
        parser.parse_line(
            row(
                call_id="c2",
                started_at="1719820800",
                answered_at="1719820815",
                ended_at="1719820875.5",
            ),
            2,
        )
    )
    assert update.fields["wait_seconds"] == 15.0
    assert update.fields["talk_seconds"] == 60.5
    assert update.fields["disposition"] == "answered"
    assert update.creates is True


def test_given_values_win_over_derived_ones() -> None:
    parser = csv_parser()
    update = one(
        parser.parse_line(
            row(
                call_id="c3",
                started_at="1719820800",
                answered_at="1719820815",
                ended_at="1719820875",
                wait_seconds="20",
                talk_seconds="0:00:50",
                disposition="abandoned",
            ),
            2,
        )
    )
    assert update.fields["wait_seconds"] == 20.0
    assert update.fields["talk_seconds"] == 50.0
    assert update.fields["disposition"] == "abandoned"


def test_talk_seconds_alone_makes_the_call_answered() -> None:
    update = one(csv_parser().parse_line(row(call_id="c4", talk_seconds="75"), 2))
    assert update.fields == {"talk_seconds": 75.0, "disposition": "answered"}


@pytest.mark.parametrize(
    ("value", "epoch"),
    [
        ("1719820800", 1719820800.0),
        ("1719820800.25", 1719820800.25),
        ("2024-07-01T08:00:00Z", 1719820800.0),
        ("2024-07-01T10:00:00+02:00", 1719820800.0),
        ("2024-07-01T04:00:00-04:00", 1719820800.0),
        ("2024-07-01T10:00:00", 1719820800.0),  # naive: Rome, summer time (UTC+2)
        ("2024-07-01 10:00:00", 1719820800.0),
        ("2024-01-15T10:00:00", 1705309200.0),  # naive: Rome, winter time (UTC+1)
    ],
)
def test_times_epoch_and_iso_with_or_without_offset(value: str, epoch: float) -> None:
    update = one(csv_parser().parse_line(row(call_id="t", started_at=value), 2))
    assert update.fields["started_at"] == epoch


def test_naive_times_follow_the_configured_timezone() -> None:
    line = row(call_id="t", started_at="2024-07-01T10:00:00")
    rome = one(csv_parser().parse_line(line, 2)).fields["started_at"]
    parser = CsvParser(ZoneInfo("America/New_York"))
    parser.read_header(HEADER)
    new_york = one(parser.parse_line(line, 2)).fields["started_at"]
    assert new_york - rome == 6 * 3600


@pytest.mark.parametrize(
    ("values", "reason", "detail"),
    [
        ({"csat": "7"}, "bad value", "csat=7"),
        ({"csat": "0"}, "bad value", "csat=0"),
        ({"csat": "4.5"}, "bad value", "csat=4.5"),
        ({"csat": "good"}, "bad value", "csat=good"),
        ({"nps": "11"}, "bad value", "nps=11"),
        ({"nps": "-1"}, "bad value", "nps=-1"),
        ({"resolved": "maybe"}, "bad value", "resolved=maybe"),
        ({"direction": "sideways"}, "bad value", "direction=sideways"),
        ({"disposition": "lost"}, "bad value", "disposition=lost"),
        ({"wait_seconds": "-5"}, "bad value", "wait_seconds=-5"),
        ({"talk_seconds": "abc"}, "bad value", "talk_seconds=abc"),
        ({"talk_seconds": "inf"}, "bad value", "talk_seconds=inf"),
        ({"talk_seconds": "nan"}, "bad value", "talk_seconds=nan"),
        ({"started_at": "yesterday"}, "bad timestamp", "started_at=yesterday"),
        (
            {"answered_at": "2024-13-01T10:00:00"},
            "bad timestamp",
            "answered_at=2024-13-01T10:00:00",
        ),
        ({"ended_at": "12345"}, "bad timestamp", "ended_at=12345"),
    ],
)
def test_every_validation_error(values: dict[str, str], reason: str, detail: str) -> None:
    with pytest.raises(BadLine) as info:
        csv_parser().parse_line(row(call_id="v", **values), 2)
    assert info.value.reason == reason
    assert info.value.detail == detail


def test_missing_call_id() -> None:
    with pytest.raises(BadLine) as info:
        csv_parser().parse_line(row(call_id=" ", started_at="1719820800"), 2)
    assert info.value.reason == "missing call id"


def test_overlong_call_id() -> None:
    with pytest.raises(BadLine) as info:
        csv_parser().parse_line(row(call_id="x" * 201), 2)
    assert info.value.reason == "bad value"


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("YES", True), ("1", True), ("False", False), ("no", False), ("0", False)],
)
def test_resolved_values(text: str, value: bool) -> None:
    update = one(csv_parser().parse_line(row(call_id="r", resolved=text), 2))
    assert update.fields["resolved"] is value


def test_choices_are_case_insensitive_and_scores_may_be_written_as_floats() -> None:
    update = one(
        csv_parser().parse_line(
            row(call_id="k", direction="OUT", disposition="Missed", csat="4.0", nps="0"), 2
        )
    )
    assert update.fields == {"direction": "out", "disposition": "missed", "csat": 4, "nps": 0}


def test_text_is_cleaned_of_control_characters() -> None:
    update = one(csv_parser().parse_line(row(call_id="t\x1b[31m", note="a\x07b  "), 2))
    assert update.call_id == "t[31m"
    assert update.fields["note"] == "ab"


def test_a_tab_in_text_is_a_space_not_glue() -> None:
    """ "Tab<TAB>here" is two words (dropping the tab glued them into "Tabhere"); a run of
    tabs and line breaks is one space, as a line break in a quoted field already was."""
    update = one(
        csv_parser().parse_line(row(call_id="t1", agent="Tab\there", note="one\t\t two\x0b"), 2)
    )
    assert update.fields["agent"] == "Tab here"
    assert update.fields["note"] == "one two"


def test_quoted_fields_and_unknown_columns() -> None:
    parser = csv_parser("Call_ID,site,started_at,note")
    update = one(parser.parse_line('c9,"Rome, north",1719820800,"said ""thanks"", left"', 2))
    assert update.fields == {"started_at": 1719820800.0, "note": 'said "thanks", left'}


def test_header_must_name_call_id() -> None:
    with pytest.raises(BadLine) as info:
        CsvParser(ROME).read_header("id,started_at,agent")
    assert info.value.reason == "bad header"
    assert "call_id" in info.value.detail


def test_header_with_a_field_twice() -> None:
    with pytest.raises(BadLine) as info:
        CsvParser(ROME).read_header("call_id,agent,Agent")
    assert info.value.reason == "bad header"


def test_a_row_before_the_header() -> None:
    with pytest.raises(BadLine) as info:
        CsvParser(ROME).parse_line("c1,1719820800", 1)
    assert info.value.reason == "no header"


@pytest.mark.parametrize(
    "line",
    [
        "c1,1719820800",  # half-written: too few fields
        row(call_id="c1") + ",extra",
        'c1,"1719820800' + "," * (len(COLUMNS) - 2),  # unclosed quote
    ],
)
def test_malformed_rows(line: str) -> None:
    with pytest.raises(BadLine) as info:
        csv_parser().parse_line(line, 2)
    assert info.value.reason == "malformed"


def test_a_trailing_empty_cell_is_tolerated() -> None:
    update = one(csv_parser().parse_line(row(call_id="c1", agent="op1") + ",", 2))
    assert update.fields == {"agent": "op1"}


def test_a_repeated_header_is_read_again() -> None:
    parser = csv_parser()
    assert parser.parse_line("call_id,agent,started_at", 5) == []
    update = one(parser.parse_line("c1,op2,1719820800", 6))
    assert update.fields == {"agent": "op2", "started_at": 1719820800.0}


# -- derive ----------------------------------------------------------------------------


def test_derive_is_pure_and_never_replaces_a_value() -> None:
    fields = {"started_at": 100.0, "answered_at": 130.0, "ended_at": 250.0}
    derived = derive(fields)
    assert fields == {"started_at": 100.0, "answered_at": 130.0, "ended_at": 250.0}
    assert derived == {
        **fields,
        "wait_seconds": 30.0,
        "talk_seconds": 120.0,
        "disposition": "answered",
    }
    kept = derive({**fields, "wait_seconds": 5.0, "talk_seconds": 7.0, "disposition": "missed"})
    assert (kept["wait_seconds"], kept["talk_seconds"], kept["disposition"]) == (5.0, 7.0, "missed")


def test_derive_ignores_times_out_of_order_and_derives_nothing_from_nothing() -> None:
    assert derive({"started_at": 200.0, "answered_at": 100.0, "ended_at": 50.0}) == {
        "started_at": 200.0,
        "answered_at": 100.0,
        "ended_at": 50.0,
        "disposition": "answered",
    }
    assert derive({"started_at": 1.0, "ended_at": 9.0}) == {"started_at": 1.0, "ended_at": 9.0}


# -- JSONL -----------------------------------------------------------------------------


def jsonl(**values: object) -> str:
    return json.dumps(values)


def test_jsonl_start_then_update() -> None:
    parser = JsonlParser(ROME)
    start = one(
        parser.parse_line(
            jsonl(call_id=17, started_at=1719820800, queue="sales", wait_seconds="12"), 1
        )
    )
    assert start == CallUpdate(
        "17", {"started_at": 1719820800.0, "queue": "sales", "wait_seconds": 12.0}, creates=True
    )
    end = one(
        parser.parse_line(
            jsonl(
                call_id="17",
                started_at=None,
                answered_at="2024-07-01T10:00:12",
                ended_at="2024-07-01T08:03:12Z",
                agent="op3",
                resolved=False,
                csat=4,
                nps="10",
                category="",
            ),
            2,
        )
    )
    assert end.creates is False
    assert end.fields == {
        "answered_at": 1719820812.0,
        "ended_at": 1719820992.0,
        "talk_seconds": 180.0,
        "disposition": "answered",
        "agent": "op3",
        "resolved": False,
        "csat": 4,
        "nps": 10,
    }


@pytest.mark.parametrize(
    ("values", "reason", "detail"),
    [
        ({"csat": 6}, "bad value", "csat=6"),
        ({"csat": True}, "bad value", "csat=True"),
        ({"nps": "eleven"}, "bad value", "nps=eleven"),
        ({"resolved": "perhaps"}, "bad value", "resolved=perhaps"),
        ({"resolved": 2}, "bad value", "resolved=2"),
        ({"direction": 1}, "bad value", "direction=1"),
        ({"disposition": "hung up"}, "bad value", "disposition=hung up"),
        ({"wait_seconds": -1}, "bad value", "wait_seconds=-1"),
        ({"agent": ["a", "b"]}, "bad value", "agent=['a', 'b']"),
        ({"note": {"x": 1}}, "bad value", "note={'x': 1}"),
        ({"started_at": "soon"}, "bad timestamp", "started_at=soon"),
        ({"started_at": True}, "bad timestamp", "started_at=True"),
        ({"started_at": 1e30}, "bad timestamp", "started_at=1e+30"),
    ],
)
def test_jsonl_validation(values: dict[str, object], reason: str, detail: str) -> None:
    with pytest.raises(BadLine) as info:
        JsonlParser(ROME).parse_line(json.dumps({"call_id": "j", **values}), 1)
    assert info.value.reason == reason
    assert info.value.detail == detail


@pytest.mark.parametrize("call_id", [None, "", "  ", "\x07"])
def test_jsonl_missing_call_id(call_id: object) -> None:
    with pytest.raises(BadLine) as info:
        JsonlParser(ROME).parse_line(json.dumps({"call_id": call_id, "agent": "a"}), 1)
    assert info.value.reason == "missing call id"
    with pytest.raises(BadLine) as info:
        JsonlParser(ROME).parse_line('{"agent": "a"}', 1)
    assert info.value.reason == "missing call id"


@pytest.mark.parametrize(
    "line",
    ['{"call_id": "a", ', "[1, 2]", '"text"', '{"call_id": "a", "csat": NaN}', "call_id=a"],
)
def test_jsonl_malformed(line: str) -> None:
    with pytest.raises(BadLine) as info:
        JsonlParser(ROME).parse_line(line, 1)
    assert info.value.reason == "malformed"


def test_jsonl_ignores_unknown_keys_and_null_means_empty() -> None:
    update = one(
        JsonlParser(ROME).parse_line(
            '{"call_id": "z", "site": "north", "agent": null, "talk_seconds": "0:02:00"}', 1
        )
    )
    assert update.fields == {"talk_seconds": 120.0, "disposition": "answered"}
