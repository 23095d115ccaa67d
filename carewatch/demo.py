"""``carewatch demo``: a week of simulated history plus calls arriving live.

The history (this week up to now, with categories, outcomes and ratings, as a CRM would
log them) is written as carewatch CSV and ingested. Live calls are then appended to an
Asterisk ``queue_log`` in real time, which the live screen follows like a real phone system's
log: the newcomer sees callers wait, operators talk and pause, and untagged calls to tag.
Everything lives in one folder (``./carewatch-demo`` by default) that each run starts afresh.

A demo that looks alive at any hour
-----------------------------------
* **Simulated time.** The demo runs on a clock of its own (:func:`demo_start`): during working
  hours of a weekday it is the real time; at night, early in the morning or at a weekend it is
  placed at 10:30 of a working day (today, or the last weekday), so the screen always shows a
  working day under way. The title bar says DEMO, and the clock shows the simulated time.
* **Every call in the history ends**: calls still waiting or talking when the history stops are
  left out (the live feed brings the next ones), so nothing stays "talking" forever and the
  count of calls being talked agrees with the operators talking.
* **The screen opens on a centre at work**: the history stops :data:`DEMO_WARMUP` seconds
  before the demo's "now", and the live feed starts there, writing the lines already due at
  once. So the first screen shows callers waiting and most operators talking, as a centre's
  screen does at 10:30, rather than thirty operators idle while the first live calls come in.
* **The live feed tags**: a queue_log carries no tags, so :class:`DemoTagger` records what the
  simulated operators decide — category, outcome, resolved, a note now and then — as tags from
  their screens, the callers' survey answers as a CRM's update rows, and now and then an issue
  for an unresolved complaint (resolved again some minutes later). The calls of the agent the
  person at the keyboard plays are left for them to tag.
"""

from __future__ import annotations

import random
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from carewatch.config import Config
from carewatch.config.screen import fold
from carewatch.i18n import _
from carewatch.ingest import ingest_paths
from carewatch.records import CallUpdate
from carewatch.simulate import SimCall, run_live, simulate_history
from carewatch.sources.fileid import source_name_for
from carewatch.store import Store, StoreError
from carewatch.timeutil import day_bounds

DEMO_MARKER = ".carewatch-demo"
#: The simulated agent the person at the keyboard plays in the demo (a live operator).
DEMO_AGENT = "Hugo"
#: Working hours of the simulated weekday in which the demo clock may run as the real one.
_OPEN_FROM, _OPEN_UNTIL = 9, 19
#: Where the demo clock is placed outside them (local time of a weekday).
_PLACED_AT = (10, 30)
#: Seconds of live feed before the demo's "now" (see the module doc): long enough for the
#: live centre's calls to fill its operators (a call lasts about three minutes).
DEMO_WARMUP = 900


@dataclass(frozen=True)
class DemoSetup:
    folder: Path
    db: str
    history_log: Path
    live_log: Path
    seed: int
    calls_in_history: int
    #: Where the history stops and the live feed begins (epoch seconds).
    live_from: float


class DemoError(Exception):
    """The demo folder cannot be used (one line for the user)."""


def demo_start(real_now: float, tz: tzinfo) -> float:
    """The demo's "now" at start: ``real_now`` during a weekday's working hours, else 10:30
    (plus the minutes and seconds of the real hour, so two runs differ) of today when it is a
    weekday, or of the last weekday."""
    local = datetime.fromtimestamp(real_now, tz)
    if local.weekday() < 5 and _OPEN_FROM <= local.hour < _OPEN_UNTIL:
        return real_now
    day = local.date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    placed = datetime(day.year, day.month, day.day, *_PLACED_AT, tzinfo=tz)
    return placed.timestamp() + real_now % 1800


def demo_clock(start: float, speed: float = 1.0) -> Callable[[], float]:
    """The demo's clock: from ``start`` (:func:`demo_start`) on, ``speed`` times real time."""
    t0 = time.time()
    return lambda: start + (time.time() - t0) * speed


def prepare_demo(
    folder: Path,
    config: Config,
    *,
    seed: int = 7,
    days: int = 8,
    now: float | None = None,
    warmup: float = 0,
) -> DemoSetup:
    """Write and ingest the history into a fresh demo folder; return where things are.

    ``now``: the demo's time (default: :func:`demo_start` of the real time); the history
    holds only calls that ended by ``warmup`` seconds before it, where the live feed begins
    (:attr:`DemoSetup.live_from`)."""
    folder = Path(folder)
    if folder.exists():
        if any(folder.iterdir()) and not (folder / DEMO_MARKER).exists():
            not_demo = _("{folder} exists and is not a carewatch demo folder; pass --dir")
            raise DemoError(not_demo.format(folder=folder))
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / DEMO_MARKER).write_text("carewatch demo data; deleted by the next demo run\n")
    history = folder / "history.csv"
    live = folder / "queue_log"
    now = demo_start(time.time(), config.tz) if now is None else now
    live_from = now - warmup
    n = simulate_history(history, "csv", days, seed, config, now=live_from, ended_only=True)
    live.touch()
    db = str(folder / "demo.db")
    with Store(db) as store:
        ingest_paths(store, config, [str(history)], "csv")
    return DemoSetup(folder, db, history, live, seed, n, live_from)


