"""Operators: state now with the time in it (talking 3:12, paused 12:40 lunch, idle 0:45,
away 16 h 02 min, logged off), time logged in, and the window's figures, one row per
operator, updated by row key. Every operator is reachable: the table scrolls, and on a small
screen columns drop by priority instead of running off the edge."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from carewatch.i18n import N_, pgettext
from carewatch.present import age, clock, minutes, percent
from carewatch.tui.centre import OperatorLine
from carewatch.tui.panels.panel import KeyHelp, PanelHelp
from carewatch.tui.panels.rows import Column, RowsTable
from carewatch.tui.panels.tiles import OFF_TARGET
from carewatch.tui.panels.widths import NAME_WIDEST
from carewatch.tui.text import literal

#: How wide the state grows while it shares room (a long pause reason: "paused 4:10 traini…").
STATE_WIDEST = 36

COLUMNS: tuple[Column, ...] = (
    Column("name", N_("Operator"), 10, 0, 8, widest=NAME_WIDEST, names=True),
    Column(
        "state",
        "Now",
        18,
        0,
        13,
        words=lambda: _state_widths(),
        say=lambda: pgettext("column", "Now"),
        widest=STATE_WIDEST,
    ),
    Column("answered", N_("Ans"), 3, 1),
    Column("logged_in", N_("In"), 6, 3),
    Column("avg_talk", N_("Avg"), 5, 2),  # "!2:50": over the target, marked
    Column("talk", N_("Talk"), 7, 4),
    Column("tagged", N_("Tag%"), 4, 2),
    Column("rings", N_("Miss"), 4, 5),
)

_STATE_STYLE = {
    "talking": "cyan",
    "paused": "yellow",
    "idle": "green",
    "away": "magenta",
    "logged_off": "dim",
}


def agent_state_words() -> dict[str, str]:
    """An operator's state as a person reads it, in the current language ("operator state"
    context in the catalog)."""
    return {
        "talking": pgettext("operator state", "talking"),
        "paused": pgettext("operator state", "paused"),
        "idle": pgettext("operator state", "idle"),
        "away": pgettext("operator state", "away"),
        "logged_off": pgettext("operator state", "logged off"),
    }


#: Room after a state word for the pause reason or the time in the state ("talking 3:12").
_AFTER_STATE = 11


def _state_widths() -> list[str]:
    """Stand-ins as wide as the longest each state gets (the column is at least that wide)."""
    words = agent_state_words()
    room = {"logged_off": 0, "away": len(" 16 h 02 min")}
    return [words[state] + " " * room.get(state, _AFTER_STATE) for state in words]


def state_cell(line: OperatorLine, now: float) -> Text:
    """``talking 3:12``, ``paused 12:40 lunch``, ``idle 0:45``, ``away 16 h 02 min``, ``logged
    off``: the state, how
    long it has lasted, and a pause's reason last (from the logs: shown literally), so a narrow
    column cuts the reason and keeps the time."""
    state = Text(no_wrap=True, overflow="ellipsis", end="")
    label = agent_state_words().get(line.state, line.state) or "–"
    state.append(label, style=_STATE_STYLE.get(line.state, "dim"))
    if line.since is not None and line.state in ("talking", "paused", "idle"):
        state.append(f" {clock(now - line.since)}", style="bold" if line.state else "dim")
    elif line.since is not None and line.state == "away":  # since last seen: hours, days
        state.append(f" {age(now - line.since)}")
    if line.state == "paused" and line.reason:
        state.append(" ")
        state.append(literal(line.reason, "italic", limit=20))
    return state


def operator_cells(line: OperatorLine, now: float, talk_target: float) -> tuple[Text, ...]:
    """Cells of one operator row (names and pause reasons from the logs, shown literally)."""
    avg = line.avg_talk_seconds
    avg_over = avg is not None and avg > talk_target
    avg_style = "red" if avg_over else ""
    tagged_style = "yellow" if line.tagged_share is not None and line.tagged_share < 1 else ""
    logged_in = "" if line.logged_in_at is None else minutes(now - line.logged_in_at)
    return (
        literal(line.name, "bold reverse" if line.own else ""),
        state_cell(line, now),
        Text(str(line.answered), justify="right"),
        Text(logged_in.replace(" min", "m"), style="dim", justify="right"),
        Text((OFF_TARGET if avg_over else "") + clock(avg), style=avg_style, justify="right"),
        Text(clock(line.total_talk_seconds), justify="right"),
        Text(percent(line.tagged_share, 0), style=tagged_style, justify="right"),
        Text(str(line.missed_rings) if line.missed_rings else "", style="yellow", justify="right"),
    )


class OperatorsTable(RowsTable):
    """One row per operator, keyed by name; the time in each state ticks."""

    COLUMNS = COLUMNS

    PANEL_HELP = PanelHelp(
        N_("Operators"),
        N_(
            "Each operator's state now and how long it has lasted (talking, paused with the "
            "logged reason, idle since their last call or event, away when not seen for longer "
            "than ui.away_after_minutes with how long ago they were last seen, logged off; from "
            "the phone system's agent events), the time logged in (In), and for the window: "
            "calls answered, average talk (red and marked ! over the target), total talk time, "
            "share of their answered calls tagged, and rings they did not answer. Your own row "
            "is reversed. "
            "Scroll for more operators; on a narrow screen the least needed columns are left out."
        ),
        keys=(KeyHelp("↑ ↓ PgUp PgDn", N_("move the selection (every operator)")),),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[OperatorLine] = []
        self._talk_target = 120.0

    def show(self, lines: Sequence[OperatorLine], now: float, talk_target: float) -> None:
        """New lines from a refresh."""
        self._lines = list(lines)
        self._talk_target = talk_target
        self.tick(now)

    def tick(self, now: float) -> None:
        """Bring the rows in line with the lines at ``now`` by row key (no clear-and-refill):
        only the cells whose text changed are repainted."""
        lines = self._lines
        wanted = {line.name: operator_cells(line, now, self._talk_target) for line in lines}
        with self.app.batch_update():
            self.sync_in_order(wanted)
        title = self.panel_title
        self.border_title = f"{title} · {len(lines)}" if lines else title
