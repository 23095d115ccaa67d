"""What one refresh of the live screen reads: :func:`load_snapshot`, run in a thread worker.

The calls and the operators' events come from the screen's :class:`~carewatch.live.LiveDay`
(kept in memory, brought up to date from the store's changes before each refresh); the store
is read here only for the issues (open now, or of the window: a few rows) and, once per
local day and queue, for last week's comparison day (:class:`LastWeekCache`), unless that day
is one of the config's ``closed_days`` (no basis: the screen compares nothing with it).
Nothing here imports Textual.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from carewatch.config import Config
from carewatch.config.screen import fold
from carewatch.i18n import _
from carewatch.kpi.engine import compute_kpis
from carewatch.kpi.windows import Window, day_window
from carewatch.live import LiveDay
from carewatch.records import UNREACHABLE_RING
from carewatch.store import Store
from carewatch.timeutil import local_hour, same_clock
from carewatch.tui.centre import answered_in, operator_lines, pick_rows, queue_lines
from carewatch.tui.snapshot import (
    MAX_CALLS,
    Alert,
    Snapshot,
    SourceStatusLike,
    WindowKind,
    build_alerts,
    no_agent_alert,
    window_for,
)
from carewatch.tui.words import weekday


def week_ago(now: float, config: Config) -> float:
    """The same wall-clock time seven local days earlier (a time that day skipped, when its
    clocks jumped forward, is the jump: :func:`carewatch.timeutil.same_clock`)."""
    local = datetime.fromtimestamp(now, config.tz)
    return same_clock(local.date() - timedelta(days=7), local.time(), config.tz)


def _touches_closed(span: tuple[float, float], config: Config) -> bool:
    """Whether a span of last week ([start, end)) falls on a day of the config's
    ``closed_days`` (a window of the last hours may begin the day before)."""
    if not config.closed_days:
        return False
    start, end = span
    first = datetime.fromtimestamp(start, config.tz).date()
    last = datetime.fromtimestamp(max(start, end - 1), config.tz).date()
    return any(first <= day <= last for day in config.closed_days)


@dataclass(frozen=True)
class _Day:
    """What the screen shows of a finished day: its inbound calls' start times (sorted, to
    count those before any time of day) and its offered calls per hour."""

    starts: list[float]
    hourly: list[int]


class LastWeekCache:
    """Last week's comparison day, per (database, day, queue): read and counted once, and
    again only when one of its calls changes (the screen's :class:`LiveDay` sees every change
    by its number, also to old calls)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[tuple[str, float, str | None], tuple[int, _Day]] = {}

    def day(self, store: Store, live: LiveDay, window: Window, queue: str | None) -> _Day:
        """The figures of ``window`` (a finished day) for ``queue``."""
        key = (store.url, window.start, queue)
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and hit[0] == live.older_changes:
                return hit[1]
        stamp = live.older_changes
        starts = store.inbound_starts_between(window.start, window.end, queue=queue)
        tz = live.config.tz
        hourly = [0] * 24
        for started in starts:
            hourly[local_hour(started, tz)] += 1
        found = _Day(starts, hourly)
        with self._lock:
            self._data = {key: (stamp, found)}
        return found

    def offered_between(
        self, store: Store, live: LiveDay, day: Window, start: float, end: float, queue: str | None
    ) -> int:
        """Inbound calls that started in [start, end), a span of ``day`` or not."""
        if day.start <= start and end <= day.end:
            starts = self.day(store, live, day, queue).starts
            return bisect.bisect_left(starts, end) - bisect.bisect_left(starts, start)
        return len(store.inbound_starts_between(start, end, queue=queue))


