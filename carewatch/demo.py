"""``carewatch demo``: a week of simulated history plus calls arriving live.

The history (this week up to now, with categories, outcomes and ratings, as a CRM would
log them) is written as carewatch CSV and ingested. Live calls are then appended to an
Asterisk ``queue_log`` in real time, which the live screen follows like a real phone system's
log: the newcomer sees callers wait, operators talk and pause, and untagged calls to tag.
Everything lives in one folder (``./carewatch-demo`` by default) that each run starts afresh.
"""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from carewatch.config import Config
from carewatch.ingest import ingest_paths
from carewatch.simulate import run_live, simulate_history
from carewatch.store import Store

DEMO_MARKER = ".carewatch-demo"


@dataclass(frozen=True)
class DemoSetup:
    folder: Path
    db: str
    history_log: Path
    live_log: Path
    seed: int
    calls_in_history: int


class DemoError(Exception):
    """The demo folder cannot be used (one line for the user)."""


def prepare_demo(
    folder: Path, config: Config, *, seed: int = 7, days: int = 8, now: float | None = None
) -> DemoSetup:
    """Write and ingest the history into a fresh demo folder; return where things are."""
    folder = Path(folder)
    if folder.exists():
        if any(folder.iterdir()) and not (folder / DEMO_MARKER).exists():
            raise DemoError(f"{folder} exists and is not a carewatch demo folder; pass --dir")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / DEMO_MARKER).write_text("carewatch demo data; deleted by the next demo run\n")
    history = folder / "history.csv"
    live = folder / "queue_log"
    now = time.time() if now is None else now
    n = simulate_history(history, "csv", days, seed, config, now=now)
    live.touch()
    db = str(folder / "demo.db")
    with Store(db) as store:
        ingest_paths(store, config, [str(history)], "csv")
    return DemoSetup(folder, db, history, live, seed, n)


def start_live_feed(
    setup: DemoSetup, config: Config, stop: threading.Event, *, speed: float = 1.0
) -> int:
    """Append live calls to the demo's queue_log until ``stop`` is set (blocks)."""
    return run_live(setup.live_log, "queue_log", setup.seed + 1, config, speed=speed, stop=stop)
