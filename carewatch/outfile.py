"""Writing a file a user asked for (a report, a starter config, a simulated log) whole or not
at all: :func:`replacing`; and creating one only where none is (:func:`write_new`).

A web server or a mail script that reads the file while it is written, or after the command
failed half-way (a full disk, an interrupt), must see the previous file or the new one, never
a part of it. So the new content goes into a temporary file of the same folder
(``.NAME.XXXXXXXX.tmp``, hidden from a glob such as ``*.html``), which is flushed to the disk
and renamed over the file only when all of it is written; on any failure it is removed and
the file is as it was.

The file keeps what it had: its permission bits and, where the system lets the writer give
them, its owner and group (a report a web server reads through its group stays readable). A
new file has the permissions of the umask, as any file the user creates. A symbolic link is
followed: the file it points to is replaced, the link stays. Something that is no regular
file (``/dev/stdout``, a named pipe, a shell's ``>(…)``) is written as it is, and so is a
file whose folder takes no new file from this user while the file itself may be written:
there the new content can only go in place, and a failure half-way leaves a part of it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from typing import IO

#: How many names of temporary files are tried before giving up (a clash is one in 4 billion).
_TRIES = 16


@contextlib.contextmanager
def replacing(
    path: str | os.PathLike[str], *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[IO[str]]:
    """A text file to write the new content of ``path`` into; ``path`` is replaced by it when
    the block ends, and left as it was when the block (or the writing) raises. Raises
    ``OSError`` when the file cannot be written."""
    target = os.fspath(path)
    try:
        before: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        before = None
    if before is not None and not stat.S_ISREG(before.st_mode):
        with open(target, "w", encoding=encoding, newline=newline) as fh:
            yield fh
        return
    real = os.path.realpath(target)
    folder = os.path.dirname(real)
    try:
        fd, tmp = _temporary(folder, os.path.basename(real))
    except PermissionError:
        if before is None or not os.access(target, os.W_OK):
            raise
        with open(target, "w", encoding=encoding, newline=newline) as fh:
            yield fh
        return
    try:
        if before is not None:
            _keep_owner_and_mode(fd, before)
        fh = open(fd, "w", encoding=encoding, newline=newline)  # noqa: SIM115 - closed below
    except BaseException:
        os.close(fd)
        _remove(tmp)
        raise
    try:
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, real)
    except BaseException:
        _remove(tmp)
        raise


def write_whole(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text``, whole or not at all (:func:`replacing`)."""
    with replacing(path, encoding=encoding) as fh:
        fh.write(text)


def write_new(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """Create ``path`` holding ``text``, whole or not at all, only if no file is there: raises
    ``FileExistsError`` when one is, even one created a moment before by another program (two
    ``carewatch config init`` at once: one writes, the other is told the file exists).

    The text goes into a temporary file of the same folder, which is then hard-linked to
    ``path`` (a link, unlike a rename, never replaces a file) and removed. Where the file
    system has no hard links, ``path`` is created exclusively and written in place.
    """
    target = os.fspath(path)
    fd, tmp = _temporary(os.path.dirname(os.path.abspath(target)), os.path.basename(target))
    try:
        with open(fd, "w", encoding=encoding) as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise
        except OSError:  # no hard links here (a FAT or some network file systems)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
            with open(os.open(target, flags, 0o666), "w", encoding=encoding) as out:
                out.write(text)
    finally:
        _remove(tmp)


def _temporary(folder: str, name: str) -> tuple[int, str]:
    """A new empty file next to ``name`` in ``folder``, open for writing, created with the
    umask's permissions (as ``open(…, "w")`` creates a file)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    tries = 0
    while True:
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            tries += 1
            if tries == _TRIES:
                raise


def _remove(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def _keep_owner_and_mode(fd: int, before: os.stat_result) -> None:
    """Give the temporary file the owner, group and permission bits of the file it replaces,
    as far as this user may (the owner only for root; a group the user is in)."""
    try:
        os.fchown(fd, before.st_uid, before.st_gid)
    except OSError:
        with contextlib.suppress(OSError):
            os.fchown(fd, -1, before.st_gid)
    os.fchmod(fd, stat.S_IMODE(before.st_mode))
