"""Reading the complete lines of an open file from an offset: :func:`read_lines`."""

from __future__ import annotations

import os
from dataclasses import dataclass

from carewatch.sources.base import MAX_LINE_BYTES

#: Lines per transaction: the calls they produce and the position after them commit together.
BATCH_LINES = 2000
#: At most this many bytes per transaction (many long lines make a batch before 2,000).
BATCH_BYTES = 4 * 1024 * 1024
#: Bytes per read() call.
READ_CHUNK = 256 * 1024

_NEWLINE = b"\n"


@dataclass(slots=True)
class RawLine:
    """One complete line as bytes, without its newline. ``data`` is ``None`` for a line
    longer than :data:`~carewatch.sources.base.MAX_LINE_BYTES` (its bytes are not kept)."""

    line_no: int
    data: bytes | None
    length: int


@dataclass(slots=True)
class ReadResult:
    """Lines read from an offset, where reading stopped, and bytes left after the last newline."""

    lines: list[RawLine]
    offset: int
    line_no: int
    pending: int
    at_end: bool


def read_lines(
    fd: int,
    offset: int,
    line_no: int,
    *,
    max_lines: int = BATCH_LINES,
    max_bytes: int = BATCH_BYTES,
    final: bool = False,
) -> ReadResult:
    """Complete lines of an open file from ``offset`` (the start of line ``line_no + 1``).

    Stops after ``max_lines`` lines or ``max_bytes`` bytes (at a line end), or at the end
    of the file. Bytes after the last newline are not returned (``pending`` counts them)
    unless ``final``: then they are returned as the last line. A line longer than
    ``MAX_LINE_BYTES`` is returned with ``data=None`` and its bytes are not held in memory.
    """
    lines: list[RawLine] = []
    pos = offset  # where the next read starts
    start = offset  # where the current (unfinished) line starts
    carry: list[bytes] = []
    carry_len = 0
    too_long = False
    while True:
        chunk = os.pread(fd, READ_CHUNK, pos)
        if not chunk:
            break
        pos += len(chunk)
        i = 0
        stop = False
        while True:
            j = chunk.find(_NEWLINE, i)
            if j < 0:
                rest = len(chunk) - i
                carry_len += rest
                if too_long or carry_len > MAX_LINE_BYTES + 1:
                    too_long = True
                    carry = []
                else:
                    carry.append(chunk[i:])
                break
            piece_len = j - i
            length = carry_len + piece_len
            line_no += 1
            if too_long or length > MAX_LINE_BYTES + 1:
                lines.append(RawLine(line_no, None, length))
            else:
                data = b"".join([*carry, chunk[i:j]]) if carry else chunk[i:j]
                lines.append(RawLine(line_no, data, length))
            start += length + 1
            carry, carry_len, too_long = [], 0, False
            i = j + 1
            if len(lines) >= max_lines or start - offset >= max_bytes:
                stop = True
                break
        if stop:
            return ReadResult(lines, start, line_no, 0, at_end=False)
    pending = carry_len
    if final and pending:
        line_no += 1
        last = None if too_long or pending > MAX_LINE_BYTES + 1 else b"".join(carry)
        lines.append(RawLine(line_no, last, pending))
        start += pending
        pending = 0
    return ReadResult(lines, start, line_no, pending, at_end=True)
