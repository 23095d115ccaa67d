"""Lines of a file -> records: decoding, repairs, headers and records that span lines
(:class:`BatchParser`), the part of a :class:`~carewatch.sources.reader.LogReader` that
knows nothing of files and databases.

* Each line is decoded in the source's encoding (:func:`~carewatch.sources.base.decode_raw`):
  text that does not decode is replaced and the line is read, counted as *repaired*
  (``invalid UTF-8``), as is a line NUL bytes were dropped from (``NUL bytes``).
* A parser with ``has_header`` gets the first non-blank line through ``read_header``.
* A line ending inside a quoted field (:class:`~carewatch.sources.base.IncompleteRecord`)
  is joined with the next lines until the record closes: a CSV note with a newline keeps
  its call. A record that does not close within :data:`MAX_RECORD_LINES` lines or
  :data:`~carewatch.sources.base.MAX_LINE_BYTES` bytes, that closes into no record, or that
  would take in a line that is a record on its own (a stray ``"`` before valid rows), is
  skipped at its first line (``malformed``, or why it is no record), and reading goes on with
  the next line: a stray quote never loses the calls after it. When a batch ends inside a
  record, :attr:`Parsed.cut` says where: the reader commits the lines before it only, so a
  record is always committed whole and a restart never begins inside one.
* Every record is checked against physical sense (:func:`carewatch.bounds.check_records`):
  a line with a value outside it (a talk time of ``1e308``, a start in 1970 or next year)
  is skipped as a ``bad value``, whatever its format.
"""

from __future__ import annotations

import codecs
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from carewatch.bounds import FUTURE_SLACK, check_records
from carewatch.records import BadLine, Record
from carewatch.sources.base import (
    MAX_LINE_BYTES,
    REPAIR_NUL,
    IncompleteRecord,
    Parser,
    decode_raw,
)
from carewatch.sources.lines import RawLine

#: Reason recorded when a parser fails with something other than ``BadLine`` (a bug in
#: the parser must not stop the reading of a file).
PARSER_ERROR = "parser error"
LINE_TOO_LONG = "line too long"
#: A quoted field may span at most this many lines.
MAX_RECORD_LINES = 100
_NO_REPAIRS: list[str] = []


