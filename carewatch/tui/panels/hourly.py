"""Calls per hour today, with the same weekday last week for comparison (one PlotextPlot)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.text import Text
from textual_plotext import PlotextPlot

from carewatch.i18n import N_, _
from carewatch.tui.panels.panel import Panel, PanelHelp


def _nice_step(raw: float) -> int:
    """A round tick step (1, 2, 5, 10, 20, 50...) at least ``raw``."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= raw:
                return step * factor
        step *= 10


def _hour_step(width: int) -> int:
    """Hours between x labels so that labels never touch (plotext places touching labels
    differently from run to run)."""
    canvas = max(1, width - 6)
    for step in (2, 3, 4, 6, 12):
        if canvas * step / 24 >= 4:
            return step
    return 12


#: Today's bars are drawn again at most this often: a new call moves one bar by one, and a
#: busy centre would otherwise redraw the whole chart for every call.
REDRAW_SECONDS = 1.0


class HourlyChart(Panel, PlotextPlot, can_focus=True):
    """Bars: calls offered per local hour today (up to now); line: the same weekday a week
    earlier, the whole day (none when that day was one of the config's ``closed_days``). Both
    series are 24 points (bounded)."""

    PANEL_HELP = PanelHelp(
        N_("Calls per hour"),
        N_(
            "Calls offered per hour today (bars, up to the current hour) against the same weekday "
            "last week (line, the whole day), so you see whether today runs above or below a "
            "normal day and what is still to come. Follows the queue filter."
        ),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._today: list[int] = [0] * 24
        self._last_week: list[int] | None = [0] * 24
        self._current_hour = 0
        self._last_week_label = "last week"
        self._drawn_at = -1e9
        self._pending = False
        self.border_title = self.panel_title

    def on_mount(self) -> None:
        """Draw the empty chart."""
        super().on_mount()
        self._draw()

    def on_resize(self) -> None:
        """Tick labels depend on the width."""
        self._draw()

    def show(
        self,
        today: Sequence[int],
        last_week: Sequence[int] | None,
        current_hour: int,
        last_week_label: str,
    ) -> None:
        """New series (24 values each; ``last_week`` ``None``: no line, that day was closed);
        redraws only when something changed."""
        today_l = [int(v) for v in list(today)[:24]]
        last_l = None if last_week is None else [int(v) for v in list(last_week)[:24]]
        if (today_l, last_l, current_hour, last_week_label) == (
            self._today,
            self._last_week,
            self._current_hour,
            self._last_week_label,
        ):
            return
        only_today = (last_l, current_hour, last_week_label) == (
            self._last_week,
            self._current_hour,
            self._last_week_label,
        )
        self._today, self._last_week = today_l, last_l
        self._current_hour, self._last_week_label = current_hour, last_week_label
        if not only_today:
            self.border_title = Text(self.panel_title)
            legend = (
                _("█ today · • {last_week}") if last_l is not None else _("█ today · {last_week}")
            )
            self.border_subtitle = Text(legend.format(last_week=last_week_label))
        since = time.monotonic() - self._drawn_at
        if only_today and since < REDRAW_SECONDS:
            if not self._pending:
                self._pending = True
                self.set_timer(REDRAW_SECONDS - since, self._draw_pending)
            return
        self._draw()

    def _draw_pending(self) -> None:
        if self._pending:
            self._draw()

    def _draw(self) -> None:
        self._drawn_at, self._pending = time.monotonic(), False
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        hours = list(range(24))
        shown = [v if h <= self._current_hour else 0 for h, v in enumerate(self._today)]
        plt.bar(hours, shown, color="cyan", width=0.6)
        last_week = self._last_week or []
        if self._last_week is not None:  # no line for a closed day
            plt.plot(hours, self._last_week, color="magenta", marker="dot")
        top = max([*shown, *last_week, 1])
        plt.ylim(0, top * 1.05)
        step = max(1, _nice_step(top / 3))
        # whole numbers for the tick labels; plotext's hints ask for list[float]
        counts: list[float] = list(range(0, top + 1, step))
        plt.yticks(counts, [str(t) for t in counts])
        hours_shown: list[float] = list(range(0, 24, _hour_step(self.size.width)))
        plt.xticks(hours_shown, [str(h) for h in hours_shown])
        plt.xlim(-0.5, 23.5)
        self.refresh()
