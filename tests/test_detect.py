"""Format detection from a file's first bytes, and the parser factory."""

from __future__ import annotations

from pathlib import Path

import pytest

from carewatch.config import Config, check_encoding, load_config, parse_config
from carewatch.sources.csvjson import CsvParser, JsonlParser
from carewatch.sources.mapped import MappedParser
from carewatch.sources.registry import FORMATS, detect_format, make_parser

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).parent.parent / "config" / "examples"

PLAIN = parse_config({"timezone": "Europe/Rome"})

JSONL = (
    b'{"call_id": "c1", "started_at": "2024-07-01T10:00:00", "queue": "support"}\n'
    b'{"call_id": "c1", "answered_at": "2024-07-01T10:00:20"}\n'
)
CSV = (
    b"call_id,started_at,agent,category\r\n"
    b"c1,2024-07-01T10:00:00,op1,shipping\r\n"
    b"c2,2024-07-01T10:01:00,op2,order\r\n"
)
QUEUE_LOG = (
    b"1719820800|NONE|NONE|NONE|QUEUESTART|\n"
    b"1719820860|1719820860.12|support|NONE|ENTERQUEUE||0612345678|1\n"
    b"1719820870|1719820860.12|support|SIP/201|CONNECT|10|1719820865.13|4\n"
    b"1719820990|1719820860.12|support|SIP/201|COMPLETECALLER|10|120|1\n"
)
CDR_CSV = (
    b'"","0612345678","200","from-external","""Caller"" <0612345678>","SIP/trunk-00000001",'
    b'"SIP/201-00000002","Dial","SIP/201,30","2024-07-01 10:00:00","2024-07-01 10:00:05",'
    b'"2024-07-01 10:02:05",125,120,"ANSWERED","DOCUMENTATION","1719820800.1",""\n'
    b'"","0698765432","200","from-external","""Caller"" <0698765432>","SIP/trunk-00000003",'
    b'"SIP/202-00000004","Dial","SIP/202,30","2024-07-01 10:05:00","",'
    b'"2024-07-01 10:05:30",30,0,"NO ANSWER","DOCUMENTATION","1719821100.3",""\n'
)
CDR_CUSTOM = (
    b'"""Caller"" <0612345678>","0612345678","200","from-external","SIP/trunk-00000001",'
    b'"SIP/201-00000002","Dial","SIP/201,30","2024-07-01 10:00:00","2024-07-01 10:00:05",'
    b'"2024-07-01 10:02:05","125","120","ANSWERED","DOCUMENTATION","","1719820800.1","","1"\n'
)


def test_formats() -> None:
    assert FORMATS == ("csv", "jsonl", "queue_log", "cdr", "mapped")


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (JSONL, "jsonl"),
        (b"\xef\xbb\xbf" + JSONL, "jsonl"),
        (b"\n\n" + JSONL, "jsonl"),
        (CSV, "csv"),
        (b"\xef\xbb\xbf" + CSV, "csv"),
        (b"Call_ID,Agent,Started_At\n", "csv"),  # a header alone: a file just started
        (QUEUE_LOG, "queue_log"),
        (CDR_CSV, "cdr"),
        (CDR_CUSTOM, "cdr"),
    ],
)
def test_detects_each_format(head: bytes, fmt: str) -> None:
    assert detect_format(head, PLAIN, "calls.log") == fmt


def test_a_head_cut_in_the_middle_of_a_line() -> None:
    cut = JSONL + b'{"call_id": "c2", "start'
    assert detect_format(cut, PLAIN) == "jsonl"
    assert detect_format(QUEUE_LOG + b"17198210", PLAIN) == "queue_log"


@pytest.mark.parametrize(
    ("config_name", "data_name"),
    [
        ("telecom-call-centre.toml", "telecom-call-centre-2021-q1.csv"),
        ("anonymous-bank.toml", "anonymous-bank-2010-08-01.csv"),
    ],
)
def test_detects_the_mapped_exports_with_their_config(config_name: str, data_name: str) -> None:
    head = (DATA / data_name).read_bytes()[:4096]
    assert detect_format(head, load_config(EXAMPLES / config_name)) == "mapped"
    with pytest.raises(ValueError, match="cannot tell the format"):
        detect_format(head, PLAIN, data_name)


