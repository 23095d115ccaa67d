"""Hostile and broken input, through the whole way a user takes: a log with hostile lines
mixed with valid ones, ingested once (nothing escapes, every line is stored or counted
skipped, every valid line is stored, a second run adds nothing), then the report in every
format over what got stored (no escape code, control or bidi character where a terminal or
a spreadsheet reads it, HTML and Markdown inert, no CSV cell a formula, JSON that parses).

``tests/test_fuzz.py`` fuzzes each parser and checks that reports come out at all; this
module checks what reaches the user. The screen's side is in ``tests/test_hostile_screen.py``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carewatch.config import Config, Mapping
from carewatch.ingest import IngestSummary, ingest_paths
from carewatch.records import CallUpdate
from carewatch.report import FORMATS as REPORT_FORMATS
from carewatch.report import build_report, render
from carewatch.store import Store

TZ = "Europe/Rome"
MAPPING = Mapping(
    call_id="id",
    started_at="start",
    wait="wait",
    talk="talk",
    agent="agent",
    answered="answered",
    csat="rating",
    queue="queue",
    caller="caller",
    category="category",
    note="note",
)
CONFIG = Config(timezone=TZ, mapping=MAPPING)
DAY = date(2024, 3, 5)
#: 09:00 on DAY in Rome; the valid calls start from here, a minute apart.
T0 = int(datetime(2024, 3, 5, 9, 0, tzinfo=ZoneInfo(TZ)).timestamp())
#: A fixed "now" after the day, for the report.
NOW = T0 + 2 * 86_400.0

#: Text that has broken terminals, spreadsheets, browsers and Markdown viewers elsewhere.
HOSTILE = [
    "\x1b[2J",
    "\x1b[31mred\x1b[0m",
    "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\",
    "\x1b]0;title\x07",
    "\x9b2J",
    "\x85next",
    "\u202eevil\u202c",
    "\u2066iso\u2069",
    "\u200bzero",
    "[bold red]x[/]",
    "[@click=app.quit]quit[/]",
    "[/]",
    "[",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "&amp; &lt;",
    "| ** [x](javascript:alert(1))",
    "![i](http://x/i.png)",
    "<http://evil.example>",
    "`code`",
    "# heading",
    "> quote",
    "- item",
    "1. item",
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1",
    " =1",
    "a\rb",
    "a\x00b",
    "\x07bell",
    "é ñ 中文 🙂",
    "x" * 3000,
    "9" * 400,
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-5",
    "0001-01-01 00:00:00",
    "9999-12-31 23:59:59",
    "NONE",
    "",
    " ",
]
#: A hostile text value; ``st.text`` adds what no list foresees.
hostile_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=16))
#: Hostile numbers and times, for the fields that should hold them.
HOSTILE_NUMBERS = [
    "-1",
    "-0.5",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "9" * 400,
    "99999999999",
    "0",
    "1.5e3",
    "0x10",
    "1_000",
    "١٢",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59",
    "0001-01-01 00:00:00",
    "9999-12-31 23:59:59",
    "-62135596800",
    "253402300799",
    "1709629200",
]
hostile_value = st.one_of(st.sampled_from(HOSTILE_NUMBERS), hostile_text)


def field(text: str, forbidden: str = "") -> str:
    """``text`` without line breaks (one line a record) nor the characters in ``forbidden``
    (a format's separator)."""
    return "".join(" " if ch in "\n" + forbidden else ch for ch in text)


def csv_line(cells: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue().encode("utf-8", "surrogatepass")


@dataclass
class Valid:
    """A valid call as a format writes it: its lines and the id it is stored under."""

    lines: list[bytes]
    call_id: str
    started_at: float


# -- valid calls, with hostile names in them -----------------------------------------------------
@st.composite
def names(draw: st.DrawFn, forbidden: str = "") -> dict[str, str]:
    keys = ("queue", "agent", "caller", "category", "outcome", "note")
    return {key: field(draw(hostile_text), forbidden) for key in keys}


def valid_csv(n: int, text: dict[str, str]) -> Valid:
    start = T0 + 60 * n
    cells = [
        f"ok-{n}",
        datetime.fromtimestamp(start, ZoneInfo(TZ)).isoformat(),
        str(start + 10),
        str(start + 100),
        "10",
        "90",
        text["queue"],
        text["agent"],
        text["caller"],
        text["category"],
        text["outcome"],
        text["note"],
    ]
    return Valid([csv_line(cells)], f"ok-{n}", start)


CSV_HEADER = (
    "call_id,started_at,answered_at,ended_at,wait_seconds,talk_seconds,queue,agent,caller,"
    "category,outcome,note"
)


#: A control character JSON escapes (``\\t``, ``\\u001b``), not itself escaped.
_JSON_CONTROL_RE = re.compile(r"(?<!\\)((?:\\\\)*)\\(t|r|u00[01][0-9a-f])")


def raw_controls(text: str) -> str:
    """JSON text with the control characters it escapes written raw (but line breaks), as a
    careless writer leaves them."""

    def raw(m: re.Match[str]) -> str:
        code = m.group(2)
        ch = {"t": "\t", "r": "\r"}.get(code) or chr(int(code[1:], 16))
        return m.group(0) if ch == "\n" else m.group(1) + ch

    return _JSON_CONTROL_RE.sub(raw, text)


def valid_jsonl(n: int, text: dict[str, str], style: str = "ascii") -> Valid:
    start = T0 + 60 * n
    obj = {"call_id": f"ok-{n}", "started_at": start, "talk_seconds": 90, **text}
    line = json.dumps(obj, ensure_ascii=style == "ascii")
    if style == "raw":
        line = raw_controls(line)
    return Valid([line.encode("utf-8", "surrogatepass")], f"ok-{n}", start)


def valid_queue_log(n: int, text: dict[str, str]) -> Valid:
    start = T0 + 60 * n
    queue, agent, caller = text["queue"] or "support", text["agent"], text["caller"]
    lines = [
        f"{start}|ok-{n}|{queue}|NONE|ENTERQUEUE||{caller}|1",
        f"{start + 5}|ok-{n}|{queue}|{agent}|CONNECT|5|x|2",
        f"{start + 65}|ok-{n}|{queue}|{agent}|COMPLETECALLER|5|60|1",
    ]
    return Valid([line.encode("utf-8", "surrogatepass") for line in lines], f"ok-{n}", start)


def valid_cdr(n: int, text: dict[str, str]) -> Valid:
    start = T0 + 60 * n
    local = ZoneInfo(TZ)

    def stamp(t: float) -> str:
        return datetime.fromtimestamp(t, local).strftime("%Y-%m-%d %H:%M:%S")

    cells = [
        "",
        text["caller"],
        "500",
        "from-trunk",
        f'"{text["caller"]}" <0612345678>',
        "SIP/trunk-01",
        f"SIP/{text['agent'] or '1001'}-02",
        "Queue",
        f"{text['queue']},t",
        stamp(start),
        stamp(start + 10),
        stamp(start + 100),
        "100",
        "90",
        "ANSWERED",
        "DOCUMENTATION",
        f"ok-{n}",
        text["note"],
    ]
    return Valid([csv_line(cells)], f"ok-{n}", start)


MAPPED_HEADER = "id,start,wait,talk,agent,answered,rating,queue,caller,category,note"


def valid_mapped(n: int, text: dict[str, str]) -> Valid:
    start = T0 + 60 * n
    cells = [
        f"ok-{n}",
        datetime.fromtimestamp(start, ZoneInfo(TZ)).strftime("%Y-%m-%d %H:%M:%S"),
        "10",
        "90",
        text["agent"],
        "Y",
        "4",
        text["queue"],
        text["caller"],
        text["category"],
        text["note"],
    ]
    return Valid([csv_line(cells)], f"ok-{n}", start)


@st.composite
def valid_call(draw: st.DrawFn, fmt: str, n: int) -> Valid:
    if fmt == "queue_log":
        return valid_queue_log(n, draw(names("|")))
    if fmt == "jsonl":
        return valid_jsonl(n, draw(names()), draw(st.sampled_from(["ascii", "utf-8", "raw"])))
    maker = {"csv": valid_csv, "cdr": valid_cdr, "mapped": valid_mapped}[fmt]
    return maker(n, draw(names()))


# -- hostile lines -------------------------------------------------------------------------------
#: Call ids the hostile lines use: never a valid call's (``ok-N``); duplicates on purpose.
HOSTILE_IDS = ["dup", "dup", "NONE", "", "[/]", "\x1b[2J", "x" * 300]


@st.composite
def hostile_line(draw: st.DrawFn, fmt: str) -> bytes:
    kind = draw(st.sampled_from(["bytes", "text", "fields", "long"]))
    if kind == "bytes":  # random bytes: invalid UTF-8, NUL, lone CR, escapes
        raw = draw(st.binary(max_size=120))
    elif kind == "text":
        raw = draw(hostile_text).encode("utf-8", "surrogatepass")
    elif kind == "long":  # longer than a line may be, or long but still a line
        size = draw(st.sampled_from([70_000, 20_000]))
        raw = draw(st.sampled_from([b"9", b"x", b"\x1b[2J"])) * (size // 4)
    else:
        raw = hostile_fields(draw, fmt)
    return raw.replace(b"\n", b" ")


def hostile_fields(draw: st.DrawFn, fmt: str) -> bytes:
    """A line of the format's shape with hostile values in its fields."""
    call_id = draw(st.one_of(st.sampled_from(HOSTILE_IDS), hostile_text))
    call_id = "ok-x" if call_id.startswith("ok-") else call_id
    values = [draw(hostile_value) for _ in range(8)]
    if fmt == "queue_log":
        event = draw(
            st.sampled_from(
                ["ENTERQUEUE", "CONNECT", "COMPLETECALLER", "ABANDON", "PAUSE", "TRANSFER", "?"]
            )
        )
        when = draw(st.one_of(st.just(str(T0 + 30)), hostile_value))
        parts = [when, call_id, values[0], values[1], event, *values[2:]]
        return "|".join(field(p, "|") for p in parts).encode("utf-8", "surrogatepass")
    if fmt == "jsonl":
        keys = ["started_at", "answered_at", "ended_at", "wait_seconds", "talk_seconds"]
        keys += ["csat", "nps", "agent", "note", "disposition", "resolved"]
        obj: dict[str, object] = {"call_id": call_id}
        for key in draw(st.lists(st.sampled_from(keys), unique=True)):
            obj[key] = draw(
                st.one_of(
                    hostile_value,
                    st.integers(-(10**30), 10**30),
                    st.floats(),
                    st.none(),
                    st.booleans(),
                    st.lists(st.integers(), max_size=2),
                )
            )
        text = json.dumps(obj)
        return text[: draw(st.integers(0, len(text)))].encode("utf-8", "surrogatepass")
    if fmt == "cdr":
        cells = ["", values[0], "500", "from-trunk", values[1], "SIP/trunk-01", values[2]]
        cells += ["Queue", values[3]]
        cells += [draw(st.one_of(st.just("2024-03-05 09:00:30"), hostile_value)) for _ in "sae"]
        cells += [values[4], values[5], draw(st.sampled_from(["ANSWERED", "BUSY", values[6]]))]
        cells += ["DOCUMENTATION", call_id]
        return csv_line([field(c) for c in cells])
    start = draw(st.one_of(st.just("2024-03-05 09:00:30"), hostile_value))
    return csv_line([field(c) for c in [call_id, start, *values]])


@st.composite
def logs(draw: st.DrawFn, fmt: str) -> tuple[bytes, list[Valid], int]:
    """A log of ``fmt``: hostile lines mixed with valid calls; returns its bytes, the valid
    calls and the number of lines a reader reads (blank lines are not read)."""
    valid = [draw(valid_call(fmt, n)) for n in range(draw(st.integers(0, 4)))]
    hostile = draw(st.lists(hostile_line(fmt), max_size=8))
    lines: list[bytes] = [line for call in valid for line in call.lines]
    for line in hostile:  # each at a place of its own among the valid lines
        lines.insert(draw(st.integers(0, len(lines))), line)
    header = {"csv": CSV_HEADER, "mapped": MAPPED_HEADER}.get(fmt)
    if header is not None:
        lines.insert(0, header.encode())
    return b"".join(line + b"\n" for line in lines), valid, sum(1 for x in lines if x.strip())


SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def ingest_log(folder: Path, fmt: str, data: bytes) -> tuple[str, Path, IngestSummary]:
    db = str(folder / "cw.db")
    path = folder / f"calls.{fmt}"
    path.write_bytes(data)
    with Store(db) as store:
        summary = ingest_paths(store, CONFIG, [str(path)], fmt)
    return db, path, summary


def check_ingest(
    folder: Path, fmt: str, log: tuple[bytes, list[Valid], int]
) -> tuple[str, IngestSummary]:
    """Ingest the log and check what the user relies on; returns the database and summary."""
    data, valid, lines = log
    db, path, summary = ingest_log(folder, fmt, data)
    with Store(db) as store:
        (position,) = store.positions() or [{"bad_lines": 0, "line_no": 0}]
    # every line was read (stored, or skipped and counted) but for a record still open at
    # the end of the file, left for later and said so
    numbered = list(enumerate(data.split(b"\n")[:-1], 1))
    held = sum(1 for n, line in numbered if n > position["line_no"] and line.strip())
    assert summary.lines_read + held == lines, summary
    assert summary.files_not_read == [] and summary.incomplete == (1 if held else 0)
    valid_lines = {n for n, line in numbered if any(line in call.lines for call in valid)}
    assert all(n <= position["line_no"] for n in valid_lines), "a valid line left for later"
    skipped = {line_no for _, line_no, _ in summary.last_skipped}
    assert summary.skipped == len(skipped) <= lines - len(valid_lines)
    assert not skipped & valid_lines, summary.last_skipped
    with Store(db) as store:
        assert position["bad_lines"] == summary.skipped
        for call in valid:
            found = store.find_calls(call.call_id)
            assert [c.started_at for c in found] == [call.started_at], call.call_id
        stored = store.count_calls()
        again = ingest_paths(store, CONFIG, [str(path)], fmt)
        assert (again.added, again.updated, again.skipped, again.lines_read) == (0, 0, 0, 0)
        assert store.count_calls() == stored
    return db, summary


# -- what the report may hold ----------------------------------------------------------------
#: Characters no text, Markdown or CSV report may hold: C0 controls but the line break, DEL,
#: C1 controls, and format characters (bidi overrides and isolates, zero-width ones).
def _forbidden(ch: str) -> bool:
    return ch not in "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co")


def assert_no_controls(text: str, fmt: str) -> None:
    bad = sorted({f"U+{ord(ch):04X}" for ch in text if _forbidden(ch)})
    assert not bad, f"{fmt} report holds {bad}"


_NUMBER_RE = re.compile(r"-?\d+(\.\d+)?(e-?\d+)?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def assert_csv_inert(text: str) -> None:
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            assert_no_controls(cell, "csv")
            if cell.startswith(_FORMULA_START):
                assert _NUMBER_RE.fullmatch(cell), f"CSV cell starts a formula: {cell!r}"


#: A Markdown link or image the renderer would follow: ``[x](y)`` with unescaped brackets.
_MD_LINK_RE = re.compile(r"(?<!\\)\]\(")
_MD_AUTOLINK_RE = re.compile(r"<[a-zA-Z][a-zA-Z0-9+.-]*:")


def _pipes(row: str) -> int:
    return len(re.findall(r"(?<!\\)\|", row))


def assert_markdown_inert(text: str) -> None:
    assert not _MD_LINK_RE.search(text), "an unescaped Markdown link"
    assert not _MD_AUTOLINK_RE.search(text), "an autolink"
    assert "<script" not in text.lower()
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("|-"):
            columns = _pipes(line)  # a table's head: every row of it has as many pipes
            for row in lines[i + 1 :]:
                if not row.startswith("|"):
                    break
                assert _pipes(row) == columns, f"a row of {columns - 1} columns: {row!r}"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend(attrs)


#: The elements the HTML report is made of; anything else came from a log.
HTML_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "section", "h1",
    "h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "span", "div",
    "svg", "rect", "text", "g", "line", "small", "strong", "em", "footer", "abbr",
    "details", "summary", "caption", "col", "colgroup", "figure", "figcaption", "br", "b",
    "polyline", "path", "circle", "dl", "dt", "dd", "ol", "nav", "a", "time", "tfoot",
}  # fmt: skip


def assert_html_inert(text: str) -> None:
    parser = _Tags()
    parser.feed(text)
    assert parser.tags <= HTML_TAGS, parser.tags - HTML_TAGS
    for name, value in parser.attributes:
        assert not name.startswith("on"), name
        assert "javascript:" not in (value or "").lower()


def _no_constants(name: str) -> object:
    raise AssertionError(f"JSON holds {name}")


def check_report(db: str, day: date = DAY, now: float = NOW, config: Config = CONFIG) -> None:
    """Every format of the day's report, with the calls, over what got stored."""
    with Store(db) as store:
        report = build_report(store, config, day, with_calls=True, now=now)
    for fmt in REPORT_FORMATS:
        text = render(report, fmt)
        if fmt in ("text", "markdown"):
            assert_no_controls(text, fmt)
        if fmt == "csv":
            assert_csv_inert(text)
        elif fmt == "markdown":
            assert_markdown_inert(text)
        elif fmt == "html":
            assert_html_inert(text)
        elif fmt == "json":
            json.loads(text, parse_constant=_no_constants)


def run(fmt: str, log: tuple[bytes, list[Valid], int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db, _summary = check_ingest(Path(tmp), fmt, log)
        check_report(db)


@SETTINGS
@given(log=logs("csv"))
def test_hostile_csv(log: tuple[bytes, list[Valid], int]) -> None:
    run("csv", log)


@SETTINGS
@given(log=logs("jsonl"))
def test_hostile_jsonl(log: tuple[bytes, list[Valid], int]) -> None:
    run("jsonl", log)


@SETTINGS
@given(log=logs("queue_log"))
def test_hostile_queue_log(log: tuple[bytes, list[Valid], int]) -> None:
    run("queue_log", log)


@SETTINGS
@given(log=logs("cdr"))
def test_hostile_cdr(log: tuple[bytes, list[Valid], int]) -> None:
    run("cdr", log)


@SETTINGS
@given(log=logs("mapped"))
def test_hostile_mapped(log: tuple[bytes, list[Valid], int]) -> None:
    run("mapped", log)


# -- what hypothesis found, kept as examples -------------------------------------------------------
PLAIN = dict.fromkeys(("queue", "agent", "caller", "category", "outcome", "note"), "x")
VALID = {
    "csv": valid_csv,
    "mapped": valid_mapped,
    "cdr": valid_cdr,
    "queue_log": valid_queue_log,
    "jsonl": lambda n, text: valid_jsonl(n, text, "raw"),
}
HEADERS = {"csv": CSV_HEADER + "\n", "mapped": MAPPED_HEADER + "\n"}


def example(
    tmp_path: Path, fmt: str, lines: list[bytes], valid: list[Valid]
) -> tuple[Store, IngestSummary]:
    """Ingest an example log with the checks of the property tests; its store and summary."""
    data = HEADERS.get(fmt, "").encode() + b"".join(line + b"\n" for line in lines)
    lines_read = sum(1 for x in data.split(b"\n") if x.strip())
    _db, summary = check_ingest(tmp_path, fmt, (data, valid, lines_read))
    return Store(str(tmp_path / "cw.db")), summary


@pytest.mark.parametrize("fmt", ["csv", "mapped", "cdr"])
def test_a_carriage_return_inside_a_csv_cell_keeps_its_call(tmp_path: Path, fmt: str) -> None:
    """A lone CR in an unquoted cell (the csv module refuses one) is a blank, as a text field
    shows it anyway; the call is not lost as "malformed"."""
    call = VALID[fmt](0, {**PLAIN, "note": "a\rb", "agent": "op\r1"})
    store, _summary = example(tmp_path, fmt, call.lines, [call])
    with store:
        (stored,) = store.find_calls("ok-0")
        assert stored.agent == ("SIP/op 1" if fmt == "cdr" else "op 1")


@pytest.mark.parametrize("fmt", ["csv", "mapped", "cdr"])
@pytest.mark.parametrize("closes", [True, False])
def test_a_stray_quote_loses_none_of_the_calls_after_it(
    tmp_path: Path, fmt: str, closes: bool
) -> None:
    """A line that opens a quoted field it does not close is skipped at its line; the valid
    rows after it are read on their own, whether a later quote closes the field (into no
    record) or nothing does before the end of the file (they are not left for later)."""
    calls = [VALID[fmt](n, PLAIN) for n in range(2)]
    lines = [b'"', *calls[0].lines, *calls[1].lines]
    if closes:
        lines.append(b'x"')
    store, summary = example(tmp_path, fmt, lines, calls)
    with store:
        assert store.count_calls() == 2
    first = len(HEADERS.get(fmt, "").splitlines()) + 1
    expected = [(first, "malformed")] + ([(first + 3, "malformed")] if closes else [])
    assert [(n, reason) for _path, n, reason in summary.last_skipped] == expected
    assert summary.incomplete == 0


@pytest.mark.parametrize("fmt", sorted(VALID))
@pytest.mark.parametrize("note", ["a\x00b", '"\x00"'])
def test_a_nul_byte_inside_a_field_keeps_its_line(tmp_path: Path, fmt: str, note: str) -> None:
    """A NUL inside a field is dropped and the line read whole (counted as repaired), where
    before only what followed the NUL was read as the line and the call was lost."""
    call = VALID[fmt](0, {**PLAIN, "caller": note})
    store, _summary = example(tmp_path, fmt, call.lines, [call])
    with store:
        (stored,) = store.find_calls("ok-0")
        assert "\x00" not in (stored.caller or "")
        (position,) = store.positions()
        assert json.loads(position["bad_by_reason"]) == {"repaired: NUL bytes": 1}


# -- a database another program wrote -------------------------------------------------------------
#: Any text at all, as another program (or an operator) may write it into the shared database:
#: no parser cleaned it.
raw_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=24))


@st.composite
def raw_calls(draw: st.DrawFn) -> list[CallUpdate]:
    calls = []
    for n in range(draw(st.integers(1, 4))):
        start = T0 + 60 * n
        fields: dict[str, object] = {
            "started_at": float(start),
            "answered_at": float(start + 10),
            "ended_at": float(start + 100),
            "talk_seconds": 90.0,
            "wait_seconds": 10.0,
            "direction": "in",
            "resolved": draw(st.sampled_from([True, False, None])),
        }
        for key in ("queue", "agent", "caller", "category", "outcome", "note"):
            fields[key] = draw(raw_text)
        calls.append(CallUpdate(draw(st.sampled_from([f"ok-{n}", *HOSTILE[:12]])), fields))
    return calls


@SETTINGS
@given(calls=raw_calls(), titles=st.lists(raw_text, max_size=3))
def test_a_report_over_text_no_parser_cleaned(calls: list[CallUpdate], titles: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "cw.db")
        with Store(db) as store:
            store.ingest("other", list(enumerate(calls, 1)))
            for title in titles:
                store.open_issue(title, title, category=title, now=T0)
        check_report(db)


@pytest.mark.parametrize("control", ["\t", "\x1b[2J", "\r", "\x07", "\x00"])
def test_a_control_character_written_raw_in_a_jsonl_string_keeps_its_call(
    tmp_path: Path, control: str
) -> None:
    """JSON wants control characters inside strings escaped; one written raw (a careless
    exporter) no longer loses the call as "malformed": the text is cleaned as in any format."""
    call = valid_jsonl(0, {**PLAIN, "note": f"a{control}b"}, "raw")
    assert control.encode() in call.lines[0]
    store, _summary = example(tmp_path, "jsonl", call.lines, [call])
    with store:
        (stored,) = store.find_calls("ok-0")
        assert stored.note in ("a b", "a[2Jb", "ab")


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "queue_log", "cdr"])
def test_the_command_line_takes_a_hostile_log_and_reports_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """``carewatch ingest`` (the format told from the content) then ``carewatch report
    --calls`` in every format: exit status 0, no traceback, every line counted, and nothing a
    terminal acts on in what they print."""
    from carewatch.cli import main

    # valid calls first, the most of the first lines: the format is told from them
    calls = [VALID[fmt](n, dict.fromkeys(PLAIN, NAMED[n % len(NAMED)])) for n in range(8)]
    hostile = [text.encode("utf-8", "surrogatepass") for text in HOSTILE if "\n" not in text]
    lines = [line for call in calls for line in call.lines] + hostile
    log = tmp_path / f"calls.{fmt}"
    log.write_bytes(HEADERS.get(fmt, "").encode() + b"".join(x + b"\n" for x in lines))
    db = ["--db", str(tmp_path / "cw.db"), "--lang", "en"]
    env = ["--config", str(tmp_path / "none.toml")]
    (tmp_path / "none.toml").write_text(f'timezone = "{TZ}"\n')
    assert main(["ingest", str(log), *db, *env]) == 0
    told = capsys.readouterr()
    assert f"{len(calls)} calls added" in told.out, told
    for report_format in REPORT_FORMATS:
        argv = ["report", "--date", DAY.isoformat(), "--calls", "--format", report_format]
        assert main([*argv, *db, *env]) == 0
        told = capsys.readouterr()
        assert "Traceback" not in told.err and told.out
        if report_format != "csv":
            assert_no_controls(told.out, report_format)


#: Names the command-line test gives its valid calls, one a call.
NAMED = [
    "[bold red]x[/]",
    "\x1b]8;;https://evil.example/\x1b\\a\x1b]8;;\x1b\\",
    "\u202eevil",
    "=1+1",
]
