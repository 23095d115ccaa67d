"""The parser interface every log format implements, and line decoding shared by all."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import tzinfo
from typing import ClassVar

from carewatch.records import BadLine, Record

#: Lines longer than this are skipped as ``line too long`` (a 1 MB line is not a call).
MAX_LINE_BYTES = 64 * 1024


#: ``str.translate`` table deleting what :func:`clean_text` removes: C0 controls and DEL.
_DELETE_CONTROLS = dict.fromkeys([*range(32), 127])


def decode_line(raw: bytes, line_no: int = 0) -> str:
    """Bytes of one line (without its newline) -> text, or :class:`BadLine`.

    Strips a trailing ``\\r`` and a UTF-8 byte-order mark on the first line. Rejects
    invalid UTF-8, NUL bytes and lines over :data:`MAX_LINE_BYTES`.
    """
    if len(raw) > MAX_LINE_BYTES:
        raise BadLine("line too long", f"{len(raw)} bytes")
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    if b"\x00" in raw:
        raise BadLine("NUL byte")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadLine("invalid UTF-8", str(exc.reason)) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def clean_text(value: str | None) -> str | None:
    """A text field from a log: control characters removed, surrounding blanks trimmed.

    Returns ``None`` for an empty value. Markup is left alone: the screen escapes it.
    """
    if value is None:
        return None
    # A printable string holds no control character (they are all non-printable): the
    # common case skips the translate. Either way, only code points < 32 and 127 go.
    if not value.isprintable():
        value = value.translate(_DELETE_CONTROLS)
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
