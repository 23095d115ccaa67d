"""The figures the report and the screen ask for: read a window from the store, then compute.

The KPI engine (:mod:`carewatch.kpi.engine`) is pure; this module is where the reading
happens, so each face asks for "the KPIs of this window" in one call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from carewatch.apart import Apart, start_apart
from carewatch.callstate import as_it_stood
from carewatch.config import Config
from carewatch.config.screen import AgentNames
from carewatch.kpi.callbacks import Callback, callbacks, not_reached
from carewatch.kpi.engine import compute_kpis
from carewatch.kpi.now import STALE_CALL_SECONDS, NowState, note_call, note_seen, now_state
from carewatch.kpi.sessions import LOOKBACK_SECONDS, agent_time
from carewatch.kpi.windows import Window
from carewatch.kpicache import KpiCache, Slot
from carewatch.records import AgentFilter, CallRow, agent_ids
from carewatch.store import Store
from carewatch.timeutil import day_bounds


def events_since(now: float, tz: tzinfo) -> float:
    """From when operators' events are read to know each one's state at ``now``: the start of
    the local day before (a day and more: the last login and pause are in it). The same all
    day long, so a live screen folds each event once."""
    return day_bounds(datetime.fromtimestamp(now, tz).date() - timedelta(days=1), tz)[0]


#: How long after a window the callers to call back are looked for (up to now).
CALLBACK_LOOKAHEAD_SECONDS = 7 * 86400.0


@dataclass(frozen=True)
class WindowFigures:
    """A window's calls (as read, oldest first) and their KPI snapshot."""

    calls: list[CallRow]
    kpis: dict[str, Any]


def _agent_events(
    store: Store, window: Window, queue: str | None, agent: AgentFilter | None
) -> list[dict[str, Any]]:
    """The agent events from :data:`LOOKBACK_SECONDS` before the window to its end, of one
    operator, and with ``queue`` those of that queue or of none (a login, a pause)."""
    events = store.agent_events_between(window.start - LOOKBACK_SECONDS, window.end)
    if agent is not None:
        ids = agent_ids(agent)
        events = [e for e in events if e.get("agent") in ids]
    if queue is not None:
        events = [e for e in events if str(e.get("queue") or "NONE") in (queue, "NONE")]
    return events


def operator_named(store: Store, config: Config, name: str) -> tuple[str, AgentFilter]:
    """The operator ``name`` is, and what narrows reads to their calls: for a login of
    ``[operators]`` or one of its agent ids (case-insensitively), the login and its agent ids;
    else the agent id, each as the calls spell it (``hugo`` -> ``Hugo``,
    :meth:`~carewatch.store.Store.spelled_as`)."""
    found = AgentNames(config.operators).login(name)
    if found is None:
        spelled = store.spelled_as("agent", name)
        return spelled, spelled
    login, ids = found
    return login, tuple(sorted({store.spelled_as("agent", a) for a in ids}))


def figures_key(
    queue: str | None = None, agent: AgentFilter | None = None, with_agent_time: bool = True
) -> tuple[Any, ...]:
    """What a window's snapshot is kept under in a :class:`KpiCache` besides the window."""
    return ("figures", queue, agent, with_agent_time)


def window_figures(
    store: Store,
    config: Config,
    window: Window,
    *,
    queue: str | None = None,
    agent: AgentFilter | None = None,
    now: float | None = None,
    with_agent_time: bool = False,
    cache: KpiCache | None = None,
    calls: list[CallRow] | None = None,
) -> WindowFigures:
    """Read the window's calls, issues and missed and unreachable rings from ``store`` (and, with
    ``with_agent_time``, the operators' events: logged-in and paused time) and compute the
    snapshot (:func:`carewatch.kpi.engine.compute_kpis`). ``queue``/``agent`` narrow the
    calls, the missed rings and the operators' events; issues are never narrowed. With a
    ``cache`` and a ``now``, the snapshot of a window over by then comes from it when nothing
    it depends on changed (the calls are read all the same). ``calls``: the window's calls,
    already read with the same narrowing."""

    @functools.cache
    def window_calls() -> list[CallRow]:
        if calls is not None:
            return calls
        return store.calls_between(window.start, window.end, queue=queue, agent=agent)

    def fresh() -> dict[str, Any]:
        return _compute(store, config, window, window_calls(), queue, agent, now, with_agent_time)

    if cache is None or now is None:
        kpis = fresh()
    else:  # the cache reads what the snapshot depends on before the calls are read
        kpis = cache.snapshot(window, now, figures_key(queue, agent, with_agent_time), fresh)
    return WindowFigures(window_calls(), kpis)


