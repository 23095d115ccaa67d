"""What one refresh of the live screen shows: a :class:`Snapshot` (plain data, built off the UI
thread by :func:`carewatch.tui.loader.load_snapshot`), the windows it can show, and the alerts.

Nothing here imports Textual; the widgets only paint a snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Literal, Protocol

from carewatch.config import Config
from carewatch.i18n import N_, _, ngettext
from carewatch.kpi.now import NowState
from carewatch.kpi.windows import Window, day_window, last_hour_window, shift_window
from carewatch.present import clean_text, duration, percent
from carewatch.records import CallRow, IssueRow
from carewatch.tui.centre import (
    OperatorLine,
    QueueLine,
)
from carewatch.tui.words import day_and_date

WindowKind = Literal["today", "last_hour", "shift"]
WINDOW_KINDS: tuple[WindowKind, ...] = ("today", "last_hour", "shift")
#: Each window's name (marked: translate with ``_`` where shown).
WINDOW_NAMES: dict[WindowKind, str] = {
    "today": N_("today"),
    "last_hour": N_("last hour"),
    "shift": N_("this shift"),
}

#: Rows of the call table.
MAX_CALLS = 200

Level = Literal["error", "warning"]


class SourceStatusLike(Protocol):
    """What the screen reads from a followed file's status (carewatch.ingest.SourceStatus)."""

    path: str
    bad_lines: int
    last_bad_line: int | None
    last_bad_reason: str | None
    last_line_at: float | None
    exists: bool


@dataclass(frozen=True)
class Alert:
    """One thing that needs attention now. ``text`` may hold log text: paint it literally."""

    level: Level
    text: str


@dataclass(frozen=True)
class Snapshot:
    """Everything the main screen paints after one refresh."""

    taken_at: float
    window_kind: WindowKind
    window: Window
    queue: str | None
    kpis: dict[str, Any]
    #: Offered in the same span one week earlier (same weekday, up to the same time of day);
    #: ``None`` when that span is on a day of the config's ``closed_days`` (no delta).
    offered_last_week: int | None
    hourly_today: list[int]
    #: The same weekday last week, per hour; ``None`` when it was a closed day (no line).
    hourly_last_week: list[int] | None
    #: "last Fri", or "last Fri: closed".
    last_week_label: str
    now: NowState
    operators: list[OperatorLine]
    calls: list[CallRow]
    issues: list[IssueRow]
    queues: tuple[str, ...]
    alerts: list[Alert] = field(default_factory=list)
    queue_lines: list[QueueLine] = field(default_factory=list)
    #: Whether the operator at the keyboard matches an agent of the logs (``None``: no
    #: operator given).
    operator_matches: bool | None = None


def window_for(kind: WindowKind, config: Config, now: float) -> Window:
    """The window the screen shows: today, the last hour, or the shift containing now."""
    tz = config.tz
    today = datetime.fromtimestamp(now, tz).date()
    if kind == "last_hour":
        return last_hour_window(now)
    if kind == "shift":
        return shift_window(config, now)
    return day_window(today, tz)


def window_title(kind: WindowKind, window: Window, config: Config) -> str:
    """``"Today · Tue 12 Mar"``, ``"Last hour"``, ``"Shift: morning (08:00–14:00)"``."""
    if kind == "today":
        day = datetime.fromtimestamp(window.start, config.tz)
        return _("Today · {date}").format(date=day_and_date(day))
    if kind == "last_hour":
        return _("Last hour")
    if window.label.endswith("shift") or "shift (" in window.label:
        # the label is "<name> shift (<start>–<end>)"; the shift's name is the config's
        return _("Shift: {shift}").format(shift=window.label.replace(" shift", ""))
    return _("This shift: none now · today")


def _alert_categories(kpis: dict[str, Any], config: Config) -> list[Alert]:
    alerts: list[Alert] = []
    mix = kpis.get("category_mix", {})
    for item in kpis.get("category_alerts", []):
        name = item["category"] if isinstance(item, dict) else str(item)
        share = (mix.get(name) or {}).get("share")
        if share is None and isinstance(item, dict):
            share = item.get("share")
        pct = percent(share, 0) if share is not None else _("over its share")
        alerts.append(
            Alert(
                "error",
                _("{category} is {share} of tagged calls (alert over {limit})").format(
                    category=name, share=pct, limit=percent(config.alert_share(name), 0)
                ),
            )
        )
    return alerts


