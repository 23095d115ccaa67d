"""What one refresh of the live screen reads: a :class:`Snapshot` built off the UI thread.

Nothing here imports Textual: :func:`load_snapshot` runs in a thread worker, reads the store
once per refresh (one index range scan over the calls of today and of the selected window,
plus a few small queries) and returns plain data; the widgets only paint it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from carewatch.callstate import is_inbound
from carewatch.config import Config
from carewatch.kpi.engine import compute_kpis
from carewatch.kpi.now import STALE_CALL_SECONDS, NowState, now_state
from carewatch.kpi.windows import Window, day_window, last_hour_window, shift_window
from carewatch.present import clean_text, duration, percent
from carewatch.records import CallRow, IssueRow
from carewatch.store import Store
from carewatch.tui.centre import (
    OperatorLine,
    QueueLine,
    agents_seen,
    operator_lines,
    order_calls,
    queue_lines,
)

WindowKind = Literal["today", "last_hour", "shift"]
WINDOW_KINDS: tuple[WindowKind, ...] = ("today", "last_hour", "shift")
WINDOW_NAMES: dict[WindowKind, str] = {
    "today": "today",
    "last_hour": "last hour",
    "shift": "this shift",
}

#: Rows of the call table.
MAX_CALLS = 200
#: How far back agent events are read to know each operator's state now.
AGENT_EVENTS_LOOKBACK = 24 * 3600.0

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
    #: Offered in the same span one week earlier (same weekday, up to the same time of day).
    offered_last_week: int | None
    hourly_today: list[int]
    hourly_last_week: list[int]
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
        return f"Today · {day:%a %d %b}"
    if kind == "last_hour":
        return "Last hour"
    if window.label.endswith("shift") or "shift (" in window.label:
        return f"Shift: {window.label.replace(' shift', '')}"
    return "This shift: none now · today"


def _week_ago(now: float, config: Config) -> float:
    """The same wall-clock time seven local days earlier."""
    local = datetime.fromtimestamp(now, config.tz)
    return (local - timedelta(days=7)).timestamp()


class LastWeekCache:
    """Last week's calls change rarely: one app keeps them per (database, day, queue) for
    a few minutes instead of reading them on every refresh."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[tuple[str, str, str | None], tuple[float, list[CallRow]]] = {}

    def calls(self, store: Store, window: Window, queue: str | None, now: float) -> list[CallRow]:
        """The calls of ``window`` (read again after five minutes of the caller's clock)."""
        key = (store.url, window.label, queue)
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and abs(now - hit[0]) < 300:
                return hit[1]
        calls = store.calls_between(window.start, window.end, queue=queue)
        with self._lock:
            self._data = {key: (now, calls)}
        return calls


