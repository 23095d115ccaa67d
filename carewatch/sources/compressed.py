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
without its extra, permission denied, no room to decompress it, an I/O error) is the tail's
problem (:attr:`archive_problem`), and the positions it may continue are left unfinished.
While following it is tried again, after 1 second, then 2, 4… up to once a minute, until it
is read to its end (:meth:`CompressedRotations._retry_archives`): at once after an I/O error
(which may pass while the file stays as it is), and for an archive at fault only once it has
changed (logrotate finished it, or it was replaced). A database fault that stops its reading
leaves it to be tried again too. What was read of it is committed with its position, so a
try reads only what the tries before did not. A file being
drained (renamed while followed) is read through its own descriptor, not from its archive;
archives a one-shot ingest was given are read by it (:attr:`archives_apart`).
"""

from __future__ import annotations

import os

from carewatch.sources.archive import ArchiveError, io_problem, read_archive
from carewatch.sources.fileid import folder_files, is_archive, split_rotation
from carewatch.sources.positions import Position, load_positions
from carewatch.sources.reader import BatchResult, Progress
from carewatch.sources.rotation import RotationHandling, file_is_at

#: Seconds before an archive whose reading did not end is read again, while following; the
#: wait doubles at each try that fails, up to :data:`ARCHIVE_RETRY_MAX`.
ARCHIVE_RETRY_FIRST = 1.0
ARCHIVE_RETRY_MAX = 60.0

#: An archive whose reading did not end: its (size, modification time) when tried, why (``None``:
#: its reading was stopped by a database fault), and whether the archive itself is at fault.
Unread = tuple[tuple[int, int], str | None, bool]


class CompressedRotations(RotationHandling):
    """Reading what was never read of the path's compressed rotations (see the module)."""

    named: bool
    #: Compressed rotations read apart (a one-shot ingest given them): not read here.
    archives_apart: frozenset[str] = frozenset()
    #: Archives whose reading did not end, by (device, inode): tried again while following.
    _unread: dict[tuple[int, int], Unread]
    #: When the next try of :attr:`_unread` is due (:attr:`clock`), and the wait after it.
    _retry_at: float = 0.0
    _retry_delay: float = ARCHIVE_RETRY_FIRST

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
        chosen = [(st, p) for st, p in self._archives() if st.st_mtime >= since - 1]
        return self._read_these(chosen, progress)

    def _retry_archives(self, progress: Progress | None) -> list[BatchResult]:
        """While following: read again, when their time comes, the archives whose reading
        did not end (see the module), found by inode wherever a rotation renamed them."""
        if not self._unread or self.draining or self.clock() < self._retry_at:
            return []
        chosen = [(st, p) for st, p in self._archives() if (st.st_dev, st.st_ino) in self._unread]
        found = {(st.st_dev, st.st_ino) for st, _ in chosen}
        self._unread = {key: why for key, why in self._unread.items() if key in found}
        return self._read_these(chosen, progress)

    def _archives(self) -> list[tuple[os.stat_result, str]]:
        """The compressed rotations of this path in its folder, not empty, not read apart."""
        found: list[tuple[os.stat_result, str]] = []
        for path in folder_files(self.folder):
            if not is_archive(path) or not self._is_rotation(path) or path in self.archives_apart:
                continue
            try:
                st = os.stat(path)
            except OSError:
                continue
            if st.st_size > 0:
                found.append((st, path))
        return found

    def _read_these(
        self, chosen: list[tuple[os.stat_result, str]], progress: Progress | None
    ) -> list[BatchResult]:
        """Read ``chosen`` archives, oldest first; each stays in :attr:`_unread` until it was
        read to its end (a database fault that stops its reading leaves it there too), and
        the next try is due after :attr:`_retry_delay`, doubled at each try that left one."""
        chosen.sort(
            key=lambda a: (a[0].st_mtime_ns, -(split_rotation(os.path.basename(a[1]))[1] or 0))
        )
        results: list[BatchResult] = []
        make, detect = self.factories
        self._retry_at = self.clock() + self._retry_delay
        try:
            for st, path in chosen:
                key, shape = (st.st_dev, st.st_ino), (st.st_size, st.st_mtime_ns)
                known = self._unread.get(key)
                if known is not None and known[0] == shape and known[2]:
                    continue  # the archive itself at fault: tried again once it changes
                self._unread[key] = (shape, None, False)
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
                    why = f"{os.path.basename(path)}: {exc}"
                    self._unread[key] = (shape, why, not exc.transient)
                    continue
                except FileNotFoundError:
                    pass  # gone meanwhile
                except OSError as exc:  # reading its decompressed text
                    self._unread[key] = (
                        shape,
                        f"{os.path.basename(path)}: {io_problem(exc)}",
                        False,
                    )
                    continue
                except ValueError:
                    pass  # no call log: nothing of this path's text
                del self._unread[key]
        finally:
            if self._unread:
                self._retry_delay = min(self._retry_delay * 2, ARCHIVE_RETRY_MAX)
            else:
                self._retry_delay = ARCHIVE_RETRY_FIRST
        told = [why for _, why, _ in self._unread.values() if why is not None]
        self.archive_problem = told[-1] if told else None
        return results