def load_snapshot(
    store: Store,
    config: Config,
    live: LiveDay,
    *,
    now: float,
    window_kind: WindowKind = "today",
    queue: str | None = None,
    operator: str | None = None,
    statuses: Sequence[SourceStatusLike] = (),
    follow_error: str | None = None,
    cache: LastWeekCache | None = None,
    wall_now: float | None = None,
) -> Snapshot:
    """Everything the main screen shows at ``now``, from ``live`` (already brought up to date
    with :meth:`~carewatch.live.LiveDay.sync`) and a few small reads of ``store``.

    ``operator``: the name at the keyboard (``live.own`` are its agent ids). ``wall_now``: the
    machine's time, for the followed files' "no new line for…" (a demo's clock may run
    elsewhere)."""
    tz = config.tz
    cache = cache or LastWeekCache()
    window = window_for(window_kind, config, now)
    today = live.today or day_window(datetime.fromtimestamp(now, tz).date(), tz)
    issues = store.issues_relevant(window.start, window.end)
    if window == today:
        kpis = live.kpis(queue, issues, now)
        hourly_today = [h["offered"] for h in kpis["by_hour"]]
        served = live.agent_queues(queue)
    else:
        calls = live.window_calls(window, queue)
        events = live.events_in(window)
        rings: dict[str, int] = {}
        unreachable: dict[str, int] = {}
        for e in events:
            if queue is not None and e.get("queue") != queue:
                continue
            if e["event"] == "RINGNOANSWER":
                rings[e["agent"]] = rings.get(e["agent"], 0) + 1
            elif e["event"] == UNREACHABLE_RING:
                unreachable[e["agent"]] = unreachable.get(e["agent"], 0) + 1
        kpis = compute_kpis(
            calls,
            config,
            window=window,
            issues=issues,
            missed_rings=rings,
            unreachable_rings=unreachable,
            now=now,
        )
        hourly_today = [h["offered"] for h in live.kpis(queue, [], now)["by_hour"]]
        served = answered_in(calls, live.names)

    ago = week_ago(now, config)
    ago_day = datetime.fromtimestamp(ago, tz).date()
    last_week_day = day_window(ago_day, tz)
    span = (week_ago(window.start, config), week_ago(min(window.end, now), config))
    # a day of closed_days last week is no basis: no line, no delta, its label says closed
    closed = ago_day in config.closed_days
    hourly_last_week: list[int] | None = None
    offered_last_week: int | None = None
    if not closed:
        hourly_last_week = cache.day(store, live, last_week_day, queue).hourly
    if not _touches_closed(span, config):
        offered_last_week = cache.offered_between(store, live, last_week_day, *span, queue)
    label = _("last {weekday}: closed") if closed else _("last {weekday}")

    state = live.now_state(now)
    own = live.own
    table = pick_rows(live.newest(window, queue), live.own_newest(window, queue), MAX_CALLS)
    table = [live.names.call(c) for c in table]  # each call's operator as the centre names them
    alerts: list[Alert] = build_alerts(
        kpis, state, statuses, config, now if wall_now is None else wall_now
    )
    matches: bool | None = None
    if operator:
        seen = live.agents() | {fold(name) for name in state.agents}
        matches = bool(own & seen)
        if not matches and own:
            # no call or event of the last two days: the agent may still be one of the logs
            if live.own_in_history is None:
                live.own_in_history = store.has_agent(own)
            matches = live.own_in_history
        if not matches:
            alerts.append(no_agent_alert(operator))
    if follow_error:
        alerts.append(
            Alert("error", _("reading the call logs failed: {error}").format(error=follow_error))
        )
    return Snapshot(
        taken_at=now,
        window_kind=window_kind,
        window=window,
        queue=queue,
        kpis=kpis,
        offered_last_week=offered_last_week,
        hourly_today=hourly_today,
        hourly_last_week=hourly_last_week,
        last_week_label=label.format(weekday=weekday(datetime.fromtimestamp(ago, tz))),
        now=state,
        operators=operator_lines(kpis, state, own),
        calls=table,
        issues=store.open_issues(),
        queues=live.queues(),
        alerts=alerts,
        queue_lines=queue_lines(kpis, state, served, config),
        operator_matches=matches,
    )
