"""Reading call-log files exactly once: file identity, positions, complete lines, rotation.

How a file is read
    Only complete lines (ending in ``\\n``) are parsed. A half-written last line waits
    for its newline: nothing after the last newline is read, and the stored offset stays
    at the start of that line. Lines are numbered from 1 (blank lines count, and are
    skipped silently). A line that cannot be used (:class:`~carewatch.records.BadLine`
    from :func:`~carewatch.sources.base.decode_line` or from the parser) is skipped and
    counted with its line number and reason; nothing in a file is fatal. A parser with
    ``has_header`` gets the file's first non-blank line through ``read_header`` before
    any other line, also when reading resumes in the middle of the file (line 1 is read
    again then, and a bad header is not counted twice).

How a file is recognised
    By device + inode and a fingerprint: the SHA-256 of its first ``fingerprint_len``
    bytes (up to :data:`FINGERPRINT_BYTES`; a shorter file is fingerprinted whole and the
    fingerprint grows with it). A stored position applies to a file when the inode matches,
    the file's first ``fingerprint_len`` bytes hash to the stored fingerprint, and the file
    is not shorter than the stored offset. Positions live in ``cw_source_position`` (one
    row per file and source name) and are committed in the same transaction as the calls
    their lines produced, one batch (:data:`BATCH_LINES` lines) at a time, so a process
    killed between batches neither loses nor repeats a line.

Rotation and truncation
    * rename and create: the file read so far is kept open and read to its end before the
      new file at the path is read from 0. It stays open for ``rotate_wait`` seconds after
      its last growth (a writer may still finish lines into it), then its position is
      marked ``finished`` (with the path it went to); a last line without newline is read
      then, as nobody will finish it.
    * copytruncate: the path keeps its inode but is shorter than the stored offset (or
      than when last seen), or its first bytes changed: it is read again from 0. The lines
      written between the last read and the copy are read from the copy (``name.1``),
      found in the same folder by the stored fingerprint and offset, so they are not lost.
    * a stored position whose file is no longer at its path (a restart after a rotation)
      is finished first: its file is found in the same folder by inode + fingerprint (or,
      after a copytruncate, as the copy) and read to its end before the path's new file.
      A file found nowhere is marked finished.
    * rotations nobody has read: after a rotation, and on the first look after a start,
      the ``name.N`` files of the folder changed since the path was last read that match
      no stored position (a file created and rotated away between two looks, the copy of
      a file copytruncated before anything of it was read) are read whole, oldest first,
      before the path's new file.
    * a file that disappears and comes back with the same inode and content continues
      where it was. A file replaced by a copy of itself (same first bytes, not shorter:
      an editor's save, ``sed -i``, a restore) continues from the offset too, once the
      old inode is gone.
    * a file deleted while open is read to its end through the open descriptor.
    * what cannot be recovered: lines a copytruncate wrote only into a copy that was
      compressed or removed before it was looked at, and (as with every tailer) a file
      truncated and rewritten past its old offset with the same first 1 KiB between two
      looks, whose new lines before the old offset are taken for lines already read.

Which file reads what
    Every file open in one follower is in one registry (by inode), so a followed folder
    holding ``queue_log`` and ``queue_log.1`` never has one file read by two tails: a
    rotated file stays with the tail that was reading it until it is finished.

Source names
    ``Source.name`` when configured, else the file's name without a numeric rotation
    suffix: ``queue_log.1`` is stored under ``queue_log``, so the calls of a rotated file
    keep the source name of the path being followed, and reading the rotated file again
    (say, ``carewatch ingest`` of the folder) finds the position and repeats nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from sqlalchemy import Connection

from carewatch.config import Config
from carewatch.records import BadLine, Record
from carewatch.sources.base import MAX_LINE_BYTES, Parser, decode_line
from carewatch.store import Store

#: Bytes hashed to tell one file from another (fewer while the file is shorter).
FINGERPRINT_BYTES = 1024
#: Lines per transaction: the calls they produce and the position after them commit together.
BATCH_LINES = 2000
#: At most this many bytes per transaction (many long lines make a batch before 2,000).
BATCH_BYTES = 4 * 1024 * 1024
#: Bytes per read() call.
READ_CHUNK = 256 * 1024
#: First bytes given to format detection.
HEAD_BYTES = 64 * 1024
#: Seconds a rotated-away file stays open after its last growth before it is finished.
ROTATE_WAIT = 5.0
#: Files with these endings are compressed rotations: not read (their bytes are not lines).
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zst", ".zip", ".lz4", ".z", ".7z")

_ROTATED_RE = re.compile(r"^(.+)\.(\d+)$")
_NEWLINE = b"\n"

#: Reason recorded when a parser fails with something other than ``BadLine`` (a bug in
#: the parser must not stop the reading of a file).
PARSER_ERROR = "parser error"
LINE_TOO_LONG = "line too long"


class FileId(NamedTuple):
    """Device and inode of a file: which file it is while it exists."""

    device: int
    inode: int


def file_id(st: os.stat_result) -> FileId:
    """The :class:`FileId` of a ``stat`` result."""
    return FileId(st.st_dev, st.st_ino)


# -- names ------------------------------------------------------------------------------------


def split_rotation(name: str) -> tuple[str, int | None]:
    """``"queue_log.2"`` -> ``("queue_log", 2)``; without a numeric suffix -> ``(name, None)``."""
    found = _ROTATED_RE.match(name)
    if found is None:
        return name, None
    return found.group(1), int(found.group(2))


def source_name_for(path: str, configured: str | None = None) -> str:
    """The source name calls of ``path`` are stored under.

    ``configured`` (``Source.name``) when given, else the file's name without a numeric
    rotation suffix (``/var/log/asterisk/queue_log.1`` -> ``queue_log``).
    """
    if configured:
        return configured
    return split_rotation(os.path.basename(path))[0]


def rotation_sort_key(path: str) -> tuple[str, str, int]:
    """Sort key that puts the files of a folder oldest first: ``x.3``, ``x.2``, ``x.1``, ``x``."""
    folder, name = os.path.split(path)
    base, index = split_rotation(name)
    return (folder, base, -(index if index is not None else 0))


def is_compressed(path: str) -> bool:
    """Whether the file name says it is compressed (``.gz``, ``.xz``, ...)."""
    return path.lower().endswith(COMPRESSED_SUFFIXES)


def folder_files(folder: str, exclude: frozenset[str] = frozenset()) -> list[str]:
    """The regular, visible files of a folder (absolute paths), oldest rotation first.

    Hidden files (``.name``) and the paths in ``exclude`` are left out.
    """
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = os.path.join(os.path.abspath(folder), entry.name)
        if path in exclude:
            continue
        try:
            if entry.is_file(follow_symlinks=True):
                found.append(path)
        except OSError:
            continue
    found.sort(key=rotation_sort_key)
    return found


def open_log(path: str) -> int:
    """Open a file for reading without blocking (a FIFO would wait for a writer)."""
    return os.open(path, os.O_RDONLY | os.O_NONBLOCK)


# -- fingerprints ---------------------------------------------------------------------------------


def _pread_exact(fd: int, length: int, offset: int) -> bytes:
    parts = []
    got = 0
    while got < length:
        chunk = os.pread(fd, length - got, offset + got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def fingerprint(fd: int, length: int) -> tuple[str, int]:
    """SHA-256 (hex) of the first ``length`` bytes of an open file, and how many were hashed.

    Fewer bytes are hashed when the file is shorter.
    """
    data = _pread_exact(fd, length, 0)
    return hashlib.sha256(data).hexdigest(), len(data)


def prefix_matches(fd: int, size: int, digest: str, length: int) -> bool:
    """Whether an open file (of ``size`` bytes) starts with the bytes that hashed to ``digest``."""
    if size < length:
        return False
    return fingerprint(fd, length) == (digest, length)


# -- complete lines -------------------------------------------------------------------------------


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
        data = None if too_long or pending > MAX_LINE_BYTES + 1 else b"".join(carry)
        lines.append(RawLine(line_no, data, pending))
        start += pending
        pending = 0
    return ReadResult(lines, start, line_no, pending, at_end=True)


# -- positions ------------------------------------------------------------------------------------


@dataclass
class Position:
    """In-memory copy of one row of ``cw_source_position`` (``SourcePosition``)."""

    source: str
    path: str
    format: str
    device: int
    inode: int
    fingerprint: str = ""
    fingerprint_len: int = 0
    offset: int = 0
    line_no: int = 0
    lines_read: int = 0
    bad_lines: int = 0
    last_bad_line: int | None = None
    last_bad_reason: str | None = None
    bad_by_reason: dict[str, int] = field(default_factory=dict)
    updated_at: float = 0.0
    last_line_at: float | None = None
    finished: bool = False
    id: int | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Position:
        """A row as returned by :meth:`Store.positions`."""
        try:
            by_reason = json.loads(row.get("bad_by_reason") or "{}")
        except ValueError:
            by_reason = {}
        if not isinstance(by_reason, dict):
            by_reason = {}
        return cls(
            id=row["id"],
            source=row["source"],
            path=row["path"],
            format=row["format"],
            device=int(row["device"]),
            inode=int(row["inode"]),
            fingerprint=row["fingerprint"] or "",
            fingerprint_len=int(row["fingerprint_len"] or 0),
            offset=int(row["offset"] or 0),
            line_no=int(row["line_no"] or 0),
            lines_read=int(row["lines_read"] or 0),
            bad_lines=int(row["bad_lines"] or 0),
            last_bad_line=row.get("last_bad_line"),
            last_bad_reason=row.get("last_bad_reason"),
            bad_by_reason={str(k): int(v) for k, v in by_reason.items()},
            updated_at=float(row.get("updated_at") or 0.0),
            last_line_at=row.get("last_line_at"),
            finished=bool(row.get("finished")),
        )

    @property
    def file_id(self) -> FileId:
        """Device and inode of the file this position belongs to."""
        return FileId(self.device, self.inode)

    def values(self) -> dict[str, Any]:
        """The columns for :meth:`Store.save_position` (with ``id`` once the row exists)."""
        values: dict[str, Any] = {
            "source": self.source,
            "path": self.path,
            "format": self.format,
            "device": self.device,
            "inode": self.inode,
            "fingerprint": self.fingerprint,
            "fingerprint_len": self.fingerprint_len,
            "offset": self.offset,
            "line_no": self.line_no,
            "lines_read": self.lines_read,
            "bad_lines": self.bad_lines,
            "last_bad_line": self.last_bad_line,
            "last_bad_reason": self.last_bad_reason[:200] if self.last_bad_reason else None,
            "bad_by_reason": json.dumps(self.bad_by_reason, sort_keys=True),
            "updated_at": self.updated_at,
            "last_line_at": self.last_line_at,
            "finished": self.finished,
        }
        if self.id is not None:
            values["id"] = self.id
        return values

    def matches(self, fd: int, st: os.stat_result) -> bool:
        """Whether this position applies to the open file: same inode, same first bytes,
        and not shorter than the offset."""
        return (
            file_id(st) == self.file_id
            and st.st_size >= self.offset
            and prefix_matches(fd, st.st_size, self.fingerprint, self.fingerprint_len)
        )

    def content_matches(self, fd: int, st: os.stat_result) -> bool:
        """Whether the open file (any inode) starts with this position's fingerprinted bytes
        and is at least as long as the offset: it holds everything read so far."""
        return (
            self.fingerprint_len > 0
            and self.offset > 0
            and st.st_size >= self.offset
            and prefix_matches(fd, st.st_size, self.fingerprint, self.fingerprint_len)
        )


def load_positions(store: Store, source: str) -> list[Position]:
    """Stored positions of one source, newest first."""
    return [Position.from_row(row) for row in store.positions(source)]


# -- one open file --------------------------------------------------------------------------------


@dataclass
class BatchResult:
    """What reading some lines of one file did."""

    path: str
    source: str
    added: int = 0
    updated: int = 0
    agent_events: int = 0
    lines_read: int = 0
    bytes_read: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    added_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)


class LogReader:
    """One open log file, read from its stored position with one parser.

    Owns the file descriptor (so a renamed or deleted file can still be read to its end)
    and the in-memory copy of its position, which changes only after a commit succeeded.
    """

    def __init__(
        self,
        store: Store,
        fd: int,
        path: str,
        position: Position,
        parser: Parser,
        *,
        batch_lines: int = BATCH_LINES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.fd = fd
        self.path = path
        self.position = position
        self.parser = parser
        self.batch_lines = batch_lines
        self.clock = clock
        st = os.fstat(fd)
        self.file_id = file_id(st)
        #: Size and mtime seen at the last check (to re-check the fingerprint only on change).
        self._seen: tuple[int, int] = (st.st_size, st.st_mtime_ns)
        #: When the file was last seen growing (for ``rotate_wait``).
        self.last_growth = clock()
        self.pending = 0
        self.closed = False
        self._header_pending = parser.has_header
        if parser.has_header and position.offset > 0:
            self._reload_header()

    # -- state -----------------------------------------------------------------------------
    @property
    def source(self) -> str:
        """The source name the file's calls are stored under."""
        return self.position.source

    @property
    def format(self) -> str:
        """The file's log format."""
        return self.position.format

    def stat(self) -> os.stat_result:
        """``fstat`` of the open file (wherever it is now, deleted even)."""
        return os.fstat(self.fd)

    def check(self) -> str:
        """How the open file changed since the last check: ``"unchanged"``, ``"changed"``,
        or ``"truncated"`` (copytruncate: shorter than the offset or than before, or its
        first bytes no longer those read)."""
        st = self.stat()
        seen = (st.st_size, st.st_mtime_ns)
        before = self._seen[0]
        if seen == self._seen:
            return "unchanged"
        if st.st_size > before:
            self.last_growth = self.clock()
        self._seen = seen
        pos = self.position
        if st.st_size < pos.offset or st.st_size < before:
            return "truncated"  # files only grow: a shorter one was truncated
        if pos.fingerprint_len and not prefix_matches(
            self.fd, st.st_size, pos.fingerprint, pos.fingerprint_len
        ):
            return "truncated"
        return "changed"

    def quiet_for(self) -> float:
        """Seconds since the file was last seen growing."""
        st = self.stat()
        if st.st_size != self._seen[0]:
            if st.st_size > self._seen[0]:
                self.last_growth = self.clock()
            self._seen = (st.st_size, st.st_mtime_ns)
        return self.clock() - self.last_growth

    # -- reading ---------------------------------------------------------------------------
    def _reload_header(self) -> None:
        """Give the parser the file's first non-blank line again (reading resumes mid-file)."""
        offset, line_no = 0, 0
        while offset < self.position.offset:
            got = read_lines(self.fd, offset, line_no, max_lines=64)
            for raw in got.lines:
                if raw.data is not None and not raw.data.strip():
                    continue
                self._header_pending = False
                if raw.data is not None:
                    with contextlib.suppress(BadLine):  # counted when first read
                        self.parser.read_header(decode_line(raw.data, raw.line_no))
                return
            if got.offset == offset or got.at_end:
                return
            offset, line_no = got.offset, got.line_no

    def _parse(
        self, lines: list[RawLine]
    ) -> tuple[list[tuple[int, Record]], list[tuple[int, str]], int]:
        records: list[tuple[int, Record]] = []
        skipped: list[tuple[int, str]] = []
        read = 0
        parse_line = self.parser.parse_line
        for raw in lines:
            data = raw.data
            if data is None:
                read += 1
                self._header_pending = False
                skipped.append((raw.line_no, LINE_TOO_LONG))
                continue
            if not data.strip():
                continue  # blank line: skipped silently
            read += 1
            line_no = raw.line_no
            try:
                text = decode_line(data, line_no)
                if self._header_pending:
                    self._header_pending = False
                    self.parser.read_header(text)
                    continue
                parsed = parse_line(text, line_no)
            except BadLine as exc:
                skipped.append((line_no, exc.reason))
                continue
            except Exception:  # a parser bug must not stop the file: count the line
                skipped.append((line_no, PARSER_ERROR))
                continue
            for record in parsed:
                records.append((line_no, record))
        return records, skipped, read

    def read(
        self,
        *,
        final: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> list[BatchResult]:
        """Read and commit every complete line now in the file (all lines when ``final``).

        One transaction per batch: the batch's calls and the position after it.
        """
        results = []
        while True:
            pos = self.position
            got = read_lines(
                self.fd, pos.offset, pos.line_no, max_lines=self.batch_lines, final=final
            )
            self.pending = got.pending
            if got.offset == pos.offset and not got.lines:
                break
            result = self._commit(got)
            results.append(result)
            if progress is not None:
                progress(result.bytes_read)
            if got.at_end:
                break
        return results

    def _commit(self, got: ReadResult, *, finished: bool | None = None) -> BatchResult:
        pos = self.position
        records, skipped, read = self._parse(got.lines)
        now = self.clock()
        new = replace(pos, bad_by_reason=dict(pos.bad_by_reason))
        new.offset = got.offset
        new.line_no = got.line_no
        new.lines_read += read
        new.updated_at = now
        if got.lines:
            new.last_line_at = now
        if finished is not None:
            new.finished = finished
        if new.fingerprint_len < FINGERPRINT_BYTES:
            new.fingerprint, new.fingerprint_len = fingerprint(
                self.fd, min(FINGERPRINT_BYTES, max(new.offset, new.fingerprint_len))
            )

        def run(conn: Connection) -> tuple[Any, Position]:
            applied = self.store.apply(conn, new.source, records, now)
            all_skipped = sorted(skipped + list(applied.skipped))
            done = replace(new, bad_by_reason=dict(new.bad_by_reason))
            for line_no, reason in all_skipped:
                done.bad_lines += 1
                done.bad_by_reason[reason] = done.bad_by_reason.get(reason, 0) + 1
                done.last_bad_line, done.last_bad_reason = line_no, reason
            done.id = self.store.save_position(conn, done.values())
            return applied, done

        applied, done = self.store.retrying(run)
        self.position = done
        return BatchResult(
            path=self.path,
            source=done.source,
            added=applied.added,
            updated=applied.updated,
            added_ids=applied.added_ids,
            updated_ids=applied.updated_ids,
            agent_events=applied.agent_events,
            lines_read=read,
            bytes_read=got.offset - pos.offset,
            skipped=sorted(skipped + list(applied.skipped)),
        )

    def finish(self) -> list[BatchResult]:
        """Read to the very end (a last line without newline too) and mark the file finished."""
        results = self.read(final=True)
        if not self.position.finished and (self.position.id is not None or results):
            got = ReadResult([], self.position.offset, self.position.line_no, 0, at_end=True)
            self._commit(got, finished=True)
        return results

    def close(self) -> None:
        """Close the file (its position is already committed)."""
        if not self.closed:
            self.closed = True
            os.close(self.fd)


def mark_finished(store: Store, position: Position, clock: Callable[[], float] = time.time) -> None:
    """Record that a stored position's file is gone (nothing more can be read from it)."""
    done = replace(position, finished=True, updated_at=clock())
    store.retrying(lambda conn: store.save_position(conn, done.values()))


# -- one followed path ----------------------------------------------------------------------------


@dataclass
class TailStatus:
    """What a :class:`LogTail` knows about its path (for the screen and the summary)."""

    path: str
    source: str
    format: str | None
    exists: bool
    lines_read: int = 0
    bad_lines: int = 0
    last_bad_line: int | None = None
    last_bad_reason: str | None = None
    last_line_at: float | None = None
    #: Why the file is not being read (unknown format, not a regular file...), or ``None``.
    problem: str | None = None
    #: Bytes after the last newline, waiting for the writer to finish the line.
    pending: int = 0


ParserFactory = Callable[[str], Parser]
Detector = Callable[[bytes, str], str]


def _default_factories(config: Config) -> tuple[ParserFactory, Detector]:
    from carewatch.sources.registry import detect_format, make_parser

    return (
        lambda fmt: make_parser(fmt, config),
        lambda head, path: detect_format(head, config, path),
    )


class LogTail:
    """Follows one path through rotation and truncation, exactly once.

    ``registry`` maps the files open anywhere in one follower to their reader, so two
    tails never read the same file (a folder holds ``queue_log`` and ``queue_log.1``).
    ``poll()`` reads what is new. With ``oneshot`` (``carewatch ingest``) it reads what is
    there and keeps no file open: a rotated file is then finished only when its
    modification time is ``rotate_wait`` seconds old, else left for the next run.
    """

    def __init__(
        self,
        store: Store,
        config: Config,
        path: str,
        fmt: str | None = None,
        *,
        source: str | None = None,
        registry: dict[FileId, LogReader] | None = None,
        rotate_wait: float = ROTATE_WAIT,
        batch_lines: int = BATCH_LINES,
        clock: Callable[[], float] = time.time,
        factories: tuple[ParserFactory, Detector] | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.path = os.path.abspath(path)
        self.folder = os.path.dirname(self.path)
        self.fmt = fmt
        self.source = source_name_for(self.path, source)
        self.registry = registry if registry is not None else {}
        self.rotate_wait = rotate_wait
        self.batch_lines = batch_lines
        self.clock = clock
        self._factories = factories
        self.current: LogReader | None = None
        self.draining: list[LogReader] = []
        self.problem: str | None = None
        self.exists = False
        #: (file id, size) of a file whose format could not be told: not tried again unchanged.
        self._undetected: tuple[FileId, int] | None = None
        self._last: Position | None = None
        #: Wall-clock time of the last poll (rotations modified after it are "unseen").
        self._last_look: float | None = None
        self._looked_up = False

    # -- helpers ---------------------------------------------------------------------------
    @property
    def factories(self) -> tuple[ParserFactory, Detector]:
        """How parsers are made and formats detected (the registry's, unless injected)."""
        if self._factories is None:
            self._factories = _default_factories(self.config)
        return self._factories

    def _register(self, reader: LogReader) -> None:
        self.registry[reader.file_id] = reader

    def _release(self, reader: LogReader) -> None:
        if self.registry.get(reader.file_id) is reader:
            del self.registry[reader.file_id]
        reader.close()

    def _held_ids(self) -> set[int]:
        return {r.position.id for r in self.registry.values() if r.position.id is not None}

    def _new_reader(self, fd: int, path: str, position: Position) -> LogReader:
        parser = self.factories[0](position.format)
        reader = LogReader(
            self.store, fd, path, position, parser, batch_lines=self.batch_lines, clock=self.clock
        )
        self._register(reader)
        return reader

    def open_readers(self) -> list[LogReader]:
        """The readers this tail holds: rotated files still being drained, then the current one."""
        return [*self.draining, *([self.current] if self.current else [])]

    # -- polling ---------------------------------------------------------------------------
    def poll(
        self, *, oneshot: bool = False, progress: Callable[[int], None] | None = None
    ) -> list[BatchResult]:
        """Read what is new: rotated-away files first, then the file now at the path."""
        results: list[BatchResult] = []
        for reader in list(self.draining):
            results += reader.read(progress=progress)
            if oneshot or reader.quiet_for() >= self.rotate_wait:
                if not oneshot or self._quiet_by_mtime(reader.stat()):
                    results += reader.finish()
                self.draining.remove(reader)
                self._release(reader)
                if self.current is None:
                    self._last = reader.position
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            st = None
            self.problem = f"cannot read it: {exc.strerror or exc}"
        self.exists = st is not None
        since, self._last_look = self._last_look, time.time()
        cur = self.current
        if cur is not None:
            moved = st is None or file_id(st) != cur.file_id
            change = cur.check()
            if change == "truncated":
                # copytruncate (maybe renamed since): what was not read is in the copy,
                # found by content when the file at the path is opened; then read anew
                self.current = None
                self._release(cur)
            elif moved:
                # renamed, replaced or deleted: read what the old file holds, keep it open
                self._record_move(cur)
                results += cur.read(progress=progress)
                self.current = None
                self.draining.append(cur)
                cur.last_growth = self.clock()
            else:
                if change == "changed" and cur.position.id is None and since is not None:
                    # nothing read from it yet, so no fingerprint: had it been copied and
                    # truncated since the last look, its lines would be in a fresh copy
                    results += self._read_unseen(since, oneshot=oneshot, progress=progress)
                results += cur.read(progress=progress)
        if self.current is None and st is not None:
            results += self._open_current(since, oneshot=oneshot, progress=progress)
        self._remember()
        return results

    def _remember(self) -> None:
        readers = self.open_readers()
        if readers:
            self._last = readers[-1].position

    def _quiet_by_mtime(self, st: os.stat_result) -> bool:
        return time.time() - st.st_mtime >= self.rotate_wait

    def _open_current(
        self,
        since: float | None,
        *,
        oneshot: bool,
        progress: Callable[[int], None] | None,
    ) -> list[BatchResult]:
        results: list[BatchResult] = []
        try:
            fd = open_log(self.path)
        except FileNotFoundError:
            self.exists = False
            return results
        except OSError as exc:
            self.problem = f"cannot read it: {exc.strerror or exc}"
            return results
        keep_fd = False
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                self.problem = "not a regular file"
                return results
            fid = file_id(st)
            holder = self.registry.get(fid)
            if holder is not None:
                if holder in self.draining:  # the file came back to its path
                    self.draining.remove(holder)
                    self.current = holder
                    self.problem = None
                    return holder.read(progress=progress)
                self.problem = None
                return results  # read by another tail of this follower
            if self._undetected == (fid, st.st_size):
                return results
            positions = load_positions(self.store, self.source)
            match = next((p for p in positions if p.matches(fd, st)), None)
            moved, adopted = self._finish_moved(positions, match, st, oneshot, progress)
            results += moved
            if since is None and match is None:
                # first look since a start: files rotated while nobody was reading
                mine = [p.updated_at for p in positions if self._is_mine(p.path)]
                since = max(mine) if mine else None
            if since is not None:
                results += self._read_unseen(since, oneshot=oneshot, progress=progress)
            position = match or adopted or self._replaced_by_copy(fd, st)
            known = self._last.format if self._last is not None else None
            fmt = self.fmt or (position.format if position else None) or known
            if fmt is None:
                fmt = self._detect(fd, st)
                if fmt is None:
                    return results
            if position is None:
                position = Position(
                    source=self.source,
                    path=self.path,
                    format=fmt,
                    device=fid.device,
                    inode=fid.inode,
                )
            else:
                position = replace(position, path=self.path, format=fmt, finished=False)
            try:
                reader = self._new_reader(fd, self.path, position)
            except ValueError as exc:
                self.problem = str(exc)
                return results
            keep_fd = True
            self.current = reader
            self._last = position
            self.problem = None
            results += reader.read(progress=progress)
            return results
        finally:
            if not keep_fd:
                os.close(fd)

    def _finish_moved(
        self,
        positions: list[Position],
        match: Position | None,
        st: os.stat_result,
        oneshot: bool,
        progress: Callable[[int], None] | None,
    ) -> tuple[list[BatchResult], Position | None]:
        """Stored positions of this source and folder whose file left its path (a rotation
        or a copytruncate while nobody was reading): read each to its end, first.

        A position whose file is the one now at the path under another inode (a copy made
        by copytruncate, a file copied back or restored) is returned, to be continued in it;
        one whose file is nowhere is marked finished.
        """
        results: list[BatchResult] = []
        fid = file_id(st)
        held = self._held_ids()
        adopted: Position | None = None
        for old in positions:
            if old is match or old.finished or old.id in held:
                continue
            if os.path.dirname(old.path) != self.folder:
                continue
            if not self._is_rotation(old.path) and _file_is_at(old, old.path):
                continue  # another file's position, where it belongs
            found = self._locate(old, positions)
            if found is None:
                mark_finished(self.store, old, self.clock)
                continue
            old_fd, old_path, old_st = found
            if file_id(old_st) == fid:
                os.close(old_fd)
                if match is None and adopted is None:
                    # the file here is that file, or a copy of it: continue where it was
                    adopted = replace(old, device=fid.device, inode=fid.inode)
                continue
            moved = replace(
                old, path=old_path, device=old_st.st_dev, inode=old_st.st_ino, finished=False
            )
            try:
                reader = self._new_reader(old_fd, old_path, moved)
            except ValueError:
                os.close(old_fd)
                mark_finished(self.store, old, self.clock)
                continue
            results += reader.read(progress=progress)
            if self._quiet_by_mtime(reader.stat()):
                results += reader.finish()
                self._release(reader)
            elif oneshot:
                self._release(reader)  # a writer may still finish its last line: next time
            else:
                self.draining.append(reader)
        return results, adopted

    def _is_rotation(self, path: str) -> bool:
        """Whether ``path`` is a numbered rotation of this tail's file (``name.1``...)."""
        base, index = split_rotation(os.path.basename(path))
        same_folder = os.path.dirname(path) == self.folder
        return same_folder and index is not None and base == os.path.basename(self.path)

    def _is_mine(self, path: str) -> bool:
        """Whether ``path`` is this tail's path or one of its rotations."""
        return path == self.path or self._is_rotation(path)

    def _read_unseen(
        self,
        since: float,
        *,
        oneshot: bool,
        progress: Callable[[int], None] | None,
    ) -> list[BatchResult]:
        """Read rotations of this path that nobody has read, oldest first: files created and
        rotated away between two looks (or while nobody was reading), and the copy of a
        copytruncate of a file of which nothing had been read (so without a fingerprint).

        Taken: a ``name.N`` of this folder, not empty, modified after ``since`` (with a
        second's slack), not open in this follower, and neither the file of a stored
        position nor starting with the bytes one has read (a copy of a file read in part is
        read from its position's offset by :meth:`_finish_moved` instead).
        """
        positions = load_positions(self.store, self.source)
        found: list[tuple[int, int, int, str, os.stat_result]] = []
        for path in folder_files(self.folder):
            index = split_rotation(os.path.basename(path))[1]
            if index is None or not self._is_rotation(path) or is_compressed(path):
                continue
            try:
                fd = open_log(path)
            except OSError:
                continue
            st = os.fstat(fd)
            if (
                st.st_size == 0
                or st.st_mtime < since - 1
                or file_id(st) in self.registry
                or any(p.matches(fd, st) or p.content_matches(fd, st) for p in positions)
            ):
                os.close(fd)
                continue
            found.append((st.st_mtime_ns, -index, fd, path, st))
        results: list[BatchResult] = []
        known = self._last.format if self._last is not None else None
        stored = next((p.format for p in positions if self._is_mine(p.path)), None)
        for _, _, fd, path, st in sorted(found, key=lambda item: item[:2]):
            fmt = self.fmt or known or stored
            if fmt is None:
                os.close(fd)
                continue
            position = Position(
                source=self.source, path=path, format=fmt, device=st.st_dev, inode=st.st_ino
            )
            try:
                reader = self._new_reader(fd, path, position)
            except ValueError:
                os.close(fd)
                continue
            results += reader.read(progress=progress)
            if self._quiet_by_mtime(st):
                results += reader.finish()
                self._release(reader)
            elif oneshot:
                self._release(reader)
            else:
                self.draining.append(reader)
        return results

    def _record_move(self, reader: LogReader) -> None:
        """Note where a rotated-away file went (``name.1``), for its position row."""
        for path in folder_files(self.folder):
            try:
                st = os.stat(path)
            except OSError:
                continue
            if file_id(st) == reader.file_id:
                reader.path = path
                reader.position = replace(reader.position, path=path)
                return

    def _replaced_by_copy(self, fd: int, st: os.stat_result) -> Position | None:
        """The position of a file this tail was reading that was deleted and replaced by a
        copy of itself (an editor's save, ``sed -i``, a restore): the new file starts with
        the bytes read and is not shorter, so reading continues in it. A file renamed away
        (still linked) is not taken: it is being drained, and a new file starts from 0."""
        fid = file_id(st)
        for old in list(self.draining):
            if old.stat().st_nlink == 0 and old.position.content_matches(fd, st):
                self.draining.remove(old)
                self._release(old)
                return replace(old.position, device=fid.device, inode=fid.inode)
        return None

    def _detect(self, fd: int, st: os.stat_result) -> str | None:
        fid = file_id(st)
        head = _pread_exact(fd, HEAD_BYTES, 0)
        cut = head.rfind(_NEWLINE)
        if cut >= 0:
            head = head[: cut + 1]
        elif len(head) < HEAD_BYTES:
            head = b""
        if not head.strip():
            self.problem = "waiting for a first complete line to tell the format"
            return None
        try:
            fmt = self.factories[1](head, self.path)
        except ValueError as exc:
            self._undetected = (fid, st.st_size)
            self.problem = str(exc)
            return None
        self._undetected = None
        return fmt

    def _locate(
        self, old: Position, positions: list[Position]
    ) -> tuple[int, str, os.stat_result] | None:
        """Find the file of a position that left its path, in the same folder: by inode +
        fingerprint (renamed), else by content (the copy made by a copytruncate, or the file
        copied back). A file that is another position's file, or open in this follower, is
        not taken for a copy.

        Returns an open descriptor, the path and its stat, or ``None``.
        """
        by_content: tuple[int, str, os.stat_result] | None = None
        for path in folder_files(self.folder):
            if is_compressed(path):
                continue
            try:
                fd = open_log(path)
            except OSError:
                continue
            try:
                st = os.fstat(fd)
            except OSError:
                os.close(fd)
                continue
            fid = file_id(st)
            if old.matches(fd, st):
                if by_content is not None:
                    os.close(by_content[0])
                return fd, path, st
            if (
                by_content is None
                and fid != old.file_id
                and fid not in self.registry
                and old.content_matches(fd, st)
                and not any(p.matches(fd, st) for p in positions if p.file_id == fid)
            ):
                by_content = (fd, path, st)
                continue
            os.close(fd)
        return by_content

    # -- status and end ----------------------------------------------------------------------
    def status(self) -> TailStatus:
        """Counts of the file now followed (or the last one read, also before a restart)."""
        if self._last is None and self.current is None and not self._looked_up:
            self._looked_up = True
            stored = [p for p in load_positions(self.store, self.source) if p.path == self.path]
            self._last = stored[0] if stored else None
        pos = self.current.position if self.current else self._last
        fmt = self.fmt or (pos.format if pos else None)
        status = TailStatus(
            path=self.path,
            source=self.source,
            format=fmt,
            exists=self.exists,
            problem=self.problem,
            pending=self.current.pending if self.current else 0,
        )
        if pos is not None:
            status.lines_read = pos.lines_read
            status.bad_lines = pos.bad_lines
            status.last_bad_line = pos.last_bad_line
            status.last_bad_reason = pos.last_bad_reason
            status.last_line_at = pos.last_line_at
        return status

    def close(self) -> None:
        """Close every file this tail holds (positions are already committed)."""
        for reader in self.open_readers():
            self._release(reader)
        self.current = None
        self.draining = []


def _file_is_at(position: Position, path: str) -> bool:
    """Whether the file of ``position`` (inode and first bytes, not shorter) is at ``path``."""
    try:
        fd = open_log(path)
    except OSError:
        return False
    try:
        return position.matches(fd, os.fstat(fd))
    finally:
        os.close(fd)
