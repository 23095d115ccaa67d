"""Reports of long periods read as a manager reads them: a month or a year whose figures are
large (over 1,000 hours of talk) still fit 80 columns, with every figure whole and apart from
the next one. Europe/Rome, a fixed clock, hand-made calls."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from carewatch.config import Config, parse_config
from carewatch.kpi.windows import Period
from carewatch.records import CallUpdate
from carewatch.report import FORMATS, build_report, cell_width, render
from carewatch.store import Store

TZ = ZoneInfo("Europe/Rome")
MAY = Period.month(2024, 5)
NOW = datetime(2024, 6, 3, 9, 0, tzinfo=TZ).timestamp()
#: 60 calls of 20 hours: 1,200 hours of talk, one operator, one category.
LONG_TALK = 72_000


def at(y: int, m: int, d: int, hh: int = 0) -> float:
    return datetime(y, m, d, hh, tzinfo=TZ).timestamp()


@pytest.fixture
def config() -> Config:
    return parse_config(
        {
            "timezone": "Europe/Rome",
            "agent_cost_per_hour": 36.0,
            "categories": [{"name": "shipping"}],
            "outcomes": [{"name": "sale", "conversion": True}],
        }
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(str(tmp_path / "cw.db"))
    calls = [
        CallUpdate(
            f"m{i}",
            {
                "started_at": at(2024, 5, 1 + i // 2, 1 + 11 * (i % 2)),
                "answered_at": at(2024, 5, 1 + i // 2, 1 + 11 * (i % 2)) + 5,
                "ended_at": at(2024, 5, 1 + i // 2, 1 + 11 * (i % 2)) + 5 + LONG_TALK,
                "queue": "support",
                "agent": "desk-1",
                "category": "shipping",
                "outcome": "sale",
            },
        )
        for i in range(60)
    ]
    calls.append(  # April, from its first day: the logs reach back to the month compared
        CallUpdate(
            "a1",
            {
                "started_at": at(2024, 4, 1, 10),
                "answered_at": at(2024, 4, 1, 10) + 5,
                "ended_at": at(2024, 4, 1, 10) + 5 + 100,
                "queue": "support",
                "agent": "desk-1",
            },
        )
    )
    s.ingest("test", list(enumerate(calls, start=1)))
    yield s
    s.close()


def test_large_figures_are_whole_and_apart_in_the_text(store: Store, config: Config) -> None:
    text = render(build_report(store, config, MAY, now=NOW), "text")
    for line in text.splitlines():
        assert cell_width(line) <= 80, line
    (talk,) = [line for line in text.splitlines() if line.startswith("  Talk time ")]
    assert re.search(r"1,200 h 00 min +▲ 1,199 h 58 min +–$", talk), talk
    (shipping,) = [line for line in text.splitlines() if line.startswith("shipping ")]
    assert re.search(r" 60 +1,200 h 00 min +€ 43,200 ALERT$", shipping), shipping
    operator, times = [line for line in text.splitlines() if line.startswith("desk-1 ")]
    assert re.search(r" 60 +20 h 00 min +1,200 h 00 min +5 s +100% +60 +0$", operator), operator
    (total,) = [line for line in text.splitlines() if line.startswith("all operators ")]
    assert re.search(r" 60 +1,200 h 00 min +60 +0$", total), total
    assert re.search(r" – +– +1,200 h 00 min +– +0 +0$", times), times
    assert "…" not in text


def test_the_longest_range_has_a_shorter_trend_not_an_error(store: Store, config: Config) -> None:
    """Twelve ranges of a thousand years do not fit the calendar: the trend holds those that
    do, and the report renders in every format. The ones over before the logs begin are left
    out of the report's trend: here all but the range itself."""
    whole = Period("range", date(1990, 1, 1), date(2999, 12, 31))
    trend = whole.trend()
    assert trend[-1] == whole and 1 < len(trend) < 12
    assert trend[0].first.year < 1000
    report = build_report(store, config, whole, now=NOW)
    assert report.kpis["offered"] == 61
    for fmt in FORMATS:
        assert render(report, fmt)
    assert [row["period"] for row in json.loads(render(report, "json"))["trend"]] == [
        "1990-01-01..2999-12-31"
    ]
