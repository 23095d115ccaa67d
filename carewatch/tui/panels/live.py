"""Waiting and talking: the callers waiting now (queue, position, wait ticking) and the calls
being talked (queue, operator, running duration), updated by row key every second."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from carewatch.callstate import status_words
from carewatch.config import Privacy
from carewatch.i18n import N_, _, pgettext
from carewatch.kpi.now import NowState
from carewatch.present import clock
from carewatch.records import CallRow
from carewatch.tui.panels.panel import PanelHelp
from carewatch.tui.panels.rows import Column, RowsTable, ranked
from carewatch.tui.panels.widths import CALLER_WIDEST, NAME_WIDEST
from carewatch.tui.text import caller_text, literal

#: Most rows the panel keeps (waiting callers first).
MAX_ROWS = 100
#: What a border takes around its title ("╭─ " and " ─╮").
TITLE_FRAME = 6

COLUMNS: tuple[Column, ...] = (
    Column(
        "state",
        "Now",
        7,
        words=lambda: _live_words().values(),
        say=lambda: pgettext("column", "Now"),
    ),
    # as wide as its longest clock: 5 ("12:34") until a call lasts an hour
    Column("time", "Time", 7, 0, 5, say=lambda: pgettext("time so far", "Time"), widest=7),
    Column("queue", N_("Queue"), 10, 1, 7, widest=NAME_WIDEST, names=True),
    Column("position", N_("Pos"), 3, 2),
    Column("agent", N_("Operator"), 12, 1, 8, widest=NAME_WIDEST, names=True),
    Column("caller", N_("Caller"), 16, 3, 13, widest=CALLER_WIDEST),
)


def _live_words() -> dict[str, str]:
    """The two states of a row, in the current language."""
    words = status_words()
    return {"waiting": words["waiting"], "talking": words["talking"]}


def live_rows(state: NowState, now: float, privacy: Privacy) -> dict[str, tuple[Text, ...]]:
    """Waiting callers (longest first, with their place in their queue), then calls being
    talked (longest first); at most :data:`MAX_ROWS`."""
    rows: dict[str, tuple[Text, ...]] = {}
    words = _live_words()
    places: dict[str | None, int] = {}
    for call in state.waiting_calls[:MAX_ROWS]:
        places[call.queue] = places.get(call.queue, 0) + 1
        waited = max(0.0, now - call.started_at)
        rows[f"w{call.id}"] = _cells(
            call, "waiting", words, "bold yellow", waited, f"{places[call.queue]}", privacy
        )
    room = MAX_ROWS - len(rows)
    for call in state.talking_calls[:room]:
        talked = max(0.0, now - (call.answered_at or call.started_at))
        rows[f"t{call.id}"] = _cells(call, "talking", words, "cyan", talked, "", privacy)
    return rows


def _cells(
    call: CallRow,
    word: str,
    words: dict[str, str],
    style: str,
    seconds: float,
    position: str,
    privacy: Privacy,
) -> tuple[Text, ...]:
    # waiting before talking, then the longest first (an order that never changes for a row)
    since = call.started_at if word == "waiting" else (call.answered_at or call.started_at)
    rank = (0 if word == "waiting" else 1, since, call.id)
    return (
        ranked(Text(words[word], style=style, no_wrap=True, end=""), rank),
        Text(clock(seconds), style="bold" if word == "waiting" else "", justify="right"),
        literal(call.queue),
        Text(position, justify="right"),
        literal(call.agent if word == "talking" else ""),
        caller_text(call.caller, privacy),
    )


class LiveCallsTable(RowsTable):
    """Callers waiting and calls being talked, now; keyed by call (``w``/``t`` + id)."""

    COLUMNS = COLUMNS

    PANEL_HELP = PanelHelp(
        N_("Waiting and talking"),
        N_(
            "Callers waiting in a queue now, the longest wait first, with their place in their "
            "queue (Pos) and how long they have waited; then the calls being talked, with the "
            "operator and how long the call has lasted. Both tick every second. At most "
            "{rows} rows."
        ),
        values=(("rows", MAX_ROWS),),
    )

    def __init__(self, privacy: Privacy, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._privacy = privacy
        self._state: NowState | None = None

    def show(self, state: NowState, now: float) -> None:
        """New state from a refresh."""
        self._state = state
        self.tick(now)

    def tick(self, now: float) -> None:
        """Repaint the running times; rows that changed state move (waiting, then talking)."""
        if self._state is None:
            return
        rows = live_rows(self._state, now, self._privacy)
        with self.app.batch_update():
            changes = self.sync_rows(rows)
            if changes.added or changes.removed:
                self.sort("state", key=lambda cell: getattr(cell, "rank", ()))
        self._retitle()

    def on_resize(self) -> None:
        self._retitle()

    def _retitle(self) -> None:
        """The title with both counts; without the panel's name where the border has no room
        for it (the counts say "waiting" and "talking" all the same), never cut."""
        if self._state is None:
            return
        counts = {"waiting": self._state.waiting, "talking": self._state.talking}
        title = _("{title} · {waiting} waiting · {talking} talking").format(
            title=self.panel_title, **counts
        )
        if self.size.width and cell_len(title) > self.size.width - TITLE_FRAME:
            title = _("{waiting} waiting · {talking} talking").format(**counts)
        self.border_title = title
