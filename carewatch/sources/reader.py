"""Reading one open file: complete lines (:func:`~carewatch.sources.lines.read_lines`),
parsed (:class:`~carewatch.sources.parse.BatchParser`) and committed in batches with the
position after them (:class:`LogReader`).

How a file is read
    Only complete lines (ending in ``\\n``) are parsed. A half-written last line waits
    for its newline: nothing after the last newline is read, and the stored offset stays
    at the start of that line. Lines are numbered from 1 (blank lines count, and are
    skipped silently). A line that cannot be used (:class:`~carewatch.records.BadLine`
    from :func:`~carewatch.sources.base.decode_raw` or from the parser) is skipped and
    counted with its line number and reason; nothing in a file is fatal. Lines decoded
    with a replacement or cleaned of NUL bytes are read and counted as repaired (kept in
    the position's ``bad_by_reason`` as ``repaired: <reason>``, not in ``bad_lines``).
    A record that spans lines (a quoted CSV field with a newline) is committed whole:
    a batch that ends inside one stops before it. A parser with
    ``has_header`` gets the file's first non-blank line through ``read_header`` before
    any other line, also when reading resumes in the middle of the file (line 1 is read
    again then, and a bad header is not counted twice). The calls of a batch
    (:data:`BATCH_LINES` lines) and the position after it commit in one transaction.

Two readers of one file (two ``carewatch ingest`` at once)
    The commit of a batch first checks, inside its write transaction (which writers take one
    at a time), that the stored position is still the one this reader read from: compare and
    set. When another process moved it, the batch is dropped (it was applied by the other
    process), the stored position is taken over, and reading goes on from there. So both
    succeed and no line is applied or counted twice.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from carewatch.records import BadLine
from carewatch.sources.ahead import Batch, can_read_ahead, parsed_ahead, worth_a_process
from carewatch.sources.base import Parser, decode_line
from carewatch.sources.fileid import FINGERPRINT_BYTES, file_id, fingerprint, prefix_matches
from carewatch.sources.lines import BATCH_BYTES, BATCH_LINES, RawLine, ReadResult, read_lines
from carewatch.sources.parse import LINE_TOO_LONG, PARSER_ERROR, BatchParser, Parsed
from carewatch.sources.positions import Position, PositionMoved, moved_since, with_skipped
from carewatch.store import Store, Tx
from carewatch.store.apply import ApplyResult

__all__ = [
    "BATCH_BYTES",
    "BATCH_LINES",
    "LINE_TOO_LONG",
    "PARSER_ERROR",
    "REPAIRED",
    "BatchResult",
    "LogReader",
    "Progress",
    "RawLine",
    "ReadResult",
    "batch_result",
    "read_lines",
]

#: Prefix of the ``bad_by_reason`` keys that count repaired lines (read, not skipped).
REPAIRED = "repaired: "


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
    #: Lines read after a repair, ``(line_no, what)``: ``invalid UTF-8``, ``NUL bytes``.
    repaired: list[tuple[int, str]] = field(default_factory=list)
    #: Records the lines gave (0 when every line was skipped).
    records: int = 0
    #: The entries (call id, leg) added, and those updated.
    added_ids: list[tuple[str, str]] = field(default_factory=list)
    updated_ids: list[tuple[str, str]] = field(default_factory=list)
    #: Events of the source waiting for their call's start after this batch (``None``
    #: when the batch held no call record).
    waiting: int | None = None


#: Told each batch a read committed, as it commits; a true answer stops the read after it.
Progress = Callable[[BatchResult], bool | None]


def batch_result(
    path: str,
    source: str,
    applied: ApplyResult,
    skipped: Sequence[tuple[int, str]],
    **counts: Any,
) -> BatchResult:
    """What a committed batch did: what the store did with its records, the lines the
    parser skipped and those the store skipped, and the reader's ``counts``."""
    return BatchResult(
        path=path,
        source=source,
        added=applied.added,
        updated=applied.updated,
        added_ids=applied.added_ids,
        updated_ids=applied.updated_ids,
        agent_events=applied.agent_events,
        skipped=sorted([*skipped, *applied.skipped]),
        **counts,
    )


