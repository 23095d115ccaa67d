"""A busy day has thousands of callers to call back: the report for reading (text, Markdown,
HTML) lists the 20 with the most unanswered calls and says how many there are and where all
of them are; its CSV and JSON list every one (a work list, not a summary)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from carewatch.config import parse_config
from carewatch.records import CallUpdate
from carewatch.report import build_report, render
from carewatch.store import Store

TZ = ZoneInfo("Europe/Rome")
DAY = date(2024, 5, 14)
NOW = datetime(2024, 5, 15, 8, 0, tzinfo=TZ).timestamp()
CALLERS = 45
#: the callers a report for reading lists (docs/reports.md)
SHOWN = 20
#: callers who tried more than once (their number -> unanswered calls)
TRIED_MORE = {7: 3, 19: 2, 33: 2, 44: 4}


def lost(n: int, caller: int, minute: int) -> CallUpdate:
    start = datetime(2024, 5, 14, 9, 0, tzinfo=TZ).timestamp() + 60 * minute
    return CallUpdate(
        f"lost-{n}",
        {
            "started_at": start,
            "ended_at": start + 40,
            "disposition": "abandoned",
            "wait_seconds": 40.0,
            "queue": "support",
            "caller": f"+39 333 {caller:07d}",
        },
    )


def test_a_report_for_reading_lists_the_callers_who_tried_most(tmp_path: Path) -> None:
    updates = [lost(c, c, c) for c in range(CALLERS)]
    for caller, tries in TRIED_MORE.items():
        updates += [lost(1000 * k + caller, caller, 60 + caller + k) for k in range(1, tries)]
    config = parse_config({"timezone": "Europe/Rome", "privacy": {"mask_callers": False}})
    with Store(str(tmp_path / "cw.db")) as store:
        store.ingest("test", list(enumerate(updates, 1)))
        report = build_report(store, config, DAY, now=NOW)
    assert len(report.callbacks) == CALLERS

    text = render(report, "text")
    section = text[text.index("CALLERS TO CALL BACK") : text.index("WHAT STANDS OUT")]
    assert section.splitlines()[0].endswith(str(CALLERS))  # the heading counts every caller
    rows = [line for line in section.splitlines() if line.startswith("14 May")]
    assert len(rows) == SHOWN
    for caller in TRIED_MORE:  # those who tried most are among the ones shown
        assert any(f"{caller:07d}" in row for row in rows), caller
    shown_times = [row[:12] for row in rows]
    assert shown_times == sorted(shown_times)  # in the list's order: the oldest first
    assert f"the {SHOWN} of {CALLERS} callers" in " ".join(section.split())

    markdown = render(report, "markdown")
    assert f"## Callers to call back ({CALLERS})" in markdown
    assert sum(1 for line in markdown.splitlines() if line.startswith("| 14 May")) == SHOWN
    html = render(report, "html")
    section_html = html[html.index("Callers to call back") :]
    assert section_html[: section_html.index("</section>")].count("<tr>") == SHOWN + 1  # + titles

    records = json.loads(render(report, "json"))["callbacks"]
    assert len(records) == CALLERS
    rows_csv = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    callers_csv = {r["name"] for r in rows_csv if r["record"] == "callback"}
    assert len(callers_csv) == CALLERS
