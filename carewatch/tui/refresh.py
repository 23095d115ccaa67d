"""How the live screen stays up to date: refreshes, the version watcher and the file follower
(a part of :class:`~carewatch.tui.app.CarewatchApp`).

* Every read of the database happens in one refresh worker (a thread): it brings the screen's
  :class:`~carewatch.live.LiveDay` up to date with what changed since the last refresh (the
  store's change numbers), builds a :class:`~carewatch.tui.snapshot.Snapshot` and posts it as
  :class:`SnapshotReady`. Refreshes never overlap: a request while one runs only marks the
  screen dirty, and the finished refresh starts the next one. Nothing refreshes while a
  modal (help, note, issue) is open. A refresh that finds nothing new paints nothing, unless
  it was asked for with ``force`` (the window or the queue changed, a write of this screen,
  time passing).
* What may have changed is announced with :class:`DataChanged` (``can_replace``: a burst is
  one message): by the version watcher (a thread polling ``store.data_version()`` every
  :data:`VERSION_POLL_SECONDS`, which moves when any process commits; it stays quiet about
  the version the last refresh had already read, so the follower's own commit is one
  refresh, not two), by the file follower after each batch, and after this screen's writes.
* A screen that follows call logs itself also keeps each finished day's report for the
  morning, as ``carewatch ingest --follow`` does (:class:`~carewatch.report.keep.DayKeeper`:
  a thread that waits, a child process that sums). It says nothing when a day is kept (the
  supervisor at the screen has nothing to do about it); a day that could not be kept is a
  warning notice.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.css.query import NoMatches

from carewatch.i18n import _
from carewatch.live import LiveDay
from carewatch.store import Store
from carewatch.store.waits import waits_of
from carewatch.tui.loader import LastWeekCache, load_snapshot
from carewatch.tui.messages import DataChanged, RefreshSkipped, SnapshotReady
from carewatch.tui.screens.main import MainScreen
from carewatch.tui.screens.wall import WallScreen
from carewatch.tui.snapshot import Snapshot, WindowKind

if TYPE_CHECKING:
    from carewatch.config import Config

#: How often the version watcher asks the database whether anything was committed.
VERSION_POLL_SECONDS = 0.1
#: Refresh at least this often even when nothing was committed (time passes).
PERIODIC_REFRESH = 15.0
#: The screen's follower hands a file's new lines over this soon after they are written
#: (watchfiles' debounce and step, in ms; ``ingest --follow`` keeps the follower's 50 ms).
FOLLOW_MS = 20
#: After a frame with new figures is drawn, the next refresh waits at least this long, and
#: at least as long as that frame took: at most about half of the UI thread goes to painting
#: figures, the rest stays free for keys (a busy centre would otherwise keep it painting).
MIN_REFRESH_GAP = 0.05
#: A read of the figures that has had no answer for this long is said as a read that failed
#: is (the stale alert): a server out of reach or frozen raises no error, the read just waits.
READ_STALL_SECONDS = 10.0


class Refreshing:
    """The refresh loop of the app (mixed into :class:`~carewatch.tui.app.CarewatchApp`)."""

    config: Config
    store: Store
    clock: Callable[[], float]
    stop_event: threading.Event
    follower: Any
    #: The keeper of finished days' reports, once the screen runs one (it follows logs).
    day_keeper: Any
    sources: list[tuple[str, str | None]]
    operator: str
    window_kind: WindowKind
    queue_filter: str | None
    own_agents: frozenset[str]
    snapshot: Snapshot | None

    def _init_refreshing(self) -> None:
        self._dirty = True
        self._force = True
        self._refreshing = False
        self._generation = 0
        self._last_refresh_at = 0.0
        self._refresh_started = 0.0
        self._refresh_thread = 0  # (the worker's ident: what its read waits on)
        #: Since when (the app's clock) and why the figures could not be read, until a
        #: refresh succeeds again: the screen says its figures are old (:func:`stale_alert`).
        self.read_failed: tuple[float, str] | None = None
        self._synced_version: int | None = None
        self._not_before = 0.0
        self._kick_pending = False
        #: Snapshots painted, refreshes that found nothing new, and version polls done.
        self.refresh_count = 0
        self.skipped_count = 0
        self.version_polls = 0
        self._last_week = LastWeekCache()
        self.live_day = LiveDay(self.config, self.own_agents)

    # -- refreshing ----------------------------------------------------------------------------
    def request_refresh(self, force: bool = True) -> None:
        """Something changed: refresh as soon as the running refresh (if any) is done.
        ``force``: paint even if the database holds nothing new."""
        self._dirty = True
        self._force = self._force or force
        self._kick()

    def _kick(self) -> None:
        if self._refreshing or not self._dirty or self.stop_event.is_set():
            return
        wait = self._not_before - time.monotonic()
        if wait > 0:  # (infinite: the frame being drawn kicks when it is on the screen)
            if not self._kick_pending and wait != float("inf"):
                self._kick_pending = True
                self.set_timer(wait, self._kick_later)  # type: ignore[attr-defined]
            return
        stack = self.screen_stack  # type: ignore[attr-defined]
        if not stack or not isinstance(stack[-1], (MainScreen, WallScreen)):
            return  # a modal is open (or the screen is closing): refresh when it closes
        force, self._force = self._force, False
        self._dirty = False
        self._refreshing = True
        self._refresh_started = time.monotonic()
        self._generation += 1
        self._refresh_worker(self._generation, self.window_kind, self.queue_filter, force)

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def _refresh_worker(
        self, generation: int, window_kind: WindowKind, queue_name: str | None, force: bool
    ) -> None:
        self._refresh_thread = threading.get_ident()
        with contextlib.suppress(Exception):  # the watcher polls again anyway
            self._synced_version = self.store.data_version()
        now = self.clock()
        changed = self.live_day.sync(self.store, now)
        if not changed and not force:
            self.post_message(RefreshSkipped(generation))  # type: ignore[attr-defined]
            return
        follower = self.follower
        snapshot = load_snapshot(
            self.store,
            self.config,
            self.live_day,
            now=now,
            window_kind=window_kind,
            queue=queue_name,
            operator=self.operator,
            statuses=follower.status() if follower is not None else [],
            follow_error=getattr(follower, "database_problem", None),
            cache=self._last_week,
            wall_now=time.time(),
        )
        self.post_message(SnapshotReady(snapshot, generation))  # type: ignore[attr-defined]

    def _kick_later(self) -> None:
        self._kick_pending = False
        self._kick()

    def _drawn(self, started: float) -> None:
        """The frame with the new figures is on the screen (see :data:`MIN_REFRESH_GAP`)."""
        now = time.monotonic()
        self._not_before = now + max(MIN_REFRESH_GAP, now - started)
        self._kick()

    def on_refresh_skipped(self, _message: RefreshSkipped) -> None:
        """A refresh found nothing new: start the next one if one was asked for."""
        self._refreshing = False
        self.skipped_count += 1
        self._kick()

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        """Paint the new figures, then start the next refresh if one was asked for."""
        self._refreshing = False
        started = self._last_refresh_at = time.monotonic()
        self.read_failed = None
        main = self.main  # type: ignore[attr-defined]
        snap = message.snapshot
        if (
            main is not None
            and snap.window_kind == self.window_kind
            and snap.queue == self.queue_filter
        ):
            self.snapshot = snap
            try:
                main.show_snapshot(snap)
                wall = self.wall  # type: ignore[attr-defined]
                if wall is not None:
                    wall.show_snapshot(snap, self.clock())
            except NoMatches:  # the screen is being taken down
                return
            self.refresh_count += 1
            self._not_before = float("inf")  # until the frame is drawn
            self.call_after_refresh(self._drawn, started)  # type: ignore[attr-defined]
        else:
            self._dirty = self._force = True
        self._kick()

    def on_data_changed(self, message: DataChanged) -> None:
        """The database moved: refresh (coalesced)."""
        self.request_refresh(force=message.force)

    def _periodic(self) -> None:
        """Time passes: a forced refresh every :data:`PERIODIC_REFRESH` seconds."""
        if time.monotonic() - self._last_refresh_at > PERIODIC_REFRESH:
            self._dirty = self._force = True
        waited = time.monotonic() - self._refresh_started
        if self._refreshing and self.read_failed is None and waited > READ_STALL_SECONDS:
            waits = waits_of(self._refresh_thread)
            if waits and waits[-1].kind == "slot":  # the server answers: it has no slot free
                why = _("its server has no connection free ({error})").format(
                    error=waits[-1].detail
                )
            else:
                why = _("no answer from its server for {seconds:g} s").format(
                    seconds=READ_STALL_SECONDS
                )
            self.read_failed = (self.clock() - waited, why)
            self._paint_stale()  # type: ignore[attr-defined]
        self._kick()

    # -- background threads --------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="versions", exit_on_error=False)
    def _watch_versions(self) -> None:
        """Poll ``store.data_version()``; a change means another process (or our follower)
        committed. Re-armed after each poll, so polls never overlap. Where the database
        announces changes (PostgreSQL), the wait between polls ends at the announcement.
        The first version is read at once (before the first refresh reads), so a commit
        between that refresh and the first poll is not missed. A version the last refresh
        read already is not announced again."""
        last: int | None = None
        with contextlib.suppress(Exception):
            last = self.store.data_version()
        while not self.stop_event.is_set():
            if self.store.notifies:
                self.store.wait_for_change(VERSION_POLL_SECONDS)  # ends early on a change
            elif self.stop_event.wait(VERSION_POLL_SECONDS):
                break
            try:
                version = self.store.data_version()
            except Exception:  # a locked or vanished database must not end the loop
                continue
            self.version_polls += 1
            if last is not None and version != last and version != self._synced_version:
                self.post_message(DataChanged(force=False))  # type: ignore[attr-defined]
            last = version

    @work(thread=True, exclusive=True, group="follow", exit_on_error=False)
    def _follow_files(self) -> None:
        """Follow the watched call-log files (and the config's queue_log tables) with the
        same code as ``ingest --follow``."""
        from carewatch.ingest import Follower

        self.follower = Follower(
            self.store, self.config, sources=self.sources, debounce_ms=FOLLOW_MS, step_ms=FOLLOW_MS
        )

        def on_batch(summary: Any) -> None:
            # new calls show by their change numbers; a batch that only moved a file's
            # status (bad lines) must be painted all the same
            data = summary.added or summary.updated or summary.agent_events
            self.post_message(DataChanged(force=not data))  # type: ignore[attr-defined]

        def on_problems(_arose: list[str], _gone: list[str]) -> None:
            # a file missing from the start, unreadable, or back: on the alerts line now,
            # not at the next periodic refresh
            self.post_message(DataChanged(force=True))  # type: ignore[attr-defined]

        self.follower.run(self.stop_event, on_batch=on_batch, on_problems=on_problems)

    @work(thread=True, exclusive=True, group="keep", exit_on_error=False)
    def _keep_days(self) -> None:
        """Keep each finished day's report for the morning (the screen follows the logs, so
        it is the one that knows the day is complete); the sums are done in a child process,
        never in this one's interpreter."""
        from carewatch.report.keep import DayKeeper

        def warn(text: str) -> None:
            with contextlib.suppress(Exception):  # the screen is closing: nobody to tell
                app: Any = self
                app.call_from_thread(app.notify, text, severity="warning", markup=False)

        self.day_keeper = DayKeeper(self.store.url, self.config, clock=self.clock, warn=warn)
        self.day_keeper.run(self.stop_event)
