"""Asterisk CDR files: ``cdr_csv``'s ``Master.csv`` and the common ``cdr_custom`` layout.

No header; one quoted CSV row is one **leg** of a call (Asterisk 12 and later write one
row per dialled leg, all with the call's ``linkedid``). Two column layouts:

- ``cdr_csv`` (16 to 21 columns): accountcode, src, dst, dcontext, clid, channel,
  dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition,
  amaflags [, uniqueid] [, userfield] [, peeraccount, linkedid, sequence] — the
  optional columns follow the ``loguniqueid``, ``loguserfield`` and ``newcdrcolumns``
  options of ``cdr.conf``/``cdr_csv``.
- ``cdr_custom`` (the mapping in Asterisk's ``cdr_custom.conf`` sample, 13 columns or
  more): clid, src, dst, dcontext, channel, dstchannel, lastapp, lastdata, start, answer,
  end, duration, billsec [, disposition, amaflags, accountcode, uniqueid, userfield ...];
  a row without disposition is ANSWERED when it has an answer time, else NO ANSWER.

The layout is told per row from where the date-time columns are: start/answer/end in
columns 10–12 (``cdr_csv``) or 9–11 (``cdr_custom``), answer possibly empty.
Times ``YYYY-MM-DD HH:MM:SS`` are local time in the configured timezone (``cdr_csv``
writes local time unless ``usegmtime`` is set; then configure the timezone as UTC).

Each row gives one :class:`~carewatch.records.CdrLeg`:

- ``call_key``: the ``linkedid`` (column 20 of a 21-column row), else the uniqueid
  (column 17 of an 18- or 21-column ``cdr_csv`` row, or of a 17/19/20-column row when
  it has the form of a uniqueid; column 17 of ``cdr_custom``), else a stable hash of
  start, src, dst and channel;
- ``leg_key``: a hash of the whole row (the same row read twice is one leg);
- ``fields``: start, answer (``None`` when empty), end (epoch seconds), billsec (only
  when answered), the disposition as written (ANSWERED, NO ANSWER, BUSY, FAILED,
  CONGESTION), channel, dstchannel, lastapp, ``agent`` = dstchannel without its channel
  suffix (``SIP/1001-0000abcd`` -> ``SIP/1001``), ``caller`` = src, else the number in
  clid (``"Name" <123>`` -> ``123``), ``queue`` = first argument of lastdata when
  lastapp is ``Queue``, ``direction`` (``out`` when dcontext looks outbound: it starts
  with ``from-internal``, or contains ``outbound``, ``outgoing``, ``outrt`` or
  ``dialout``, or has ``out`` as a word of its own), ``sequence``.

The call is derived from all its legs by :func:`carewatch.sources.cdr_call.call_from_legs`.

Reasons raised: ``malformed`` (bad CSV, too few columns, no date-time columns where
either layout has them, a number that is not one), ``bad timestamp``,
``bad disposition``.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from carewatch.records import BadLine, CdrLeg, Record
from carewatch.sources.base import IncompleteRecord, Parser, clean_text
from carewatch.timeutil import parse_timestamp

_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$")
_EPOCH_RE = re.compile(r"^\d{9,11}(\.\d+)?$")
_NUMBER_RE = re.compile(r"^\d+(\.\d+)?$")
#: An Asterisk uniqueid: ``1366720340.303267``, optionally ``systemname-`` first.
_UNIQUEID_RE = re.compile(r"^([\w.-]+-)?\d{9,11}\.\d+$")
_CHANNEL_SUFFIX_RE = re.compile(r"-[0-9a-fA-F]+(;\d+)?$")
_CLID_NUMBER_RE = re.compile(r"<([^<>]*)>")
_PLAIN_NUMBER_RE = re.compile(r"^\+?[\d*#]+$")
_OUT_WORD_RE = re.compile(r"(^|[^a-z])out([^a-z]|$)")
_OUT_MARKERS = ("outbound", "outgoing", "outrt", "dialout")

#: The dispositions Asterisk writes.
_DISPOSITIONS = frozenset({"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"})


@dataclass(frozen=True, slots=True)
class _Layout:
    """Column positions of one CDR layout."""

    name: str
    min_columns: int
    src: int
    dst: int
    dcontext: int
    clid: int
    channel: int
    dstchannel: int
    lastapp: int
    lastdata: int
    start: int
    answer: int
    end: int
    billsec: int
    disposition: int
    uniqueid: int


CDR_CSV = _Layout(
    name="cdr_csv",
    min_columns=16,
    src=1,
    dst=2,
    dcontext=3,
    clid=4,
    channel=5,
    dstchannel=6,
    lastapp=7,
    lastdata=8,
    start=9,
    answer=10,
    end=11,
    billsec=13,
    disposition=14,
    uniqueid=16,
)
CDR_CUSTOM = _Layout(
    name="cdr_custom",
    min_columns=13,
    clid=0,
    src=1,
    dst=2,
    dcontext=3,
    channel=4,
    dstchannel=5,
    lastapp=6,
    lastdata=7,
    start=8,
    answer=9,
    end=10,
    billsec=12,
    disposition=13,
    uniqueid=16,
)


class CdrParser(Parser):
    """Parser for Asterisk ``Master.csv`` rows (``cdr_csv`` or ``cdr_custom`` layout)."""

    format: ClassVar[str] = "cdr"

    def parse_line(self, line: str, line_no: int) -> list[Record]:
        """One CDR row -> one :class:`CdrLeg` of its call, or BadLine."""
        row = split_row(line)
        layout = detect_layout(row)
        if layout is None:
            raise BadLine(
                "malformed",
                f"{len(row)} columns, no start/end date-time where cdr_csv or cdr_custom has them",
            )
        start_text = row[layout.start].strip()
        started_at = self._time(start_text)
        answer_text = row[layout.answer].strip()
        answered_at = self._time(answer_text) if answer_text else None
        ended_at = self._time(row[layout.end].strip())

        if len(row) > layout.disposition:
            raw_disposition = row[layout.disposition].strip().upper()
            if raw_disposition not in _DISPOSITIONS:
                raise BadLine("bad disposition", clean_text(raw_disposition) or "")
        else:  # a short cdr_custom row: no disposition column
            raw_disposition = "ANSWERED" if answered_at is not None else "NO ANSWER"
        billsec = row[layout.billsec].strip() if len(row) > layout.billsec else ""
        if billsec and not _NUMBER_RE.match(billsec):
            raise BadLine("malformed", f"billsec is not a number: {clean_text(billsec)!r}")
        dstchannel = clean_text(row[layout.dstchannel])
        src = row[layout.src]
        fields: dict[str, Any] = {
            "start": started_at,
            "answer": answered_at,
            "end": ended_at,
            "billsec": float(billsec) if billsec and answered_at is not None else None,
            "disposition": raw_disposition,
            "channel": clean_text(row[layout.channel]),
            "dstchannel": dstchannel,
            "lastapp": clean_text(row[layout.lastapp]),
            "agent": agent_from_channel(dstchannel or ""),
            "caller": clean_text(src) or caller_from_clid(row[layout.clid]),
            "queue": queue_from_app(row[layout.lastapp], row[layout.lastdata]),
            "direction": direction_of(row[layout.dcontext]),
            "sequence": _sequence(row, layout),
        }
        uniqueid = _uniqueid(row, layout)
        call_key = (
            _linkedid(row, layout)
            or uniqueid
            or stable_call_id(
                start_text, src.strip(), row[layout.dst].strip(), row[layout.channel].strip()
            )
        )
        leg_key = hashlib.sha1("\x1f".join(row).encode("utf-8")).hexdigest()[:20]
        return [CdrLeg(call_key, leg_key, fields)]

    def _time(self, value: str) -> float:
        try:
            return parse_timestamp(value, self.tz)
        except ValueError:
            raise BadLine("bad timestamp", clean_text(value) or "") from None


def split_row(line: str) -> list[str]:
    """One CSV line -> its columns (double-quoted fields, ``""`` for a quote), or BadLine.
    A lone carriage return in it is a blank (:func:`carewatch.sources.csvjson.split_csv`)."""
    try:
        rows = list(csv.reader([line.replace("\r", " ")], strict=True))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise IncompleteRecord() from None
        raise BadLine("malformed", f"bad CSV: {exc}") from None
    if len(rows) != 1:
        raise BadLine("malformed", "not one CSV row")
    return rows[0]


def _is_time(value: str) -> bool:
    text = value.strip()
    return bool(_DATETIME_RE.match(text) or _EPOCH_RE.match(text))


def _fits(row: list[str], layout: _Layout) -> bool:
    if len(row) < layout.min_columns:
        return False
    answer = row[layout.answer].strip()
    return (
        _is_time(row[layout.start])
        and _is_time(row[layout.end])
        and (not answer or _is_time(answer))
    )


def detect_layout(row: list[str]) -> _Layout | None:
    """Which layout a row has (``CDR_CSV`` or ``CDR_CUSTOM``), from its date-time columns."""
    if _fits(row, CDR_CSV):
        return CDR_CSV
    if _fits(row, CDR_CUSTOM):
        return CDR_CUSTOM
    return None


def _uniqueid(row: list[str], layout: _Layout) -> str | None:
    if len(row) <= layout.uniqueid:
        return None
    value = clean_text(row[layout.uniqueid])
    if value is None:
        return None
    if layout is CDR_CSV and len(row) not in (18, 21) and not _UNIQUEID_RE.match(value):
        # 17, 19 or 20 columns: column 17 may be userfield or peeraccount instead.
        return None
    return value


def _linkedid(row: list[str], layout: _Layout) -> str | None:
    """The ``linkedid`` of a ``cdr_csv`` row with the ``newcdrcolumns`` (21 columns, or 20
    without userfield), when it has the form of a uniqueid."""
    if layout is not CDR_CSV or len(row) not in (20, 21):
        return None
    value = clean_text(row[len(row) - 2])
    if value is None or not _UNIQUEID_RE.match(value):
        return None
    return value


def _sequence(row: list[str], layout: _Layout) -> int:
    """The ``sequence`` column of a 20- or 21-column ``cdr_csv`` row, else 0."""
    if layout is not CDR_CSV or len(row) not in (20, 21):
        return 0
    value = row[-1].strip()
    return int(value) if value.isdigit() else 0


def stable_call_id(start: str, src: str, dst: str, channel: str) -> str:
    """A call id for a row without uniqueid: the same row always gives the same id."""
    digest = hashlib.sha1(f"{start}|{src}|{dst}|{channel}".encode()).hexdigest()
    return f"cdr-{digest[:20]}"


def caller_from_clid(clid: str) -> str | None:
    """The number in a caller id: ``"Name" <123>`` -> ``123``; a bare number as is."""
    match = _CLID_NUMBER_RE.search(clid)
    if match:
        return clean_text(match.group(1))
    text = clid.strip()
    if _PLAIN_NUMBER_RE.match(text):
        return text
    return None


def agent_from_channel(channel: str) -> str | None:
    """The device of a channel name: ``SIP/1001-0000abcd`` -> ``SIP/1001``; empty -> None."""
    text = clean_text(channel)
    if text is None:
        return None
    return _CHANNEL_SUFFIX_RE.sub("", text) or text


def queue_from_app(lastapp: str, lastdata: str) -> str | None:
    """The queue name when the last application was ``Queue`` (its first argument)."""
    if lastapp.strip().lower() != "queue":
        return None
    first = re.split(r"[,|]", lastdata, maxsplit=1)[0]
    return clean_text(first)


def direction_of(dcontext: str) -> str:
    """``out`` when the destination context looks outbound (see the module doc), else ``in``."""
    context = dcontext.strip().lower()
    if context.startswith("from-internal"):
        return "out"
    if any(marker in context for marker in _OUT_MARKERS):
        return "out"
    if _OUT_WORD_RE.search(context):
        return "out"
    return "in"


def looks_like_cdr(lines: list[str], sample: int = 10) -> bool:
    """Whether the first non-blank lines of a file are Asterisk CDR rows (format detection).

    Looks at up to ``sample`` non-blank lines; true when more than half of them are CSV
    rows with the date-time columns of ``cdr_csv`` or ``cdr_custom``.
    """
    picked = [line for line in lines if line.strip()][:sample]
    if not picked:
        return False
    hits = 0
    for line in picked:
        try:
            row = split_row(line)
        except BadLine:
            continue
        if detect_layout(row) is not None:
            hits += 1
    return hits * 2 > len(picked)
