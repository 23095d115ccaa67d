"""A followed log renamed and compressed while nothing read it: its unread lines are in the
archive only (:class:`CompressedRotations`, part of :class:`~carewatch.sources.tail.LogTail`).

logrotate's ``compress`` without ``delaycompress`` renames ``queue_log`` to ``queue_log.1``
and compresses it to ``queue_log.1.gz`` (or ``.zst``...) at once, removing the plain file.
A follower that was stopped then (overnight), or a cron ``ingest`` of the log's path that
ran before the rotation, finds the position it read to with no file left to continue in:
the lines written after its last reading are in the archive. So when the file at the path
is opened and a position of the path left it (or on the first look after a start), the
compressed rotations of the path modified since the earliest such reading are read for what
was never read of them, oldest first (:func:`~carewatch.sources.archive.read_archive`: the
rest of a file read in part, from where it was read to; a rotation nobody read, whole; one
read whole, nothing). Compression keeps a file's modification time, so an older archive
holds nothing new and is not opened.

An archive that cannot be read yet (logrotate still compressing it, damaged, a compression
without its extra) is the tail's problem (:attr:`archive_problem`), and the positions it may
continue are left unfinished, so the next look reads it once it is whole. A file being
drained (renamed while followed) is read through its own descriptor, not from its archive;
archives a one-shot ingest was given are read by it (:attr:`archives_apart`).
"""

from __future__ import annotations

import os

from carewatch.sources.archive import ArchiveError, read_archive
from carewatch.sources.fileid import folder_files, is_archive, split_rotation
from carewatch.sources.positions import Position, load_positions
from carewatch.sources.reader import BatchResult, Progress
from carewatch.sources.rotation import RotationHandling, file_is_at


class CompressedRotations(RotationHandling):
    """Reading what was never read of the path's compressed rotations (see the module)."""

    named: bool
    #: Compressed rotations read apart (a one-shot ingest given them): not read here.
    archives_apart: frozenset[str] = frozenset()

    def _read_compressed(
        self,
        positions: list[Position],
        match: Position | None,
        since: float | None,
        progress: Progress | None,
    ) -> tuple[list[BatchResult], list[Position]]:
        """Before the file now at the path is read: the archives that may hold what the
        positions of the path that left it (not ``match``, the file at the path) did not read,
        and those made since ``since`` (the last look); then the positions, read again when
        an archive was read."""
        left = [
            p.updated_at
            for p in positions
            if p is not match
            and not p.finished
            and self._is_mine(p.path)
            and not file_is_at(p, p.path)
        ]
        scan_from = min([*left, *([] if since is None else [since])], default=None)
        if scan_from is None or self.draining:
            return [], positions
        results = self._read_archives(scan_from, progress)
        if results:
            positions = load_positions(self.store, self.source)
        return results, positions

    def _read_archives(self, since: float, progress: Progress | None) -> list[BatchResult]:
        """Read what was never read of the compressed rotations of this path (``name.1.gz``,
        ``name-20261101.zst``) modified after ``since`` (with a second's slack), oldest first;
        keep why one could not be read in :attr:`archive_problem`."""
        found: list[tuple[int, int, str]] = []
        for path in folder_files(self.folder):
            if not is_archive(path) or not self._is_rotation(path) or path in self.archives_apart:
                continue
            try:
                st = os.stat(path)
            except OSError:
                continue
            if st.st_size == 0 or st.st_mtime < since - 1:
                continue
            rank = split_rotation(os.path.basename(path))[1] or 0
            found.append((st.st_mtime_ns, -rank, path))
        results: list[BatchResult] = []
        problem = None
        make, detect = self.factories
        for _, _, path in sorted(found):
            try:
                results += read_archive(
                    self.store,
                    path,
                    self.source,
                    self.fmt,
                    make_parser=make,
                    detect=detect,
                    encoding=self.encoding,
                    batch_lines=self.batch_lines,
                    progress=progress,
                    named=self.named,
                )
            except ArchiveError as exc:
                problem = f"{os.path.basename(path)}: {exc}"
            except (OSError, ValueError):
                continue  # gone meanwhile, or no call log: nothing of this path's text
        self.archive_problem = problem
        return results
