"""The baseline of the report benchmark: a pandas script computing the day report's main KPIs
from the same calls exported as CSV (not collected by pytest).

:func:`export_day` writes the day's calls (every column of a call, as the store reads them)
to a CSV file once, outside the timing; :func:`pandas_kpis` is the timed script: read the CSV,
then offered, answered, abandoned, missed, abandon rate, average wait, service level, average
talk, the category mix, per operator (answered, talk total and average, average wait), per
queue (the report's figures) and per local hour. :func:`check_same` compares its numbers with
carewatch's snapshot of the day, so both compute the same thing.
"""

from __future__ import annotations

import csv
import math
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd

from carewatch.records import CallRow
from carewatch.store.reads import CALL_COLUMNS

ANSWERED, ABANDONED, MISSED = "answered", "abandoned", "missed"


def export_day(db_path: str, start: float, end: float, out: Path) -> int:
    """The calls that started in [start, end) as CSV with a header; returns their number."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            f"SELECT {CALL_COLUMNS} FROM cw_call WHERE started_at >= ? AND started_at < ? "
            "ORDER BY started_at, id",
            (start, end),
        ).fetchall()
    finally:
        conn.close()
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(CallRow._fields)
        writer.writerows(rows)
    return len(rows)


def pandas_kpis(path: Path, service_level_seconds: float, tz: str) -> dict[str, Any]:
    """The day's main KPIs from the CSV, with pandas."""
    df = pd.read_csv(path)
    inbound = df[df["direction"] != "out"]
    stored = inbound["disposition"]
    state = stored.where(stored.isin((ANSWERED, ABANDONED, MISSED)))
    talked = inbound["answered_at"].notna() | inbound["talk_seconds"].notna()
    state = state.mask(state.isna() & talked, ANSWERED)
    inbound = inbound.assign(state=state)
    answered = inbound[inbound["state"] == ANSWERED]
    counts = inbound["state"].value_counts()
    n_answered, n_abandoned, n_missed = (
        int(counts.get(s, 0)) for s in (ANSWERED, ABANDONED, MISSED)
    )
    offered = len(inbound)
    closed = n_answered + n_abandoned + n_missed
    in_time = int((answered["wait_seconds"] <= service_level_seconds).sum())
    tagged = df["category"].dropna()
    mix = tagged.value_counts()
    by_agent = answered.groupby("agent").agg(
        answered=("id", "size"),
        talk_total=("talk_seconds", "sum"),
        avg_talk=("talk_seconds", "mean"),
        avg_wait=("wait_seconds", "mean"),
    )
    queued = inbound.assign(
        is_answered=inbound["state"] == ANSWERED,
        is_abandoned=inbound["state"] == ABANDONED,
        is_missed=inbound["state"] == MISSED,
        in_time=(inbound["state"] == ANSWERED) & (inbound["wait_seconds"] <= service_level_seconds),
        answered_wait=inbound["wait_seconds"].where(inbound["state"] == ANSWERED),
        answered_talk=inbound["talk_seconds"].where(inbound["state"] == ANSWERED),
    ).groupby("queue")
    by_queue = queued.agg(
        offered=("id", "size"),
        answered=("is_answered", "sum"),
        abandoned=("is_abandoned", "sum"),
        missed=("is_missed", "sum"),
        in_time=("in_time", "sum"),
        avg_wait=("answered_wait", "mean"),
        avg_talk=("answered_talk", "mean"),
    )
    by_queue["abandon_rate"] = by_queue["abandoned"] / by_queue["offered"]
    by_queue["service_level"] = by_queue["in_time"] / (
        by_queue["answered"] + by_queue["abandoned"] + by_queue["missed"]
    )
    hours = pd.to_datetime(inbound["started_at"], unit="s", utc=True).dt.tz_convert(tz).dt.hour
    return {
        "offered": offered,
        "answered": n_answered,
        "abandoned": n_abandoned,
        "missed": n_missed,
        "abandon_rate": n_abandoned / offered if offered else None,
        "avg_wait_seconds": float(answered["wait_seconds"].mean()),
        "service_level": in_time / closed if closed else None,
        "avg_talk_seconds": float(answered["talk_seconds"].mean()),
        "category_mix": {k: (int(v), v / len(tagged)) for k, v in mix.items()},
        "by_agent": by_agent.to_dict("index"),
        "by_queue": by_queue.to_dict("index"),
        "by_hour": hours.value_counts().sort_index().to_dict(),
    }


def _close(a: Any, b: Any) -> bool:
    return a == b or (
        isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, rel_tol=1e-9)
    )


def check_same(theirs: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    """The figures on which pandas and carewatch's snapshot differ (empty: the same)."""
    wrong = [
        key
        for key in (
            "offered",
            "answered",
            "abandoned",
            "missed",
            "abandon_rate",
            "avg_wait_seconds",
            "service_level",
            "avg_talk_seconds",
        )
        if not _close(float(theirs[key]), float(ours[key]))
    ]
    for name, (count, share) in theirs["category_mix"].items():
        entry = ours["category_mix"].get(name) or {}
        if entry.get("count") != count or not _close(share, entry.get("share")):
            wrong.append(f"category_mix[{name}]")
    for name, row in theirs["by_agent"].items():
        mine = ours["by_agent"].get(name) or {}
        pairs = (
            (row["answered"], mine.get("answered")),
            (float(row["talk_total"]), mine.get("total_talk_seconds")),
            (float(row["avg_talk"]), mine.get("avg_talk_seconds")),
            (float(row["avg_wait"]), mine.get("avg_wait_seconds")),
        )
        if not all(_close(float(a), float(b or 0)) for a, b in pairs):
            wrong.append(f"by_agent[{name}]")
    for name, row in theirs["by_queue"].items():
        mine = ours["by_queue"].get(name) or {}
        keys = ("offered", "answered", "abandoned", "missed", "abandon_rate", "service_level")
        pairs = [(row[k], mine.get(k)) for k in keys]
        pairs += [(row["avg_wait"], mine.get("avg_wait_seconds"))]
        pairs += [(row["avg_talk"], mine.get("avg_talk_seconds"))]
        if not all(_close(float(a), float(b)) for a, b in pairs):
            wrong.append(f"by_queue[{name}]")
    hours = {h["hour"]: h["offered"] for h in ours["by_hour"] if h["offered"]}
    if {int(h): int(n) for h, n in theirs["by_hour"].items()} != hours:
        wrong.append("by_hour")
    return wrong
