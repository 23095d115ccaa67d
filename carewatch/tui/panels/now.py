"""The top of the screen: the title bar (window, queue, operator, clock) and the "Now" strip
(calls waiting and the longest wait, ticking; calls being talked; operators by state)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, tzinfo

from rich.text import Text
from textual.widgets import Static

from carewatch.config import Config
from carewatch.i18n import N_, _, pgettext
from carewatch.kpi.now import NowState
from carewatch.present import clock
from carewatch.tui.panels.panel import Panel, PanelHelp
from carewatch.tui.text import literal


def now_text(state: NowState | None, config: Config, now: float, width: int = 120) -> Text:
    """The Now strip at ``now`` (the longest wait is counted from the call's start); shorter
    words when ``width`` is under 90 columns."""
    if state is None:
        return Text(_("Now: reading…"), style="dim")
    waiting = state.waiting
    longest = None
    if state.waiting_calls:
        longest = max(0.0, now - state.waiting_calls[0].started_at)
    if longest is not None and longest > config.targets.long_wait_alert_seconds:
        wait_style = "bold reverse red"
    elif waiting:
        wait_style = "bold yellow"
    else:
        wait_style = "bold green"
    states = Counter(a.state for a in state.agents.values())
    narrow = width < 90
    bar = " │ " if narrow else "  │  "
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    # the narrow forms have a context of their own: a language may need shorter words there
    text.append(pgettext("narrow", "Waiting") if narrow else _("WAITING"), style="bold")
    text.append(f" {waiting} ", style=wait_style)
    text.append(" {} ".format(_("max")) if narrow else "  {} ".format(_("longest")))
    text.append(clock(longest), style=wait_style if longest is not None else "dim")
    text.append(bar, style="dim")
    text.append(
        "{} ".format(pgettext("narrow", "Talking") if narrow else _("TALKING")), style="bold"
    )
    text.append(f"{state.talking}", style="bold cyan")
    text.append(bar, style="dim")
    text.append("{} ".format(_("Ops") if narrow else _("OPERATORS")), style="bold")
    parts = [
        (states.get("talking", 0), pgettext("narrow", "talk") if narrow else _("talking"), "cyan"),
        (states.get("paused", 0), _("pause") if narrow else _("paused"), "yellow"),
        (states.get("idle", 0), _("idle"), "green"),
        (states.get("logged_off", 0), pgettext("narrow", "off") if narrow else _("off"), "dim"),
    ]
    if states.get("away"):  # only when someone is away (ui.away_after_minutes)
        parts.insert(3, (states["away"], _("away"), "magenta"))
    for i, (n, label, style) in enumerate(parts):
        if i:
            text.append(" · ", style="dim")
        text.append(f"{n}", style=f"bold {style}" if n and style != "dim" else style)
        text.append(f" {label}")
    return text


class NowStrip(Panel, Static, can_focus=True):
    """What a wallboard shows first. The longest wait ticks every second."""

    PANEL_HELP = PanelHelp(
        N_("Now"),
        N_(
            "Calls waiting in the queue now and how long the longest has waited (it ticks; "
            "reverse red over targets.long_wait_alert_seconds), calls being talked, and the "
            "operators by state: talking, paused (with the reason in the operators panel), idle, "
            "away (not seen for longer than ui.away_after_minutes: shown only when someone is), "
            "logged off. States come from the phone system's agent events."
        ),
    )

    def __init__(self, config: Config, *, id: str | None = None) -> None:
        super().__init__(Text(_("Now: reading…"), style="dim"), id=id)
        self._config = config
        self._state: NowState | None = None
        self._last_now: float | None = None
        self._shown: Text | None = None

    def show(self, state: NowState, now: float) -> None:
        """New state from a refresh."""
        self._state = state
        self.tick(now)

    def tick(self, now: float) -> None:
        """Repaint for the clock (no database read)."""
        self._last_now = now
        text = now_text(self._state, self._config, now, self.size.width or 120)
        if text != self._shown:  # one line (three when tall): its size never changes
            self._shown = text
            self.update(text, layout=False)

    def on_resize(self) -> None:
        """Shorter words on a narrow screen."""
        if self._last_now is not None:
            self.tick(self._last_now)


def title_text(
    *,
    window_title: str,
    queue: str | None,
    operator: str | None,
    now: float,
    tz: tzinfo,
    demo: str | None = None,
    matched: bool | None = None,
    plays: Sequence[str] = (),
    width: int | None = None,
) -> Text:
    """The title bar; the queue and operator names are shown literally. ``matched=False``:
    the operator is no agent of the logs, and the bar says so; ``plays``: the agent ids the
    config maps the operator to (``root (Hugo)``), when the name is not one of them.

    Where ``width`` cells are too few for all of it, "queue all" (no filter: the default) goes
    first, then the words "queue" and "operator" before the names, then the name "carewatch",
    then the room around the dots, so that a queue filter and whom an operator plays stay on the
    bar at 80 columns (the demo's label too); only then is the end cut."""
    text = Text()
    for terse in range(TERSE_LEVELS):
        text = _title(window_title, queue, operator, now, tz, demo, matched, plays, terse)
        if width is None or text.cell_len <= width:
            break
    return text


#: How many ways :func:`title_text` has to say the title, the fullest first.
TERSE_LEVELS = 5


def _title(
    window_title: str,
    queue: str | None,
    operator: str | None,
    now: float,
    tz: tzinfo,
    demo: str | None,
    matched: bool | None,
    plays: Sequence[str],
    terse: int,
) -> Text:
    """:func:`title_text` in full (``terse`` 0), without "queue all" (1), without the words
    before the names too (2), without the name "carewatch" (3), with one space around the dots
    (4)."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    dot = "  ·  " if terse < 4 else " · "
    if terse < 3:
        text.append(" carewatch ", style="bold reverse")
    text.append(" ")
    text.append(datetime.fromtimestamp(now, tz).strftime("%H:%M:%S"), style="bold")
    if demo:
        text.append(" ")
        text.append(literal(demo, "bold reverse magenta"))
    text.append("  ")
    text.append(window_title, style="bold")
    if queue or not terse:
        text.append(dot + ("" if terse > 1 else _("queue") + " "), style="dim")
        text.append(literal(queue) if queue else Text(_("all"), style="italic"))
    if operator:
        text.append(dot + ("" if terse > 1 else _("operator") + " "), style="dim")
        text.append(literal(operator, "bold"))
        shown = [a for a in plays if a.casefold() != operator.casefold()][:2]
        if shown:
            text.append(" (")
            text.append(literal(", ".join(shown)))
            text.append(")")
        if matched is False:
            text.append(" ({})".format(_("matches no agent")), style="bold yellow")
    return text


class TitleBar(Static):
    """One line: carewatch, window, queue filter, operator, clock."""

    _shown: Text | None = None

    def show(self, text: Text) -> None:
        """Paint ``text`` (:func:`title_text`) when it changed (one line: no new layout)."""
        if text != self._shown:
            self._shown = text
            self.update(text, layout=False)
