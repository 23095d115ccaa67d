"""The live call table: newest first (the operator's own calls before the others), bounded,
updated by row key, untagged calls standing out, "+N new" instead of a jump when scrolled away."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from carewatch.callstate import status, status_word, status_words
from carewatch.config import Config
from carewatch.i18n import N_, _
from carewatch.present import clean_text, clock
from carewatch.records import CallRow
from carewatch.tui.centre import is_own
from carewatch.tui.panels.panel import KeyHelp, PanelHelp
from carewatch.tui.panels.rows import Column, RowsTable, ranked, selected_row_key
from carewatch.tui.panels.widths import CALLER_WIDEST, NAME_WIDEST, WORD_WIDEST
from carewatch.tui.text import caller_text, colour_style, literal

#: Most rows the table keeps (the newest calls of the window).
MAX_ROWS = 200
#: How wide the note grows while it shares room with the other columns (a longer note grows
#: further only into room nobody else needs; a note cut by its column ends in "…").
NOTE_SHOWN = 60

#: The columns, most needed first when the panel is narrow: time, status and category stay
#: (the operator tags from them); the note goes first, then wait, queue, caller...
COLUMNS: tuple[Column, ...] = (
    Column("time", N_("Time"), 8),
    Column("agent", N_("Operator"), 12, 2, 8, widest=NAME_WIDEST, names=True),
    Column("status", N_("Status"), 9, words=lambda: status_words().values()),
    Column("talk", N_("Talk"), 6, 3),
    Column("category", N_("Category"), 12, 0, 9, widest=WORD_WIDEST),
    Column("outcome", N_("Outcome"), 11, 1, 8, widest=WORD_WIDEST),
    Column("resolved", N_("Res"), 3, 1),
    Column("caller", N_("Caller"), 16, 4, widest=CALLER_WIDEST),
    Column("queue", N_("Queue"), 10, 5, 7, widest=NAME_WIDEST, names=True),
    Column("wait", N_("Wait"), 6, 6),
    Column("note", N_("Note"), 30, 7, 12, widest=NOTE_SHOWN),
)


def needs_tag(call: CallRow) -> bool:
    """An answered inbound call that has ended and has no category yet: the operator's
    to-do (the calls the "To tag" tile counts; an outbound call is not one)."""
    return status(call) == "answered" and call.direction != "out" and not call.category


@dataclass(frozen=True)
class CallCells:
    """What one row shows, built in one place from a call (all log text literal)."""

    key: str
    sort_key: tuple[int, float, int]
    cells: tuple[Text, ...]


_STATUS_STYLE = {
    "waiting": "bold yellow",
    "talking": "bold cyan",
    "abandoned": "red",
    "missed": "red",
    "answered": "",
    "outbound": "dim",
    "ended": "dim",
}


def build_call_cells(
    call: CallRow, config: Config, tz: tzinfo, own_agents: frozenset[str]
) -> CallCells:
    """Cells of one call row. Every value from a log is shown literally (see tui/text.py)."""
    own = 1 if is_own(call.agent, own_agents) else 0
    state = status(call)
    started = datetime.fromtimestamp(call.started_at, tz).strftime("%H:%M:%S")
    sort_key = (own, call.started_at, call.id)
    time_cell = ranked(Text(started, style="bold" if own else "", no_wrap=True, end=""), sort_key)
    cat = config.category(call.category) if call.category else None
    if call.category:
        category = literal(call.category, colour_style(cat.colour if cat else None))
    elif needs_tag(call):
        category = Text(_("● untagged"), style="bold reverse yellow", no_wrap=True, end="")
    else:
        category = Text("")
    talk_style = ""
    if call.talk_seconds is not None and call.talk_seconds > config.targets.talk_seconds:
        talk_style = "yellow"
    if call.resolved is None:
        resolved = Text("")
    else:
        resolved = Text("✓", style="green") if call.resolved else Text("✗", style="red")
    cells = (
        time_cell,
        literal(call.agent, "bold" if own else ""),
        Text(status_word(state), style=_STATUS_STYLE.get(state, ""), no_wrap=True, end=""),
        Text(clock(call.talk_seconds, empty=""), style=talk_style, justify="right", end=""),
        category,
        literal(call.outcome),
        resolved,
        caller_text(call.caller, config.privacy),
        literal(call.queue),
        Text(clock(call.wait_seconds, empty=""), justify="right", end=""),
        literal(call.note, "italic"),
    )
    return CallCells(key=str(call.id), sort_key=sort_key, cells=cells)


class CallTable(RowsTable):
    """The live call table. Rows are keyed by the call's database id."""

    COLUMNS = COLUMNS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "newest", N_("Newest"), show=False),
        Binding("end", "scroll_bottom", N_("Oldest"), show=False),
    ]

    PANEL_HELP = PanelHelp(
        N_("Calls"),
        N_(
            "The newest calls of the window (at most {rows}), newest first; with an operator "
            "name, that operator's own calls come first. The call just finished is selected, so "
            "one key tags it; when you have selected another call lower down, that one stays "
            "selected and a notice says your call finished (Home goes to it). An answered call "
            "without a category shows [● untagged]. "
            "When you scroll away, new calls do not move the table: the title counts them "
            '("+N new") until you go back to the top (Home).'
        ),
        keys=(
            KeyHelp("↑ ↓ PgUp PgDn", N_("move the selection")),
            KeyHelp("Home", N_('go to the newest call (clears "+N new")')),
            KeyHelp("End", N_("go to the oldest call shown")),
            KeyHelp(N_("keys below"), N_("tag the selected call (category, outcome, r, n, i, u)")),
        ),
        values=(("rows", MAX_ROWS),),
    )

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_foreground_priority="renderable")
        self._rows: dict[str, CallRow] = {}
        self._sort_keys: dict[str, tuple[int, float, int]] = {}
        #: The cells built for each call shown, with the call as it was then (a call that did
        #: not change keeps its cells: a refresh builds only the rows that changed).
        self._built: dict[str, tuple[CallRow, CallCells]] = {}
        self._built_for: tuple[int, tzinfo, frozenset[str]] | None = None
        self.new_above = 0
        #: The call the operator selected left the table (newer calls pushed it out of a
        #: full table) and the cursor's row is another call: no key tags it until the operator
        #: selects one (moves the cursor).
        self.selection_left = False
        self._placing = False
        #: The call the table last selected for the operator (their call just finished).
        self._given: str | None = None

    # -- reading ---------------------------------------------------------------------------
    @property
    def selected_call(self) -> CallRow | None:
        """The call under the cursor, as the last snapshot had it; ``None`` while the call the
        operator selected has left the table (:attr:`selection_left`)."""
        if self.selection_left:
            return None
        return self._rows.get(selected_row_key(self) or "")

    @property
    def parked(self) -> bool:
        """Has the operator selected a call themselves, below the top and other than the one
        the table selected for them? Their call that just finished does not take the cursor
        from it (a key would tag another call than the one they chose)."""
        if self.following or self.selection_left:
            return False
        return selected_row_key(self) != self._given

    @property
    def following(self) -> bool:
        """Is the user at the top (new calls may move the view)?"""
        return self.cursor_row <= 0 and self.scroll_y <= 0

    def call(self, key: str) -> CallRow | None:
        """A call shown in the table, by row key."""
        return self._rows.get(key)

    # -- updating --------------------------------------------------------------------------
    def show_calls(
        self,
        calls: Sequence[CallRow],
        config: Config,
        tz: tzinfo,
        own_agents: frozenset[str],
        *,
        select_key: str | None = None,
    ) -> None:
        """Bring the table in line with ``calls`` (already ordered and bounded) by row key:
        add new rows, update changed cells, remove rows that left. ``select_key``: move the
        cursor to this call (the operator's call just finished)."""
        if self._built_for != (id(config), tz, own_agents):
            self._built, self._built_for = {}, (id(config), tz, own_agents)
        before = self._built
        built: dict[str, tuple[CallRow, CallCells]] = {}
        for c in calls[:MAX_ROWS]:
            key = str(c.id)
            hit = before.get(key)
            if hit is None or hit[0] != c:
                hit = (c, build_call_cells(c, config, tz, own_agents))
            built[key] = hit
        self._built = built
        following = self.following
        old_cursor_key = selected_row_key(self)
        old_cursor_row = self.cursor_row
        with self.app.batch_update():
            changes = self.sync_rows({key: row.cells for key, (_call, row) in built.items()})
            resort = bool(changes.added or changes.removed) or any(
                self._sort_keys.get(key) != built[key][1].sort_key for key in changes.updated
            )
            for key in changes.removed:
                del self._rows[key]
                self._sort_keys.pop(key, None)
            for key, (call, row) in built.items():
                self._rows[key] = call
                self._sort_keys[key] = row.sort_key
            if resort:
                self.sort("time", key=lambda cell: cell.rank, reverse=True)
            self._placing = True  # the cursor moves with the rows: no selection by the user
            try:
                self._place_cursor(
                    following, old_cursor_key, old_cursor_row, changes.added, select_key, own_agents
                )
            finally:
                self._placing = False
        self._update_title()

    def _place_cursor(
        self,
        following: bool,
        old_key: str | None,
        old_row: int,
        added: list[str],
        select_key: str | None,
        own_agents: frozenset[str] = frozenset(),
    ) -> None:
        left, self.selection_left = self.selection_left, False
        if not self.row_count:
            self.new_above = 0
            return
        if select_key is not None and select_key in self._rows:
            self._given = select_key
            self.move_cursor(row=self.get_row_index(select_key))
            self.new_above = 0
            return
        old_call = self._rows.get(old_key or "")
        if following and old_call is not None and is_own(old_call.agent, own_agents):
            # the operator's own call stays selected (the one they are about to tag) when
            # their next call comes in above it; the view stays at the top, showing it
            self.move_cursor(row=self.get_row_index(str(old_call.id)))
            self.new_above = 0
            return
        if following or old_key is None or old_key not in self._rows:
            self.move_cursor(
                row=0 if following or old_key is None else min(old_row, self.row_count - 1)
            )
            if following:
                self.new_above = 0
            else:  # the selected call left (or had left): the row now is another call
                self.selection_left = left or old_key is not None
            return
        self.selection_left = left  # still another call than the one selected, until moved
        new_row = self.get_row_index(old_key)
        shift = new_row - old_row
        inserted_above = sum(1 for k in added if self.get_row_index(k) < new_row)
        self.new_above += inserted_above
        if shift:
            self.scroll_to(y=max(0, self.scroll_y + shift), animate=False, immediate=True)
        self.move_cursor(row=new_row, scroll=False)

    def _update_title(self) -> None:
        title = self.panel_title
        if self.new_above:
            title = _("{title} · +{count} new (Home)").format(title=title, count=self.new_above)
        self.border_title = title

    def watch_cursor_coordinate(self, old, new) -> None:  # type: ignore[no-untyped-def]
        """Back at the top: the "+N new" count is read. A cursor the operator moves selects
        a call again (:attr:`selection_left`)."""
        super().watch_cursor_coordinate(old, new)
        if not self._placing:
            self.selection_left = False
        if new.row == 0 and self.new_above:
            self.new_above = 0
            self._update_title()

    def action_newest(self) -> None:
        """Go to the newest call (the top)."""
        if self.row_count:
            self.move_cursor(row=0)
            self.scroll_to(y=0, animate=False)
        self.new_above = 0
        self._update_title()


def finished_notice(call: CallRow, tz: tzinfo) -> str:
    """What tells an operator who selected another call that their call just finished."""
    started = datetime.fromtimestamp(call.started_at, tz).strftime("%H:%M:%S")
    return _("Your call of {time} has finished: Home selects it.").format(time=started)


def outcome_legend(config: Config) -> str:
    """``"s sale · a appointment · …"``: the outcome keys (config names, cleaned)."""
    parts = [f"{o.key} {clean_text(o.name, limit=14)}" for o in config.outcomes if o.key]
    return " · ".join(parts)
