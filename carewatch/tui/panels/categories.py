"""Category mix as bars: share of the tagged calls, red over the category's alert share."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from carewatch.config import Config
from carewatch.i18n import N_, _
from carewatch.present import clean_text, percent
from carewatch.tui.panels.panel import Panel, PanelHelp
from carewatch.tui.panels.tiles import OFF_TARGET
from carewatch.tui.text import colour_style, literal


def category_table(kpis: dict[str, Any], config: Config, width: int) -> Table:
    """One row per category: key, name, bar, share, count; untagged at the end."""
    mix: dict[str, dict[str, Any]] = kpis.get("category_mix", {})
    raw_alerts = kpis.get("category_alerts", [])
    alerts = {a["category"] if isinstance(a, dict) else str(a) for a in raw_alerts}
    keys = {c.name: c.key for c in config.categories if c.key}
    untagged_word = _("untagged")
    name_width = min(
        14 if width >= 40 else 10,
        max([8, len(untagged_word), *(len(clean_text(n, limit=14)) for n in mix)]),
    )
    show_count = width >= 36
    # a share over its alert share is marked "!" ("!62%"): one more cell when one is
    share_width = 5 if any(name in alerts for name in mix) else 4
    # key, name, bar, share (4), count (4): one space between columns
    fixed = 1 + name_width + share_width + (4 if show_count else 0) + (4 if show_count else 3)
    bar_width = max(3, width - fixed)
    table = Table.grid(padding=(0, 1), expand=False)
    table.add_column(width=1)
    table.add_column(width=name_width, no_wrap=True, overflow="ellipsis")
    table.add_column(width=bar_width, no_wrap=True)
    table.add_column(width=share_width, justify="right", no_wrap=True)
    if show_count:
        table.add_column(width=4, justify="right", no_wrap=True)
    for name, item in mix.items():
        share = item.get("share")
        over = name in alerts
        cat = config.category(name)
        colour = colour_style(cat.colour if cat else None)
        filled = 0 if share is None else round(share * bar_width)
        bar = Text("█" * filled, style="bold red" if over else colour)
        bar.append("░" * (bar_width - filled), style="dim")
        limit = config.alert_share(name)
        mark = round(limit * bar_width)
        if 0 < mark < bar_width and filled <= mark:
            bar = bar[:mark] + Text("│", style="dim red") + bar[mark + 1 :]
        row = [
            Text(keys.get(name, " "), style="bold"),
            literal(name, "bold red" if over else "", limit=name_width),
            bar,
            Text(
                (OFF_TARGET if over else "") + percent(share, 0),
                style="bold red" if over else "",
            ),
        ]
        if show_count:
            row.append(Text(str(item.get("count", 0)), style="dim"))
        table.add_row(*row)
    untagged = kpis.get("untagged", 0)
    row = [
        Text(" "),
        Text(untagged_word, style="yellow" if untagged else "dim"),
        Text(_("answered, still to tag"), style="dim", overflow="ellipsis", no_wrap=True),
        Text(str(untagged) if not show_count else "", style="bold yellow" if untagged else "dim"),
    ]
    if show_count:
        row.append(Text(str(untagged), style="bold yellow" if untagged else "dim"))
    table.add_row(*row)
    return table


class CategoryBars(Panel, Static, can_focus=True):
    """The category mix of the window's tagged calls, with the tagging keys as a legend."""

    PANEL_HELP = PanelHelp(
        N_("Categories"),
        N_(
            "What callers wanted: each category's share of the window's tagged calls, with its "
            "tagging key on the left (press it on a selected call). A bar and its share turn red, "
            'the share marked "!", when the category is over its alert share (the thin mark on '
            "the bar, "
            "targets.category_alert_share or the category's own alert_share) once "
            "targets.category_alert_min_calls calls are tagged: a problem to solve upstream. "
            "Untagged counts answered calls nobody has tagged yet."
        ),
    )

    def __init__(self, config: Config, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._config = config
        self._kpis: dict[str, Any] = {}
        self._rows = -1
        self.border_title = self.panel_title

    def show(self, kpis: dict[str, Any]) -> None:
        """New mix; repaint when it changed."""
        wanted = {k: kpis.get(k) for k in ("category_mix", "category_alerts", "untagged")}
        if wanted != self._kpis:
            self._kpis = wanted
            self._paint()

    def on_resize(self) -> None:
        """Bars use the width there is."""
        self._paint()

    def _paint(self) -> None:
        width = max(20, self.content_size.width or 40)
        table = category_table(self._kpis, self._config, width)
        # a new layout only when the number of rows changed (a category seen the first time)
        self.update(table, layout=table.row_count != self._rows)
        self._rows = table.row_count
        # more categories than rows (20 categories on a 70-line terminal): say how many show
        categories = table.row_count - 1  # the untagged row is last
        room = self.content_size.height
        title = self.panel_title
        if room and room < table.row_count:
            title = _("{title} · {shown} of {categories} shown").format(
                title=title, shown=max(0, min(room, categories)), categories=categories
            )
        self.border_title = title
