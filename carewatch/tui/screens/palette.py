"""The main screen's actions in the command palette: windows, queue filters, tagging, panels,
help (:func:`main_palette`)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from carewatch.i18n import _
from carewatch.present import clean_text
from carewatch.tui.commands import PaletteCommand
from carewatch.tui.panels.calls import CallTable
from carewatch.tui.panels.panel import Panel
from carewatch.tui.screens.layout import GRID_PANELS
from carewatch.tui.snapshot import WINDOW_KINDS, WINDOW_NAMES

if TYPE_CHECKING:
    from carewatch.tui.screens.main import MainScreen


def main_palette(screen: MainScreen) -> list[PaletteCommand]:
    """Every action of the main screen by name, for the command palette (ctrl+p)."""
    windows = [
        PaletteCommand(
            _("Window: {window}").format(window=_(WINDOW_NAMES[kind])),
            _("figures for this span"),
            partial(screen.action_set_window, kind),
        )
        for kind in WINDOW_KINDS
    ]
    queues = [
        PaletteCommand(
            _("Queue filter: {queue}").format(queue=clean_text(name, limit=40)),
            _("show this queue only"),
            partial(screen.set_queue, name),
        )
        for name in screen._queues
    ]
    panels = [
        PaletteCommand(
            _("Show panel: {panel}").format(panel=_panel_title(screen, panel_id)),
            _("focus (and show) this panel"),
            partial(screen.action_focus_panel, panel_id),
        )
        for panel_id in GRID_PANELS
    ]
    return [
        *windows,
        PaletteCommand(
            _("Queue filter: {queue}").format(queue=_("all queues")),
            _("show every queue"),
            partial(screen.set_queue, None),
        ),
        PaletteCommand(
            _("Queue filter: next queue (f)"),
            _("all queues → each queue seen today"),
            screen.action_cycle_queue,
        ),
        PaletteCommand(
            _("Queue filter: previous queue (F)"),
            _("the queue filter the other way"),
            screen.action_cycle_queue_back,
        ),
        *queues,
        *screen.tagging_commands(),
        PaletteCommand(
            _("Go to the newest call"),
            _("top of the call table"),
            screen.query_one(CallTable).action_newest,
        ),
        *panels,
        PaletteCommand(
            _("Wallboard (b)"),
            _("big figures for a TV, rotating through the queues"),
            screen.action_wallboard,
        ),
        PaletteCommand(
            _("Help for the focused panel (?)"),
            _("keys and what the panel shows"),
            screen.action_help,
        ),
    ]


def _panel_title(screen: MainScreen, panel_id: str) -> str:
    panel = screen.query_one(f"#{panel_id}")
    return panel.panel_title if isinstance(panel, Panel) else panel_id
