"""The text report of a large centre: many queues whose long names differ only at their end,
operators with long names, many callers to call back. Every line keeps 80 columns, every
name can be told apart, and no two cells run into each other."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from carewatch.config import Config, parse_config
from carewatch.records import AgentEvent, CallUpdate
from carewatch.report import build_report, render
from carewatch.report.layout import cell_width
from carewatch.store import Store

TZ = ZoneInfo("Europe/Rome")
DAY = date(2024, 5, 14)
NOW = datetime(2024, 5, 15, 8, 0, tzinfo=TZ).timestamp()
REGIONS = ("North", "South", "East", "West", "Central")
QUEUES = tuple(f"Business Accounts Billing Enquiries – {r}" for r in REGIONS)
AGENTS = tuple(f"Jean-Baptiste Abernathy-Smith {r}" for r in REGIONS)


def at(hh: int, mm: int = 0) -> float:
    return datetime(DAY.year, DAY.month, DAY.day, hh, mm, tzinfo=TZ).timestamp()


def _config() -> Config:
    return parse_config({"timezone": "Europe/Rome"})


def _report_text(tmp_path: Path) -> str:
    records: list[tuple[int, object]] = []
    for i, (queue, agent) in enumerate(zip(QUEUES, AGENTS, strict=True)):
        start = at(9, i)
        records.append(
            (
                len(records) + 1,
                CallUpdate(
                    f"a{i}",
                    {
                        "started_at": start,
                        "answered_at": start + 10,
                        "ended_at": start + 100,
                        "queue": queue,
                        "agent": agent,
                        "caller": f"+39000000{i}",
                    },
                ),
            )
        )
        records.append(
            (
                len(records) + 1,
                CallUpdate(
                    f"x{i}",
                    {
                        "started_at": at(10, i),
                        "disposition": "abandoned",
                        "wait_seconds": 40,
                        "queue": queue,
                        "caller": f"+39111111{i}",
                    },
                ),
            )
        )
        records.append((len(records) + 1, AgentEvent(at(8), agent, "ADDMEMBER", queue=queue)))
        records.append((len(records) + 1, AgentEvent(at(11), agent, "PAUSE", reason="lunch")))
        records.append((len(records) + 1, AgentEvent(at(12), agent, "UNPAUSE")))
    with Store(str(tmp_path / "cw.db")) as store:
        store.ingest("test", records)  # type: ignore[arg-type]
        return render(build_report(store, _config(), DAY, now=NOW), "text")


def test_long_queue_and_operator_names_are_shown_whole_within_80_columns(
    tmp_path: Path,
) -> None:
    text = _report_text(tmp_path)
    lines = text.splitlines()
    for line in lines:
        assert cell_width(line) <= 80, line
    queues = lines[lines.index(next(x for x in lines if x.startswith("QUEUES"))) :]
    for name in QUEUES:
        assert name in queues, name  # whole, not "Business Acco…" five times
    operators = lines[lines.index(next(x for x in lines if x.startswith("OPERATORS "))) :]
    for name in AGENTS:
        assert name in operators, name
    time = lines[lines.index("OPERATORS' TIME") :]
    for name in AGENTS:
        assert name in time, name
    assert "pauses: lunch" in "\n".join(time)


def test_callers_to_call_back_keep_80_columns_and_a_space_between_cells(
    tmp_path: Path,
) -> None:
    lines = _report_text(tmp_path).splitlines()
    start = lines.index(next(x for x in lines if x.startswith("CALLERS TO CALL BACK")))
    rows = [x for x in lines[start:] if x.startswith("14 May")]
    assert len(rows) == len(QUEUES)
    for row in rows:
        assert cell_width(row) <= 80, row
        assert "… abandoned" in row, row  # the cut queue does not run into the result
