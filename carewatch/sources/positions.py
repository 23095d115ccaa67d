"""Read positions: where each file was read to, kept in ``cw_source_position``.

Positions live in ``cw_source_position`` (one row per file and source name) and are
committed in the same transaction as the calls their lines produced, one batch at a time
(:class:`~carewatch.sources.reader.LogReader`), so a process killed between batches
neither loses nor repeats a line. A position applies to a file when the file's inode and
first bytes match it (:mod:`carewatch.sources.fileid`) and the file is not shorter than
its offset.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from carewatch.i18n import _
from carewatch.sources.fileid import (
    FINGERPRINT_BYTES,
    FileId,
    file_id,
    prefix_matches,
)
from carewatch.store import Store


@dataclass
class Position:
    """In-memory copy of one row of ``cw_source_position`` (``SourcePosition``)."""

    source: str
    path: str
    format: str
    device: int
    inode: int
    fingerprint: str = ""
    fingerprint_len: int = 0
    offset: int = 0
    line_no: int = 0
    lines_read: int = 0
    bad_lines: int = 0
    last_bad_line: int | None = None
    last_bad_reason: str | None = None
    bad_by_reason: dict[str, int] = field(default_factory=dict)
    updated_at: float = 0.0
    last_line_at: float | None = None
    finished: bool = False
    id: int | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Position:
        """A row as returned by :meth:`Store.positions`."""
        try:
            by_reason = json.loads(row.get("bad_by_reason") or "{}")
        except ValueError:
            by_reason = {}
        if not isinstance(by_reason, dict):
            by_reason = {}
        return cls(
            id=row["id"],
            source=row["source"],
            path=row["path"],
            format=row["format"],
            device=int(row["device"]),
            inode=int(row["inode"]),
            fingerprint=row["fingerprint"] or "",
            fingerprint_len=int(row["fingerprint_len"] or 0),
            offset=int(row["byte_offset"] or 0),
            line_no=int(row["line_no"] or 0),
            lines_read=int(row["lines_read"] or 0),
            bad_lines=int(row["bad_lines"] or 0),
            last_bad_line=row.get("last_bad_line"),
            last_bad_reason=row.get("last_bad_reason"),
            bad_by_reason={str(k): int(v) for k, v in by_reason.items()},
            updated_at=float(row.get("updated_at") or 0.0),
            last_line_at=row.get("last_line_at"),
            finished=bool(row.get("finished")),
        )

    @property
    def file_id(self) -> FileId:
        """Device and inode of the file this position belongs to."""
        return FileId(self.device, self.inode)

    def values(self) -> dict[str, Any]:
        """The columns for :meth:`Store.save_position` (with ``id`` once the row exists)."""
        values: dict[str, Any] = {
            "source": self.source,
            "path": self.path,
            "format": self.format,
            "device": self.device,
            "inode": self.inode,
            "fingerprint": self.fingerprint,
            "fingerprint_len": self.fingerprint_len,
            "byte_offset": self.offset,
            "line_no": self.line_no,
            "lines_read": self.lines_read,
            "bad_lines": self.bad_lines,
            "last_bad_line": self.last_bad_line,
            "last_bad_reason": self.last_bad_reason[:200] if self.last_bad_reason else None,
            "bad_by_reason": json.dumps(self.bad_by_reason, sort_keys=True),
            "updated_at": self.updated_at,
            "last_line_at": self.last_line_at,
            "finished": self.finished,
        }
        if self.id is not None:
            values["id"] = self.id
        return values

    def matches(self, fd: int, st: os.stat_result) -> bool:
        """Whether this position applies to the open file: same inode, same first bytes,
        and not shorter than the offset."""
        return (
            file_id(st) == self.file_id
            and st.st_size >= self.offset
            and prefix_matches(fd, st.st_size, self.fingerprint, self.fingerprint_len)
        )

    def content_matches(self, fd: int, st: os.stat_result) -> bool:
        """Whether the open file (any inode) starts with this position's fingerprinted bytes
        and is at least as long as the offset: it holds everything read so far."""
        return (
            self.fingerprint_len > 0
            and self.offset > 0
            and st.st_size >= self.offset
            and prefix_matches(fd, st.st_size, self.fingerprint, self.fingerprint_len)
        )


def read_before(positions: Sequence[Position], fd: int, st: os.stat_result) -> Position | None:
    """The stored position, of any source and path, of the open file or of a file it is a
    copy of: a position of the same file (device and inode, its first bytes, not shorter
    than its offset: the file under another name, through a symlink or a hard link), else
    the position of which the file holds the most (its first bytes, at least as long as its
    offset: a copy). ``None`` when nothing of the file was read under any name.

    A copy is told only by a whole :data:`~carewatch.sources.fileid.FINGERPRINT_BYTES` of first
    bytes: a file read while it was shorter (an export holding its header alone) starts like
    every other export in its layout, another site's included, whose call ids may be the
    same as this one's.
    """
    fid = file_id(st)
    read = [p for p in positions if p.content_matches(fd, st)]
    same = [p for p in read if p.file_id == fid]
    copied = [p for p in read if p.fingerprint_len >= FINGERPRINT_BYTES]
    # the most read; of equals, the position stored first (the original's)
    return max(same or copied, key=lambda p: (p.offset, -(p.id or 0)), default=None)


def read_as_another(read_as: str, name: str) -> str:
    """Why a file is not read under the source name the user gave it: its lines were read
    as another source (through another name, or from the file it is a copy of)."""
    return _("already read as source {read_as}, not {name}").format(read_as=read_as, name=name)


def with_skipped(position: Position, skipped: Sequence[tuple[int, str]]) -> Position:
    """``position`` with these skipped lines (``(line_no, reason)``, in order) counted."""
    done = replace(position, bad_by_reason=dict(position.bad_by_reason))
    for line_no, reason in skipped:
        done.bad_lines += 1
        done.bad_by_reason[reason] = done.bad_by_reason.get(reason, 0) + 1
        done.last_bad_line, done.last_bad_reason = line_no, reason
    return done


class PositionMoved(Exception):
    """Another process moved a file's stored position since this one read it."""

    def __init__(self, stored: Position | None) -> None:
        super().__init__("the stored position moved")
        #: The stored position now (``None``: its row is gone).
        self.stored = stored


