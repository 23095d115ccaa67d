"""Reading call logs into the database: once (``ingest_paths``) or live (:class:`Follower`).

Both read through :mod:`carewatch.sources.tail`, which keeps one committed position per
file, so a file read once and read again (by either, in any process, after any crash)
adds nothing twice. See that module for rotation, truncation and half-written lines.

Decisions
    * One-shot ingest reads complete lines only. A last line without newline is left
      unread (the writer may still be finishing it) and reported as "1 incomplete last line
      left for later"; the next ingest or follower reads it once it has its newline. A
      rotated-away file that has not changed for ``rotate_wait`` seconds (by its modification
      time) is read to its very end instead, its last line too: nobody will finish it.
    * A folder means its regular, visible files, the rotations of a log oldest first
      (``queue_log.2``, ``queue_log.1``, ``queue_log``); the database's own files are
      passed over. Compressed files (``.gz`` …) and files whose format cannot be told are
      not read: the summary lists them as files not read, which is not an error. A path
      that does not exist is an error (:class:`IngestError`), raised before anything is
      read.
    * The format of a file: the ``fmt`` argument, else its ``[[sources]]`` entry in the
      config (matched by path, or by folder), else the format stored with its position,
      else detected from its first complete lines (the follower waits for one).
    * Lines skipped for any reason are counted per reason; the store's "event for a call
      never seen starting" counts as a skipped line too.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from carewatch.config import Config, Source
from carewatch.sources.fileid import FileId, folder_files, is_compressed, rotation_sort_key
from carewatch.sources.reader import BATCH_LINES, BatchResult, LogReader
from carewatch.sources.tail import ROTATE_WAIT, LogTail
from carewatch.store import Store, StoreError

#: How many skipped lines an :class:`IngestSummary` remembers (the latest).
LAST_SKIPPED = 20
#: After a watcher starts, poll once more this soon (it may have missed a change while starting).
SETTLE_SECONDS = 0.3


class IngestError(Exception):
    """Call logs that cannot be read at all; ``str()`` is one line for the user."""


@dataclass
class IngestSummary:
    """What an ingest (or one poll of a follower) did."""

    added: int = 0
    updated: int = 0
    agent_events: int = 0
    lines_read: int = 0
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    #: The latest skipped lines, ``(path, line_no, reason)``, oldest first (bounded).
    last_skipped: list[tuple[str, int, str]] = field(default_factory=list)
    #: Files looked at (read from, or found with nothing new).
    files: int = 0
    #: Files whose last line has no newline yet: left for later.
    incomplete: int = 0
    #: Files not read, with why: ``(path, reason)``.
    files_not_read: list[tuple[str, str]] = field(default_factory=list)
    bytes_read: int = 0
    #: Call ids added in this run, per source (so a later batch completing them is no update).
    _added_here: dict[str, set[str]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def skipped(self) -> int:
        """Lines skipped, all reasons together."""
        return sum(self.skipped_by_reason.values())

    @property
    def has_news(self) -> bool:
        """Whether anything was read (calls, events, or lines skipped)."""
        return bool(self.lines_read or self.bytes_read or self.skipped or self.agent_events)

    def add_result(self, result: BatchResult) -> None:
        """Count one committed batch. A call added earlier in this run and completed by a
        later batch (its end line came after a batch boundary) counts as added, not updated."""
        self.added += result.added
        added_here = self._added_here.setdefault(result.source, set())
        self.updated += sum(1 for call_id in result.updated_ids if call_id not in added_here)
        added_here.update(result.added_ids)
        self.agent_events += result.agent_events
        self.lines_read += result.lines_read
        self.bytes_read += result.bytes_read
        for line_no, reason in result.skipped:
            self.skipped_by_reason[reason] = self.skipped_by_reason.get(reason, 0) + 1
            self.last_skipped.append((result.path, line_no, reason))
        del self.last_skipped[:-LAST_SKIPPED]

    def merge(self, other: IngestSummary) -> None:
        """Add another summary's counts to this one."""
        self.added += other.added
        self.updated += other.updated
        self.agent_events += other.agent_events
        self.lines_read += other.lines_read
        self.bytes_read += other.bytes_read
        for reason, count in other.skipped_by_reason.items():
            self.skipped_by_reason[reason] = self.skipped_by_reason.get(reason, 0) + count
        self.last_skipped.extend(other.last_skipped)
        del self.last_skipped[:-LAST_SKIPPED]
        self.files += other.files
        self.incomplete += other.incomplete
        self.files_not_read.extend(other.files_not_read)

    def summary_line(self) -> str:
        """One line for the user, e.g. ``12,345 calls added, 3 updated, 4 lines skipped
        (2 malformed, 1 unknown event, 1 invalid UTF-8; last: queue_log line 1234)``."""
        parts = [f"{_count(self.added, 'call')} added", f"{self.updated:,} updated"]
        if self.agent_events:
            parts.append(f"{_count(self.agent_events, 'agent event')} stored")
        skipped = f"{_count(self.skipped, 'line')} skipped"
        if self.skipped:
            reasons = sorted(self.skipped_by_reason.items(), key=lambda item: (-item[1], item[0]))
            listed = ", ".join(f"{n:,} {reason}" for reason, n in reasons)
            if self.last_skipped:
                path, line_no, _ = self.last_skipped[-1]
                listed += f"; last: {os.path.basename(path)} line {line_no}"
            skipped += f" ({listed})"
        parts.append(skipped)
        if self.incomplete:
            parts.append(f"{_count(self.incomplete, 'incomplete last line')} left for later")
        if self.files_not_read:
            shown = "; ".join(
                f"{os.path.basename(path)}: {reason}" for path, reason in self.files_not_read[:3]
            )
            more = len(self.files_not_read) - 3
            if more > 0:
                shown += f"; {more:,} more"
            parts.append(f"{_count(len(self.files_not_read), 'file')} not read ({shown})")
        return ", ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@dataclass
