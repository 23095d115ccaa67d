"""The main screen: the panels and their layout, painting a snapshot, the window and queue
filter, moving between panels, help and the command palette. The operator's keys (tagging,
notes, issues, undo) come from its base, :class:`~carewatch.tui.screens.tagging.TaggingScreen`."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.keys import format_key
from textual.widget import Widget
from textual.widgets import Static

from carewatch.callstate import status
from carewatch.config import Config
from carewatch.i18n import N_, _
from carewatch.present import clean_text
from carewatch.tui.centre import is_own
from carewatch.tui.commands import PaletteCommand
from carewatch.tui.panels.alerts import AlertsLine
from carewatch.tui.panels.calls import CallTable, finished_notice, outcome_legend
from carewatch.tui.panels.categories import CategoryBars
from carewatch.tui.panels.hourly import HourlyChart
from carewatch.tui.panels.issues import IssuesTable
from carewatch.tui.panels.live import LiveCallsTable
from carewatch.tui.panels.now import NowStrip, TitleBar, title_text
from carewatch.tui.panels.operators import OperatorsTable
from carewatch.tui.panels.panel import KeyHelp, Panel
from carewatch.tui.panels.queues import QueuesTable
from carewatch.tui.panels.tiles import HeadlineTiles, build_tiles
from carewatch.tui.screens import layout
from carewatch.tui.screens.footer import FittingFooter
from carewatch.tui.screens.help import HelpScreen
from carewatch.tui.screens.palette import main_palette
from carewatch.tui.screens.tagging import TaggingScreen
from carewatch.tui.snapshot import (
    WINDOW_KINDS,
    WINDOW_NAMES,
    Snapshot,
    long_wait_alert,
    stale_alert,
    window_for,
    window_title,
)

#: Panels in the order Tab visits them; the grid's panels are placed by :mod:`.layout`.
PANELS = (
    "calls",
    "live",
    "queues",
    "operators",
    "issues",
    "categories",
    "chart",
    "tiles",
    "now",
    "alerts",
)
LOWER_PANELS = layout.GRID_PANELS
#: After the user moves in the call table, a call that just finished does not take the
#: cursor away for this many seconds.
USER_MOVE_GRACE = 5.0

#: The main screen's keys, in footer order, each with what it does in the words of the help
#: screen (marked: translated where shown). (The tagging keys come from the config: see
#: :mod:`.tagging`.)
KEYS: tuple[tuple[Binding, str], ...] = (
    (
        Binding("question_mark,f1", "help", N_("Help"), key_display="?"),
        N_("help for the focused panel (also F1)"),
    ),
    (Binding("w", "cycle_window", N_("Window")), N_("window: today → last hour → this shift")),
    (
        Binding("f", "cycle_queue", N_("Queue")),
        N_("queue filter: all queues → each queue seen today"),
    ),
    (
        Binding("F,shift+f", "cycle_queue_back", N_("Queue back"), key_display="F"),
        N_("queue filter the other way: back to the previous queue"),
    ),
    (
        Binding("r", "toggle_resolved", N_("Resolved")),
        N_("mark the selected call resolved / not resolved"),
    ),
    (Binding("n", "note", N_("Note")), N_("write a note on the selected call")),
    (Binding("i", "open_issue", N_("Issue")), N_("open an issue from the selected call")),
    (
        Binding("u", "undo", N_("Undo")),
        N_("undo your last change: a tag, an issue opened or resolved"),
    ),
    (
        Binding("b", "wallboard", N_("Wall")),
        N_("wallboard: big figures for a TV, rotating through queues"),
    ),
    (
        Binding("tab", "next_panel", N_("Panel"), priority=True),
        N_("next panel (on a small screen: show it)"),
    ),
    (
        Binding("shift+tab", "previous_panel", N_("Previous panel"), show=False, priority=True),
        N_("previous panel"),
    ),
    (Binding("q", "app.quit", N_("Quit")), N_("quit")),
)

NAVIGATION_KEYS = frozenset(
    {"up", "down", "pageup", "pagedown", "home", "end", "ctrl+home", "ctrl+end"}
)


class MainScreen(TaggingScreen):
    """The supervisor's panels and the operator's tagging keys."""

    BINDINGS: ClassVar[list[BindingType]] = [binding for binding, _help in KEYS]

    def __init__(self, config: Config, *, operator: str, demo_label: str | None = None) -> None:
        super().__init__(config, id="main")
        self.operator = operator
        self.demo_label = demo_label
        self.snapshot: Snapshot | None = None
        self.pending_select: str | None = None
        self.tier = "large"
        self._chosen: dict[tuple[str, ...], str] = {}
        self._finished_own: set[str] | None = None
        self._last_user_move = -1e9
        self._queues: list[str] = []

    @property
    def is_painted(self) -> bool:
        """Mounted and not being taken down: safe to paint."""
        return self.is_attached and not (self._closing or self._closed)

    # -- layout --------------------------------------------------------------------------------
    @property
    def compact(self) -> bool:
        """One lower panel at a time (the small tier)."""
        return self.tier in (layout.TOO_SMALL_TIER, "small")

    @property
    def shown_panel(self) -> str:
        """The grid panel shown in the first slot (in the small tier: the only one)."""
        return layout.shown_panels(self.tier, self._chosen)[0]

    def compose(self) -> ComposeResult:
        """Title, Now, tiles, the panel grid, alerts, footer (and the too-small line)."""
        yield Static(layout.too_small(), id="too-small")
        yield TitleBar(id="title-bar")
        yield NowStrip(self.config, id="now")
        yield HeadlineTiles(build_tiles({}, None, self.config), id="tiles")
        with Grid(id="panels"):
            yield QueuesTable(id="queues").add_class("panel", "lower")
            yield LiveCallsTable(self.config.privacy, id="live").add_class("panel", "lower")
            yield OperatorsTable(id="operators").add_class("panel", "lower")
            yield IssuesTable(id="issues").add_class("panel", "lower")
            yield HourlyChart(id="chart").add_class("panel", "lower")
            yield CategoryBars(self.config, id="categories").add_class("panel", "lower")
            yield CallTable(id="calls").add_class("panel", "lower")
        yield AlertsLine(id="alerts")
        yield FittingFooter()

    def on_mount(self) -> None:
        """Focus the call table and paint the title."""
        calls = self.query_one(CallTable)
        calls.border_subtitle = clean_text(outcome_legend(self.config), limit=200)
        calls.focus()
        self._paint_title(self.cw_app.clock())
        self._apply_size()

    def on_resize(self, _event: events.Resize) -> None:
        """Lay the screen out for its tier (see :mod:`.layout`)."""
        self._apply_size()

    def _apply_size(self) -> None:
        width, height = self.size
        tier = layout.tier_for(width, height)
        self.tier = tier
        for name, _w, _h in layout.TIERS:
            self.set_class(name == tier, f"-{name}")
        self.set_class(tier == layout.TOO_SMALL_TIER, "-too-small")
        self.set_class(tier in layout.TALL_TIERS, "-tall")
        self.query_one(HeadlineTiles).set_mode(
            compact=tier in layout.COMPACT_TIERS or tier == layout.TOO_SMALL_TIER,
            big=tier in layout.BIG_TIERS,
        )
        self.query_one(FittingFooter).compact = width < 120
        focused = self._panel_of(self.focused)
        if focused is not None and focused.id in LOWER_PANELS:
            self._show_panel(focused.id)
        else:
            self._paint_slots()

    def _paint_slots(self) -> None:
        shown = set(layout.shown_panels(self.tier, self._chosen))
        for name in LOWER_PANELS:
            self.query_one(f"#{name}").set_class(name in shown, "-shown")

    def _show_panel(self, panel_id: str) -> None:
        """Show ``panel_id`` in its slot of the current tier."""
        slot = layout.slot_of(self.tier, panel_id)
        if slot is not None:
            self._chosen[slot] = panel_id
        self._paint_slots()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Focusing a lower panel (Tab, mouse) shows it in compact mode."""
        panel = self._panel_of(event.widget)
        if panel is not None and panel.id in LOWER_PANELS:
            self._show_panel(panel.id)

    def _panel_of(self, widget: Widget | None) -> Widget | None:
        node: Any = widget
        while node is not None and node is not self:
            if getattr(node, "id", None) in PANELS:
                return node
            node = node.parent
        return None

    def on_screen_resume(self) -> None:
        """Back from a modal or the wallboard: lay out for the size now (the terminal may
        have been resized meanwhile: a screen not shown is told of the first resize only) and
        catch up with what changed. The tiles are measured again by hand: their height depends
        on their mode, which a hidden screen may have changed for another size."""
        self._apply_size()
        self.query_one(HeadlineTiles).refresh(layout=True)
        self.cw_app._kick()

    # -- painting ------------------------------------------------------------------------------
    def _paint_title(self, now: float) -> None:
        app = self.cw_app
        if self.snapshot is not None and self.snapshot.window_kind == app.window_kind:
            window = self.snapshot.window
        else:
            window = window_for(app.window_kind, self.config, now)
        self.query_one(TitleBar).show(
            title_text(
                window_title=window_title(app.window_kind, window, self.config),
                queue=app.queue_filter,
                operator=self.operator,
                now=now,
                tz=self.config.tz,
                demo=self.demo_label,
                matched=self.snapshot.operator_matches if self.snapshot is not None else None,
                plays=self._plays(),
                width=self.query_one(TitleBar).size.width or None,
            )
        )

    def _plays(self) -> list[str]:
        """The agent ids ``[operators]`` maps this operator to, as the config spells them."""
        wanted = (self.operator or "").casefold()
        for login, agents in self.config.operators.items():
            if login.casefold() == wanted:
                return list(agents)
        return []

    def show_snapshot(self, snap: Snapshot) -> None:
        """Paint a refresh's figures (each panel updates only what changed)."""
        self.snapshot = snap
        self._queues = sorted(set(self._queues) | set(snap.queues))
        now = snap.taken_at
        tz = self.config.tz
        with self.app.batch_update():
            self._paint_title(self.cw_app.clock())
            self.query_one(NowStrip).show(snap.now, self.cw_app.clock())
            self.query_one(HeadlineTiles).show(
                build_tiles(snap.kpis, snap.offered_last_week, self.config)
            )
            self.query_one(HourlyChart).show(
                snap.hourly_today,
                snap.hourly_last_week,
                datetime.fromtimestamp(now, tz).hour,
                snap.last_week_label,
            )
            self.query_one(CategoryBars).show(snap.kpis)
            self.query_one(OperatorsTable).show(
                snap.operators, now, self.config.targets.talk_seconds
            )
            self.query_one(QueuesTable).show(snap.queue_lines, now)
            self.query_one(LiveCallsTable).show(snap.now, now)
            self.query_one(CallTable).show_calls(
                snap.calls,
                self.config,
                tz,
                self.cw_app.own_agents,
                select_key=self._select_key(snap),
            )
            self.query_one(IssuesTable).show(snap.issues, now)
            self.paint_alerts(self.cw_app.clock())

    def _select_key(self, snap: Snapshot) -> str | None:
        """The operator's call that just finished (or, at start, their latest finished call),
        unless the user moved in the table a moment ago or selected another call there."""
        if self.pending_select is not None:
            key, self.pending_select = self.pending_select, None
            return key
        own = self.cw_app.own_agents
        own_finished = [c for c in snap.calls if is_own(c.agent, own) and status(c) == "answered"]
        seen = self._finished_own
        self._finished_own = {str(c.id) for c in own_finished}
        new = own_finished if seen is None else [c for c in own_finished if str(c.id) not in seen]
        if not new or time.monotonic() - self._last_user_move < USER_MOVE_GRACE:
            return None
        newest = max(new, key=lambda c: (c.ended_at or c.started_at, c.id))
        if self.query_one(CallTable).parked:  # the call the operator chose keeps the cursor
            self.notify(finished_notice(newest, self.config.tz), markup=False, timeout=5)
            return None
        return str(newest.id)

    def paint_alerts(self, now: float) -> None:
        """The snapshot's alerts, a caller waiting too long, and first of all that the
        figures are old when the database cannot be read."""
        stale = stale_alert(self.cw_app.read_failed, self.snapshot, self.config.tz)
        if self.snapshot is None:
            if stale is not None:
                self.query_one(AlertsLine).show([stale])
            return
        alerts = list(self.snapshot.alerts)
        waiting = long_wait_alert(self.snapshot.now, self.config, now)
        if waiting is not None:
            alerts.insert(0, waiting)
        if stale is not None:
            alerts.insert(0, stale)
        self.query_one(AlertsLine).show(alerts)

    def tick(self, now: float) -> None:
        """Every second: the clock, the longest wait and its alert (no database read)."""
        self._paint_title(now)
        self.query_one(NowStrip).tick(now)
        with self.app.batch_update():
            self.query_one(QueuesTable).tick(now)
            self.query_one(LiveCallsTable).tick(now)
            self.query_one(OperatorsTable).tick(now)
        self.paint_alerts(now)

    def on_key(self, event: events.Key) -> None:
        """Remember when the user last moved in the call table (see :data:`USER_MOVE_GRACE`)."""
        if event.key in NAVIGATION_KEYS and isinstance(self.focused, CallTable):
            self._last_user_move = time.monotonic()

    def on_click(self, event: events.Click) -> None:
        """A click in the call table is a move too."""
        if isinstance(event.widget, CallTable):
            self._last_user_move = time.monotonic()

    # -- window, filter, panels, help ----------------------------------------------------------
    def action_cycle_window(self) -> None:
        """today → last hour → this shift."""
        kind = self.cw_app.cycle_window()
        self._title_first(_("Window: {window}").format(window=_(WINDOW_NAMES[kind])))

    def action_set_window(self, kind: str) -> None:
        """Show one window (from the command palette)."""
        if kind in WINDOW_KINDS:
            self.cw_app.set_window(kind)
            self._title_first(None)

    def _title_first(self, notice: str | None) -> None:
        """After a key changed what the screen shows: the new title at once, on a frame of its
        own (the app refreshes the figures after it); the notice after that frame too, so its
        layout does not delay the answer to the key."""
        self._paint_title(self.cw_app.clock())
        if notice is not None:
            self.call_after_refresh(self.notify, notice, timeout=2, markup=False)

    def action_cycle_queue(self) -> None:
        """all queues → each queue seen today → all."""
        self._step_queue(1)

    def action_cycle_queue_back(self) -> None:
        """The other way: all queues → the last queue → … → the first → all."""
        self._step_queue(-1)

    def _step_queue(self, step: int) -> None:
        choices: list[str | None] = [None, *self._queues]
        try:
            index = choices.index(self.cw_app.queue_filter)
        except ValueError:
            index = 0
        self.set_queue(choices[(index + step) % len(choices)])

    def set_queue(self, queue_name: str | None) -> None:
        """Filter by one queue (``None``: all)."""
        self.cw_app.set_queue_filter(queue_name)
        shown = clean_text(queue_name, limit=80) if queue_name else _("all queues")
        self._title_first(_("Queue: {queue}").format(queue=shown))

    def _visible_panels(self) -> list[Widget]:
        return [self.query_one(f"#{name}") for name in PANELS]

    def action_wallboard(self) -> None:
        """Big figures for a TV, rotating through the queues (no tagging keys there)."""
        self.cw_app.show_wallboard()

    def _move_panel(self, step: int) -> None:
        panels = self._visible_panels()
        current = self._panel_of(self.focused)
        index = panels.index(current) if current in panels else -1
        target = panels[(index + step) % len(panels)]
        if target.id in LOWER_PANELS:
            self._show_panel(target.id)
        target.focus()

    def action_next_panel(self) -> None:
        """Focus the next panel (on a small screen it also shows it)."""
        self._move_panel(1)

    def action_previous_panel(self) -> None:
        """Focus the previous panel."""
        self._move_panel(-1)

    def action_focus_panel(self, panel_id: str) -> None:
        """Focus one panel by id (from the command palette)."""
        if panel_id in PANELS:
            if panel_id in LOWER_PANELS:
                self._show_panel(panel_id)
            self.query_one(f"#{panel_id}").focus()

    def global_keys(self) -> list[KeyHelp]:
        """Every key of the main screen, for the help screen."""
        keys = [
            KeyHelp(" / ".join(format_key(k) for k in binding.key.split(",")), _(text))
            for binding, text in KEYS
        ]
        return [
            *keys,
            *self.tagging_keys(),
            KeyHelp("ctrl+p", _("command palette: every action by name")),
        ]

    def action_help(self) -> None:
        """Help for the focused panel."""
        panel = self._panel_of(self.focused) or self.query_one(CallTable)
        panel_help = panel.PANEL_HELP if isinstance(panel, Panel) else CallTable.PANEL_HELP
        self.app.push_screen(HelpScreen(panel_help.shown(), self.global_keys()))

    # -- the command palette -------------------------------------------------------------------
    def palette_commands(self) -> list[PaletteCommand]:
        """Every action by name."""
        return main_palette(self)
