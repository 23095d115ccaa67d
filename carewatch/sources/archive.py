"""Compressed rotations (``queue_log.2.gz``, ``Master.csv-20261101.bz2``, ``.xz``,
``queue_log.1.zst``), read exactly once like plain files: :func:`read_archive`.

``.gz``, ``.bz2`` and ``.xz`` are read with the standard library; ``.zst`` with the
``zstandard`` package (the ``zstd`` extra: Python 3.11 has no zstd of its own), imported when
a ``.zst`` file is read. Without it a ``.zst`` file is not read, and the reason names the fix.

A compressed file is complete (nobody writes into it any more), so it is read to its end,
a last line without newline included, and its position is marked finished. It is
decompressed into an unnamed temporary file and read from there like any file; offsets
and fingerprints are those of the decompressed text.

Which position applies (identity by content): the stored position of this source whose
fingerprint the decompressed text starts with and whose offset it reaches, the furthest
read if several do: the archive's own position (read before), or the position of the
plain file it was compressed from (``queue_log.1`` read by a follower, then compressed by
logrotate). Reading starts at that offset, so only what was never read is read; the
archive gets a position of its own, and the plain file's stays as it was.
"""

from __future__ import annotations

import bz2
import errno
import gzip
import lzma
import os
import shutil
import tempfile
import zlib
from collections.abc import Callable
from typing import IO, Any

from carewatch.i18n import _
from carewatch.sources.base import Parser
from carewatch.sources.fileid import HEAD_BYTES, pread_exact
from carewatch.sources.positions import Position, load_positions, read_as_another, read_before
from carewatch.sources.reader import BATCH_LINES, BatchResult, LogReader, Progress
from carewatch.store import Store
from carewatch.store.waits import waiting_on

#: Bytes of compressed text read at a time.
_CHUNK = 1024 * 1024
#: Bytes of a zstd archive decompressed at a time (a log's text may be a hundred times larger).
_ZSTD_CHUNK = 64 * 1024
#: Errors a damaged or half-written archive raises while it is read (and ``OSError`` without
#: an errno: gzip's and bz2's word for a damaged stream).
_DAMAGED: tuple[type[BaseException], ...] = (
    EOFError,
    zlib.error,
    lzma.LZMAError,
    ValueError,
)


class ArchiveError(Exception):
    """An archive that cannot be read; ``str()`` is the reason, for the summary.

    ``transient``: an I/O error (permission denied, no room to decompress it, a network file
    system's hiccup) that may pass while the file stays as it is; otherwise the archive
    itself is at fault (damaged, incomplete, a compression without its extra) and reads no
    better until it changes.
    """

    def __init__(self, reason: str, *, transient: bool = False) -> None:
        super().__init__(reason)
        self.transient = transient