def _alert_categories(kpis: dict[str, Any], config: Config) -> list[Alert]:
    alerts: list[Alert] = []
    mix = kpis.get("category_mix", {})
    for item in kpis.get("category_alerts", []):
        name = item["category"] if isinstance(item, dict) else str(item)
        share = (mix.get(name) or {}).get("share")
        if share is None and isinstance(item, dict):
            share = item.get("share")
        pct = percent(share, 0) if share is not None else "over its share"
        alerts.append(
            Alert(
                "error",
                f"{name} is {pct} of tagged calls "
                f"(alert over {percent(config.alert_share(name), 0)})",
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
    who = "a caller has" if over == 1 else f"{over} callers have"
    return Alert(
        "error",
        f"{who} waited over {duration(config.targets.long_wait_alert_seconds)} "
        f"(longest {duration(waited)})",
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
            alerts.append(Alert("error", f"{name}: file not found"))
            continue
        problem = getattr(st, "problem", None)
        if problem and not problem.startswith("waiting"):
            alerts.append(Alert("warning", f"{name}: {problem}"))
        if st.bad_lines:
            where = f", last at line {st.last_bad_line}" if st.last_bad_line else ""
            why = f" ({st.last_bad_reason})" if st.last_bad_reason else ""
            plural = "line" if st.bad_lines == 1 else "lines"
            alerts.append(Alert("warning", f"{st.bad_lines} bad {plural} in {name}{where}{why}"))
        if (
            working
            and st.last_line_at is not None
            and now - st.last_line_at > config.targets.stale_source_seconds
        ):
            alerts.append(
                Alert("warning", f"{name}: no new line for {duration(now - st.last_line_at)}")
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
                f"average talk {duration(talk)} is over the {duration(target)} target",
            )
        )
    alerts.extend(source_alerts(statuses, config, now))
    return alerts


def load_snapshot(
    store: Store,
    config: Config,
    *,
    now: float,
    window_kind: WindowKind = "today",
    queue: str | None = None,
    operator: str | None = None,
    own: frozenset[str] = frozenset(),
    statuses: Sequence[SourceStatusLike] = (),
    follow_error: str | None = None,
    cache: LastWeekCache | None = None,
    wall_now: float | None = None,
) -> Snapshot:
    """Read the store and compute everything the main screen shows at ``now``.

    ``operator``: the name at the keyboard; ``own``: the agent ids (folded) that are that
    operator (:func:`carewatch.config.screen.operator_agents`). ``wall_now``: the machine's
    time, for the followed files' "no new line for…" (a demo's clock may run elsewhere)."""
    tz = config.tz
    window = window_for(window_kind, config, now)
    today = day_window(datetime.fromtimestamp(now, tz).date(), tz)
    start = min(window.start, today.start, now - STALE_CALL_SECONDS)
    end = max(window.end, today.end)
    all_calls = store.calls_between(start, end)
    queues = tuple(sorted({c.queue for c in all_calls if c.queue}))
    calls = [c for c in all_calls if queue is None or c.queue == queue]

    events = store.agent_events_between(now - AGENT_EVENTS_LOOKBACK, now + 1.0)
    in_window = [e for e in events if window.start <= e["at"] < window.end]
    rings: dict[str, int] = {}
    for e in in_window:
        if e["event"] == "RINGNOANSWER" and (queue is None or e.get("queue") == queue):
            rings[e["agent"]] = rings.get(e["agent"], 0) + 1
    issues_in_window = store.issues_relevant(window.start, window.end)
    window_calls = [c for c in calls if window.start <= c.started_at < window.end]
    kpis = compute_kpis(
        window_calls,
        config,
        window=window,
        issues=issues_in_window,
        missed_rings=rings,
        now=now,
    )
    if window == today:
        hourly_today = [h["offered"] for h in kpis["by_hour"]]
    else:
        today_kpis = compute_kpis(
            [c for c in calls if today.start <= c.started_at < today.end],
            config,
            window=today,
            now=now,
        )
        hourly_today = [h["offered"] for h in today_kpis["by_hour"]]

    week_ago = _week_ago(now, config)
    last_week_day = day_window(datetime.fromtimestamp(week_ago, tz).date(), tz)
    if cache is None:
        last_week_calls = store.calls_between(last_week_day.start, last_week_day.end, queue=queue)
    else:
        last_week_calls = cache.calls(store, last_week_day, queue, now)
    last_week_kpis = compute_kpis(last_week_calls, config, window=last_week_day, now=week_ago)
    hourly_last_week = [h["offered"] for h in last_week_kpis["by_hour"]]
    shifted_start = _week_ago(window.start, config)
    shifted_end = _week_ago(min(window.end, now), config)
    if shifted_start >= last_week_day.start and shifted_end <= last_week_day.end:
        pool: Sequence[CallRow] = last_week_calls
    else:
        pool = store.calls_between(shifted_start, shifted_end, queue=queue)
    offered_last_week = sum(
        1 for c in pool if shifted_start <= c.started_at < shifted_end and is_inbound(c)
    )

    state = now_state([c for c in calls if c.started_at >= now - STALE_CALL_SECONDS], events, now)
    table = order_calls(window_calls, own, MAX_CALLS)
    alerts = build_alerts(kpis, state, statuses, config, now if wall_now is None else wall_now)
    matches: bool | None = None
    if operator:
        matches = bool(own & agents_seen(all_calls, state))
        if not matches:
            alerts.append(no_agent_alert(operator))
    if follow_error:
        alerts.append(Alert("error", f"reading the call logs failed: {follow_error}"))
    return Snapshot(
        taken_at=now,
        window_kind=window_kind,
        window=window,
        queue=queue,
        kpis=kpis,
        offered_last_week=offered_last_week,
        hourly_today=hourly_today,
        hourly_last_week=hourly_last_week,
        last_week_label=f"last {datetime.fromtimestamp(week_ago, tz):%a}",
        now=state,
        operators=operator_lines(kpis, state, own),
        calls=table,
        issues=store.open_issues(),
        queues=queues,
        alerts=alerts,
        queue_lines=queue_lines(kpis, state, window_calls, config),
        operator_matches=matches,
    )


def no_agent_alert(operator: str) -> Alert:
    """The operator at the keyboard is no agent of the logs: their calls cannot come first."""
    name = clean_text(operator, limit=40)
    return Alert(
        "warning",
        f"operator {name} matches no agent in the calls: map it in the config's [operators] "
        f'({name} = ["PJSIP/2001"]) or start with --operator AGENT',
    )
