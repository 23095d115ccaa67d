"""Reading call-log files (or folders) once, to their last complete line: :func:`ingest_paths`."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from carewatch.collector import collector_paused
from carewatch.config import Config
from carewatch.i18n import _
from carewatch.ingest.files import (
    database_files,
    file_format_and_name,
    looks_like,
    reading_of,
    tail_for,
)
from carewatch.ingest.summary import IngestSummary, collecting
from carewatch.sources.archive import ArchiveError, read_archive
from carewatch.sources.fileid import (
    FileId,
    folder_files,
    is_archive,
    is_compressed,
    oldest_first,
    source_name_for,
)
from carewatch.sources.positions import read_again
from carewatch.sources.reader import BatchResult, LogReader, Progress
from carewatch.sources.rotation import default_factories
from carewatch.sources.tail import ROTATE_WAIT
from carewatch.store import Store

#: Lines per transaction of a one-shot ingest, ten times a follower's
#: (:data:`~carewatch.sources.reader.BATCH_LINES`): a large file commits, and writes its index
#: pages to the WAL again, ten times less often (a fifth of the time of 700,000 lines).
INGEST_BATCH_LINES = 20_000


class IngestError(Exception):
    """Call logs that cannot be read at all; ``str()`` is one line for the user."""


def _not_readable(path: str) -> str | None:
    if is_compressed(path) and not is_archive(path):
        return _("compressed in a format carewatch does not read (decompress it first)")
    return None


def _archive(
    store: Store,
    config: Config,
    path: str,
    fmt: str | None,
    encoding: str | None,
    batch_lines: int,
    progress: Progress,
) -> tuple[str | None, bool]:
    """Read one compressed rotation (``progress`` is told each batch committed): why it was
    not read, or not to its end, and whether that is a failure to read it (a damaged
    archive, an I/O error) rather than text in no known format."""
    file_fmt, name = file_format_and_name(config, path, fmt)
    file_encoding, delimiter = reading_of(config, path, encoding)
    make, detect = default_factories(config, delimiter)
    try:
        read_archive(
            store,
            path,
            source_name_for(path, name),
            file_fmt,
            make_parser=make,
            detect=detect,
            encoding=file_encoding,
            batch_lines=batch_lines,
            progress=progress,
            named=bool(name),
        )
    except ArchiveError as exc:
        return str(exc), True
    except ValueError as exc:  # its text is in no format carewatch can tell
        return str(exc), False
    except OSError as exc:
        return _cannot_read(exc), True
    return None, False


def _unfinished(path: str) -> int:
    """Whether the file's last line has no newline yet (1) or not (0: empty, blank lines)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                return 0
            fh.seek(-1, os.SEEK_END)
            return int(fh.read(1) != b"\n")
    except OSError:
        return 0


def _cannot_read(exc: OSError) -> str:
    reason = exc.strerror or (os.strerror(exc.errno) if exc.errno else str(exc))
    return _("cannot read it: {reason}").format(reason=reason)


def ingest_paths(
    store: Store,
    config: Config,
    paths: Sequence[str],
    fmt: str | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    rotate_wait: float = ROTATE_WAIT,
    batch_lines: int = INGEST_BATCH_LINES,
    encoding: str | None = None,
) -> IngestSummary:
    """Read call-log files (or every file of a folder) into the store, from where each was
    last read to its last complete line. Running it again on unchanged files adds nothing.

    Rotations of one log are read oldest first however they were given (``queue_log.2.gz``,
    ``queue_log.1``, ``queue_log``); compressed ones (``.gz``, ``.bz2``, ``.xz``, ``.zst``)
    are read whole, once. ``fmt`` forces the format of every file (else config, stored position,
    detection); ``encoding`` their text encoding (else the config's, else UTF-8).
    ``progress(bytes_done, bytes_total)`` is called as files are read. Raises
    :class:`IngestError` when a path does not exist or cannot be read. The cyclic garbage
    collector is paused meanwhile (:func:`carewatch.collector.collector_paused`).
    """
    with collector_paused():
        return _ingest_paths(
            store, config, paths, fmt, progress, rotate_wait, batch_lines, encoding
        )