class SourceStatus:
    """How one followed file is doing, for the screen's source status line."""

    path: str
    format: str | None
    bad_lines: int
    last_bad_line: int | None
    last_bad_reason: str | None
    last_line_at: float | None
    exists: bool
    #: The source name its calls are stored under.
    source: str = ""
    lines_read: int = 0
    #: Why it is not being read (unknown format, waiting for a first line, ...), or ``None``.
    problem: str | None = None
    #: Bytes of a last line still waiting for its newline.
    pending: int = 0


# -- shared helpers ----------------------------------------------------------------------------


def _database_files(store: Store) -> frozenset[str]:
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


def _not_readable(path: str) -> str | None:
    if is_compressed(path):
        return "compressed (decompress it first)"
    return None


# -- one-shot --------------------------------------------------------------------------------


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
    database = _database_files(store)
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
        file_fmt, name = _format_and_name(config, path, fmt)
        tail = LogTail(
            store,
            config,
            path,
            file_fmt,
            source=name,
            registry=registry,
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


# -- following --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    """One followed path (file or folder) and the format given for it, if any."""

    path: str
    fmt: str | None


class Follower:
    """Follows call-log files (or folders) and reads new lines into the store as they come.

    Each source is ``(path, fmt)``; ``fmt`` ``None`` means the config's format for it, else
    the stored one, else detection. A path that does not exist yet is waited for. Changes
    are noticed through watchfiles on the parent folders (debounced ~50 ms) and, in case a
    notification is missed or the folder is on a network file system, by polling every
    ``poll_interval`` seconds (with ``force_polling``, watchfiles itself notices a change
    only when a file's modification time moves by a second, so this poll keeps the
    latency down). A watcher that cannot start (no inotify) leaves the polling alone to
    do the work. :meth:`poll_once` reads whatever is new now (the screen and
    the tests call it); :meth:`run` loops until a stop event is set.
    """

    def __init__(
        self,
        store: Store,
        config: Config,
        sources: Iterable[tuple[str, str | None] | str] | None = None,
        *,
        force_polling: bool = False,
        poll_interval: float = 1.0,
        rotate_wait: float = ROTATE_WAIT,
        debounce_ms: int = 50,
        step_ms: int = 50,
        batch_lines: int = BATCH_LINES,
    ) -> None:
        self.store = store
        self.config = config
        self.force_polling = force_polling
        self.poll_interval = poll_interval
        self.rotate_wait = rotate_wait
        self.debounce_ms = debounce_ms
        self.step_ms = step_ms
        self.batch_lines = batch_lines
        if sources is None:
            sources = config.source_specs
        self._specs: list[_Spec] = []
        for item in sources:
            path, fmt = (item, None) if isinstance(item, str) else item
            self._specs.append(_Spec(os.path.abspath(os.path.expanduser(path)), fmt))
        self._database = _database_files(store)
        self._tails: dict[str, LogTail] = {}
        self._registry: dict[FileId, LogReader] = {}
        self._lock = threading.RLock()
        self._last_status: list[SourceStatus] = []
        #: Paths and folders whose changes wake the loop (read by the watcher thread).
        self._watch_paths: frozenset[str] = frozenset()
        self._watch_dirs: frozenset[str] = frozenset()
        #: The last error that stopped a poll (a database problem), or ``None``.
        self.last_error: str | None = None
        #: Why file notifications are not used (polling only), or ``None``.
        self.watch_error: str | None = None

    # -- tails -----------------------------------------------------------------------------
    def _make_tail(self, path: str, fmt: str | None) -> LogTail:
        file_fmt, name = _format_and_name(self.config, path, fmt)
        return LogTail(
            self.store,
            self.config,
            path,
            file_fmt,
            source=name,
            registry=self._registry,
            rotate_wait=self.rotate_wait,
            batch_lines=self.batch_lines,
        )

    def _current_tails(self) -> list[LogTail]:
        """The tails to poll now, folders expanded to their files.

        Tails known from earlier polls come first, in the order they were found, then new
        files, oldest rotation first: a copy that logrotate has just made (``name.1``) is
        then seen by the tail that was reading the original before it is taken for a new
        file.
        """
        wanted: set[str] = set()
        for spec in self._specs:
            if os.path.isdir(spec.path):
                for path in folder_files(spec.path):
                    if path in self._database or path in wanted or is_compressed(path):
                        continue
                    wanted.add(path)
                    if path not in self._tails:
                        self._tails[path] = self._make_tail(path, spec.fmt)
            elif spec.path not in wanted:
                wanted.add(spec.path)
                if spec.path not in self._tails:
                    self._tails[spec.path] = self._make_tail(spec.path, spec.fmt)
        for path, tail in list(self._tails.items()):
            if path not in wanted and not tail.open_readers():
                tail.close()
                del self._tails[path]
        self._watch_paths = frozenset(self._tails)
        self._watch_dirs = frozenset(s.path for s in self._specs if os.path.isdir(s.path))
        return list(self._tails.values())

    # -- public ------------------------------------------------------------------------------
    def poll_once(self) -> IngestSummary:
        """Read whatever is new in every source now; returns what was read."""
        summary = IngestSummary()
        with self._lock:
            for tail in self._current_tails():
                try:
                    results = tail.poll()
                except StoreError as exc:
                    self.last_error = str(exc)
                    continue
                except OSError as exc:
                    tail.problem = f"cannot read it: {exc.strerror or exc}"
                    continue
                if results:
                    summary.files += 1
                for result in results:
                    summary.add_result(result)
                if tail.current is not None and tail.current.pending:
                    summary.incomplete += 1
            self._last_status = self._status()
        return summary

    def status(self) -> list[SourceStatus]:
        """One entry per followed file (files of a followed folder each), in source order;
        a followed folder that does not exist yet shows as one entry with ``exists=False``.

        Never waits for a poll in progress (a first read of a big file takes a while): it
        then returns the status as it was at the end of the last poll.
        """
        if not self._lock.acquire(blocking=False):
            return list(self._last_status)
        try:
            self._last_status = self._status()
            return list(self._last_status)
        finally:
            self._lock.release()

    def _status(self) -> list[SourceStatus]:
        out: list[SourceStatus] = []
        seen: set[str] = set()
        for spec in self._specs:
            if os.path.isdir(spec.path):
                paths = [p for p in self._tails if os.path.dirname(p) == spec.path]
                paths.sort(key=rotation_sort_key)
            else:
                paths = [spec.path]
            for path in paths:
                if path in seen:
                    continue
                seen.add(path)
                tail = self._tails.get(path)
                if tail is None:  # not polled yet
                    out.append(
                        SourceStatus(
                            path=path,
                            format=spec.fmt,
                            bad_lines=0,
                            last_bad_line=None,
                            last_bad_reason=None,
                            last_line_at=None,
                            exists=os.path.exists(path),
                        )
                    )
                    continue
                st = tail.status()
                out.append(
                    SourceStatus(
                        path=st.path,
                        format=st.format,
                        bad_lines=st.bad_lines,
                        last_bad_line=st.last_bad_line,
                        last_bad_reason=st.last_bad_reason,
                        last_line_at=st.last_line_at,
                        exists=st.exists,
                        source=st.source,
                        lines_read=st.lines_read,
                        problem=st.problem,
                        pending=st.pending,
                    )
                )
        return out

    def close(self) -> None:
        """Close every open file (positions are already committed)."""
        with self._lock:
            for tail in self._tails.values():
                tail.close()
            self._tails.clear()

    # -- the loop ----------------------------------------------------------------------------
    def _folders_to_watch(self) -> frozenset[str]:
        folders = set()
        for spec in self._specs:
            folder = spec.path if os.path.isdir(spec.path) else os.path.dirname(spec.path)
            if os.path.isdir(folder):
                folders.add(folder)
        return frozenset(folders)

    def _relevant(self, _change: object, path: str) -> bool:
        path = os.path.abspath(path)
        if path in self._database:
            return False
        return path in self._watch_paths or os.path.dirname(path) in self._watch_dirs

    def _watch(self, folders: frozenset[str], wake: threading.Event, halt: threading.Event) -> None:
        import watchfiles

        try:
            for _changes in watchfiles.watch(
                *sorted(folders),
                watch_filter=self._relevant,
                debounce=self.debounce_ms,
                step=self.step_ms,
                stop_event=halt,
                force_polling=self.force_polling,
                poll_delay_ms=max(self.step_ms, 50),
                recursive=False,
                raise_interrupt=False,
                ignore_permission_denied=True,
            ):
                wake.set()
        except Exception as exc:  # no notifications: the poll fallback still reads everything
            self.watch_error = f"{type(exc).__name__}: {exc}"

    def run(
        self,
        stop: threading.Event,
        on_batch: Callable[[IngestSummary], None] | None = None,
    ) -> None:
        """Follow the sources until ``stop`` is set; ``on_batch`` gets each poll that read
        something. Files are closed on return."""
        wake = threading.Event()
        watched: frozenset[str] = frozenset()
        halt: threading.Event | None = None
        thread: threading.Thread | None = None
        settle = 0.0
        try:
            while not stop.is_set():
                folders = self._folders_to_watch()
                if folders != watched:
                    # a change made while the new watcher starts is not notified: poll again soon
                    settle = time.monotonic() + SETTLE_SECONDS
                    if halt is not None and thread is not None:
                        halt.set()
                        thread.join(timeout=2)
                    halt, thread, watched = threading.Event(), None, folders
                    if folders:
                        thread = threading.Thread(
                            target=self._watch,
                            args=(folders, wake, halt),
                            name="carewatch-watch",
                            daemon=True,
                        )
                        thread.start()
                wake.clear()
                try:
                    summary = self.poll_once()
                except Exception as exc:  # keep following; the status shows what went wrong
                    self.last_error = f"{type(exc).__name__}: {exc}"
                else:
                    if on_batch is not None and summary.has_news:
                        on_batch(summary)
                deadline = time.monotonic() + self.poll_interval
                if settle > time.monotonic():
                    deadline = min(deadline, settle)
                while not stop.is_set() and not wake.is_set():
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    wake.wait(min(left, 0.05))
        finally:
            if halt is not None:
                halt.set()
            if thread is not None:
                thread.join(timeout=2)
            self.close()
