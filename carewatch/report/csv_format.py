"""The summary as one CSV table (``--format csv``): one header, a ``record`` column says
what a row is.

Columns: ``record, name, key, label, value, previous_day, same_day_last_week``, and with
``--calls`` also ``time, call_id, direction, agent, queue, disposition, wait_seconds,
talk_seconds, category, outcome, resolved, csat, nps, note``. Rows, in this order:

* ``record=report``: ``key`` is ``date``, ``timezone``, ``previous_day`` or
  ``same_day_last_week``, ``value`` its value (the two compared days' dates).
* ``record=kpi``: one row per scalar KPI: ``key`` (the JSON key), ``label``, ``value``,
  ``previous_day``, ``same_day_last_week`` (``name`` empty).
* ``record=category``: ``name`` = the category (``untagged`` for the untagged calls),
  ``key`` = ``count``, ``share``, ``talk_seconds``, ``talk_cost`` or ``alert`` (1 when the
  category is over its alert share, else 0), with the three days' values.
* ``record=hour``: ``name`` = the local hour ``00``–``23``, ``key`` = ``offered``, ``answered``
  or ``abandoned``.
* ``record=agent``: ``name`` = the operator, ``key`` = ``answered``, ``avg_talk_seconds``,
  ``total_talk_seconds``, ``avg_wait_seconds``, ``tagged_share``, ``conversions`` or
  ``missed_rings``; ``previous_day``/``same_day_last_week`` are the operator's figures on
  those days (empty when the operator had no call then).
* ``record=issue``: ``name`` = the issue number, ``key`` = ``open``, ``label`` = its title,
  ``value`` = its age in seconds at the report time.
* ``record=call`` (with ``--calls``): ``name`` = the call id, the call in the call columns.

Numbers as in JSON (rates 0–1, seconds, money), rounded to 6 decimals; yes/no as 1/0; empty
for null. A text
cell from a log that starts with ``=``, ``+``, ``-``, ``@`` or a tab gets a leading ``'`` so a
spreadsheet does not run it as a formula; control characters and escape codes are removed.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from typing import Any

from carewatch.kpi.definitions import AGENT_KPIS, label, target_keys
from carewatch.present import clean_text
from carewatch.report.json_format import CALL_FIELDS, call_record
from carewatch.report.model import RenderOptions, Report
from carewatch.report.rows import agent_rows, category_rows, hour_rows, untagged_talk_seconds
from carewatch.report.values import scalar_keys, scalar_value

CSV_COLUMNS = ("record", "name", "key", "label", "value", "previous_day", "same_day_last_week")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> str:
    """A text cell from a log for a spreadsheet: cleaned, and a leading ``'`` when it would
    start a formula."""
    text = clean_text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_number(value: Any) -> str:
    """A number cell: integers as such, floats to 6 decimals, empty for null."""
    if value is None or (isinstance(value, bool) and value is None):
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        rounded = round(value, 6)
        return str(int(rounded)) if rounded.is_integer() else repr(rounded)
    return csv_text(value)


def _category_value(snapshot: Mapping[str, Any], name: str, field_name: str) -> Any:
    """One figure of a category (or of ``untagged``) in a day's snapshot."""
    mix = snapshot.get("category_mix") or {}
    if field_name in ("count", "share"):
        if name == "untagged":
            return snapshot.get("untagged") if field_name == "count" else None
        return (mix.get(name) or {}).get(field_name)
    if field_name == "talk_seconds":
        if name == "untagged":
            return untagged_talk_seconds(snapshot)
        return (snapshot.get("talk_seconds_by_category") or {}).get(name)
    if field_name == "talk_cost":
        return ((snapshot.get("talk_cost") or {}).get("by_category") or {}).get(name)
    alerts = {a["category"] for a in snapshot.get("category_alerts") or ()}
    return int(name in alerts) if name in mix else None


def render_csv(report: Report, options: RenderOptions) -> str:
    """The summary as one CSV table (scheme in the module docstring; ``options`` are the text
    format's: not read here)."""
    buf = io.StringIO()
    columns = list(CSV_COLUMNS) + (list(CALL_FIELDS) if report.calls is not None else [])
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    pad = [""] * (len(columns) - len(CSV_COLUMNS))

    def row(record: str, name: str, key: str, title: str, *values: Any) -> None:
        cells = [csv_number(v) if not isinstance(v, str) else v for v in values]
        cells += [""] * (3 - len(cells))
        writer.writerow([record, name, key, title, *cells, *pad])

    k, prev, week = report.kpis, report.previous_day, report.same_day_last_week
    days = (k, prev, week)
    row("report", "", "date", "Date", report.day.isoformat())
    row("report", "", "timezone", "Time zone", csv_text(report.timezone))
    row("report", "", "previous_day", "Day before", report.previous_date.isoformat())
    row(
        "report",
        "",
        "same_day_last_week",
        "Same weekday last week",
        report.last_week_date.isoformat(),
    )
    keys = [key for _, group in scalar_keys(k) for key in group] + target_keys()
    for key in keys:
        if key not in k:
            continue
        row("kpi", "", key, label(key), *(scalar_value(s, key) for s in days))
    for name in [r["name"] for r in category_rows(report)]:
        for field_name in ("count", "share", "talk_seconds", "talk_cost", "alert"):
            if name == "untagged" and field_name in ("share", "alert"):
                continue
            values = [_category_value(s, name, field_name) for s in days]
            row(
                "category",
                csv_text(name),
                field_name,
                f"{csv_text(name)} — {field_name.replace('_', ' ')}",
                *values,
            )
    hours = [hour_rows(s) for s in days]
    for h in range(24):
        for field_name in ("offered", "answered", "abandoned"):
            row(
                "hour",
                f"{h:02d}",
                field_name,
                f"{h:02d}:00 — {field_name}",
                *(hs[h][field_name] for hs in hours),
            )
    for name, a in agent_rows(k):
        for field_name in (d.key for d in AGENT_KPIS):
            before = [
                ((s.get("by_agent") or {}).get(name) or {}).get(field_name) for s in (prev, week)
            ]
            row(
                "agent",
                csv_text(name),
                field_name,
                field_name.replace("_", " "),
                a.get(field_name),
                *before,
            )
    for issue in report.open_issues:
        row("issue", str(issue.id), "open", csv_text(issue.title), issue.age_seconds)
    if report.calls is not None:
        for call in report.calls:
            data = call_record(report, call)
            cells = [
                csv_text(v) if isinstance(v, str) and name != "time" else csv_number(v)
                for name, v in data.items()
            ]
            cells[0] = data["time"]
            writer.writerow(["call", csv_text(call.call_id), "", "", "", "", "", *cells])
    return buf.getvalue()