def moved_since(rows: list[dict[str, Any]], position: Position, fd: int) -> PositionMoved | None:
    """Whether the stored positions (``rows``, of the position's source, read inside the write
    transaction about to commit) say that another process moved ``position`` since it was
    read: its row changed, or, for a position not stored yet, another one started the file
    open as ``fd``. The compare of a compare-and-set."""
    stored = [Position.from_row(row) for row in rows]
    if position.id is None:
        st = os.fstat(fd)
        found = next((p for p in stored if p.matches(fd, st)), None)
        return None if found is None else PositionMoved(found)
    row = next((p for p in stored if p.id == position.id), None)
    if row is None:
        return PositionMoved(None)
    now = (row.offset, row.line_no, row.finished)
    if now != (position.offset, position.line_no, position.finished):
        return PositionMoved(row)
    return None


def load_positions(store: Store, source: str | None) -> list[Position]:
    """Stored positions of one source (``None``: of every source), newest first."""
    return [Position.from_row(row) for row in store.positions(source)]


def mark_finished(store: Store, position: Position, clock: Callable[[], float] = time.time) -> None:
    """Record that a stored position's file is gone (nothing more can be read from it).

    Only ``finished`` and ``updated_at`` are written, so a position another process moved
    meanwhile keeps its offset and counts.
    """
    done = replace(position, finished=True, updated_at=clock())
    if done.id is None:
        store.retrying(lambda tx: store.save_position(tx, done.values()))
        return
    change = {"id": done.id, "finished": True, "updated_at": done.updated_at}
    store.retrying(lambda tx: store.save_position(tx, change))


def read_again(
    store: Store,
    source: str,
    path: str,
    looks_like: str,
    clock: Callable[[], float] = time.time,
) -> None:
    """Make the next reading of ``path`` start from its first line, its format told anew,
    when it was read in a format other than ``looks_like``: for a file of which every line
    was skipped (read with a wrong format, nothing of it stored), so that reading it again
    in the right format adds its calls."""
    for row in store.positions(source):
        if row["path"] != path or row["format"] == looks_like:
            continue
        fresh = replace(
            Position.from_row(row),
            format="",
            offset=0,
            line_no=0,
            lines_read=0,
            bad_lines=0,
            last_bad_line=None,
            last_bad_reason=None,
            bad_by_reason={},
            finished=False,
            updated_at=clock(),
        )
        _save(store, fresh)


def _save(store: Store, position: Position) -> None:
    values = position.values()
    store.retrying(lambda tx: store.save_position(tx, values))
