"""The two real exports in tests/data, read through their example configs.

What should be in the database is computed here from the raw files with the csv module
(see each config's comments for what a row means), and compared call by call.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from carewatch.config import load_config
from carewatch.ingest import ingest_paths
from carewatch.store import Store

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
EXAMPLES = ROOT / "config" / "examples"


def epoch(day: str, clock: str, zone: str) -> float:
    """A local date and ``H:MM:SS`` time -> UTC epoch seconds."""
    h, m, s = (int(part) for part in clock.split(":"))
    local = datetime.combine(date.fromisoformat(day), time(h, m, s), ZoneInfo(zone))
    return local.timestamp()


def seconds(clock: str) -> float:
    h, m, s = (int(part) for part in clock.split(":"))
    return float(h * 3600 + m * 60 + s)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(str(tmp_path / "cw.db"))
    yield s
    s.close()


def test_telecom_call_centre_export(store: Store) -> None:
    path = DATA / "telecom-call-centre-2021-q1.csv"
    config = load_config(EXAMPLES / "telecom-call-centre.toml")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        raw = list(csv.DictReader(fh))
    expected = {}
    for row in raw:
        answered = row["Answered (Y/N)"] == "Y"
        expected[row["Call Id"]] = (
            epoch(row["Date"], row["Time"], "Europe/Zurich"),
            "answered" if answered else "abandoned",
            row["Agent"],
            row["Topic"],
            float(row["Speed of answer in seconds"]) if answered else None,
            seconds(row["AvgTalkDuration"]) if answered else None,
            (row["Resolved"] == "Y") if answered else None,
            int(row["Satisfaction rating"]) if answered else None,
        )

    summary = ingest_paths(store, config, [str(path)])

    assert (summary.added, summary.updated, summary.skipped) == (len(raw), 0, 0)
    assert summary.lines_read == len(raw) + 1  # and the header
    found = {
        c.call_id: (
            c.started_at,
            c.disposition,
            c.agent,
            c.category,
            c.wait_seconds,
            c.talk_seconds,
            c.resolved,
            c.csat,
        )
        for c in store.recent_calls(limit=100_000)
    }
    assert found == expected
    assert {c.source for c in store.recent_calls()} == {path.name}
    (pos,) = store.positions()
    assert (pos["format"], pos["byte_offset"], pos["line_no"]) == (
        "mapped",
        path.stat().st_size,
        5001,
    )
    assert ingest_paths(store, config, [str(path)]).lines_read == 0


def test_anonymous_bank_export(store: Store) -> None:
    path = DATA / "anonymous-bank-2010-08-01.csv"
    config = load_config(EXAMPLES / "anonymous-bank.toml")
    with path.open(encoding="utf-8", newline="") as fh:
        raw = list(csv.DictReader(fh))
    expected = {}
    skipped: list[tuple[int, str]] = []
    for line_no, row in enumerate(raw, start=2):  # line 1 is the header
        if row["outcome"] == "PHANTOM":
            skipped.append((line_no, "phantom call"))
            continue
        if row["outcome"] == "HANG" and row["q_start"] == "0:00:00":
            skipped.append((line_no, "not queued"))  # hung up in the voice menu
            continue
        answered = row["outcome"] == "AGENT"
        expected[f"{row['vru+line']}:{row['call_id']}"] = (
            epoch(row["date"], row["vru_entry"], "Asia/Jerusalem"),
            "answered" if answered else "abandoned",
            float(row["q_time"]),
            float(row["ser_time"]) if answered else None,
            row["server"] if row["server"] != "NO_SERVER" else None,
        )

    summary = ingest_paths(store, config, [str(path)])

    assert summary.added == len(expected) == len(raw) - len(skipped)
    by_reason: dict[str, int] = {}
    for _, reason in skipped:
        by_reason[reason] = by_reason.get(reason, 0) + 1
    assert summary.skipped_by_reason == by_reason
    assert [(n, r) for _, n, r in summary.last_skipped] == skipped[-20:]
    found = {
        c.call_id: (c.started_at, c.disposition, c.wait_seconds, c.talk_seconds, c.agent)
        for c in store.recent_calls(limit=100_000)
    }
    assert found == expected
    (pos,) = store.positions()
    assert pos["bad_lines"] == len(skipped) and pos["last_bad_line"] == skipped[-1][0]
    assert json.loads(pos["bad_by_reason"]) == by_reason
    assert pos["byte_offset"] == path.stat().st_size
    assert summary.summary_line() == (
        f"{len(expected):,} calls added, 0 updated, {len(skipped)} lines skipped "
        f"({by_reason['not queued']} not queued, {by_reason['phantom call']} phantom call; "
        f"last: {path.name} line {skipped[-1][0]})"
    )
