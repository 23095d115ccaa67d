"""Operators: state now (talking / paused with reason / idle / logged off) and the window's
figures, one row per operator, updated by row key."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from carewatch.present import clock, minutes, percent
from carewatch.tui.panels.panel import KeyHelp, PanelHelp
from carewatch.tui.panels.rows import Column, RowsTable
from carewatch.tui.snapshot import OperatorLine
from carewatch.tui.text import literal

COLUMNS: tuple[Column, ...] = (
    ("name", "Operator", 10),
    ("state", "Now", 14),
    ("answered", "Ans", 3),
    ("avg_talk", "Avg", 4),
    ("talk", "Talk", 7),
    ("tagged", "Tag%", 4),
    ("rings", "Miss", 4),
)

_STATE_STYLE = {"talking": "cyan", "paused": "yellow", "idle": "green", "logged_off": "dim"}


def operator_cells(
    line: OperatorLine, now: float, operator: str | None, talk_target: float
) -> tuple[Text, ...]:
    """Cells of one operator row (names and pause reasons from the logs, shown literally)."""
    state = Text(no_wrap=True, overflow="ellipsis", end="")
    label = "logged off" if line.state == "logged_off" else line.state or "–"
    state.append(label, style=_STATE_STYLE.get(line.state, "dim"))
    if line.state == "paused" and line.reason:
        state.append(" ")
        state.append(literal(line.reason, "italic", limit=20))
    if line.since is not None and line.state in ("talking", "paused"):
        state.append(f" {minutes(now - line.since)}", style="dim")
    avg = line.avg_talk_seconds
    avg_style = "" if avg is None else "red" if avg > talk_target else ""
    tagged_style = "yellow" if line.tagged_share is not None and line.tagged_share < 1 else ""
    return (
        literal(line.name, "bold" if operator and line.name == operator else ""),
        state,
        Text(str(line.answered), justify="right"),
        Text(clock(avg), style=avg_style, justify="right"),
        Text(clock(line.total_talk_seconds), justify="right"),
        Text(percent(line.tagged_share, 0), style=tagged_style, justify="right"),
        Text(str(line.missed_rings) if line.missed_rings else "", style="yellow", justify="right"),
    )


class OperatorsTable(RowsTable):
    """One row per operator, keyed by name."""

    COLUMNS = COLUMNS

    PANEL_HELP = PanelHelp(
        "Operators",
        (
            "Each operator's state now (talking, paused with the logged reason, idle, logged "
            "off, from the phone system's agent events) and, for the window: calls answered, "
            "average talk (red over the target), total talk time, share of their answered calls "
            "tagged, and rings they did not answer."
        ),
        keys=(KeyHelp("↑ ↓", "move the selection"),),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._order: list[str] = []

    def show(
        self, lines: Sequence[OperatorLine], now: float, operator: str | None, talk_target: float
    ) -> None:
        """Bring the rows in line with ``lines`` by row key (no clear-and-refill)."""
        wanted = {line.name: operator_cells(line, now, operator, talk_target) for line in lines}
        order = [line.name for line in lines]
        with self.app.batch_update():
            self.sync_rows(wanted)
            if order != self._order:
                rank = {name: i for i, name in enumerate(order)}
                self.sort("name", key=lambda cell: rank.get(cell.plain, len(rank)))
                self._order = order
