"""The live screen on deterministic data: a fixed clock and calls from the simulator's fixed seed.

Used by the snapshot tests and handy by hand::

    PYTHONPATH=. python tests/tui_snapshot_app.py /tmp/snap.db   # then look at the screen
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from carewatch import simulate
from carewatch.config import Config, default_config
from carewatch.records import CALL_FIELDS, CallUpdate, Record
from carewatch.store import Store
from carewatch.tui.app import CarewatchApp, create_app

TIMEZONE = "Europe/Rome"
#: A Wednesday late morning: the centre is busy, and last Wednesday is in the history.
FIXED_NOW = datetime(2024, 3, 13, 11, 20, 30, tzinfo=ZoneInfo(TIMEZONE)).timestamp()
SEED = 20240313
HISTORY_DAYS = 8
#: The operator at the keyboard: a simulated operator working the morning, so their own
#: calls come first and the call they just finished is selected.
OPERATOR = simulate.OPERATORS[7]
SUPERVISOR = "supervisor"


def snapshot_config() -> Config:
    """The documented default config in a fixed time zone."""
    return default_config().model_copy(update={"timezone": TIMEZONE})


def sim_records(calls: Sequence[simulate.SimCall]) -> list[tuple[int, Record]]:
    """Simulated calls -> the records a parser would produce (calls and operator events)."""
    records: list[tuple[int, Record]] = []
    for call in calls:
        fields = {name: getattr(call, name) for name in CALL_FIELDS}
        for name in ("started_at", "answered_at", "ended_at", "wait_seconds", "talk_seconds"):
            if fields[name] is not None:
                fields[name] = float(fields[name])
        records.append((len(records) + 1, CallUpdate(call.call_id, fields)))
        for event in call.agent_events:
            records.append((len(records) + 1, event))
    return records


def fill_store(store: Store, config: Config, *, now: float = FIXED_NOW, seed: int = SEED) -> int:
    """A week and a day of simulated calls up to ``now``, plus two open issues and a
    resolved one, all at fixed times. Returns the number of calls."""
    tz = config.tz
    today = datetime.fromtimestamp(now, tz).date()
    start = today - timedelta(days=HISTORY_DAYS - 1)
    calls = simulate.generate_calls(seed, start, HISTORY_DAYS, tz, config, until=now)
    store.ingest("simulated", sim_records(calls))
    todays = [c for c in store.recent_calls(50) if c.disposition == "answered" and c.category]
    if len(todays) >= 3:
        first = store.open_issue(
            "parcels to the islands late again",
            SUPERVISOR,
            call_pk=todays[0].id,
            category=todays[0].category,
            now=now - 5400,
        )
        store.open_issue(
            "refund not received after 14 days",
            OPERATOR,
            call_pk=todays[1].id,
            category=todays[1].category,
            now=now - 1500,
        )
        resolved = store.open_issue("wrong invoice address", SUPERVISOR, now=now - 7200)
        store.resolve_issue(resolved, SUPERVISOR, now=now - 3600)
        assert first
    return len(calls)


def make_app(db: str, *, operator: str = OPERATOR, live: bool = False) -> CarewatchApp:
    """The app on an already filled database, with the fixed clock."""
    return create_app(snapshot_config(), db, operator=operator, clock=lambda: FIXED_NOW, live=live)


def build(db: str) -> CarewatchApp:
    """Fill ``db`` (a new file) and return the app on it."""
    config = snapshot_config()
    with Store(db) as store:
        fill_store(store, config)
    return make_app(db)


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "snapshot-demo.db"
    if not Path(target).exists():
        with Store(target) as s:
            fill_store(s, snapshot_config())
    make_app(target, live="--live" in sys.argv).run()