def _compute(
    store: Store,
    config: Config,
    window: Window,
    calls: list[CallRow],
    queue: str | None,
    agent: AgentFilter | None,
    now: float | None,
    with_agent_time: bool,
) -> dict[str, Any]:
    """The snapshot of ``window`` from its ``calls`` and what else it reads from ``store``."""
    issues = store.issues_relevant(window.start, window.end)
    rings, unreachable = store.rings_between(window.start, window.end, queue=queue)
    if agent is not None:
        ids = agent_ids(agent)
        rings = {a: n for a, n in rings.items() if a in ids}
        unreachable = {a: n for a, n in unreachable.items() if a in ids}
    times = None
    if with_agent_time:
        events = _agent_events(store, window, queue, agent)
        times = agent_time(events, window.start, window.end, now, AgentNames(config.operators))
    return compute_kpis(
        calls,
        config,
        window=window,
        issues=issues,
        missed_rings=rings,
        unreachable_rings=unreachable,
        agent_time=times,
        now=now,
    )


def window_kpis(
    store: Store,
    config: Config,
    window: Window,
    *,
    queue: str | None = None,
    agent: AgentFilter | None = None,
    now: float | None = None,
    with_agent_time: bool = False,
    cache: KpiCache | None = None,
) -> dict[str, Any]:
    """The snapshot of :func:`window_figures`; with a ``cache`` and a ``now``, a window over by
    then is read from it when nothing it depends on changed, without reading its calls."""

    def figures() -> dict[str, Any]:
        return window_figures(
            store,
            config,
            window,
            queue=queue,
            agent=agent,
            now=now,
            with_agent_time=with_agent_time,
        ).kpis

    if cache is None or now is None:
        return figures()
    return cache.snapshot(window, now, figures_key(queue, agent, with_agent_time), figures)


#: Calls from which the windows a report compares with are summed in a process apart: fewer
#: cost more to fork and connect than they save (about 15 ms; 20,000 calls take 130 ms).
APART_CALLS = 20_000


def windows_kpis(
    store: Store,
    config: Config,
    windows: Sequence[tuple[Window, KpiCache | None]],
    *,
    now: float,
    queue: str | None = None,
    agent: AgentFilter | None = None,
    as_they_stood: Collection[Window] = (),
) -> Snapshots:
    """Start on the snapshots of ``windows`` (each :func:`window_kpis` with the operators' time
    and its cache, or none). Those the caches keep are read now; the others are computed when
    :meth:`Snapshots.result` is called, or, when they hold :data:`APART_CALLS` calls or more of
    a database another process can open, meanwhile in a child process with its own connection
    (:mod:`carewatch.apart`; one a window), while this one goes on with other work. The
    snapshots are the same either way. The calls of a window of ``as_they_stood`` (one cut
    at the same point as a period in progress) are taken as they stood at its end
    (:func:`carewatch.callstate.as_it_stood`), as the period in progress sees its own."""
    key = figures_key(queue, agent, True)
    found: list[tuple[Slot | None, dict[str, Any] | None]] = [(None, None)] * len(windows)
    for cache in {id(c): c for _, c in windows if c is not None}.values():  # (one, as a rule)
        mine = [i for i, (_, c) in enumerate(windows) if c is cache]
        looked = cache.find_all([(windows[i][0], key) for i in mine], now)
        for i, one in zip(mine, looked, strict=True):
            found[i] = one

    def compute(window: Window, on: Store) -> dict[str, Any]:
        calls = None
        if window in as_they_stood:
            read = on.calls_between(window.start, window.end, queue=queue, agent=agent)
            calls = [as_it_stood(call, window.end) for call in read]
        return window_figures(
            on,
            config,
            window,
            queue=queue,
            agent=agent,
            now=now,
            with_agent_time=True,
            calls=calls,
        ).kpis

    def in_child(window: Window) -> dict[str, Any]:
        with Store(store.url, read_only=True) as own:
            return compute(window, own)

    started: list[Apart] = []
    for (window, _), (slot, kept) in zip(windows, found, strict=True):
        if kept is not None:
            continue
        here = functools.partial(compute, window, store)
        # one child a window (forked between reads: no transaction is open here); the calls
        # the cache counted already, else counted now
        calls = slot.calls if slot is not None else store.count_calls(window.start, window.end)
        if store.shared and calls >= APART_CALLS:
            started.append(start_apart(here, functools.partial(in_child, window)))
        else:
            started.append(Apart(here, None, None))

    def results() -> list[dict[str, Any]]:
        computed = iter(started)
        out = []
        for (_, cache), (slot, kept) in zip(windows, found, strict=True):
            if kept is None:
                kept = next(computed).result()
                if cache is not None:
                    cache.keep(slot, kept)
            out.append(kept)
        return out

    return Snapshots(results, started)


@dataclass(frozen=True)
class Snapshots:
    """The snapshots :func:`windows_kpis` started on: :meth:`result` once, then :meth:`close`
    (which also ends a child whose result was not asked for, as when the caller failed)."""

    _results: Callable[[], list[dict[str, Any]]]
    _started: list[Apart]

    def result(self) -> list[dict[str, Any]]:
        """The snapshots, in the order of the windows (waits for the children, if any)."""
        return self._results()

    def close(self) -> None:
        for apart in self._started:
            apart.close()


