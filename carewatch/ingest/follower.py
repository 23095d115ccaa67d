"""Following call-log files and folders as they grow and rotate: :class:`Follower`."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from carewatch.collector import collector_paused
from carewatch.config import Config, Source
from carewatch.i18n import _
from carewatch.ingest.files import database_files, tail_for
from carewatch.ingest.stall import StallWatch
from carewatch.ingest.summary import IngestSummary, SourceStatus, collecting
from carewatch.sources.fileid import FileId, folder_files, is_compressed, rotation_sort_key
from carewatch.sources.reader import BATCH_LINES, BatchResult, LogReader
from carewatch.sources.table_tail import TableTail
from carewatch.sources.tail import ROTATE_WAIT, LogTail
from carewatch.store import Store, StoreError
from carewatch.store.slots import problem_text

#: After a watcher starts, poll once more this soon (it may have missed a change while starting).
SETTLE_SECONDS = 0.3


@dataclass(frozen=True)
class _Spec:
    """One followed path (file or folder) and the format given for it, if any."""

    path: str
    fmt: str | None


class Follower:
    """Follows call-log files (or folders) and reads new lines into the store as they come;
    and the queue_log tables of ``tables`` (default: the config's), their new rows.

    Each source is ``(path, fmt)``; ``fmt`` ``None`` means the config's format for it, else
    the stored one, else detection. A path that does not exist yet is waited for. Changes
    are noticed through watchfiles on the parent folders (debounced ~50 ms) and, in case a
    notification is missed or the folder is on a network file system, by polling every
    ``poll_interval`` seconds (with ``force_polling``, watchfiles itself notices a change
    only when a file's modification time moves by a second, so this poll keeps the
    latency down). A watcher that cannot start (no inotify) leaves the polling alone to
    do the work. :meth:`poll_once` reads whatever is new now (the screen and
    the tests call it); :meth:`run` loops until a stop event is set.

    ``batch_lines`` lines commit together; with ``ahead``, a file with a long way left to read
    (a service started behind it) is read and parsed by a child process while this one
    commits, as a one-shot ingest does (:mod:`carewatch.sources.ahead`).
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
        tables: Iterable[Source] | None = None,
        ahead: bool = False,
    ) -> None:
        self.store = store
        self.ahead = ahead
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
        self._database = database_files(store)
        #: The queue_log tables followed: ``tables``, else the config's.
        self._tables = [
            TableTail(store, config, source)
            for source in (config.table_sources if tables is None else tables)
        ]
        self._tails: dict[str, LogTail] = {}
        self._registry: dict[FileId, LogReader] = {}
        self._lock = threading.RLock()
        self._last_status: list[SourceStatus] = []
        #: Paths and folders whose changes wake the loop (read by the watcher thread).
        self._watch_paths: frozenset[str] = frozenset()
        self._watch_dirs: frozenset[str] = frozenset()
        #: The database problem of the last poll (full, gone, locked), or ``None``: cleared
        #: by a poll that reaches the database again.
        self.last_error: str | None = None
        #: What the poll in progress has waited on for a while (a lock another program
        #: holds, a server that does not answer, a connection slot), and what it is about
        #: (``"database"``, or a table's label), or ``None`` (:mod:`.stall`).
        self.stalled: tuple[str, str] | None = None
        #: Read errors of the last poll, by path (cleared when the file reads again).
        self._read_errors: dict[str, str] = {}
        #: Why file notifications are not used (polling only), or ``None``.
        self.watch_error: str | None = None
        #: The stop event of :meth:`run` while it runs: a poll ends after the batch it is
        #: committing when it is set.
        self._stop: threading.Event | None = None

    # -- tails -----------------------------------------------------------------------------
    def _make_tail(self, path: str, fmt: str | None) -> LogTail:
        return tail_for(
            self.store,
            self.config,
            path,
            fmt,
            self._registry,
            rotate_wait=self.rotate_wait,
            batch_lines=self.batch_lines,
            ahead=self.ahead,
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
        """Read whatever is new in every source now; returns what was read. The cyclic
        garbage collector is paused meanwhile (:mod:`carewatch.collector`): a follower that
        starts behind a large file catches up a batch at a time."""
        summary = IngestSummary()
        with self._lock, collector_paused():
            database_error = None
            for tail in self._current_tails():
                if self._stopping():
                    break
                # the batches committed are counted also when an error stops the poll
                results: list[BatchResult] = []
                try:
                    tail.poll(progress=collecting(results, self._stopping))
                except StoreError as exc:
                    database_error = self._database_error(exc)
                except OSError as exc:
                    tail.problem = self._read_errors[tail.path] = _(
                        "cannot read it: {reason}"
                    ).format(reason=exc.strerror or exc)
                else:
                    read_error = self._read_errors.pop(tail.path, None)
                    if read_error is not None and tail.problem == read_error:
                        tail.problem = None
                    if tail.current is not None and tail.current.pending:
                        summary.incomplete += 1
                if results:
                    summary.files += 1
                for result in results:
                    summary.add_result(result)
            for table in self._tables:
                try:
                    results = table.poll(committed=self._stopping)
                except StoreError as exc:
                    database_error = self._database_error(exc)
                    continue
                if results:
                    summary.files += 1
                for result in results:
                    summary.add_result(result)
            self.last_error = database_error
            self._last_status = self._status()
        return summary

    def _database_error(self, exc: StoreError) -> str:
        """The line of a database problem to retry; one that waiting will not make go (a
        database this user may not write) ends the poll, and :meth:`run`, at once."""
        self.last_error = problem_text(exc)
        if exc.lasting:
            raise exc
        return self.last_error

    def _stopping(self, _committed: int = 0) -> bool:
        """Whether :meth:`run` was asked to stop (told after each batch a poll commits)."""
        return self._stop is not None and self._stop.is_set()

    def problems(self) -> dict[str, str]:
        """What stops the follower from reading now, one line each, by what it is about (a
        followed file's path, or ``"database"``): a database that is full, gone or locked, a
        file that cannot be read, is missing or is in no format carewatch reads."""
        found: dict[str, str] = {}
        if self.last_error:
            found["database"] = self.last_error
        for status in self.status():
            name = os.path.basename(status.path) or status.path
            if not status.exists and not status.rotating:
                # (while the file renamed away is still read, a rotation is in progress)
                found[status.path] = _("{name}: no such file (waiting for it)").format(name=name)
            elif status.problem and not status.waiting:
                found[status.path] = f"{name}: {status.problem}"
        if self.stalled is not None:
            found.setdefault(*self.stalled)
        return found

    @property
    def database_problem(self) -> str | None:
        """The database's problem now: the last poll's error, or the poll in progress waiting."""
        return self.last_error or (self.stalled[1] if self.stalled else None)

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
                out.append(SourceStatus.of(tail.status()))
        out.extend(SourceStatus.of(table.status()) for table in self._tables)
        return out

    def close(self) -> None:
        """Close every open file (positions are already committed)."""
        with self._lock:
            for tail in self._tails.values():
                tail.close()
            self._tails.clear()
            for table in self._tables:
                table.close()

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
        on_problems: Callable[[list[str], list[str]], None] | None = None,
    ) -> None:
        """Follow the sources until ``stop`` is set; ``on_batch`` gets each poll that read
        something, ``on_problems`` the problems that arose and those that went away since the
        poll before (:meth:`problems`; each told once, while the follower keeps trying).
        Files are closed on return.

        A database fault that waiting will not make go (a database this user may not write)
        is not retried: ``run`` raises its :class:`StoreError` (``lasting``, and kept in
        :attr:`last_error`). Every position stays at what was committed before it.
        """
        told: dict[str, str] = {}
        self._stop = stop
        wake = threading.Event()
        watched: frozenset[str] = frozenset()
        halt: threading.Event | None = None
        thread: threading.Thread | None = None
        settle = 0.0
        tables_stop = threading.Event()
        watchers = [table.watch(wake, tables_stop) for table in self._tables]

        def stalled(key: str, text: str) -> None:  # (from the watch's thread, the poll waiting)
            self.stalled = (key, text)
            if on_problems is not None and key not in told:  # (a problem told goes on)
                told[key] = text  # its end is told after the poll
                on_problems([text], [])

        watch = StallWatch(stalled)
        watch.start()
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
                watch.busy()
                try:
                    summary = self.poll_once()
                except StoreError as exc:
                    if exc.lasting:  # no use retrying: the caller tells it and stops
                        raise
                    self.last_error = problem_text(exc)
                except Exception as exc:  # keep following; the status shows what went wrong
                    self.last_error = f"{type(exc).__name__}: {exc}"
                else:
                    if on_batch is not None and summary.has_news:
                        on_batch(summary)
                finally:
                    watch.idle()
                    self.stalled = None
                if on_problems is not None:
                    now = self.problems()
                    arose = [text for key, text in now.items() if told.get(key) != text]
                    gone = [text for key, text in told.items() if key not in now]
                    told = now
                    if arose or gone:
                        on_problems(arose, gone)
                deadline = time.monotonic() + self.poll_interval
                if settle > time.monotonic():
                    deadline = min(deadline, settle)
                while not stop.is_set() and not wake.is_set():
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    wake.wait(min(left, 0.05))
        finally:
            self._stop = None
            watch.stop()
            tables_stop.set()
            if halt is not None:
                halt.set()
            for watcher in [thread, *watchers]:
                if watcher is not None:
                    watcher.join(timeout=2)
            self.close()


def service_follower(
    store: Store,
    config: Config,
    sources: Iterable[tuple[str, str | None] | str] | None = None,
    *,
    tables: Iterable[Source] | None = None,
) -> Follower:
    """The follower of ``carewatch ingest --follow``: started behind a large file (a service's
    first start, or after a stop) it catches up as the one-shot ingest reads, in the one-shot's
    batches and, on SQLite, with a reading process; a live poll reads a few lines. (The
    screen's follower keeps smaller batches and reads in one process, beside its threads.)"""
    from carewatch.ingest.oneshot import INGEST_BATCH_LINES

    return Follower(
        store,
        config,
        sources,
        tables=tables,
        batch_lines=INGEST_BATCH_LINES,
        ahead=store.is_sqlite,
    )