class LogReader:
    """One open log file, read from its stored position with one parser.

    Owns the file descriptor (so a renamed or deleted file can still be read to its end)
    and the in-memory copy of its position, which changes only after a commit succeeded.
    ``ahead``: a child process reads and parses while this one commits (a one-shot ingest
    of a queue_log on SQLite; see :mod:`carewatch.sources.ahead`).
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
        encoding: str = "utf-8",
        ahead: bool = False,
    ) -> None:
        self.store = store
        self.fd = fd
        self.ahead = ahead and can_read_ahead(parser)
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
        self.encoding = encoding
        self._lines = BatchParser(parser, encoding, clock)
        if parser.has_header and position.offset > 0:
            self._reload_header()

    # -- state -----------------------------------------------------------------------------
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
                self._lines.header_pending = False
                if raw.data is not None:
                    with contextlib.suppress(BadLine):  # counted when first read
                        self.parser.read_header(decode_line(raw.data, raw.line_no, self.encoding))
                return
            if got.offset == offset or got.at_end:
                return
            offset, line_no = got.offset, got.line_no

    def read(
        self,
        *,
        final: bool = False,
        progress: Progress | None = None,
    ) -> list[BatchResult]:
        """Read and commit every complete line now in the file (all lines when ``final``).

        One transaction per batch: the batch's calls and the position after it. With
        ``ahead``, a child process reads and parses the batches while this one commits them
        (:mod:`carewatch.sources.ahead`), when the file has that much left to read.
        ``progress`` is told each batch as it is committed (what an error later in the read
        does not undo); when it answers true, the read stops there (the next read goes on
        from that batch's position).
        """
        results: list[BatchResult] = []
        while True:
            if self.ahead and worth_a_process(self.fd, self.position.offset):
                batches = parsed_ahead(self, final)
            else:
                batches = self.one_by_one(final)
            with contextlib.closing(batches):
                for got, parsed, at_end, pending in batches:
                    self.pending = pending
                    result = self._commit(got, parsed)
                    if result is None:
                        break  # another process read this batch: go on from where it stopped
                    results.append(result)
                    if progress is not None and progress(result):
                        return results  # asked to stop: the rest is read next time
                    if at_end:
                        return results
                else:
                    return results

    def one_by_one(self, final: bool) -> Generator[Batch, None, None]:
        """The batches from the position on, each read and parsed here when asked for."""
        offset, line_no = self.position.offset, self.position.line_no
        while True:
            batch = self.next_batch(offset, line_no, final=final)
            if batch is None:
                return
            yield batch
            offset, line_no = batch[0].offset, batch[0].line_no

    def next_batch(self, offset: int, line_no: int, *, final: bool) -> Batch | None:
        """The next batch from ``offset`` (the start of line ``line_no + 1``): its lines, what
        they gave, whether they reach the end of the file and the bytes after the last
        newline (also set as :attr:`pending`); ``None`` when there is nothing to commit. A
        batch that ends inside a record stops before it."""
        max_lines = self.batch_lines
        while True:
            got = read_lines(self.fd, offset, line_no, max_lines=max_lines, final=final)
            self.pending = got.pending
            if got.offset == offset and not got.lines:
                return None
            at_end = got.at_end
            parsed = self._lines.parse(got.lines, complete=final and at_end)
            if parsed.cut is None:
                return got, parsed, at_end, self.pending
            # the lines end inside a record: commit what comes before it
            kept = got.lines[: parsed.cut]
            cut_at = offset + sum(raw.length + 1 for raw in kept)
            if not kept:
                if at_end:  # the rest of the record is not written yet
                    self.pending += got.offset - cut_at
                    return None
                max_lines *= 2  # read on until the record closes
                continue
            self.pending += got.offset - cut_at
            kept_lines = ReadResult(kept, cut_at, kept[-1].line_no, self.pending, at_end=False)
            return kept_lines, parsed, at_end, self.pending

    def _take_over(self, moved: PositionMoved) -> None:
        """Continue from the position another process stored."""
        pos = self.position
        if moved.stored is None:  # the row is gone: read the file again, as new
            self.position = Position(
                source=pos.source,
                path=pos.path,
                format=pos.format,
                device=pos.device,
                inode=pos.inode,
            )
        else:
            self.position = replace(moved.stored, path=pos.path, format=pos.format)
        if self._lines.header_pending and self.position.offset > 0:
            self._reload_header()

    def _commit(
        self, got: ReadResult, parsed: Parsed, *, finished: bool | None = None
    ) -> BatchResult | None:
        """Commit one batch with the position after it; ``None`` (nothing committed) when
        another process moved the position meanwhile (this reader then continues from it)."""
        pos = self.position
        records = parsed.records
        skipped = parsed.skipped
        now = self.clock()
        new = replace(pos, bad_by_reason=dict(pos.bad_by_reason))
        new.offset = got.offset
        new.line_no = got.line_no
        new.lines_read += parsed.read
        new.updated_at = now
        if got.line_no > pos.line_no:  # lines were read
            new.last_line_at = now
        if finished is not None:
            new.finished = finished
        for _, repair in parsed.repaired:
            key = REPAIRED + repair
            new.bad_by_reason[key] = new.bad_by_reason.get(key, 0) + 1
        if new.fingerprint_len < FINGERPRINT_BYTES:
            new.fingerprint, new.fingerprint_len = fingerprint(
                self.fd, min(FINGERPRINT_BYTES, max(new.offset, new.fingerprint_len))
            )

        def run(tx: Tx) -> tuple[Any, Position]:
            moved = moved_since(self.store.positions_in(tx, pos.source), pos, self.fd)
            if moved is not None:
                raise moved
            applied = self.store.apply(tx, new.source, records, now)
            done = with_skipped(new, sorted(skipped + list(applied.skipped)))
            done.id = self.store.save_position(tx, done.values())
            return applied, done

        try:
            applied, done = self.store.retrying(run)
        except PositionMoved as moved:
            self._take_over(moved)
            return None
        self.position = done
        return batch_result(
            self.path,
            done.source,
            applied,
            skipped,
            lines_read=parsed.read,
            bytes_read=got.offset - pos.offset,
            repaired=list(parsed.repaired),
            records=len(parsed.records),
            waiting=applied.waiting,
        )

    def finish(self, *, progress: Progress | None = None) -> list[BatchResult]:
        """Read to the very end (a last line without newline too) and mark the file finished.
        ``progress`` is told each batch committed, as by :meth:`read`; its answer is not
        asked (a file is finished whole)."""
        told = None if progress is None else _told(progress)
        results: list[BatchResult] = []
        while True:
            results += self.read(final=True, progress=told)
            if self.position.finished or (self.position.id is None and not results):
                return results
            got = ReadResult([], self.position.offset, self.position.line_no, 0, at_end=True)
            if self._commit(got, Parsed(), finished=True) is not None:
                return results

    def close(self) -> None:
        """Close the file (its position is already committed)."""
        if not self.closed:
            self.closed = True
            os.close(self.fd)


def _told(progress: Progress) -> Progress:
    """``progress``, told each batch, whose answer never stops the read."""

    def tell(result: BatchResult) -> None:
        progress(result)

    return tell
