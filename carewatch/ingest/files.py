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
    if not store.is_sqlite:
        return frozenset()
    path = store.url.removeprefix("sqlite:///")
    if not path or path == ":memory:":
        return frozenset()
    path = os.path.abspath(path)
    return frozenset({path, f"{path}-wal", f"{path}-shm", f"{path}-journal"})


def _config_source(config: Config, path: str) -> Source | None:
    """The ``[[sources]]`` entry for a file: the one naming it, else one naming its folder."""
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    by_folder = None
    for source in config.sources:
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


def tail_for(
    store: Store,
    config: Config,
    path: str,
    fmt: str | None,
    registry: dict[FileId, LogReader],
    *,
    rotate_wait: float,
    batch_lines: int,
) -> LogTail:
    """A tail of ``path`` in the format ``fmt``, else the config's for it (else the stored
    or the detected one), under the config's source name for it."""
    file_fmt, name = _format_and_name(config, path, fmt)
    return LogTail(
        store,
        config,
        path,
        file_fmt,
        source=name,
        registry=registry,
        rotate_wait=rotate_wait,
        batch_lines=batch_lines,
    )
