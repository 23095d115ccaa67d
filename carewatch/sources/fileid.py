"""Which file is which: device + inode, fingerprints of the first bytes, rotation names.

How a file is recognised
    By device + inode and a fingerprint: the SHA-256 of its first ``fingerprint_len``
    bytes (up to :data:`FINGERPRINT_BYTES`; a shorter file is fingerprinted whole and the
    fingerprint grows with it). A stored position (:mod:`carewatch.sources.positions`)
    applies to a file when the inode matches, the file's first ``fingerprint_len`` bytes
    hash to the stored fingerprint, and the file is not shorter than the stored offset.

Source names
    ``Source.name`` when configured, else the file's name without a numeric rotation
    suffix: ``queue_log.1`` is stored under ``queue_log``, so the calls of a rotated file
    keep the source name of the path being followed, and reading the rotated file again
    (say, ``carewatch ingest`` of the folder) finds the position and repeats nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import NamedTuple

#: Bytes hashed to tell one file from another (fewer while the file is shorter).
FINGERPRINT_BYTES = 1024
#: Files with these endings are compressed rotations: not read (their bytes are not lines).
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zst", ".zip", ".lz4", ".z", ".7z")

_ROTATED_RE = re.compile(r"^(.+)\.(\d+)$")


class FileId(NamedTuple):
    """Device and inode of a file: which file it is while it exists."""

    device: int
    inode: int


def file_id(st: os.stat_result) -> FileId:
    """The :class:`FileId` of a ``stat`` result."""
    return FileId(st.st_dev, st.st_ino)


# -- names ------------------------------------------------------------------------------------


def split_rotation(name: str) -> tuple[str, int | None]:
    """``"queue_log.2"`` -> ``("queue_log", 2)``; without a numeric suffix -> ``(name, None)``."""
    found = _ROTATED_RE.match(name)
    if found is None:
        return name, None
    return found.group(1), int(found.group(2))


def source_name_for(path: str, configured: str | None = None) -> str:
    """The source name calls of ``path`` are stored under.

    ``configured`` (``Source.name``) when given, else the file's name without a numeric
    rotation suffix (``/var/log/asterisk/queue_log.1`` -> ``queue_log``).
    """
    if configured:
        return configured
    return split_rotation(os.path.basename(path))[0]


def rotation_sort_key(path: str) -> tuple[str, str, int]:
    """Sort key that puts the files of a folder oldest first: ``x.3``, ``x.2``, ``x.1``, ``x``."""
    folder, name = os.path.split(path)
    base, index = split_rotation(name)
    return (folder, base, -(index if index is not None else 0))


def is_compressed(path: str) -> bool:
    """Whether the file name says it is compressed (``.gz``, ``.xz``, ...)."""
    return path.lower().endswith(COMPRESSED_SUFFIXES)


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