@dataclass
class Parsed:
    """What some lines gave: records and skipped and repaired lines, each with its line
    number; ``read`` lines counted; ``cut``: index of the first line of a record the
    lines end inside (not parsed: read it again with the lines after it), else ``None``."""

    records: list[tuple[int, Record]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    repaired: list[tuple[int, str]] = field(default_factory=list)
    read: int = 0
    cut: int | None = None


class BatchParser:
    """Parses the lines of one file with one parser, in one encoding; ``clock`` tells the
    time a line's times may not be a day later than."""

    def __init__(
        self, parser: Parser, encoding: str = "utf-8", clock: Callable[[], float] = time.time
    ) -> None:
        self.parser = parser
        self.encoding = encoding
        self.clock = clock
        self.header_pending = parser.has_header
        self._latest = 0.0
        try:
            self._utf8 = codecs.lookup(encoding).name == "utf-8"
        except LookupError:
            self._utf8 = False

    def _records(self, text: str, line_no: int) -> list[Record]:
        if self.header_pending:
            self.header_pending = False
            try:
                self.parser.read_header(text)
            except IncompleteRecord:
                self.header_pending = True  # a header that goes on in the next line
                raise
            return []
        records = self.parser.parse_line(text, line_no)
        check_records(records, self._latest)
        return records

    def parse(self, lines: list[RawLine], *, complete: bool) -> Parsed:
        """Records of ``lines``. ``complete``: nothing follows them (the file is read to
        its end for good), so a record still open at the end is ``malformed``."""
        out = Parsed()
        latest = self._latest = self.clock() + FUTURE_SLACK
        parse_line = self.parser.parse_line
        plain = self._utf8  # a line of plain ASCII start, no NUL, no CR decodes as it is
        add = out.records.append
        i, end = 0, len(lines)
        while i < end:
            raw = lines[i]
            data = raw.data
            if data is None:
                out.read += 1
                self.header_pending = False
                out.skipped.append((raw.line_no, LINE_TOO_LONG))
                i += 1
                continue
            text: str | None = None
            repairs: list[str] = _NO_REPAIRS
            if (
                plain
                and 32 < (data[0] if data else 0) < 128  # not blank, no byte-order mark
                and data[-1] != 13
                and b"\x00" not in data
                and len(data) <= MAX_LINE_BYTES
            ):
                try:
                    text = data.decode()  # what decode_raw gives such a line, unrepaired
                except UnicodeDecodeError:
                    text = None  # decode_raw repairs it
            if text is None and not data.strip():
                i += 1  # blank line: skipped silently
                continue
            out.read += 1
            header = self.header_pending
            try:
                if text is None:
                    text, repairs = decode_raw(data, self.encoding)
                if header:
                    records = self._records(text, raw.line_no)
                else:
                    records = parse_line(text, raw.line_no)
                    check_records(records, latest)
            except BadLine as exc:
                whole = None
                if REPAIR_NUL in repairs:  # a NUL inside a field, not a crash's debris?
                    whole = self._nul_inside(data, raw.line_no, header)
                if whole is not None:
                    records, repairs = whole
                elif isinstance(exc, IncompleteRecord):
                    step = self._join(lines, i, complete, out)
                    if step is None:
                        out.read -= 1
                        out.cut = i
                        return out
                    i = step
                    continue
                else:
                    out.skipped.append((raw.line_no, exc.reason))
                    i += 1
                    continue
            except Exception:  # a parser bug must not stop the file: count the line
                out.skipped.append((raw.line_no, PARSER_ERROR))
                i += 1
                continue
            if repairs:
                out.repaired.extend((raw.line_no, repair) for repair in repairs)
            if len(records) == 1:
                add((raw.line_no, records[0]))
            else:
                out.records.extend((raw.line_no, record) for record in records)
            i += 1
        return out

    def _nul_inside(
        self, data: bytes, line_no: int, header: bool
    ) -> tuple[list[Record], list[str]] | None:
        """A line with NUL bytes whose text after the last of them is no record (what a crash
        leaves before a line), read whole with its NUL bytes dropped: a NUL inside a field loses
        nothing else of its line. Its records and repairs, or ``None`` when it is no record
        either."""
        try:
            text, repairs = decode_raw(data.replace(b"\x00", b""), self.encoding)
            if header:
                self.parser.read_header(text)
                self.header_pending = False
                return [], [REPAIR_NUL, *repairs]
            records = self.parser.parse_line(text, line_no)
            check_records(records, self._latest)
        except Exception:  # BadLine, IncompleteRecord, a parser's bug: the line is skipped
            return None
        return records, [REPAIR_NUL, *repairs]

    def _join(self, lines: list[RawLine], first: int, complete: bool, out: Parsed) -> int | None:
        """Join the lines of a record opened at ``lines[first]``; returns the index after
        it, or ``None`` when ``lines`` end inside it (and more may come)."""
        line_no = lines[first].line_no
        texts: list[str] = []
        repairs: list[str] = []
        size = 0
        j = first
        while True:
            if j >= len(lines):
                if not complete:
                    return None
                break  # the file ends inside the record
            raw = lines[j]
            if raw.data is None or j - first >= MAX_RECORD_LINES:
                break
            size += len(raw.data) + 1
            if size > MAX_LINE_BYTES:
                break
            try:
                text, more = decode_raw(raw.data, self.encoding) if raw.data.strip() else ("", [])
            except BadLine:
                text, more = "", []
            if texts and self._is_record(text, raw.line_no):
                break  # a record of its own, not the rest of this one
            texts.append(text)
            repairs.extend(more)
            j += 1
            if len(texts) == 1:
                continue
            try:
                records = self._records("\n".join(texts), line_no)
            except IncompleteRecord:
                continue
            except BadLine as exc:
                # closed into no record: the first line is skipped, the others read again
                out.skipped.append((line_no, exc.reason))
                return first + 1
            except Exception:
                out.skipped.append((line_no, PARSER_ERROR))
                return first + 1
            out.records.extend((line_no, record) for record in records)
            out.repaired.extend((line_no, repair) for repair in repairs)
            out.read += sum(1 for raw in lines[first + 1 : j] if raw.data and raw.data.strip())
            return j
        # never closed: the first line is malformed; the lines after it are read again
        out.skipped.append((line_no, IncompleteRecord().reason))
        return first + 1

    def _is_record(self, text: str, line_no: int) -> bool:
        """Whether a line read on its own is a whole record with calls in it (then it is
        no continuation of a record a stray quote opened before it)."""
        if self.header_pending or not text.strip():
            return False
        try:
            records = self.parser.parse_line(text, line_no)
            check_records(records, self._latest)
        except Exception:  # BadLine, IncompleteRecord, a parser's bug: not a record
            return False
        return bool(records)
