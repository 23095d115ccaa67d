"""Fuzzing every parser, then the report over whatever got stored (issue 9): a line is used
or skipped with a reason (``BadLine``), never an exception; whatever a log made the store
hold, every report format and the live figures come out."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carewatch.bounds import EARLIEST, LATEST_READ
from carewatch.config import Config, Mapping
from carewatch.figures import live_state, window_kpis
from carewatch.ingest import ingest_paths
from carewatch.kpi.windows import day_window
from carewatch.records import BadLine
from carewatch.report import FORMATS as REPORT_FORMATS
from carewatch.report import build_report, render
from carewatch.sources.registry import make_parser
from carewatch.store import Store
from tests.pgserver import PostgresServer

MAPPING = Mapping(
    call_id="id",
    started_at="start",
    wait="wait",
    talk="talk",
    agent="agent",
    answered="answered",
    csat="rating",
)
CONFIG = Config(timezone="Europe/Rome", mapping=MAPPING)

#: Values that have broken parsers and reports elsewhere: empty, absurd numbers, times at
#: the ends of the calendar, markup, escapes, controls, other scripts.
NASTY = [
    "",
    "NONE",
    "-1",
    "0",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "9" * 400,
    "x" * 300,
    "1700000000",
    "99999999999",
    "1700000000.5",
    "2024-03-05 09:00:00",
    "2024-03-05T09:00:00+14:00",
    "9999-12-31 23:59:59",
    "0001-01-01 00:00:00",
    "0000-00-00 00:00:00",
    "24:61:61",
    "[bold red]x[/]",
    "[@click=app.quit]",
    "\x1b[31mred",
    "a\x00b",
    "é ñ 中文 🙂",
    '"',
    "|",
    ",",
    "ANSWERED",
    "NO ANSWER",
    "SIP/1001-0001",
    "Local/3001@x-01;1",
    "true",
    "7",
]
value = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))

QL_EVENTS = [
    "ENTERQUEUE",
    "CONNECT",
    "COMPLETEAGENT",
    "COMPLETECALLER",
    "TRANSFER",
    "BLINDTRANSFER",
    "ATTENDEDTRANSFER",
    "ABANDON",
    "EXITWITHTIMEOUT",
    "EXITWITHKEY",
    "EXITEMPTY",
    "FULL",
    "RINGNOANSWER",
    "PAUSE",
    "AGENTLOGIN",
    "BOGUS",
]
CSV_HEADER = "call_id,started_at,answered_at,ended_at,wait_seconds,talk_seconds,agent,csat,nps,note"
MAPPED_HEADER = "id,start,wait,talk,agent,answered,rating"


@st.composite
def queue_log_line(draw: st.DrawFn) -> str:
    time = draw(st.one_of(st.sampled_from(["1709629200", "1709629260"]), value))
    call = draw(st.one_of(st.sampled_from(["c1", "c2", "NONE", ""]), value))
    event = draw(st.one_of(st.sampled_from(QL_EVENTS), value))
    data = draw(st.lists(value, max_size=6))
    return "|".join([time, call, "support", draw(value), event, *data])


def _csv_row(cells: list[str]) -> str:
    return ",".join('"' + c.replace('"', '""') + '"' if draw_quote(c) else c for c in cells)


def draw_quote(cell: str) -> bool:
    return any(ch in cell for ch in ',"\n')


@st.composite
def cdr_line(draw: st.DrawFn) -> str:
    cells = [
        "",
        draw(value),
        "500",
        draw(st.sampled_from(["from-trunk", "from-internal"])),
        "",
        "SIP/trunk-01",
        draw(st.sampled_from(["SIP/1001-02", "", "Local/1@x-01;1"])),
        draw(st.sampled_from(["Queue", "Dial", "Playback"])),
        "support",
        draw(st.one_of(st.just("2024-03-05 09:00:00"), value)),
        draw(st.one_of(st.just("2024-03-05 09:00:05"), value)),
        draw(st.one_of(st.just("2024-03-05 09:01:00"), value)),
        draw(value),
        draw(value),
        draw(st.one_of(st.sampled_from(["ANSWERED", "NO ANSWER", "BUSY"]), value)),
        "DOCUMENTATION",
        draw(st.sampled_from(["1709629200.1", "1709629200.2", ""])),
    ]
    cells += draw(st.sampled_from([[], ["", "", "1709629200.1", "3"]]))
    return _csv_row(cells)


@st.composite
def csv_line(draw: st.DrawFn) -> str:
    cells = [draw(st.one_of(st.sampled_from(["c1", "c2", ""]), value))]
    cells.append(draw(st.one_of(st.just("2024-03-05T09:00:00+01:00"), value)))
    cells += [draw(value) for _ in range(8)]
    return _csv_row(cells[: draw(st.integers(1, 10))] if draw(st.booleans()) else cells)


@st.composite
def jsonl_line(draw: st.DrawFn) -> str:
    import json

    keys = ["call_id", "started_at", "ended_at", "talk_seconds", "wait_seconds", "csat", "note"]
    obj = {
        key: draw(
            st.one_of(
                value,
                st.integers(-(10**30), 10**30),
                st.floats(allow_nan=False),
                st.none(),
                st.booleans(),
            )
        )
        for key in draw(st.lists(st.sampled_from(keys), unique=True))
    }
    obj.setdefault("call_id", "c1")
    text = json.dumps(obj)
    return text if draw(st.booleans()) else text[: draw(st.integers(0, len(text)))]


@st.composite
def mapped_line(draw: st.DrawFn) -> str:
    cells = [
        draw(st.sampled_from(["1", "2"])),
        draw(st.one_of(st.just("2024-03-05 09:00:00"), value)),
    ]
    cells += [draw(value) for _ in range(5)]
    return _csv_row(cells)


LINES = {
    "queue_log": (queue_log_line(), ""),
    "cdr": (cdr_line(), ""),
    "csv": (csv_line(), CSV_HEADER + "\n"),
    "jsonl": (jsonl_line(), ""),
    "mapped": (mapped_line(), MAPPED_HEADER + "\n"),
}

FUZZ = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


@pytest.mark.parametrize("fmt", sorted(LINES))
@settings(max_examples=150, **FUZZ)
@given(data=st.data())
def test_a_parser_uses_a_line_or_says_why_not(fmt: str, data: st.DataObject) -> None:
    strategy, header = LINES[fmt]
    parser = make_parser(fmt, CONFIG)
    if header:
        parser.read_header(header.strip())
    for n, line in enumerate(data.draw(st.lists(strategy, min_size=1, max_size=5)), 2):
        try:
            records = parser.parse_line(line, n)
        except BadLine:
            continue
        assert isinstance(records, list)


@st.composite
def logs(draw: st.DrawFn) -> tuple[str, str]:
    fmt = draw(st.sampled_from(sorted(LINES)))
    strategy, header = LINES[fmt]
    lines = draw(st.lists(strategy, min_size=1, max_size=12))
    return fmt, header + "".join(line.replace("\n", " ") + "\n" for line in lines)


def ingest_and_report(db: str, folder: Path, log: tuple[str, str]) -> None:
    """Ingest the log, then build every report and the live figures of what got stored."""
    fmt, text = log
    path = folder / f"calls.{fmt}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with Store(db) as store:
        ingest_paths(store, CONFIG, [str(path)], fmt)
        days = {date(2024, 3, 5)} | {
            datetime.fromtimestamp(c.started_at, UTC).date()
            for c in store.calls_between(EARLIEST, LATEST_READ)
        }
        for day in sorted(days)[:3]:
            report = build_report(store, CONFIG, day, with_calls=True, now=1_709_700_000.0)
            for report_format in REPORT_FORMATS:
                assert render(report, report_format)
            window = day_window(day, CONFIG.tz)
            assert window_kpis(store, CONFIG, window, now=window.end)["offered"] >= 0
        live_state(store, CONFIG, 1_709_629_300.0)


@settings(max_examples=40, **FUZZ)
@given(log=logs())
def test_whatever_a_log_stored_every_report_comes_out(log: tuple[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ingest_and_report(str(Path(tmp) / "cw.db"), Path(tmp), log)


@settings(max_examples=12, **FUZZ)
@given(log=logs())
def test_whatever_a_log_stored_in_postgresql_every_report_comes_out(
    postgres: PostgresServer, log: tuple[str, str]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ingest_and_report(postgres.new_schema(), Path(tmp), log)
