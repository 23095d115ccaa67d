"""Which file is which: device + inode, fingerprints of the first bytes, rotation names.

How a file is recognised
    By device + inode and a fingerprint: the SHA-256 of its first ``fingerprint_len``
    bytes (up to :data:`FINGERPRINT_BYTES`; a shorter file is fingerprinted whole and the
    fingerprint grows with it). A stored position (:mod:`carewatch.sources.positions`)
    applies to a file when the inode matches, the file's first ``fingerprint_len`` bytes
    hash to the stored fingerprint, and the file is not shorter than the stored offset.
    A file with no position of its own source is looked for among the positions of every
    source (:func:`~carewatch.sources.positions.read_before`): the same file under another
    name (a symlink, a hard link), or a copy of one (same first bytes, not shorter than the
    offset), is read as the source it was read as, from that offset.

Source names
    ``Source.name`` when configured, else the file's name without its rotation suffix
    and compression: ``queue_log.1``, ``queue_log.2.gz`` and ``Master.csv-20261101.gz``
    are stored under ``queue_log`` and ``Master.csv``, so the calls of a rotated file keep
    the source name of the path being followed, and reading the rotated file again (say,
    ``carewatch ingest`` of the folder) finds the position and repeats nothing.

Rotation names
    logrotate's numbered rotations (``name.1``, ``name.2.gz``: the higher, the older) and
    date-suffixed ones (``name-20261101``, ``name-2026110112``, ``name-2026-11-01``, with
    ``-``, ``.`` or ``_``: the earlier, the older); a compression suffix may follow.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import NamedTuple

from carewatch.records import TEXT_MAX

#: First bytes given to format detection.
HEAD_BYTES = 64 * 1024
#: Bytes hashed to tell one file from another (fewer while the file is shorter).
FINGERPRINT_BYTES = 1024
#: Files with these endings are compressed rotations: not read (their bytes are not lines).
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zst", ".zip", ".lz4", ".z", ".7z")

_ROTATED_RE = re.compile(r"^(.+)\.(\d{1,6})$")
_DATED_RE = re.compile(r"^(.+?)[-._](\d{4})-?(\d{2})-?(\d{2})(\d{2,6})?$")
#: Compressed files carewatch reads (:mod:`carewatch.sources.archive`); the other suffixes
#: are not read.
ARCHIVE_SUFFIXES = (".gz", ".bz2", ".xz", ".zst")


class FileId(NamedTuple):
    """Device and inode of a file: which file it is while it exists."""

    device: int
    inode: int


def file_id(st: os.stat_result) -> FileId:
    """The :class:`FileId` of a ``stat`` result."""
    return FileId(st.st_dev, st.st_ino)


# -- names ------------------------------------------------------------------------------------


def strip_compression(name: str) -> str:
    """The name without a compression suffix: ``queue_log.2.gz`` -> ``queue_log.2``."""
    lowered = name.lower()
    for suffix in COMPRESSED_SUFFIXES:
        if lowered.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def split_rotation(name: str) -> tuple[str, int | None]:
    """A file name -> its base name and its rotation's age rank (higher is older).

    ``"queue_log.2"`` and ``"queue_log.2.gz"`` -> ``("queue_log", 2)``;
    ``"Master.csv-20261101"`` -> ``("Master.csv", n)`` with ``n`` larger for earlier
    dates; a name without a rotation suffix -> ``(name, None)``.
    """
    bare = strip_compression(name)
    found = _ROTATED_RE.match(bare)
    if found is not None:
        return found.group(1), int(found.group(2))
    dated = _DATED_RE.match(bare)
    if dated is not None:
        digits = "".join(dated.group(i) or "" for i in range(2, 6)).ljust(14, "0")
        return dated.group(1), 10**14 - int(digits)
    return name, None


def is_rotated_name(path: str) -> bool:
    """Whether the file's name says it is a rotation (a file no longer written)."""
    return split_rotation(os.path.basename(path))[1] is not None


def source_name_for(path: str, configured: str | None = None) -> str:
    """The source name calls of ``path`` are stored under.

    ``configured`` (``Source.name``) when given, else the file's name without a numeric
    rotation suffix (``/var/log/asterisk/queue_log.1`` -> ``queue_log``), cut to the
    :data:`~carewatch.records.TEXT_MAX` characters the database keeps (a file's name may have
    255 bytes; PostgreSQL refuses a longer value where SQLite would keep it).
    """
    if configured:
        return configured
    return split_rotation(os.path.basename(path))[0][:TEXT_MAX]


def rotation_sort_key(path: str) -> tuple[str, str, int]:
    """Sort key that puts the files of a folder oldest first: ``x.3``, ``x.2``, ``x.1``, ``x``."""
    folder, name = os.path.split(path)
    base, index = split_rotation(name)
    return (folder, base, -(index if index is not None else 0))


def is_compressed(path: str) -> bool:
    """Whether the file name says it is compressed (``.gz``, ``.xz``, ...)."""
    return path.lower().endswith(COMPRESSED_SUFFIXES)


def is_archive(path: str) -> bool:
    """Whether the file is compressed in a format carewatch reads (``.gz``, ``.bz2``, ``.xz``,
    ``.zst``)."""
    return path.lower().endswith(ARCHIVE_SUFFIXES)


def oldest_first(paths: list[str]) -> list[str]:
    """``paths`` with the rotations of each log ordered oldest first (``x.2.gz``, ``x.1``,
    ``x``), each log's files where its first one was given; other files keep their order."""
    groups: dict[tuple[str, str], list[str]] = {}
    for path in paths:
        folder, name = os.path.split(path)
        groups.setdefault((folder, split_rotation(name)[0]), []).append(path)
    return [path for group in groups.values() for path in sorted(group, key=rotation_sort_key)]


def folder_files(folder: str) -> list[str]:
    """The regular, visible files of a folder (absolute paths), oldest rotation first.

    Hidden files (``.name``) are left out.
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


def pread_exact(fd: int, length: int, offset: int) -> bytes:
    """``length`` bytes of an open file from ``offset`` (fewer at its end)."""
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
    data = pread_exact(fd, length, 0)
    return hashlib.sha256(data).hexdigest(), len(data)


def prefix_matches(fd: int, size: int, digest: str, length: int) -> bool:
    """Whether an open file (of ``size`` bytes) starts with the bytes that hashed to ``digest``."""
    if size < length:
        return False
    return fingerprint(fd, length) == (digest, length)
