"""Following one path exactly once through rotation and truncation (:class:`LogTail`).

A tail reads the file at its path with a :class:`~carewatch.sources.reader.LogReader`,
which commits each batch of calls with the file's position
(:mod:`carewatch.sources.positions`); files are told apart as
:mod:`carewatch.sources.fileid` says; finding where files went is
:class:`~carewatch.sources.rotation.RotationHandling`'s part.

Rotation and truncation
    * rename and create: the file read so far is kept open and read to its end before the
      new file at the path is read from 0. It stays open while no other file is at the
      path, however long (Asterisk writes into the renamed file until ``logger rotate``
      opens the path again), then for ``rotate_wait`` seconds after its last growth (a
      writer may still finish lines into it); a file deleted meanwhile only for
      ``rotate_wait``. Then its position is marked ``finished`` (with the path it went
      to); a last line without newline is read then, as nobody will finish it.
    * a finished rotation that grows after all (its writer was told late, or never) is read
      again from where it stopped: the last few finished while following are looked at by
      their path at each poll (no file kept open), and every finished rotation of the path
      when a file at the path is opened (a start, a one-shot ingest).
    * copytruncate: the path keeps its inode but is shorter than the stored offset (or
      than when last seen), or its first bytes changed: it is read again from 0. The lines
      written between the last read and the copy are read from the copy (``name.1``),
      found in the same folder by the stored fingerprint and offset, so they are not lost.
    * a stored position whose file is no longer at its path (a restart after a rotation)
      is finished first: its file is found in the same folder by inode + fingerprint (or,
      after a copytruncate, as the copy) and read to its end before the path's new file.
      A file found nowhere is marked finished.
    * renamed and compressed while nobody was reading (logrotate's ``compress``): what was
      never read of it is read from the archive first (:mod:`carewatch.sources.compressed`).
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

The same file under another name
    A file that no position of this tail's source knows may have been read under another
    name: the same file through a symlink or a hard link, or a copy of it (any source, any
    folder: :func:`~carewatch.sources.positions.read_before`). Its lines are then read as
    the source they were read as (the tail takes that source), from where that reading
    stopped; the same file's position keeps the path it was read by while the file is
    there. A source name given for the path (a config's ``name``) that is not that source
    is not merged: the file is not read, and the tail's problem says what it was read as.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from carewatch.config import Config
from carewatch.i18n import _
from carewatch.sources.compressed import CompressedRotations
from carewatch.sources.fileid import (
    HEAD_BYTES,
    FileId,
    file_id,
    is_rotated_name,
    open_log,
    pread_exact,
    source_name_for,
)
from carewatch.sources.positions import (
    Position,
    load_positions,
    read_as_another,
    read_before,
)
from carewatch.sources.reader import BATCH_LINES, BatchResult, LogReader, Progress
from carewatch.sources.rotation import Detector, ParserFactory, file_is_at
from carewatch.store import Store

#: Seconds a rotated-away file stays open after its last growth, once another file is at the
#: path (or it was deleted), before it is finished.
ROTATE_WAIT = 5.0


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
    #: The problem is only that the file has no complete line yet to tell its format by
    #: (nothing wrong: the writer has not written one).
    waiting: bool = False
    #: The problem is only that the file's lines are in no format carewatch can tell (a
    #: file that is not a call log, such as notes beside the logs): nothing failed to read.
    unknown_format: bool = False
    #: The path is missing while the file renamed away from it is still read (a rotation in
    #: progress: Asterisk writes into the renamed file until it opens the path again).
    rotating: bool = False

    def counted(self, pos: Position | None) -> TailStatus:
        """This status with the counts of the position read to (if there is one)."""
        if pos is not None:
            self.lines_read = pos.lines_read
            self.bad_lines = pos.bad_lines
            self.last_bad_line = pos.last_bad_line
            self.last_bad_reason = pos.last_bad_reason
            self.last_line_at = pos.last_line_at
        return self


class LogTail(CompressedRotations):
    """Follows one path through rotation and truncation, exactly once.

    ``registry`` maps the files open anywhere in one follower to their reader, so two
    tails never read the same file (a folder holds ``queue_log`` and ``queue_log.1``).
    ``poll()`` reads what is new. With ``oneshot`` (``carewatch ingest``) it reads what is
    there and keeps no file open: a rotated file is then finished only when its
    modification time is ``rotate_wait`` seconds old, else left for the next run.
    ``ahead``: its readers parse in a child process while they commit
    (:mod:`carewatch.sources.ahead`). ``archives_apart``: compressed rotations of the path
    read by the caller (a one-shot ingest given them), which the tail leaves alone.
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
        encoding: str = "utf-8",
        delimiter: str | None = None,
        ahead: bool = False,
        archives_apart: frozenset[str] = frozenset(),
    ) -> None:
        self.store = store
        self.archives_apart = archives_apart
        self._unread = {}
        self.ahead = ahead
        self.encoding = encoding
        self.delimiter = delimiter
        self.config = config
        self.path = os.path.abspath(path)
        self.folder = os.path.dirname(self.path)
        self.fmt = fmt
        self.source = source_name_for(self.path, source)
        #: Whether the source name was given (a config's ``name``), not derived from the path.
        self.named = bool(source)
        self.registry = registry if registry is not None else {}
        self.rotate_wait = rotate_wait
        self.batch_lines = batch_lines
        self.clock = clock
        self._factories = factories
        self.current: LogReader | None = None
        self.draining: list[LogReader] = []
        self._finished_away: list[tuple[str, FileId, Position]] = []
        self.problem: str | None = None
        #: The problem when it is the wait for a first complete line (see :class:`TailStatus`).
        self._waiting: str | None = None
        #: The problem when it is a format that cannot be told (see :class:`TailStatus`).
        self._unknown: str | None = None
        self.exists = False
        #: (file id, size) of a file whose format could not be told: not tried again unchanged.
        self._undetected: tuple[FileId, int] | None = None
        #: (file id, size) of a file read before as another source than the one given.
        self._refused: tuple[FileId, int] | None = None
        self._last: Position | None = None
        #: Wall-clock time of the last poll (rotations modified after it are "unseen").
        self._last_look: float | None = None
        self._looked_up = False

    def open_readers(self) -> list[LogReader]:
        """The readers this tail holds: rotated files still being drained, then the current one."""
        return [*self.draining, *([self.current] if self.current else [])]

    # -- polling ---------------------------------------------------------------------------
    def poll(self, *, oneshot: bool = False, progress: Progress | None = None) -> list[BatchResult]:
        """Read what is new: rotated-away files first, then the file now at the path."""
        results: list[BatchResult] = []
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            st = None
            self.problem = _("cannot read it: {reason}").format(reason=exc.strerror or exc)
        if not oneshot:
            results += self._read_finished_again(progress)
            results += self._retry_archives(progress)
        for reader in list(self.draining):
            results += reader.read(progress=progress)
            if not oneshot and not self._moved_on(reader, st):
                # the writer has no other file to write into yet (Asterisk writes into the
                # renamed file until it opens the path again): the quiet period starts then
                reader.last_growth = self.clock()
                continue
            if oneshot or reader.quiet_for() >= self.rotate_wait:
                if not oneshot or self._quiet_by_mtime(reader.stat()):
                    results += reader.finish(progress=progress)
                    if not oneshot:
                        self._watch_finished(reader)
                self.draining.remove(reader)
                self._release(reader)
                if self.current is None:
                    self._last = reader.position
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
        cur = self.current
        if (
            oneshot
            and cur is not None
            and is_rotated_name(self.path)
            and self._quiet_by_mtime(cur.stat())
        ):
            results += cur.finish(progress=progress)  # a rotation nobody writes: its last line too
        self._remember()
        return results

    def _remember(self) -> None:
        readers = self.open_readers()
        if readers:
            self._last = readers[-1].position

    def _open_current(
        self,
        since: float | None,
        *,
        oneshot: bool,
        progress: Progress | None,
    ) -> list[BatchResult]:
        results: list[BatchResult] = []
        try:
            fd = open_log(self.path)
        except FileNotFoundError:
            self.exists = False
            return results
        except OSError as exc:
            self.problem = _("cannot read it: {reason}").format(reason=exc.strerror or exc)
            return results
        keep_fd = False
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                self.problem = _("not a regular file")
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
            if (fid, st.st_size) in (self._undetected, self._refused):
                return results
            positions = load_positions(self.store, self.source)
            match = next((p for p in positions if p.matches(fd, st)), None)
            if since is None and match is None:
                # first look since a start: files rotated while nobody was reading
                mine = [p.updated_at for p in positions if self._is_mine(p.path)]
                since = max(mine) if mine else None
            archived, positions = self._read_compressed(positions, match, since, progress)
            results += archived
            moved, adopted = self._finish_moved(positions, match, st, oneshot, progress)
            results += moved
            if since is not None:
                results += self._read_unseen(since, oneshot=oneshot, progress=progress)
            position = match or adopted or self._replaced_by_copy(fd, st)
            where = self.path
            if position is None:
                position = self._read_under_another_name(fd, st)
                if self._refused is not None:
                    return results
                if position is not None and position.file_id == fid:
                    # the same file under another name: its position stays with the path
                    # it was read by while the file is there (its rotations are found there)
                    where = position.path if file_is_at(position, position.path) else where
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
                position = replace(position, path=where, format=fmt, finished=False)
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

    def _read_under_another_name(self, fd: int, st: os.stat_result) -> Position | None:
        """The position to read the open file from when its lines were read before under
        another name (:func:`~carewatch.sources.positions.read_before`): the position of the
        same file (a symlink, a hard link), or, for a copy, a new position from the offset
        its original was read to. Its lines are read as the source they were read as, which
        becomes this tail's. ``None`` when nothing of it was read.

        When this tail's source name was given (a config's ``name``) and is not that source,
        nothing is merged: the file is refused, with the problem saying what it was read as.
        """
        fid = file_id(st)
        self._refused = None
        found = read_before(load_positions(self.store, None), fd, st)
        if found is None:
            return None
        if found.source != self.source:
            if self.named:
                self._refused = (fid, st.st_size)
                self.problem = read_as_another(found.source, self.source)
                return None
            self.source = found.source
        if found.file_id == fid:
            return found
        return Position(
            source=found.source,
            path=self.path,
            format=found.format,
            device=fid.device,
            inode=fid.inode,
            fingerprint=found.fingerprint,
            fingerprint_len=found.fingerprint_len,
            offset=found.offset,
            line_no=found.line_no,
        )

    def _detect(self, fd: int, st: os.stat_result) -> str | None:
        fid = file_id(st)
        head = pread_exact(fd, HEAD_BYTES, 0)
        cut = head.rfind(b"\n")
        if cut >= 0:
            head = head[: cut + 1]
        elif len(head) < HEAD_BYTES:
            head = b""
        if not head.strip():
            self.problem = self._waiting = _("waiting for a first complete line to tell the format")
            return None
        try:
            fmt = self.factories[1](head, self.path)
        except ValueError as exc:
            self._undetected = (fid, st.st_size)
            self.problem = self._unknown = str(exc)
            return None
        self._undetected = None
        return fmt

    # -- status and end ----------------------------------------------------------------------
    def status(self) -> TailStatus:
        """Counts of the file now followed (or the last one read, also before a restart)."""
        if self._last is None and self.current is None and not self._looked_up:
            self._looked_up = True
            stored = [p for p in load_positions(self.store, self.source) if p.path == self.path]
            self._last = stored[0] if stored else None
        pos = self.current.position if self.current else self._last
        fmt = self.fmt or (pos.format if pos else None)
        return TailStatus(
            path=self.path,
            source=self.source,
            format=fmt,
            exists=self.exists,
            problem=self.problem or self.archive_problem,
            pending=self.current.pending if self.current else 0,
            waiting=self.problem is not None and self.problem is self._waiting,
            unknown_format=self.problem is not None and self.problem is self._unknown,
            rotating=not self.exists and self._renamed_away(),
        ).counted(pos)

    def close(self) -> None:
        """Close every file this tail holds (positions are already committed)."""
        for reader in self.open_readers():
            self._release(reader)
        self.current = None
        self.draining = []
        self._finished_away = []
