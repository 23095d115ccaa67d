"""The day's KPIs and the live state as Prometheus metrics (``carewatch metrics``).

:class:`CarewatchCollector` computes on every scrape: it opens the database, reads today's
calls (:func:`carewatch.figures.window_kpis_by_queue`) and the centre now
(:func:`carewatch.figures.live_state`), and yields gauges. Names and HELP text of the KPIs
come from the one table of definitions (:mod:`carewatch.kpi.definitions`, its ``metric``
column); the live state's are below.

Every figure is given per queue (``queue="sales"``) and in total (no ``queue`` label), except
the open issues and the operators, which belong to no one queue. A rate with nothing to divide
by has no sample (as "–" elsewhere). ``carewatch_database_up`` is 0 when the database could not
be read; the other metrics are then left out. Everything is a gauge: today's counts start
again at local midnight, and a call's state may still change.

Needs the ``metrics`` extra (``pip install 'carewatch[metrics]'``, prometheus_client).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from wsgiref.simple_server import WSGIServer

from prometheus_client import generate_latest, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import CollectorRegistry
from prometheus_client.samples import Sample

from carewatch.config import Config
from carewatch.figures import live_since, live_state, window_kpis_by_queue
from carewatch.kpi.definitions import KpiDef, metric_kpis
from carewatch.kpi.now import NowState
from carewatch.kpi.windows import day_window
from carewatch.store import Store, StoreError

PREFIX = "carewatch_"
#: KPIs that are not narrowed by queue: only their total is given.
TOTAL_ONLY = frozenset({"open_issues"})
#: The operators' states, always all of them (0 when nobody is in one).
OPERATOR_STATES = ("talking", "paused", "idle", "away", "logged_off")

KPI_HELP = {
    "count": "{label}, today so far (local day).",
    "rate": "{label} as a fraction 0-1, today so far (local day); "
    "no sample when there is nothing to divide by.",
    "seconds": "{label} in seconds, today so far (local day); no sample without a value.",
    "score": "{label}, today so far (local day); no sample without responses.",
}
#: A KPI whose HELP is not the kind's.
HELP_OF_KEY = {"open_issues": "{label} now."}
WAITING_HELP = "Calls waiting in a queue now."
LONGEST_WAIT_HELP = "How long the caller waiting longest has waited, in seconds (0: nobody)."
TALKING_HELP = "Calls being talked now."
OPERATORS_HELP = (
    "Operators by state now: talking, paused, idle, away (not seen for longer than "
    "[ui] away_after_minutes), logged_off."
)
UP_HELP = "1 when the database could be read for this scrape, else 0."


@dataclass(frozen=True)
class Figures:
    """What one scrape shows: today's snapshot in total and per queue, and the centre now."""

    total: Mapping[str, Any]
    by_queue: Mapping[str, Mapping[str, Any]]
    state: NowState


#: Days before today whose queues have their series today, 0 until their first call (a
#: queue with no call yet after midnight is "0 calls", not "no data", on a dashboard).
KNOWN_QUEUE_DAYS = 7


def known_queues(store: Store, config: Config, now: float) -> list[str]:
    """The queues whose series every scrape of the local day of ``now`` gives: those the
    config names (``[queues.NAME]``) and those with calls in the :data:`KNOWN_QUEUE_DAYS`
    days before it."""
    tz = config.tz
    today = datetime.fromtimestamp(now, tz).date()
    start = day_window(today - timedelta(days=KNOWN_QUEUE_DAYS), tz).start
    seen = store.queues_between(start, day_window(today, tz).start)
    return sorted({*config.queues, *seen})


def read_figures(store: Store, config: Config, now: float, queues: Collection[str] = ()) -> Figures:
    """Today's figures (the local day of ``now``) and the live state, read from ``store``;
    per queue for each queue with a call today and each of ``queues``."""
    tz = config.tz
    window = day_window(datetime.fromtimestamp(now, tz).date(), tz)
    # one read of the calls for both: the day's, and those the state now reads before it
    calls = store.calls_between(min(window.start, live_since(now, config)), window.end)
    today = [c for c in calls if c.started_at >= window.start]
    total, by_queue = window_kpis_by_queue(store, config, window, now=now, also=queues, calls=today)
    return Figures(total, by_queue, live_state(store, config, now, calls))


def _add(family: GaugeMetricFamily, value: float, **labels: str) -> None:
    """One sample; the total of a per-queue figure has no ``queue`` label at all."""
    family.samples.append(Sample(family.name, labels, float(value)))


def _help(definition: KpiDef) -> str:
    template = HELP_OF_KEY.get(definition.key) or KPI_HELP[definition.kind]
    return template.format(label=definition.label)


def _kpi_family(definition: KpiDef, figures: Figures) -> GaugeMetricFamily:
    help_text = _help(definition)
    family = GaugeMetricFamily(f"{PREFIX}{definition.metric}", help_text)
    value = figures.total.get(definition.key)
    if value is not None:
        _add(family, value)
    if definition.key not in TOTAL_ONLY:
        for queue, kpis in figures.by_queue.items():
            value = kpis.get(definition.key)
            if value is not None:
                _add(family, value, queue=queue)
    return family


