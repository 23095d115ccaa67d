"""Queues: every queue at once — waiting now and the longest wait (ticking), operators logged
in / talking / free / paused, and the window's answered, abandoned and service level, coloured
against the queue's own targets (``[queues.NAME]``, else ``[targets]``)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from carewatch.i18n import N_, _, pgettext
from carewatch.present import clock, percent
from carewatch.tui.centre import QueueLine
from carewatch.tui.panels.panel import PanelHelp
from carewatch.tui.panels.rows import Column, RowsTable
from carewatch.tui.panels.tiles import OFF_TARGET
from carewatch.tui.panels.widths import NAME_WIDEST
from carewatch.tui.text import literal

COLUMNS: tuple[Column, ...] = (
    Column("name", N_("Queue"), 10, 0, 7, widest=NAME_WIDEST, names=True),
    Column("waiting", "Wait", 4, say=lambda: pgettext("callers waiting", "Wait")),
    Column("longest", N_("Longest"), 7, 1, 5),
    Column("sl", N_("SL"), 4, 1),
    Column("free", N_("Free"), 4, 2),
    Column("talking", "Talk", 4, 3, say=lambda: pgettext("operators talking", "Talk")),
    Column("answered", N_("Ans"), 4, 3),
    Column("abandoned", N_("Aband"), 5, 3),
    Column("paused", N_("Pause"), 5, 4),
    Column("logged_in", N_("In"), 3, 5),
)


def longest_wait(line: QueueLine, now: float) -> float | None:
    """How long the caller waiting longest in this queue has waited at ``now``."""
    return None if line.longest_since is None else max(0.0, now - line.longest_since)


def queue_cells(line: QueueLine, now: float) -> tuple[Text, ...]:
    """Cells of one queue (its name is log text: literal)."""
    goals = line.goals
    waited = longest_wait(line, now)
    if waited is not None and waited > goals.long_wait_alert_seconds:
        wait_style = "bold reverse red"
    elif line.waiting:
        wait_style = "bold yellow"
    else:
        wait_style = "green"
    sl = line.service_level
    sl_bad = sl is not None and sl < goals.service_level_goal
    sl_style = "" if sl is None else "bold red" if sl_bad else "green"
    rate = line.abandon_rate
    ab_bad = rate is not None and rate > goals.abandon_rate_max
    ab_style = "bold red" if ab_bad else ""
    free_style = "bold green" if line.free else "yellow" if line.logged_in else "dim"
    return (
        literal(line.name, "bold"),
        Text(str(line.waiting), style=wait_style, justify="right"),
        Text(
            clock(waited, empty=""), style=wait_style if waited is not None else "", justify="right"
        ),
        Text((OFF_TARGET if sl_bad else "") + percent(sl, 0), style=sl_style, justify="right"),
        Text(str(line.free), style=free_style, justify="right"),
        Text(str(line.talking), style="cyan" if line.talking else "dim", justify="right"),
        Text(str(line.answered), justify="right"),
        Text((OFF_TARGET if ab_bad else "") + str(line.abandoned), style=ab_style, justify="right"),
        Text(str(line.paused), style="yellow" if line.paused else "dim", justify="right"),
        Text(str(line.logged_in), justify="right"),
    )


class QueuesTable(RowsTable):
    """One row per queue, keyed by the queue's name; the longest wait ticks."""

    COLUMNS = COLUMNS

    PANEL_HELP = PanelHelp(
        N_("Queues"),
        N_(
            "Every queue at once. Wait: callers waiting now; Longest: how long the first of them "
            "has waited (it ticks; reverse red over the queue's long_wait_alert_seconds). SL: "
            "service level of the window (red and marked ! below the queue's service_level_goal). "
            "Free, "
            "Talk, Pause, In: the queue's operators now (idle, on a call of any queue, paused, "
            "logged in); an operator of two queues counts in both, one away (not seen for "
            "longer than ui.away_after_minutes) in none. Ans and Aband: the window's "
            "answered and abandoned calls (Aband red and marked ! over the queue's "
            "abandon_rate_max). "
            "Targets come from [queues.NAME] in the config, else from [targets]."
        ),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[QueueLine] = []

    def show(self, lines: Sequence[QueueLine], now: float) -> None:
        """New lines from a refresh."""
        self._lines = list(lines)
        self.tick(now)

    def tick(self, now: float) -> None:
        """Repaint for the clock: only the cells that changed (the longest waits)."""
        wanted = {line.name: queue_cells(line, now) for line in self._lines}
        with self.app.batch_update():
            self.sync_in_order(wanted)
        self._paint_title()

    def on_resize(self) -> None:
        """Fit the columns, and say again how many queues are on screen."""
        super().on_resize()
        self._paint_title()

    def _paint_title(self) -> None:
        """The title: callers waiting in every queue, and (when the panel holds fewer rows
        than there are queues: 25 queues on a 36-line terminal) how many of them show."""
        waiting = sum(line.waiting for line in self._lines)
        title = self.panel_title
        if not self._lines:
            self.border_title = title
            return
        title = _("{title} · {waiting} waiting").format(title=title, waiting=waiting)
        room = max(0, self.size.height - self.header_height)
        if self.display and room < len(self._lines):
            title = _("{title} · {shown} of {queues} queues shown").format(
                title=title, shown=room, queues=len(self._lines)
            )
        self.border_title = title
