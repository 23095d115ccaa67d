"""The exact text of every report format for one small hand-made week (snapshots).

Week 20 of 2024 (Monday 13 to Sunday 19 May, Europe/Rome), printed the Monday after at 08:00:
six calls in two queues, an operator's session with a pause, a caller left unanswered, a
complaint and a category over its alert share. A change to any format shows here as a
difference to read; when it is meant, rewrite the files with

    CAREWATCH_UPDATE_SNAPSHOTS=1 pytest tests/test_report_snapshots.py

and read the difference in ``git diff tests/snapshots/`` before committing it.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from carewatch.config import parse_config
from carewatch.kpi.windows import Period
from carewatch.records import AgentEvent, CallUpdate
from carewatch.report import FORMATS, Report, build_report, render
from carewatch.store import Store

TZ = ZoneInfo("Europe/Rome")
SNAPSHOTS = Path(__file__).parent / "snapshots" / "report"
EXTENSIONS = {"text": "txt", "markdown": "md", "html": "html", "csv": "csv", "json": "json"}


def at(d: int, hh: int, mm: int = 0) -> float:
    return datetime(2024, 5, d, hh, mm, tzinfo=TZ).timestamp()


def call(cid: str, start: float, **fields: object) -> CallUpdate:
    return CallUpdate(cid, {"started_at": start, **fields})


def talked(start: float, wait: float, talk: float) -> dict[str, object]:
    return {"answered_at": start + wait, "ended_at": start + wait + talk}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return week_report(tmp_path_factory.mktemp("snap") / "cw.db")


def week_report(db: Path) -> Report:
    """The snapshots' week, read from a new database at ``db`` (in the current language)."""
    config = parse_config(
        {
            "timezone": "Europe/Rome",
            "agent_cost_per_hour": 36.0,
            "currency": "€",
            "targets": {
                "category_alert_min_calls": 3,
                "category_alert_share": 0.5,
                "news_min_calls": 3,
            },
            "categories": [
                {"name": "shipping", "colour": "blue"},
                {"name": "complaint", "colour": "red", "complaint": True},
            ],
            "outcomes": [{"name": "sale", "conversion": True}, {"name": "information"}],
        }
    )
    records = [
        call(
            "w1",
            at(13, 9),
            queue="support",
            agent="anna",
            caller="+39 02 5550101",
            category="shipping",
            outcome="information",
            resolved=True,
            csat=5,
            note="asked for the tracking link",
            **talked(at(13, 9), 12, 150),
        ),
        call(
            "w2",
            at(13, 10),
            queue="support",
            agent="anna",
            caller="+39 02 5550102",
            category="shipping",
            outcome="information",
            resolved=True,
            **talked(at(13, 10), 8, 90),
        ),
        call(
            "w3",
            at(14, 11),
            queue="sales",
            agent="bruno",
            caller="+39 02 5550103",
            category="complaint",
            outcome="sale",
            resolved=False,
            csat=2,
            note="parcel arrived | broken *twice*",
            **talked(at(14, 11), 25, 240),
        ),
        call(
            "w4",
            at(15, 9, 30),
            queue="support",
            caller="+39 02 5550104",
            disposition="abandoned",
            wait_seconds=45,
        ),
        call(
            "w5",
            at(16, 15),
            queue="sales",
            agent="bruno",
            caller="+39 02 5550105",
            category="shipping",
            outcome="sale",
            **talked(at(16, 15), 5, 60),
        ),
        call(
            "w6",
            at(17, 16),
            queue="support",
            caller="+39 02 5550106",
            disposition="abandoned",
            wait_seconds=20,
        ),
        call(
            "w7",
            at(17, 16, 10),
            queue="support",
            agent="anna",
            caller="+39 02 5550106",
            **talked(at(17, 16, 10), 15, 120),
        ),
        # the week before: two calls, for the comparison (the first on its Monday: the logs
        # reach back to its start)
        call("p1", at(6, 9), queue="support", agent="anna", **talked(at(6, 9), 10, 100)),
        call("p2", at(8, 9), queue="sales", agent="bruno", **talked(at(8, 9), 30, 100)),
        AgentEvent(at(13, 8, 30), "anna", "AGENTLOGIN", queue="NONE"),
        AgentEvent(at(13, 12), "anna", "PAUSE", queue="NONE", reason="lunch"),
        AgentEvent(at(13, 12, 45), "anna", "UNPAUSE", queue="NONE"),
        AgentEvent(at(13, 17), "anna", "AGENTLOGOFF", queue="NONE"),
        AgentEvent(at(16, 14, 55), "bruno", "RINGNOANSWER", queue="sales", ring_ms=15000),
    ]
    with Store(str(db)) as store:
        store.ingest("log", list(enumerate(records, start=1)))
        store.open_issue("Courier misses zone 4", "anna", category="shipping", now=at(14, 12))
        return build_report(store, config, Period.week(2024, 20), with_calls=True, now=at(20, 8))


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_format_is_exactly_the_snapshot(report: Report, fmt: str) -> None:
    path = SNAPSHOTS / f"week.{EXTENSIONS[fmt]}"
    text = render(report, fmt)
    if os.environ.get("CAREWATCH_UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8", newline="")
    assert text == path.read_bytes().decode("utf-8")
