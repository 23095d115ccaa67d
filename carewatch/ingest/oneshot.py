"""Reading call-log files (or folders) once, to their last complete line: :func:`ingest_paths`."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from carewatch.config import Config
from carewatch.ingest.files import database_files, tail_for
from carewatch.ingest.summary import IngestSummary
from carewatch.sources.fileid import FileId, folder_files, is_compressed
from carewatch.sources.reader import BATCH_LINES, LogReader
from carewatch.sources.tail import ROTATE_WAIT
from carewatch.store import Store


class IngestError(Exception):
    """Call logs that cannot be read at all; ``str()`` is one line for the user."""


def _not_readable(path: str) -> str | None:
    if is_compressed(path):
        return "compressed (decompress it first)"
    return None


def ingest_paths(
    store: Store,
    config: Config,
    paths: Sequence[str],
    fmt: str | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    rotate_wait: float = ROTATE_WAIT,
    batch_lines: int = BATCH_LINES,
) -> IngestSummary:
    """Read call-log files (or every file of a folder) into the store, from where each was
    last read to its last complete line. Running it again on unchanged files adds nothing.

    ``fmt`` forces the format of every file (else config, stored position, detection).
    ``progress(bytes_done, bytes_total)`` is called as files are read. Raises
    :class:`IngestError` when a path does not exist or cannot be read.
    """
    database = database_files(store)
    files: list[str] = []
    for given in paths:
        path = os.path.abspath(os.path.expanduser(given))
        if os.path.isdir(path):
            if not os.access(path, os.R_OK | os.X_OK):
                raise IngestError(f"{given}: cannot read this folder (permission denied)")
            files.extend(folder_files(path))
        elif os.path.isfile(path):
            if not os.access(path, os.R_OK):
                raise IngestError(f"{given}: cannot read this file (permission denied)")
            files.append(path)
        elif os.path.exists(path):
            raise IngestError(f"{given}: not a file or a folder")
        else:
            raise IngestError(f"{given}: no such file or folder")
    files = list(dict.fromkeys(files))
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
            advance(sizes[path])
            continue
        tail = tail_for(
            store,
            config,
            path,
            fmt,
            registry,
            rotate_wait=rotate_wait,
            batch_lines=batch_lines,
        )
        try:
            results = tail.poll(oneshot=True, progress=advance)
            status = tail.status()
        finally:
            tail.close()
        for result in results:
            summary.add_result(result)
        summary.files += 1
        if status.problem is not None:
            summary.files_not_read.append((path, status.problem))
        elif status.pending:
            summary.incomplete += 1
        done = start
        advance(sizes[path])
    if progress is not None:
        progress(total, total)
    return summary