def demo_config(config: Config, operator: str) -> Config:
    """The config with ``operator`` playing :data:`DEMO_AGENT`, unless the config maps the
    operator already or the operator is a simulated agent's name."""
    from carewatch.simulate import OPERATORS

    wanted = fold(operator)
    if any(fold(login) == wanted for login in config.operators) or wanted in {
        fold(name) for name in OPERATORS
    }:
        return config
    mapped = {**config.operators, operator: [DEMO_AGENT]}
    return config.model_copy(update={"operators": mapped})


#: Issue titles the simulated operators open for unresolved complaints.
_ISSUE_TITLES = (
    "complaint: call the customer back tomorrow",
    "refund promised, check it went out",
    "parcel reported lost, open a claim with the courier",
    "wrong item delivered, arrange the exchange",
    "invoice disputed, ask billing to review",
)


class DemoTagger:
    """Records what the live feed's operators and callers decide (see the module doc).

    ``skip``: agent ids (folded) whose calls are left untagged (the person at the keyboard).
    Runs in the live feed's thread with a store of its own.
    """

    def __init__(
        self, store: Store, config: Config, source: str, *, seed: int, skip: frozenset[str]
    ) -> None:
        self.store = store
        self.config = config
        self.source = source
        self.skip = skip
        self.rng = random.Random(seed)
        self.opened: list[tuple[int, float]] = []  # issues this feed opened, oldest first

    def __call__(self, kind: str, call: SimCall, at: float) -> bool:
        """One hook of :func:`~carewatch.simulate.run_live`; ``False``: try again later."""
        try:
            rows = [c for c in self.store.find_calls(call.call_id) if c.source == self.source]
            if not rows:
                return False  # the follower has not read the call yet
            pk = rows[0].id
            if kind == "rating":
                fields = {"csat": call.csat, "nps": call.nps}
                update = CallUpdate(call.call_id, fields, creates=False)
                self.store.ingest(self.source, [(0, update)])
            elif kind == "tags" and fold(call.agent) not in self.skip:
                self._tag(pk, call, at)
        except StoreError:
            return False
        return True

    def _tag(self, pk: int, call: SimCall, at: float) -> None:
        agent = call.agent or "operator"
        self.store.tag_fields(pk, list(call.tags.items()), agent, now=at)  # one transaction
        complaint = {c.name for c in self.config.categories if c.complaint}
        if call.category in complaint and call.resolved is False and self.rng.random() < 0.5:
            title = self.rng.choice(_ISSUE_TITLES)
            issue = self.store.open_issue(title, agent, call_pk=pk, category=call.category, now=at)
            self.opened.append((issue, at))
        if self.opened and at - self.opened[0][1] > 900 and self.rng.random() < 0.2:
            issue, _opened = self.opened.pop(0)
            self.store.resolve_issue(issue, agent, now=at)


def start_live_feed(
    setup: DemoSetup,
    config: Config,
    stop: threading.Event,
    *,
    speed: float = 1.0,
    clock: Callable[[], float] | None = None,
    skip: frozenset[str] = frozenset(),
) -> int:
    """Append live calls to the demo's queue_log until ``stop`` is set (blocks), and record
    their tags, ratings and issues (:class:`DemoTagger`). ``clock``: the demo's clock
    (:func:`demo_clock`, which runs at its own speed); without it, the real time at
    ``speed``. The calls begin where the history stops (:attr:`DemoSetup.live_from`)."""
    if clock is not None:
        speed = 1.0  # the demo clock runs at the demo's speed already
    source = source_name_for(str(setup.live_log))
    now = (clock or time.time)()
    with Store(setup.db) as store:
        tagger = DemoTagger(store, config, source, seed=setup.seed + 2, skip=skip)
        # the operators who took calls today in the history were at work before the feed began
        today = day_bounds(datetime.fromtimestamp(setup.live_from, config.tz).date(), config.tz)[0]
        at_work: dict[str, float] = {}
        for call in store.calls_between(today, setup.live_from):
            if call.agent and call.started_at < at_work.get(call.agent, now):
                at_work[call.agent] = call.started_at
        return run_live(
            setup.live_log,
            "queue_log",
            setup.seed + 1,
            config,
            speed=speed,
            clock=clock or time.time,
            stop=stop,
            on_call=tagger,
            at_work=at_work,
            begin=setup.live_from,
        )
