"""Which files an ingest reads, and how: the database's own files (never read as logs), and
a tail for each file with the format and source name the config gives it."""

from __future__ import annotations

import os

from carewatch.config import Config, Source
from carewatch.sources.fileid import FileId
from carewatch.sources.reader import LogReader
from carewatch.sources.tail import LogTail
from carewatch.store import Store


def database_files(store: Store) -> frozenset[str]:
    """The store's own files (never read as call logs when they share a folder)."""
    path = store.file
    if path is None:
        return frozenset()
    return frozenset({path, f"{path}-wal", f"{path}-shm", f"{path}-journal"})


def _config_source(config: Config, path: str) -> Source | None:
    """The ``[[sources]]`` entry for a file: the one naming it, else one naming its folder."""
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    by_folder = None
    for source in config.sources:
        if source.path is None:
            continue  # a table
        where = os.path.abspath(os.path.expanduser(source.path))
        if where == path:
            return source
        if where == folder and by_folder is None:
            by_folder = source
    return by_folder


def _format_and_name(config: Config, path: str, fmt: str | None) -> tuple[str | None, str | None]:
    source = _config_source(config, path)
    name = source.name if source is not None else None
    if fmt is None and source is not None and source.format != "auto":
        fmt = source.format
    return fmt, name


def reading_of(config: Config, path: str, encoding: str | None) -> tuple[str, str | None]:
    """The encoding (``encoding`` when given, else the config's for the file, else
    UTF-8) and the CSV delimiter (the config's, if any) a file is read with."""
    source = _config_source(config, path)
    if encoding is None:
        encoding = source.encoding if source is not None else "utf-8"
    return encoding, source.delimiter if source is not None else None


def file_format_and_name(
    config: Config, path: str, fmt: str | None
) -> tuple[str | None, str | None]:
    """The format (``fmt``, else the config's for the file) and the configured source name."""
    return _format_and_name(config, path, fmt)


def tail_for(
    store: Store,
    config: Config,
    path: str,
    fmt: str | None,
    registry: dict[FileId, LogReader],
    *,
    rotate_wait: float,
    batch_lines: int,
    encoding: str | None = None,
    ahead: bool = False,
    archives_apart: frozenset[str] = frozenset(),
) -> LogTail:
    """A tail of ``path`` in the format ``fmt``, else the config's for it (else the stored
    or the detected one), under the config's source name for it, read in ``encoding``
    (else the config's for it); ``ahead``, ``archives_apart``: see
    :class:`~carewatch.sources.tail.LogTail`."""
    file_fmt, name = _format_and_name(config, path, fmt)
    file_encoding, delimiter = reading_of(config, path, encoding)
    return LogTail(
        store,
        config,
        path,
        file_fmt,
        source=name,
        registry=registry,
        rotate_wait=rotate_wait,
        batch_lines=batch_lines,
        encoding=file_encoding,
        delimiter=delimiter,
        ahead=ahead,
        archives_apart=archives_apart,
    )


def looks_like(config: Config, path: str) -> str | None:
    """The format a file's first lines look like (a compressed file's once decompressed),
    or ``None`` when it cannot be told."""
    from carewatch.sources.archive import ArchiveError, decompress
    from carewatch.sources.fileid import HEAD_BYTES, is_archive, pread_exact
    from carewatch.sources.registry import detect_format

    try:
        fd = decompress(path) if is_archive(path) else os.open(path, os.O_RDONLY)
    except (ArchiveError, OSError):
        return None
    try:
        head = pread_exact(fd, HEAD_BYTES, 0)
    finally:
        os.close(fd)
    cut = head.rfind(b"\n")
    if cut >= 0:
        head = head[: cut + 1]
    try:
        return detect_format(head, config, path)
    except ValueError:
        return None