def _ingest_paths(
    store: Store,
    config: Config,
    paths: Sequence[str],
    fmt: str | None,
    progress: Callable[[int, int], None] | None,
    rotate_wait: float,
    batch_lines: int,
    encoding: str | None,
) -> IngestSummary:
    database = database_files(store)
    files: list[str] = []
    for given in paths:
        path = os.path.abspath(os.path.expanduser(given))
        if os.path.isdir(path):
            if not os.access(path, os.R_OK | os.X_OK):
                denied = _("{path}: cannot read this folder (permission denied)")
                raise IngestError(denied.format(path=given))
            files.extend(folder_files(path))
        elif os.path.isfile(path):
            if not os.access(path, os.R_OK):
                denied = _("{path}: cannot read this file (permission denied)")
                raise IngestError(denied.format(path=given))
            files.append(path)
        elif os.path.exists(path):
            raise IngestError(_("{path}: not a file or a folder").format(path=given))
        else:
            raise IngestError(_("{path}: no such file or folder").format(path=given))
    files = oldest_first(list(dict.fromkeys(files)))
    archives = frozenset(p for p in files if is_archive(p))  # read here, not by the tails
    sizes = {}
    for path in files:
        try:
            sizes[path] = os.path.getsize(path)
        except OSError:
            sizes[path] = 0
    total = sum(sizes.values())
    done = 0
    summary = IngestSummary()
    registry: dict[FileId, LogReader] = {}

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(min(done, total), total)

    if progress is not None:
        progress(0, total)
    for path in files:
        start = done
        if path in database:
            continue  # the database's own files, in the folder of the logs: not a log
        why = _not_readable(path)
        if why is not None:
            summary.files_not_read.append((path, why))
            summary.files_failed.append(path)
            advance(sizes[path])
            continue
        failed = True  # a problem, if there is one, is a failure to read the file
        # every batch committed, as it commits: an error later in the file undoes none of
        # them, so the summary counts them too
        results: list[BatchResult] = []
        committed = collecting(results, advance)
        if is_archive(path):
            problem, failed = _archive(store, config, path, fmt, encoding, batch_lines, committed)
            pending = 0
        else:
            tail = tail_for(
                store,
                config,
                path,
                fmt,
                registry,
                rotate_wait=rotate_wait,
                batch_lines=batch_lines,
                encoding=encoding,
                ahead=store.is_sqlite,
                archives_apart=archives,
            )
            try:
                tail.poll(oneshot=True, progress=committed)
                status = tail.status()
            except OSError as exc:  # an I/O error while reading: the other files are read
                problem, pending = _cannot_read(exc), 0
            else:
                problem, pending = status.problem, status.pending
                failed = not status.unknown_format
                if status.waiting:
                    # no complete line yet (a log a rotation has just created, a first line
                    # being written): nothing to read now, an unfinished line left for later
                    problem, pending = None, _unfinished(path)
            finally:
                tail.close()
        for result in results:
            summary.add_result(result)
        lines = sum(r.lines_read for r in results)
        bad = sum(len(r.skipped) for r in results)
        if bad and bad >= lines - 1 and not sum(r.records for r in results):
            # every line skipped (a header aside): nothing of the file was stored
            summary.files_all_skipped.append((path, lines))
            found = looks_like(config, path)
            if found is not None:  # read in another format: from its start next time
                read_again(store, results[0].source, results[0].path, found)
        summary.files += 1
        if problem is not None:
            summary.files_not_read.append((path, problem))
            if failed:
                summary.files_failed.append(path)
        elif pending:
            summary.incomplete += 1
        done = start
        advance(sizes[path])
    if progress is not None:
        progress(total, total)
    return summary