def window_callbacks(
    store: Store,
    window: Window,
    *,
    queue: str | None = None,
    agent: AgentFilter | None = None,
    calls: Callable[[], list[CallRow]] | None = None,
) -> list[Callback]:
    """The callers to call back for the lost calls of ``window``
    (:func:`carewatch.kpi.callbacks.callbacks`), judged on the window's calls alone. A call
    back may be in any queue and by anyone, so the calls are read unnarrowed and the list is
    narrowed to the lost calls of ``queue``/``agent`` after. ``calls``: gives the window's
    calls read with the same narrowing (read here when not given)."""
    narrowed = queue is not None or agent is not None
    every = store.calls_between(window.start, window.end) if calls is None or narrowed else calls()
    found = callbacks(every, window.start, window.end)
    if not narrowed:
        return found
    ids = None if agent is None else agent_ids(agent)
    kept = {
        c.id
        for c in every
        if (queue is None or c.queue == queue) and (ids is None or c.agent in ids)
    }
    return [c for c in found if c.id in kept]


def callbacks_for(
    store: Store,
    window: Window,
    now: float,
    *,
    queue: str | None = None,
    agent: AgentFilter | None = None,
    calls: Callable[[], list[CallRow]] | None = None,
    within: list[Callback] | None = None,
) -> list[Callback]:
    """The callers to call back for the lost calls of ``window``, judged on the window's calls
    and those up to ``now`` (at most :data:`CALLBACK_LOOKAHEAD_SECONDS` after the window):
    :func:`window_callbacks` (or ``within``, that list as kept), less the callers a later call
    reached (:func:`carewatch.kpi.callbacks.not_reached`)."""
    if within is None:
        within = window_callbacks(store, window, queue=queue, agent=agent, calls=calls)
    later_end = min(now, window.end + CALLBACK_LOOKAHEAD_SECONDS)
    if later_end <= window.end:
        return within
    return not_reached(within, store.caller_calls_between(window.end, later_end))


def window_kpis_by_queue(
    store: Store,
    config: Config,
    window: Window,
    *,
    now: float | None = None,
    also: Collection[str] = (),
    calls: Sequence[CallRow] | None = None,
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The window's snapshot in total and for each queue with calls in it, and each queue of
    ``also`` (with no call: its counts 0, its rates none), queues sorted by name, from one
    read of the window's calls (``calls``: read already). Issues are never narrowed by
    queue."""
    if calls is None:
        calls = store.calls_between(window.start, window.end)
    issues = store.issues_relevant(window.start, window.end)
    rings = store.rings_between(window.start, window.end)
    total = compute_kpis(
        calls,
        config,
        window=window,
        issues=issues,
        missed_rings=rings.missed,
        unreachable_rings=rings.unreachable,
        now=now,
    )
    by_queue: dict[str, dict[str, Any]] = {}
    for queue in sorted({c.queue for c in calls if c.queue} | set(also)):
        in_queue = store.rings_between(window.start, window.end, queue=queue)
        by_queue[queue] = compute_kpis(
            [c for c in calls if c.queue == queue],
            config,
            window=window,
            issues=issues,
            missed_rings=in_queue.missed,
            unreachable_rings=in_queue.unreachable,
            now=now,
        )
    return total, by_queue


def live_since(now: float, config: Config) -> float:
    """Where the calls :func:`live_state` reads begin: :data:`STALE_CALL_SECONDS` before the
    local day's start (the state's recent calls, and each operator's last call: whether they
    are away)."""
    day_start = day_bounds(datetime.fromtimestamp(now, config.tz).date(), config.tz)[0]
    return day_start - STALE_CALL_SECONDS


def live_state(
    store: Store, config: Config, now: float, calls: Sequence[CallRow] | None = None
) -> NowState:
    """The centre at ``now`` (:func:`carewatch.kpi.now.now_state`): the calls that started in
    the last :data:`~carewatch.kpi.now.STALE_CALL_SECONDS` and the operators' events since
    :func:`events_since`. The live screen keeps the same reading up to date
    (:meth:`carewatch.live.LiveDay.now_state`). Whether an operator is away is read, as the
    live screen does, from their events and their calls since :func:`events_since` (``calls``:
    those since :func:`live_since`, read already; the answered ones before are read here
    while they can change who is away: until ``away_after_minutes`` after that; an away
    operator's ``since`` may be earlier than the screen's after that)."""
    if calls is None:
        calls = store.calls_between(live_since(now, config), now + 1.0)
    names = AgentNames(config.operators)
    last_calls: dict[str, float] = {}
    since, away = events_since(now, config.tz), config.ui.away_after_minutes * 60.0
    before = live_since(now, config)
    if now - before < away:
        # a call before those read (back to the events') can still keep someone from being
        # away; later it could only make an away operator's "since" later, which the metrics
        # (the one reader of this) do not show
        note_seen(last_calls, store.seen_between(since, before), names)
    for call in calls:
        if call.started_at <= now:
            note_call(last_calls, call, names)
    recent_from = now - STALE_CALL_SECONDS
    recent = [c for c in calls if recent_from <= c.started_at < now + 1.0]
    events = store.agent_events_between(since, now + 1.0)
    return now_state(recent, events, now, names, away, last_calls)
