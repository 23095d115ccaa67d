"""The live screen: the app, its workers, and the factory the CLI and the tests use.

Data flow
---------
* Refreshes, the version watcher and the file follower: :mod:`carewatch.tui.refresh`.
* Writes (tags, notes, issues, undo) are jobs built by :mod:`carewatch.tui.writes` and run
  by one writer thread, in the order the keys were pressed; each result comes back as
  :class:`WriteDone` and is shown as a notification.
  A failure is a notification too, never a crash.
* A one-second tick repaints the clock and the longest wait without reading the database;
  every :data:`~carewatch.tui.refresh.PERIODIC_REFRESH` seconds the figures are refreshed
  anyway (time passes).
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.css.query import NoMatches
from textual.filter import Monochrome, NoColor
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from carewatch.charset import plain_encoding
from carewatch.config import Config
from carewatch.config.screen import operator_agents
from carewatch.i18n import N_, _
from carewatch.store import Store, StoreError
from carewatch.tui.commands import CarewatchCommands, PaletteCommand
from carewatch.tui.feed import DemoFeed, StartHook, default_operator
from carewatch.tui.gcpace import CollectorPace
from carewatch.tui.messages import Undoable, WriteDone
from carewatch.tui.plain import PlainCharacters
from carewatch.tui.refresh import VERSION_POLL_SECONDS, Refreshing
from carewatch.tui.screens.main import MainScreen
from carewatch.tui.screens.wall import WallScreen
from carewatch.tui.snapshot import WINDOW_KINDS, Snapshot, WindowKind
from carewatch.tui.state import remember_theme, theme_to_use
from carewatch.tui.switching import SwitchPace
from carewatch.tui.words import tr, translate_bindings
from carewatch.tui.writes import run_patiently


class CarewatchApp(Refreshing, App[None]):
    """carewatch's live screen for the supervisor and the operators."""

    CSS_PATH = "carewatch.tcss"
    TITLE = "carewatch"
    COMMANDS: ClassVar = App.COMMANDS | {CarewatchCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", N_("Quit"), show=False, priority=True),
    ]

    def __init__(
        self,
        config: Config,
        store: Store,
        *,
        sources: Sequence[tuple[str, str | None]] = (),
        operator: str | None = None,
        clock: Callable[[], float] = time.time,
        demo: DemoFeed | None = None,
        live: bool = True,
        theme: str | None = None,
        wall: bool = False,
        state_path: Path | None = None,
    ) -> None:
        """Use :func:`create_app` rather than this. ``sources``: the call-log files to follow,
        as ``(path, format or None)``. ``live=False`` starts no follower, watcher or tick
        (snapshot tests refresh once, by hand). ``theme``: else the config's ``[ui] theme``
        (or the one picked in the palette, remembered in ``state_path``). ``wall``: start on
        the wallboard."""
        super().__init__()
        translate_bindings(self)
        self.config = config
        self.store = store
        #: The call-log files this screen follows (``--watch``), as ``(path, format or None)``.
        self.sources = list(sources)
        self.operator = operator or default_operator()
        #: The agent ids (folded) that are this operator (``[operators]``, or the name).
        self.own_agents = operator_agents(config.operators, self.operator)
        self.clock = clock
        self.demo = demo
        self.live = live
        self.start_on_wall = wall
        self.state_path = state_path
        chosen = theme or theme_to_use(state_path, config.ui.theme)
        if chosen in self.available_themes:
            self.theme = chosen
        else:
            self._bad_theme = chosen
        self._match_no_color()
        # LANG=C, a Latin-1 terminal: what it cannot show is painted in plain characters
        keep = plain_encoding(sys.__stderr__)  # where Textual writes
        if keep is not None:
            self._filters.append(PlainCharacters(keep))
        self.undo_stack: list[Undoable] = []
        self.snapshot: Snapshot | None = None
        self.window_kind: WindowKind = "today"
        self.queue_filter: str | None = None
        self.follower: Any = None
        self.day_keeper: Any = None
        self.stop_event = threading.Event()
        self._writes: queue.Queue[Callable[[], WriteDone]] = queue.Queue()
        self._init_refreshing()
        #: Full garbage-collector passes, paced while the screen is live (see gcpace).
        self.collector = CollectorPace()
        #: The interpreter's switch interval while the screen is live (see switching).
        self.switching = SwitchPace()

    # -- theme -----------------------------------------------------------------------------------
    def watch_theme(self, _theme: str) -> None:
        """A new theme: keep the ``NO_COLOR`` filter in step with it."""
        self._match_no_color()

    def _match_no_color(self) -> None:
        """With ``NO_COLOR``, Textual picks its filter for the theme it starts with (its own
        truecolor one: greys) and keeps it when the theme changes. On an ANSI theme, such as the
        default ``ansi-dark``, those greys turn the terminal's default colours into black on
        black: an ANSI theme gets the filter that leaves the terminal its own colours."""
        if not self.no_color:
            return
        wanted = NoColor() if self.native_ansi_color else Monochrome()
        self._filters = [
            wanted if isinstance(f, (NoColor, Monochrome)) else f for f in self._filters
        ]

    def _theme_changed(self, theme: Any) -> None:
        """A theme picked in the palette is remembered for the next start (state file)."""
        error = remember_theme(self.state_path, self.theme, self.config.ui.theme)
        if error:
            self.notify(error, severity="warning", markup=False)

    def action_command_palette(self) -> None:
        """Textual's command palette, its placeholder in the language of the screen."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(
                CommandPalette(id="--command-palette", placeholder=_("Search for commands…"))
            )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands in the palette (theme, keys, screenshot...), in the language of
        the screen."""
        for command in super().get_system_commands(screen):
            yield command._replace(title=tr(command.title), help=tr(command.help))

    def action_help_quit(self) -> None:
        """Ctrl+C (which copies, in Textual): say which key quits, in the screen's language."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(
                    _("Press {key} to quit.").format(key=key),
                    title=_("Do you want to quit?"),
                    markup=False,
                )
                return

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """The palette's screenshot. In a browser it is handed to the browser (Textual's
        way); in a terminal it is saved in the Downloads folder when there is one, else in the
        current folder (Textual's own choice fails where there is no Downloads folder), and
        the notice says where, or why not, in the screen's language."""
        if self.is_web:
            super().action_screenshot(filename, path)
            return
        downloads = Path.home() / "Downloads"
        folder = path or str(downloads if downloads.is_dir() else Path.cwd())
        try:
            saved = self.save_screenshot(filename, folder)
        except OSError as exc:
            self.notify(
                _("Could not save the screenshot: {reason}").format(reason=exc.strerror or exc),
                title=_("Screenshot"),
                severity="error",
                markup=False,
            )
            return
        self.notify(
            _("Screenshot saved to {path}").format(path=saved), title=_("Screenshot"), markup=False
        )

    # -- lifecycle -----------------------------------------------------------------------------
    def on_mount(self) -> None:
        """Show the main screen and start the workers."""
        self.push_screen(
            MainScreen(self.config, operator=self.operator, demo_label=self._demo_label())
        )
        if self.start_on_wall:
            self.show_wallboard()
        bad_theme = getattr(self, "_bad_theme", None)
        if bad_theme:
            self.notify(
                _("[ui] theme: no theme called {name}; using {theme}").format(
                    name=repr(bad_theme), theme=self.theme
                ),
                severity="warning",
                markup=False,
            )
        if self.state_path is not None:
            self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._writer()
        if self.live:
            self._watch_versions()
            if self.sources or self.config.table_sources:
                self._follow_files()
                if self.store.shared:  # a child process can open it
                    self._keep_days()
            if self.demo is not None:
                self._run_demo(self.demo)
            self.set_interval(1.0, self._tick)
            self.collector.start()
            self.switching.start()
        self.request_refresh()

    def _demo_label(self) -> str | None:
        return self.demo.label if self.demo is not None else None

    async def action_quit(self) -> None:
        """Quit: stop the threads first, so nothing paints a screen being taken down."""
        self.stop_event.set()
        await super().action_quit()

    def on_unmount(self) -> None:
        """Stop every thread this app started (they check the event at least every 250 ms)."""
        self.stop_event.set()
        self.collector.stop()
        self.switching.stop()
        with contextlib.suppress(StoreError):
            self.store.close()

    @property
    def main(self) -> MainScreen | None:
        """The main screen, if it is installed."""
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Failures of any worker end up here, once, as a notification."""
        worker = event.worker
        if event.state == WorkerState.ERROR:
            error = worker.error
            text = str(error).splitlines()[0] if str(error) else type(error).__name__
            if worker.group == "refresh":
                self._refreshing = False
                failed = self.read_failed
                if failed is None or failed[1] != text:  # each new reason once
                    self.notify(
                        _("Cannot read the database: {error}").format(error=text),
                        severity="error",
                        markup=False,
                    )
                self.read_failed = (self.clock() if failed is None else failed[0], text)
                self._paint_stale()
            elif worker.group == "follow":
                self.notify(
                    _("Stopped following the call logs: {error}").format(error=text),
                    severity="error",
                    markup=False,
                )
                self.request_refresh(force=True)  # the alerts line says it until the end
            elif worker.group == "demo":
                self.notify(
                    _("The demo feed stopped: {error}").format(error=text),
                    severity="error",
                    markup=False,
                )
            elif worker.group == "writer":
                self.notify(
                    _("Writes stopped: {error}").format(error=text), severity="error", markup=False
                )
                self._writer()
            else:
                self.notify(f"{worker.name}: {text}", severity="error", markup=False)
        elif event.state == WorkerState.CANCELLED and worker.group == "refresh":
            self._refreshing = False

    def _paint_stale(self) -> None:
        """Say at once, on the panels and the wall, that the figures are no longer read."""
        now = self.clock()
        with contextlib.suppress(NoMatches):  # the screen is being taken down
            main = self.main
            if main is not None and main.is_painted:
                main.paint_alerts(now)
            wall = self.wall
            if wall is not None:
                wall.tick(now)

    def _tick(self) -> None:
        if self.stop_event.is_set():
            return
        main = self.main
        if main is not None and main.is_painted:
            with contextlib.suppress(NoMatches):  # the screen is being taken down
                main.tick(self.clock())
                wall = self.wall
                if wall is not None:
                    wall.tick(self.clock())
        self._periodic()
        self.collector.tick()

    # -- background threads --------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="demo", exit_on_error=False)
    def _run_demo(self, demo: DemoFeed) -> None:
        demo.run(self.stop_event)

    @work(thread=True, exclusive=True, group="writer", exit_on_error=False)
    def _writer(self) -> None:
        """Run the writes one after the other, in the order they were asked for."""
        while not self.stop_event.is_set():
            try:
                job = self._writes.get(timeout=VERSION_POLL_SECONDS)
            except queue.Empty:
                continue
            try:
                result = run_patiently(job, self.store.display_name, self.post_message)
            except StoreError as exc:
                result = WriteDone("", error=str(exc))
            except Exception as exc:  # any failure is one notification, not a crash
                result = WriteDone("", error=f"{type(exc).__name__}: {exc}")
            self.post_message(result)

    def submit_write(self, job: Callable[[], WriteDone]) -> None:
        """Queue a write for the writer thread (its result comes back as :class:`WriteDone`)."""
        self._writes.put(job)

    def on_write_done(self, message: WriteDone) -> None:
        """Tell the user what the write did, and refresh at once."""
        if message.error:
            self.notify(message.error, title=_("Not saved"), severity="error", markup=False)
        elif message.text:
            self.notify(message.text, markup=False, timeout=3)
        if message.select_key and self.main is not None:
            self.main.pending_select = message.select_key
        if message.undo is not None:
            self.undo_stack.append(message.undo)
            del self.undo_stack[:-50]
        self.request_refresh()

    # -- the wallboard ---------------------------------------------------------------------------
    @property
    def wall(self) -> WallScreen | None:
        """The wallboard, when it is the screen on top."""
        stack = self.screen_stack
        return stack[-1] if stack and isinstance(stack[-1], WallScreen) else None

    def show_wallboard(self) -> None:
        """Big figures for a TV, rotating through the queues (no tagging keys there)."""
        if self.wall is None:
            self.push_screen(WallScreen(self.config, demo_label=self._demo_label()))
            if self.snapshot is not None:
                self.call_after_refresh(self._paint_wall)

    def _paint_wall(self) -> None:
        wall, snap = self.wall, self.snapshot
        if wall is not None and snap is not None:
            wall.show_snapshot(snap, self.clock())

    # -- window and filter ---------------------------------------------------------------------
    def set_window(self, kind: WindowKind) -> None:
        """Show today, the last hour, or this shift (the new figures after the next frame)."""
        self.window_kind = kind
        self._refresh_after_frame()

    def cycle_window(self) -> WindowKind:
        """today → last hour → this shift → today."""
        index = WINDOW_KINDS.index(self.window_kind)
        self.set_window(WINDOW_KINDS[(index + 1) % len(WINDOW_KINDS)])
        return self.window_kind

    def set_queue_filter(self, queue_name: str | None) -> None:
        """Show one queue only (``None``: all; the new figures after the next frame)."""
        self.queue_filter = queue_name
        self._refresh_after_frame()

    def _refresh_after_frame(self) -> None:
        """Refresh once the next frame is drawn: the title the key's handler paints now goes
        out on a frame of its own, not after the refresh's thread has had its turns."""
        self.call_after_refresh(self.request_refresh)

    # -- the command palette -------------------------------------------------------------------
    def palette_commands(self) -> Iterable[PaletteCommand]:
        """The screen's actions for the command palette."""
        main = self.main
        return main.palette_commands() if main is not None else []


def create_app(
    config: Config,
    db: str,
    *,
    watch: Sequence[tuple[str, str | None]] = (),
    operator: str | None = None,
    clock: Callable[[], float] = time.time,
    demo: DemoFeed | None = None,
    on_start: StartHook | None = None,
    live: bool = True,
    theme: str | None = None,
    wall: bool = False,
    state_path: Path | None = None,
) -> CarewatchApp:
    """The live screen on database ``db`` (an SQLite file's path or a database URL).

    ``watch``: call-log files to follow, as ``(path, format or None)``. ``operator``: whose
    calls come first and who is recorded on tags (default: the login name). ``clock``: the
    time source (a fixed clock makes the screen deterministic). ``demo``: a
    :class:`DemoFeed` started in a thread worker when the screen opens; ``on_start(stop)`` is
    the same without a label (``carewatch demo`` passes the simulator's live feed here).
    ``live=False``: no follower, version watcher or tick (snapshot tests). ``theme``: else
    the config's ``[ui] theme`` or the one picked in the palette, remembered in
    ``state_path`` (no file: nothing remembered). ``wall``: start on the wallboard.
    Raises :class:`~carewatch.store.StoreError` when the database cannot be opened.
    """
    if demo is None and on_start is not None:
        demo = DemoFeed(run=on_start)
    store = Store(db)
    return CarewatchApp(
        config,
        store,
        sources=watch,
        operator=operator,
        clock=clock,
        demo=demo,
        live=live,
        theme=theme,
        wall=wall,
        state_path=state_path,
    )
