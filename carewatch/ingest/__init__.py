"""Reading call logs into the database: once (``ingest_paths``) or live (:class:`Follower`).

Both read through :class:`~carewatch.sources.tail.LogTail`, which keeps one committed
position per file, so a file read once and read again (by either, in any process, after any
crash) adds nothing twice. See :mod:`carewatch.sources.tail` for rotation and truncation and
:mod:`carewatch.sources.reader` for half-written lines.

The package: :mod:`~carewatch.ingest.summary` (what a run did), :mod:`~carewatch.ingest.files`
(which files, with which format and source name), :mod:`~carewatch.ingest.oneshot`
(:func:`ingest_paths`), :mod:`~carewatch.ingest.tables` (:func:`ingest_tables`: queue_log
tables, see :mod:`carewatch.sources.table_tail`) and :mod:`~carewatch.ingest.follower`
(:class:`Follower`, files and tables).

Decisions
    * One-shot ingest reads complete lines only. A last line without newline is left
      unread (the writer may still be finishing it) and reported as "1 incomplete last line
      left for later"; the next ingest or follower reads it once it has its newline. A
      rotated-away file that has not changed for ``rotate_wait`` seconds (by its modification
      time) is read to its very end instead, its last line too: nobody will finish it.
    * A folder means its regular, visible files, the rotations of a log oldest first
      (``queue_log.2``, ``queue_log.1``, ``queue_log``); the database's own files are
      passed over. Compressed rotations (``.gz``, ``.bz2``, ``.xz``, ``.zst``) are read
      whole, once, by the one-shot ingest (:mod:`carewatch.sources.archive`); a follower
      reads their text as it is written, and from an archive only what it never read (a
      file renamed and compressed while it was stopped: ``LogTail``'s rotation rules). Files whose
      format cannot be told are not read: the summary lists them as files not read, which
      is not an error; a file that cannot be read (another compression, a damaged archive)
      is a failure. A path that does not exist is an error (:class:`IngestError`), raised
      before anything is read.
    * The format of a file: the ``fmt`` argument, else its ``[[sources]]`` entry in the
      config (matched by path, or by folder), else the format stored with its position,
      else detected from its first complete lines (the follower waits for one).
    * Lines skipped for any reason are counted per reason. An event for a call that has
      not started yet is not skipped: it waits for the start in the store, and the summary
      says how many wait (docs/counting.md, "Reading order").
    * A follower tells each problem that stops it reading (:meth:`Follower.problems`) once
      when it arises and once when it is over, and keeps trying meanwhile; save a database
      fault that waiting will not put right (a database this user may not write), at which
      it stops (:meth:`Follower.run` raises the ``lasting`` :class:`StoreError`).
"""

from carewatch.ingest.follower import Follower
from carewatch.ingest.oneshot import IngestError, ingest_paths
from carewatch.ingest.summary import IngestSummary, SourceStatus
from carewatch.ingest.tables import ingest_tables

__all__ = [
    "Follower",
    "IngestError",
    "IngestSummary",
    "SourceStatus",
    "ingest_paths",
    "ingest_tables",
]