def test_a_mapping_whose_columns_are_missing_is_not_detected() -> None:
    bank = load_config(EXAMPLES / "anonymous-bank.toml")
    telecom_head = (DATA / "telecom-call-centre-2021-q1.csv").read_bytes()[:4096]
    with pytest.raises(ValueError, match="cannot tell the format"):
        detect_format(telecom_head, bank)


@pytest.mark.parametrize(
    "head",
    [
        b"hello world\nthis is not a call log\n",
        b"call_id,agent\nc1,op1\n",  # carewatch CSV needs started_at in the header
        b"[1, 2, 3]\n",
        b"\x00\x01\x02\xff\xfe\n",
    ],
)
def test_unknown_content_asks_for_format(head: bytes) -> None:
    with pytest.raises(ValueError) as info:
        detect_format(head, PLAIN, "/var/log/odd.txt")
    assert str(info.value).startswith("cannot tell the format of /var/log/odd.txt; pass --format")


@pytest.mark.parametrize("head", [b"", b"\n\n  \n"])
def test_an_empty_file(head: bytes) -> None:
    with pytest.raises(ValueError, match=r"cannot tell the format of new\.csv: it is empty"):
        detect_format(head, PLAIN, "new.csv")


# -- make_parser -----------------------------------------------------------------------


def test_make_parser_for_carewatch_formats() -> None:
    csv_parser = make_parser("csv", PLAIN)
    assert isinstance(csv_parser, CsvParser)
    assert csv_parser.has_header
    assert csv_parser.tz == PLAIN.tz
    assert isinstance(make_parser("jsonl", PLAIN), JsonlParser)


def test_make_parser_for_asterisk_formats() -> None:
    queue_log = make_parser("queue_log", PLAIN)
    assert type(queue_log).__name__ == "QueueLogParser"
    assert queue_log.format == "queue_log"
    cdr = make_parser("cdr", PLAIN)
    assert type(cdr).__name__ == "CdrParser"
    assert cdr.format == "cdr"


def test_every_format_has_a_parser_named_after_it() -> None:
    cfg: Config = load_config(EXAMPLES / "telecom-call-centre.toml")
    for fmt in FORMATS:
        assert make_parser(fmt, cfg).format == fmt


def test_make_parser_mapped_needs_a_mapping() -> None:
    cfg = load_config(EXAMPLES / "anonymous-bank.toml")
    parser = make_parser("mapped", cfg)
    assert isinstance(parser, MappedParser)
    assert parser.mapping == cfg.mapping
    with pytest.raises(ValueError, match=r"needs a \[mapping\] section"):
        make_parser("mapped", PLAIN)


@pytest.mark.parametrize("fmt", ["auto", "xml", ""])
def test_make_parser_unknown_format(fmt: str) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        make_parser(fmt, PLAIN)


def test_parsers_are_fresh_for_each_file() -> None:
    first = make_parser("csv", PLAIN)
    second = make_parser("csv", PLAIN)
    assert first is not second
    first.read_header("call_id,started_at")
    assert isinstance(second, CsvParser) and second.columns is None


@pytest.mark.parametrize(
    ("codec", "name"),
    [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32")],
)
def test_a_utf16_or_utf32_file_is_told_to_be_converted(codec: str, name: str) -> None:
    # a Windows export saved as "Unicode text": its lines do not end with the byte \n alone
    head = CSV.decode("ascii").encode(codec)
    with pytest.raises(ValueError) as info:
        detect_format(head, PLAIN, "export.csv")
    assert str(info.value) == (
        f"export.csv is {name} text, which carewatch does not read: convert it to UTF-8 "
        f"first (iconv -f {name} -t UTF-8)"
    )


def test_nul_bytes_a_crash_left_are_not_taken_for_utf16() -> None:
    assert detect_format(b"\x00" * 300 + QUEUE_LOG, PLAIN) == "queue_log"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "cp500", "base64"])
def test_an_encoding_whose_line_ends_are_not_ascii_is_refused(encoding: str) -> None:
    # lines are split at the byte \n: such a source could never be read
    with pytest.raises(
        ValueError, match=f"such as 'utf-8', 'latin-1' or 'cp1252', not '{encoding}'"
    ):
        check_encoding(encoding)
    for fine in ("utf-8", "latin-1", "cp1252", "cp1251", "utf-8-sig"):
        assert check_encoding(fine) == fine
