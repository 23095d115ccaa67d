"""The alerts line: what needs attention now, most urgent first."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from carewatch.i18n import N_, _
from carewatch.tui.panels.panel import Panel, PanelHelp
from carewatch.tui.snapshot import Alert
from carewatch.tui.text import literal


def alerts_text(alerts: Sequence[Alert]) -> Text:
    """``"⚠ shipping is 62% of tagged calls … · 3 bad lines in queue_log …"`` or an all-clear."""
    if not alerts:
        return Text(_("✓ nothing needs attention"), style="green", no_wrap=True, end="")
    ordered = sorted(alerts, key=lambda a: 0 if a.level == "error" else 1)
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    for i, alert in enumerate(ordered):
        if i:
            text.append("  ·  ", style="dim")
        style = "bold red" if alert.level == "error" else "yellow"
        text.append("⚠ " if alert.level == "error" else "△ ", style=style)
        text.append(literal(alert.text, style))
    return text


class AlertsLine(Panel, Static, can_focus=True):
    """What needs attention: a category over its alert share, average talk over the target,
    a caller waiting too long, a followed file with bad lines, missing or gone stale."""

    PANEL_HELP = PanelHelp(
        N_("Alerts"),
        N_(
            "What needs attention now: a category over its alert share of the tagged calls "
            "(targets.category_alert_share, once category_alert_min_calls are tagged), the "
            "average talk over the target, a caller waiting longer than "
            "targets.long_wait_alert_seconds, a followed call-log file with bad lines, missing, "
            "or with no new line for targets.stale_source_seconds (during a shift)."
        ),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("…", style="dim"), id=id)
        self.alerts: list[Alert] | None = None

    def show(self, alerts: Sequence[Alert]) -> None:
        """Paint these alerts (only when they changed)."""
        if list(alerts) != self.alerts:
            self.alerts = list(alerts)
            self.update(alerts_text(self.alerts))
            self.set_class(any(a.level == "error" for a in alerts), "-error")
