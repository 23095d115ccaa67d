"""The parser interface every log format implements, and line decoding shared by all."""

from __future__ import annotations

import codecs
import re
from abc import ABC, abstractmethod
from datetime import tzinfo
from typing import ClassVar

from carewatch.records import BadLine, Record

#: Lines longer than this are skipped as ``line too long`` (a 1 MB line is not a call).
MAX_LINE_BYTES = 64 * 1024


#: ``str.translate`` table of what :func:`clean_text` removes: C0 controls and DEL, but the
#: blanks among them (tab, line breaks, form feed), which become a space: ``"Tab\there"`` is
#: two words, not ``"Tabhere"``.
_DELETE_CONTROLS: dict[int, str | None] = {
    **dict.fromkeys([*range(32), 127]),
    **dict.fromkeys(map(ord, "\t\n\v\f\r"), " "),
}
_SPACES = re.compile(" {2,}")


class IncompleteRecord(BadLine):
    """The line ends inside a quoted field: the record goes on in the next line (a CSV
    note with a newline). The reader joins the next line and parses again; a record that
    never closes is counted as ``malformed``."""

    def __init__(self) -> None:
        super().__init__("malformed", "a quoted field is not closed")


#: Repairs a line can get (counted, the line is read): text that did not decode in the
#: source's encoding (replaced by U+FFFD), and NUL bytes a crash left before the line.
REPAIR_NUL = "NUL bytes"


def repair_label(encoding: str) -> str:
    """The repair counted for bytes not valid in ``encoding``: ``invalid UTF-8``,
    ``invalid cp1251``."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        name = encoding
    return "invalid UTF-8" if name == "utf-8" else f"invalid {name}"


def decode_raw(raw: bytes, encoding: str = "utf-8") -> tuple[str, list[str]]:
    """Bytes of one line (without its newline) -> its text and the repairs it needed.

    Strips a trailing ``\\r`` and a byte-order mark. Bytes not valid in ``encoding`` are
    replaced (U+FFFD) and the line is read: one byte of a caller's name never loses a
    call. NUL bytes (crash debris) are dropped; when they split the line, what follows
    the last of them is the line (the bytes before were cut off by the crash). Raises
    :class:`BadLine` for a line over :data:`MAX_LINE_BYTES` and for one made of NUL bytes
    only.
    """
    if len(raw) > MAX_LINE_BYTES:
        raise BadLine("line too long", f"{len(raw)} bytes")
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    repairs: list[str] = []
    if b"\x00" in raw:
        pieces = [piece for piece in raw.split(b"\x00") if piece.strip()]
        if not pieces:
            raise BadLine(REPAIR_NUL, "only NUL bytes")
        raw = pieces[-1]
        repairs.append(REPAIR_NUL)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        text = raw.decode(encoding, errors="replace")
        repairs.append(repair_label(encoding))
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, repairs


def decode_line(raw: bytes, line_no: int = 0, encoding: str = "utf-8") -> str:
    """The text of one line (:func:`decode_raw` without the list of repairs)."""
    return decode_raw(raw, encoding)[0]


def clean_text(value: str | None) -> str | None:
    """A text field from a log: control characters removed, a run of tabs and line breaks
    one space, surrounding blanks trimmed.

    Returns ``None`` for an empty value. Markup is left alone: the screen escapes it.
    """
    if value is None:
        return None
    # A printable string holds no control character (they are all non-printable): the
    # common case skips the translate. Either way, only code points < 32 and 127 go.
    if not value.isprintable():
        blanks = any(ch in value for ch in "\t\n\v\f\r")
        value = value.translate(_DELETE_CONTROLS)
        if blanks:
            value = _SPACES.sub(" ", value)
    return value.strip() or None


class Parser(ABC):
    """Turns the lines of one log file into records.

    A parser may keep state within one file (the CSV header). ``has_header``: the
    first line of the file is a header that :meth:`read_header` must see before any
    other line, also when reading resumes in the middle of the file.
    """

    format: ClassVar[str]
    has_header: ClassVar[bool] = False

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz

    def read_header(self, line: str) -> None:  # noqa: B027 - optional hook, overridden by header formats
        """Take the header line. Raise :class:`BadLine` when it is not a usable header."""

    @abstractmethod
    def parse_line(self, line: str, line_no: int) -> list[Record]:
        """One decoded line (no newline) -> records. Raise :class:`BadLine` to skip it.

        Blank lines are never passed in.
        """