def _live_families(figures: Figures) -> Iterator[GaugeMetricFamily]:
    state = figures.state
    queues = sorted({*figures.by_queue, *(c.queue for c in state.waiting_calls if c.queue)})
    waiting = GaugeMetricFamily(f"{PREFIX}calls_waiting", WAITING_HELP)
    longest = GaugeMetricFamily(f"{PREFIX}longest_wait_seconds", LONGEST_WAIT_HELP)
    talking = GaugeMetricFamily(f"{PREFIX}calls_talking", TALKING_HELP)
    for queue in [None, *queues]:
        labels = {} if queue is None else {"queue": queue}
        waits = [c for c in state.waiting_calls if queue is None or c.queue == queue]
        _add(waiting, len(waits), **labels)
        oldest = min((c.started_at for c in waits), default=state.at)
        _add(longest, max(0.0, state.at - oldest), **labels)
        talks = [c for c in state.talking_calls if queue is None or c.queue == queue]
        _add(talking, len(talks), **labels)
    yield from (waiting, longest, talking)
    operators = GaugeMetricFamily(f"{PREFIX}operators", OPERATORS_HELP)
    for name in OPERATOR_STATES:
        _add(operators, sum(1 for a in state.agents.values() if a.state == name), state=name)
    yield operators


#: The live state's metrics: (name after ``carewatch_``, labels, HELP), for the docs' table.
LIVE_METRICS = (
    ("calls_waiting", "queue", WAITING_HELP),
    ("longest_wait_seconds", "queue", LONGEST_WAIT_HELP),
    ("calls_talking", "queue", TALKING_HELP),
    ("operators", "state", OPERATORS_HELP),
    ("database_up", "", UP_HELP),
)


def markdown_table() -> str:
    """The table of docs/metrics.md: every metric with its labels and HELP text (a test keeps
    the docs equal to this)."""
    lines = ["| metric | labels | what it is |", "|---|---|---|"]
    for d in metric_kpis():
        labels = "" if d.key in TOTAL_ONLY else "queue"
        lines.append(f"| `{PREFIX}{d.metric}` | {labels} | {_help(d)} |")
    for name, labels, help_text in LIVE_METRICS:
        lines.append(f"| `{PREFIX}{name}` | {labels} | {help_text} |")
    return "\n".join(lines)


def metric_families(figures: Figures) -> Iterator[GaugeMetricFamily]:
    """The gauges of one scrape."""
    for definition in metric_kpis():
        yield _kpi_family(definition, figures)
    yield from _live_families(figures)


class CarewatchCollector:
    """A prometheus_client collector that reads the database on every scrape.

    ``open_store`` opens the database for one scrape (it is closed after); ``clock`` gives
    the time now (tests fix it)."""

    def __init__(
        self,
        open_store: Callable[[], Store],
        config: Config,
        clock: Callable[[], float] = time.time,
        tell: Callable[[str | None], None] | None = None,
    ) -> None:
        self._open_store = open_store
        self._config = config
        self._clock = clock
        self._lock = threading.Lock()  # one scrape at a time: each reads the whole day
        #: Told why a scrape could not read the database (each new reason once), and
        #: ``None`` when one can again: ``carewatch_database_up`` alone says no why.
        self._tell = tell
        self.problem: str | None = None
        self._known: tuple[date, list[str]] | None = None

    def describe(self) -> Iterable[Metric]:
        """Nothing: registering must not read the database."""
        return []

    def collect(self) -> Iterator[Metric]:
        """Read the database and yield every gauge."""
        up = GaugeMetricFamily(f"{PREFIX}database_up", UP_HELP)
        with self._lock:
            try:
                with self._open_store() as store:
                    now = self._clock()
                    figures = read_figures(store, self._config, now, self._queues(store, now))
            except StoreError as exc:
                self._told(str(exc))
                _add(up, 0)
                yield up
                return
            self._told(None)
        _add(up, 1)
        yield up
        yield from metric_families(figures)

    def _queues(self, store: Store, now: float) -> list[str]:
        """:func:`known_queues`, read once a local day (they do not change during it)."""
        day = datetime.fromtimestamp(now, self._config.tz).date()
        if self._known is None or self._known[0] != day:
            self._known = (day, known_queues(store, self._config, now))
        return self._known[1]

    def _told(self, problem: str | None) -> None:
        if problem != self.problem and self._tell is not None:
            self._tell(problem)
        self.problem = problem


def registry_for(collector: CarewatchCollector) -> CollectorRegistry:
    """A registry with carewatch's collector only (no process or platform metrics)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


def metrics_text(collector: CarewatchCollector) -> str:
    """One scrape in the Prometheus text format."""
    return generate_latest(registry_for(collector)).decode("utf-8")


def serve(
    collector: CarewatchCollector, host: str, port: int
) -> tuple[WSGIServer, threading.Thread]:
    """Serve ``/metrics`` on ``host:port`` in a daemon thread; ``server.shutdown()`` stops
    it. Port 0 takes a free port (``server.server_port``)."""
    return start_http_server(port, addr=host, registry=registry_for(collector))
