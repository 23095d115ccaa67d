"""Where a followed file went: the part of a :class:`~carewatch.sources.tail.LogTail` that
opens readers and finds rotated-away files, copytruncate copies and rotations nobody read.

:class:`RotationHandling` is the base of ``LogTail``; the cases it handles are listed in
:mod:`carewatch.sources.tail`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace

from carewatch.config import Config
from carewatch.sources.base import Parser
from carewatch.sources.fileid import (
    FileId,
    file_id,
    folder_files,
    is_compressed,
    open_log,
    split_rotation,
)
from carewatch.sources.positions import Position, load_positions, mark_finished
from carewatch.sources.reader import BatchResult, LogReader, Progress
from carewatch.store import Store

ParserFactory = Callable[[str], Parser]
Detector = Callable[[bytes, str], str]

#: Rotated-away files a tail finished that it keeps looking at (by their path, no file open),
#: the latest: one that grows is read again from where it stopped.
FINISHED_WATCHED = 4


def default_factories(
    config: Config, delimiter: str | None = None
) -> tuple[ParserFactory, Detector]:
    """How parsers are made (with a source's ``delimiter``) and formats detected."""
    from carewatch.sources.registry import detect_format, make_parser

    return (
        lambda fmt: make_parser(fmt, config, delimiter=delimiter),
        lambda head, path: detect_format(head, config, path),
    )


class RotationHandling:
    """The files behind one followed path: readers opened, registered and released, and
    files that left the path found and read to their end.

    The attributes are set by :class:`~carewatch.sources.tail.LogTail`.
    """

    store: Store
    config: Config
    path: str
    folder: str
    fmt: str | None
    source: str
    registry: dict[FileId, LogReader]
    rotate_wait: float
    batch_lines: int
    clock: Callable[[], float]
    draining: list[LogReader]
    #: Rotated-away files finished while following and still linked, newest last: their path,
    #: file id and position (at most :data:`FINISHED_WATCHED`).
    _finished_away: list[tuple[str, FileId, Position]]
    _factories: tuple[ParserFactory, Detector] | None
    _last: Position | None
    encoding: str
    delimiter: str | None
    ahead: bool
    #: Why a compressed rotation of the path could not be read at the last look, or ``None``
    #: (:mod:`carewatch.sources.compressed`).
    archive_problem: str | None = None

    # -- readers ---------------------------------------------------------------------------
    @property
    def factories(self) -> tuple[ParserFactory, Detector]:
        """How parsers are made and formats detected (the registry's, unless injected)."""
        if self._factories is None:
            self._factories = default_factories(self.config, self.delimiter)
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
            self.store,
            fd,
            path,
            position,
            parser,
            batch_lines=self.batch_lines,
            clock=self.clock,
            encoding=self.encoding,
            ahead=self.ahead,
        )
        self._register(reader)
        return reader

    def _quiet_by_mtime(self, st: os.stat_result) -> bool:
        return time.time() - st.st_mtime >= self.rotate_wait

    @staticmethod
    def _moved_on(reader: LogReader, st: os.stat_result | None) -> bool:
        """Whether the writer of a file that left the path can have left it too: the file was
        deleted, or another file is at the path (``st``). Until then a writer that keeps its
        file open (Asterisk until ``logger rotate``) may still write into it."""
        return reader.stat().st_nlink == 0 or (st is not None and file_id(st) != reader.file_id)

    def _watch_finished(self, reader: LogReader) -> None:
        """Keep looking at a rotated-away file just finished, by its path: a writer that has
        not moved on yet may still write into it (:meth:`_read_finished_again`)."""
        if reader.path == self.path or reader.stat().st_nlink == 0:
            return  # deleted, or gone where it was not found: nothing to look at
        self._finished_away.append((reader.path, reader.file_id, reader.position))
        del self._finished_away[:-FINISHED_WATCHED]

    def _read_finished_again(self, progress: Progress | None) -> list[BatchResult]:
        """Rotated-away files finished while following that grew since: read from where they
        stopped and drained again. A file no longer at its path (deleted, rotated further) is
        no longer looked at; a rotation of it is found when the path's next file is opened
        (:meth:`_finish_moved`)."""
        results: list[BatchResult] = []
        for entry in list(self._finished_away):
            path, fid, position = entry
            try:
                st = os.stat(path)
            except OSError:
                st = None
            if st is None or file_id(st) != fid or fid in self.registry:
                self._finished_away.remove(entry)
                continue
            if st.st_size <= position.offset:
                continue
            self._finished_away.remove(entry)
            reader = self._reopen(path, fid, position)
            if reader is not None:
                results += reader.read(progress=progress)
                self.draining.append(reader)
        return results

    def _reopen(self, path: str, fid: FileId, position: Position) -> LogReader | None:
        """A reader of the file at ``path`` from ``position``, when it is still that file
        (inode, first bytes, not shorter than the offset) and nobody in this follower reads it."""
        try:
            fd = open_log(path)
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            if file_id(st) == fid and fid not in self.registry and position.matches(fd, st):
                return self._new_reader(fd, path, replace(position, path=path))
        except (OSError, ValueError):
            pass
        os.close(fd)
        return None

    def _finish_or_drain(
        self, reader: LogReader, st: os.stat_result, oneshot: bool, progress: Progress | None
    ) -> list[BatchResult]:
        """After reading a file that left the path: finish it when its modification time
        (in ``st``) is ``rotate_wait`` old, else leave it for the next run (``oneshot``) or
        keep it open to drain."""
        if self._quiet_by_mtime(st):
            results = reader.finish(progress=progress)
            if not oneshot:
                self._watch_finished(reader)
            self._release(reader)
            return results
        if oneshot:
            self._release(reader)  # a writer may still finish its last line: next time
        else:
            self.draining.append(reader)
        return []

    def _renamed_away(self) -> bool:
        """Whether a file renamed away from the path is still read and still has a name (a
        rotation in progress; a deleted file has none)."""
        for reader in self.draining:
            try:
                if reader.stat().st_nlink > 0:
                    return True
            except OSError:
                continue
        return False

    # -- files that left the path ----------------------------------------------------------
    def _finish_moved(
        self,
        positions: list[Position],
        match: Position | None,
        st: os.stat_result,
        oneshot: bool,
        progress: Progress | None,
    ) -> tuple[list[BatchResult], Position | None]:
        """Stored positions of this source and folder whose file left its path (a rotation
        or a copytruncate while nobody was reading): read each to its end, first.

        A position whose file is the one now at the path under another inode (a copy made
        by copytruncate, a file copied back or restored) is returned, to be continued in it;
        one whose file is nowhere is marked finished, unless a compressed rotation of the path
        could not be read (:mod:`carewatch.sources.compressed`: its text may be that file's).
        """
        results: list[BatchResult] = []
        fid = file_id(st)
        held = self._held_ids()
        adopted: Position | None = None
        finished: list[Position] = []
        for old in positions:
            if old is match or old.id in held:
                continue
            if os.path.dirname(old.path) != self.folder:
                continue
            if old.finished:
                finished.append(old)
                continue
            if not self._is_rotation(old.path) and file_is_at(old, old.path):
                continue  # another file's position, where it belongs
            found = self._locate(old, positions)
            if found is None:
                if self.archive_problem is None:
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
            results += self._finish_or_drain(reader, reader.stat(), oneshot, progress)
        results += self._read_grown(finished, oneshot, progress)
        return results, adopted

    def _read_grown(
        self, finished: list[Position], oneshot: bool, progress: Progress | None
    ) -> list[BatchResult]:
        """Rotations of this path finished before that grew since (their writer kept writing
        into the renamed file): read from where they stopped, then finished or drained. Found
        in the folder by inode, wherever they were renamed to since."""
        mine = [p for p in finished if self._is_rotation(p.path)]
        if not mine:
            return []
        seen: dict[FileId, tuple[str, int]] = {}
        for path in folder_files(self.folder):
            if not self._is_rotation(path) or is_compressed(path):
                continue
            try:
                st = os.stat(path)
            except OSError:
                continue
            seen[file_id(st)] = (path, st.st_size)
        results: list[BatchResult] = []
        for old in mine:
            path, size = seen.pop(old.file_id, ("", 0))
            if size <= old.offset:
                continue
            reader = self._reopen(path, old.file_id, old)
            if reader is not None:
                results += reader.read(progress=progress)
                results += self._finish_or_drain(reader, reader.stat(), oneshot, progress)
        return results

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
        progress: Progress | None,
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
            results += self._finish_or_drain(reader, st, oneshot, progress)
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


def file_is_at(position: Position, path: str) -> bool:
    """Whether the file of ``position`` (inode and first bytes, not shorter) is at ``path``."""
    try:
        fd = open_log(path)
    except OSError:
        return False
    try:
        return position.matches(fd, os.fstat(fd))
    finally:
        os.close(fd)