def io_problem(exc: OSError) -> ArchiveError:
    """The :class:`ArchiveError` of an I/O error met while an archive is decompressed: no
    room left where it is decompressed to, or the archive cannot be read."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        text = _("no room to decompress it in {folder}: {reason}").format(
            folder=tempfile.gettempdir(), reason=reason
        )
    else:
        text = _("cannot read it: {reason}").format(reason=reason)
    return ArchiveError(text, transient=True)


def _stdlib(codec: Any) -> Callable[[str, IO[bytes]], None]:
    """Decompression with a standard library module (``gzip``, ``bz2``, ``lzma``)."""

    def copy(path: str, out: IO[bytes]) -> None:
        with codec.open(path, "rb") as src:
            shutil.copyfileobj(src, out, _CHUNK)

    return copy


def _zstd(path: str, out: IO[bytes]) -> None:
    """Decompress a zstd archive, every frame of it (``cat a.zst b.zst`` is one archive).

    An archive that ends inside a frame (logrotate still writing it, a copy cut short) raises
    ``EOFError``, as ``gzip`` does: ``zstandard``'s file reader would take it for the end.
    """
    try:
        import zstandard
    except ImportError:
        raise ArchiveError(
            _("zstd archives need the zstd extra: pip install 'carewatch[zstd]'")
        ) from None
    dctx = zstandard.ZstdDecompressor()
    frame = dctx.decompressobj()
    inside = False  # whether the bytes given so far end inside a frame
    try:
        with open(path, "rb") as src:
            while chunk := src.read(_ZSTD_CHUNK):
                while chunk:
                    out.write(frame.decompress(chunk))
                    inside = not frame.eof
                    if inside:
                        break
                    chunk = frame.unused_data  # the next frame's first bytes, if any
                    frame = dctx.decompressobj()
    except zstandard.ZstdError as exc:
        raise ValueError(str(exc)) from None
    if inside:
        raise EOFError("Compressed file ended before the end-of-stream marker was reached")


#: Suffix -> what decompresses it into a file.
_CODECS: dict[str, Callable[[str, IO[bytes]], None]] = {
    ".gz": _stdlib(gzip),
    ".bz2": _stdlib(bz2),
    ".xz": _stdlib(lzma),
    ".zst": _zstd,
}


def decompress(path: str) -> int:
    """The decompressed text of ``path`` in an unnamed temporary file: its descriptor.

    Raises :class:`ArchiveError` for a damaged or incomplete archive (one still being
    written by logrotate, say: it is read next time), a ``.zst`` one without the
    ``zstandard`` package, or an I/O error (``transient``), with nothing of it read.
    """
    codec = next((c for s, c in _CODECS.items() if path.lower().endswith(s)), None)
    if codec is None:
        raise ArchiveError(_("compressed in a format carewatch does not read"))
    try:
        # (a long while for a big one, without a commit: a follower's stall watch leaves it out)
        with waiting_on("archive", path), tempfile.TemporaryFile() as out:
            codec(path, out)
            out.flush()
            return os.dup(out.fileno())
    except OSError as exc:
        if exc.errno is not None:
            raise io_problem(exc) from None
        damaged: BaseException = exc
    except _DAMAGED as exc:
        damaged = exc
    reason = _("damaged or incomplete archive ({error})").format(error=damaged)
    raise ArchiveError(reason)


def _best(positions: list[Position], fd: int, st: os.stat_result) -> Position | None:
    found = [p for p in positions if p.content_matches(fd, st)]
    return max(found, key=lambda p: (p.offset, p.finished), default=None)


def read_archive(
    store: Store,
    path: str,
    source: str,
    fmt: str | None,
    *,
    make_parser: Callable[[str], Parser],
    detect: Callable[[bytes, str], str],
    encoding: str = "utf-8",
    batch_lines: int = BATCH_LINES,
    progress: Progress | None = None,
    named: bool = False,
) -> list[BatchResult]:
    """Read what was never read of one compressed file, to its very end.

    Text read before as another source (the archive under another name, the compressed
    copy of a file read under another name) is read as that source, from where it was
    read to; unless ``named`` (``source`` is a name the user gave), then the archive is
    not read: :class:`ArchiveError` says what it was read as.

    Raises :class:`ArchiveError` (the archive cannot be read) or ``ValueError`` (its
    format cannot be told, or has no parser).
    """
    st = os.stat(path)
    fd = decompress(path)
    reader: LogReader | None = None
    try:
        text_st = os.fstat(fd)
        known = _best(load_positions(store, source), fd, text_st)
        if known is None:
            known = read_before(load_positions(store, None), fd, text_st)
            if known is not None and known.source != source:
                if named:
                    raise ArchiveError(read_as_another(known.source, source))
                source = known.source
        if known is not None and known.finished and known.offset >= text_st.st_size:
            return []  # read before, whole
        fmt = fmt or (known.format if known else None)
        if fmt is None:
            head = pread_exact(fd, HEAD_BYTES, 0)
            fmt = detect(head, path)
        carried: dict[str, Any] = {}
        if known is not None:
            carried = {
                "fingerprint": known.fingerprint,
                "fingerprint_len": known.fingerprint_len,
                "offset": known.offset,
                "line_no": known.line_no,
            }
            if known.path == path and (known.device, known.inode) == (st.st_dev, st.st_ino):
                carried.update(id=known.id, lines_read=known.lines_read, bad_lines=known.bad_lines)
        position = Position(
            source=source, path=path, format=fmt, device=st.st_dev, inode=st.st_ino, **carried
        )
        reader = LogReader(
            store, fd, path, position, make_parser(fmt), batch_lines=batch_lines, encoding=encoding
        )
        results = reader.read(final=True, progress=progress)
        results += reader.finish(progress=progress)
        return results
    finally:
        if reader is not None:
            reader.close()
        else:
            os.close(fd)