def long_wait_alert(state: NowState, config: Config, now: float) -> Alert | None:
    """A caller waiting longer than ``targets.long_wait_alert_seconds``, at ``now``."""
    if not state.waiting_calls:
        return None
    waited = max(0.0, now - state.waiting_calls[0].started_at)
    if waited <= config.targets.long_wait_alert_seconds:
        return None
    over = sum(
        1
        for c in state.waiting_calls
        if now - c.started_at > config.targets.long_wait_alert_seconds
    )
    # two sentences, not ngettext: the one-caller sentence has no number to show
    sentence = (
        _("a caller has waited over {limit} (longest {longest})")
        if over == 1
        else _("{count} callers have waited over {limit} (longest {longest})")
    )
    return Alert(
        "error",
        sentence.format(
            count=over,
            limit=duration(config.targets.long_wait_alert_seconds),
            longest=duration(waited),
        ),
    )


def _in_working_hours(config: Config, now: float) -> bool:
    if not config.shifts:
        return True
    window = shift_window(config, now)
    return "shift" in window.label


def source_alerts(statuses: Sequence[SourceStatusLike], config: Config, now: float) -> list[Alert]:
    """Followed files with bad lines, missing, or with no new line for too long."""
    from pathlib import Path

    alerts: list[Alert] = []
    working = _in_working_hours(config, now)
    for st in statuses:
        name = Path(st.path).name or st.path
        if not getattr(st, "exists", True):
            if not getattr(st, "rotating", False):  # a rotation in progress is no problem
                alerts.append(Alert("error", _("{file}: file not found").format(file=name)))
            continue
        problem = getattr(st, "problem", None)
        if problem and not getattr(st, "waiting", False):
            alerts.append(Alert("warning", f"{name}: {problem}"))
        if st.bad_lines:
            where = (
                _(", last at line {line}").format(line=st.last_bad_line) if st.last_bad_line else ""
            )
            why = f" ({st.last_bad_reason})" if st.last_bad_reason else ""
            sentence = ngettext(
                "{count} bad line in {file}{where}{why}",
                "{count} bad lines in {file}{where}{why}",
                st.bad_lines,
            )
            alerts.append(
                Alert(
                    "warning",
                    sentence.format(count=st.bad_lines, file=name, where=where, why=why),
                )
            )
        if (
            working
            and st.last_line_at is not None
            and now - st.last_line_at > config.targets.stale_source_seconds
        ):
            alerts.append(
                Alert(
                    "warning",
                    _("{file}: no new line for {duration}").format(
                        file=name, duration=duration(now - st.last_line_at)
                    ),
                )
            )
    return alerts


def build_alerts(
    kpis: dict[str, Any],
    state: NowState,
    statuses: Sequence[SourceStatusLike],
    config: Config,
    now: float,
) -> list[Alert]:
    """Everything on the alerts line except the (ticking) long-wait alert."""
    alerts = _alert_categories(kpis, config)
    talk = kpis.get("avg_talk_seconds")
    target = config.targets.talk_seconds
    if talk is not None and talk > target:
        level: Level = "error" if talk > config.targets.talk_amber_seconds else "warning"
        alerts.append(
            Alert(
                level,
                _("average talk {talk} is over the {target} target").format(
                    talk=duration(talk), target=duration(target)
                ),
            )
        )
    alerts.extend(source_alerts(statuses, config, now))
    return alerts


def no_agent_alert(operator: str) -> Alert:
    """The operator at the keyboard is no agent of the logs: their calls cannot come first."""
    name = clean_text(operator, limit=40)
    sentence = _(
        "operator {name} matches no agent in the calls: map it in the config's [operators] "
        '({name} = ["PJSIP/2001"]) or start with --operator AGENT'
    )
    return Alert("warning", sentence.format(name=name))


def stale_alert(
    failed: tuple[float, str] | None, snap: Snapshot | None, tz: tzinfo
) -> Alert | None:
    """The alert that the figures are old: the database could not be read since ``failed``'s
    time (with why), and the figures on the screen are those read at the snapshot's time.
    ``None`` while the reads succeed."""
    if failed is None:
        return None
    since, error = failed
    hms = "%H:%M:%S"
    if snap is None:
        text = _("cannot read the database since {since}: {error}")
        return Alert(
            "error", text.format(since=datetime.fromtimestamp(since, tz).strftime(hms), error=error)
        )
    text = _("cannot read the database since {since}; the figures are from {taken}: {error}")
    return Alert(
        "error",
        text.format(
            since=datetime.fromtimestamp(since, tz).strftime(hms),
            taken=datetime.fromtimestamp(snap.taken_at, tz).strftime(hms),
            error=error,
        ),
    )
