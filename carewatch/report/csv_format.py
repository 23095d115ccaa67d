"""The summary as one CSV table (``--format csv``): one header, a ``record`` column says
what a row is.

Columns: ``record, name, key, label, value, previous_day, same_day_last_week`` (for a week,
a month or a range: ``previous_period, same_period_earlier``), and with ``--calls`` also
``time, call_id, direction, agent, queue, disposition, wait_seconds, talk_seconds, category,
outcome, resolved, csat, nps, note``. Rows, in this order:

* ``record=report``: ``key`` is ``date``, ``timezone``, ``previous_day`` or
  ``same_day_last_week`` (for a period: ``from``, ``to``, ``timezone``, ``previous_period``,
  ``same_period_earlier``, the compared periods as ``first..last``, then ``open_days`` and
  ``closed_days``: the open days of each period up to the report time or the same point, and
  its days of the config's ``closed_days`` then, ISO dates separated by a space, in the
  ``value``, ``previous_period`` and ``same_period_earlier`` columns), then ``period``,
  ``as_of``, ``complete`` (1/0), ``in_progress_calls`` (the JSON's), ``queue`` and
  ``agent`` (the filters), ``value`` its value.
* ``record=kpi``: one row per scalar KPI: ``key`` (the JSON key), ``label``, ``value``,
  ``previous_day``, ``same_day_last_week`` (``name`` empty).
* ``record=category``: ``name`` = the category (``untagged`` for the untagged calls),
  ``key`` = ``count``, ``share``, ``talk_seconds``, ``talk_cost`` or ``alert`` (1 when the
  category is over its alert share, else 0), with the three days' values.
* ``record=hour``: ``name`` = the local hour ``00``–``23``, ``key`` = ``offered``, ``answered``
  or ``abandoned``.
* ``record=queue``: ``name`` = the queue, ``key`` = one of ``by_queue``'s figures, with the
  three periods' values.
* ``record=agent``: ``name`` = the operator, ``key`` = ``answered``, ``avg_talk_seconds``,
  ``total_talk_seconds``, ``avg_wait_seconds``, ``tagged_share``, ``conversions``,
  ``missed_rings``, ``logged_in_seconds``, ``paused_seconds``, ``occupancy`` (and
  ``unreachable_rings`` when the snapshot has it), then ``paused:<reason>`` per pause reason;
  ``previous_day``/``same_day_last_week`` are the operator's figures then (empty when the
  operator had none).
* ``record=day`` (a week, a month or a range): ``name`` = the local day (ISO date), ``key`` =
  one of ``by_queue``'s figures over the day's calls, ``value`` its value; ``label`` says
  ``so far`` for the day in progress, and ``before the logs begin`` (with no value) for a day
  before the first call the database holds; a day of the config's ``closed_days`` has one
  more row, ``key`` = ``closed``, ``value`` 1, and a Saturday or a Sunday one more,
  ``key`` = ``weekend``, ``value`` 1.
* ``record=standout`` (a week, a month or a range): a day "What stands out" names: ``name`` =
  the local day (ISO date), ``key`` = ``abandon_rate`` (clearly the highest of the period),
  ``service_level`` (clearly the lowest) or ``no_calls`` (a gap), ``value`` the day's figure
  (empty for ``no_calls``).
* ``record=stopped`` (only when the calls logged stop well before the report's end or now:
  docs/reports.md): ``key`` = ``last_call`` (``value`` the local time of the last call the
  database holds), ``open_day`` (a week, a month or a range: ``name`` = an open weekday after
  it with no call, ISO date) or ``compared_calls`` (one day: ``name`` = the first whole hour
  after the last call, ``00``–``23``, ``value`` the calls the same weekday a week before had
  from then up to the same time of day).
* ``record=trend``: ``name`` = the period (``2024-05``, ``2024-W20``, a date), ``key`` = a
  trend KPI, ``value`` its value; ``label`` says ``so far`` for a period in progress.
* ``record=request``: ``name`` = the category, ``key`` = ``count``, ``share``, ``complaint``,
  ``notes_total`` or ``subcategory:<name>``; ``record=note``: ``name`` = the category,
  ``key`` = the call id, ``label`` = the note, ``value`` = the call's local time.
* ``record=saving``: ``name`` = the category, ``key`` = ``share``, ``threshold``,
  ``talk_seconds``, ``cut``, ``hours_per_month`` or ``money_per_month``.
* ``record=callback``: ``name`` = the call id of the caller's last lost call, ``key`` =
  ``time``, ``caller`` (masked as the config says), ``queue``, ``result``,
  ``last_wait_seconds`` or ``calls``.
* ``record=issue``: ``name`` = the issue number, ``key`` = ``open``, ``label`` = its title,
  ``value`` = its age in seconds at the report time.
* ``record=call`` (with ``--calls``): ``name`` = the call id, the call in the call columns.

Numbers as in JSON (rates 0–1, seconds, money), rounded to 6 decimals; yes/no as 1/0; empty
for null. In every language the file is the same but for the ``label`` column (and a trend
row's "so far"), which speaks the report's language: the columns' names, ``record``, ``key``,
the numbers (a ``.`` for decimals, no thousands separator), the dates (ISO 8601) and the
``,`` separator are the machine's, so a script reads an Italian file as an English one. A text
cell from a log that starts with ``=``, ``+``, ``-``, ``@`` or a tab gets a leading ``'`` so a
spreadsheet does not run it as a formula; control characters and escape codes are removed.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Mapping
from typing import Any

from carewatch.i18n import N_, _
from carewatch.kpi.definitions import AGENT_KPIS, QUEUE_KPIS, TREND_KEYS, target_keys
from carewatch.kpi.windows import Period
from carewatch.present import clean_text, kpi_label
from carewatch.report.analysis_rows import BEFORE_LOGS
from carewatch.report.json_format import CALL_FIELDS, analysis_json, call_record
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


#: The value columns of a report of a week, a month or a range.
PERIOD_COLUMNS = ("previous_period", "same_period_earlier")


#: The labels of the fields of a category, an hour, an operator, a saving (their keys, spelt
#: out).
FIELD_LABELS = {
    "count": N_("count"),
    "share": N_("share"),
    "talk_seconds": N_("talk seconds"),
    "talk_cost": N_("talk cost"),
    "alert": N_("alert"),
    "offered": N_("offered"),
    "answered": N_("answered"),
    "abandoned": N_("abandoned"),
    "avg_talk_seconds": N_("avg talk seconds"),
    "total_talk_seconds": N_("total talk seconds"),
    "avg_wait_seconds": N_("avg wait seconds"),
    "tagged_share": N_("tagged share"),
    "conversions": N_("conversions"),
    "missed_rings": N_("missed rings"),
    "unreachable_rings": N_("unreachable rings"),
    "logged_in_seconds": N_("logged in seconds"),
    "paused_seconds": N_("paused seconds"),
    "occupancy": N_("occupancy"),
    "threshold": N_("threshold"),
    "cut": N_("cut"),
    "hours_per_month": N_("hours per month"),
    "money_per_month": N_("money per month"),
    "caller": N_("caller"),
    "queue": N_("queue"),
    "result": N_("result"),
}


def field_label(key: str) -> str:
    """A field's label in the report's language ("talk_seconds" -> "talk seconds")."""
    found = FIELD_LABELS.get(key)
    return _(found) if found else key.replace("_", " ")


def _span(period: Period) -> str:
    return f"{period.first.isoformat()}..{period.last.isoformat()}"


def _analysis_rows(report: Report, row: Callable[..., None]) -> None:
    """The trend, requests, notes, savings and callbacks rows (scheme in the docstring)."""
    data = analysis_json(report)
    for day in data.get("days", []):
        kpis = day["kpis"] or {}
        note = _("so far") if day["partial"] else ""
        note = _(BEFORE_LOGS) if day["before_logs"] else note
        for d in QUEUE_KPIS:
            row("day", day["date"], d.key, f"{_(d.label)} {note}".strip(), kpis.get(d.key))
        if day["closed"]:
            row("day", day["date"], "closed", _("Closed day (closed_days)"), True)
        if day["weekend"]:
            row("day", day["date"], "weekend", _("Weekend (Saturday or Sunday)"), True)
    for found in data.get("standout_days", []):
        why = found["why"]
        title = _("No call logged") if why == "no_calls" else kpi_label(why)
        row("standout", found["date"], why, title, found["value"])
    stopped = data["logs_stopped"]
    if stopped is not None:
        row("stopped", "", "last_call", _("Last call logged"), stopped["last_call"])
        for day in stopped["open_days"]:
            row("stopped", day, "open_day", _("No call logged"), "")
        if stopped["compared_calls"] is not None:
            hour = f"{stopped['after_hour']:02d}"
            label = _("Calls of the same weekday a week before after the last call")
            row("stopped", hour, "compared_calls", label, stopped["compared_calls"])
    for entry in data["trend"]:
        note = _("so far") if entry["partial"] else ""
        for key in TREND_KEYS:
            row("trend", entry["period"], key, f"{kpi_label(key)} {note}".strip(), entry[key])
    for r in data["requests"]:
        name = csv_text(r["category"])
        row("request", name, "count", _("calls"), r["count"])
        row("request", name, "share", _("share of tagged calls"), r["share"])
        row("request", name, "complaint", _("a complaint category"), r["complaint"])
        row("request", name, "notes_total", _("calls with a note"), r["notes_total"])
        for sub, n in r["subcategories"].items():
            row("request", name, f"subcategory:{csv_text(sub)}", csv_text(sub), n)
        for n in r["notes"]:
            row("note", name, csv_text(n["call_id"]), csv_text(n["note"]), n["time"])
    for saving in data["savings"]:
        name = csv_text(saving["category"])
        for key in ("share", "threshold", "talk_seconds", "cut", "hours_per_month"):
            row("saving", name, key, field_label(key), saving[key])
        money = saving["money_per_month"]
        row("saving", name, "money_per_month", field_label("money_per_month"), money)
    for c in data["callbacks"]:
        name = csv_text(c["call_id"])
        row("callback", name, "time", _("last call"), c["time"])
        for key in ("caller", "queue", "result"):
            row("callback", name, key, field_label(key), csv_text(c[key] or ""))
        row("callback", name, "last_wait_seconds", _("last wait"), c["last_wait_seconds"])
        row("callback", name, "calls", _("unanswered calls"), c["calls"])


def render_csv(report: Report, options: RenderOptions) -> str:
    """The summary as one CSV table (scheme in the module docstring; ``options`` are the text
    format's: not read here)."""
    buf = io.StringIO()
    head = CSV_COLUMNS if report.is_day else (*CSV_COLUMNS[:5], *PERIOD_COLUMNS)
    columns = list(head) + (list(CALL_FIELDS) if report.calls is not None else [])
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    pad = [""] * (len(columns) - len(CSV_COLUMNS))

    def row(record: str, name: str, key: str, title: str, *values: Any) -> None:
        cells = [csv_number(v) if not isinstance(v, str) else v for v in values]
        cells += [""] * (3 - len(cells))
        writer.writerow([record, name, key, title, *cells, *pad])

    k, prev, week = report.kpis, report.previous_day, report.same_day_last_week
    days = (k, prev, week)
    if report.is_day:
        row("report", "", "date", _("Date"), report.day.isoformat())
        row("report", "", "timezone", _("Time zone"), csv_text(report.timezone))
        row("report", "", "previous_day", _("Day before"), report.previous_date.isoformat())
        row(
            "report",
            "",
            "same_day_last_week",
            _("Same weekday last week"),
            report.last_week_date.isoformat(),
        )
    else:
        row("report", "", "from", _("From"), report.period.first.isoformat())
        row("report", "", "to", _("To"), report.period.last.isoformat())
        row("report", "", "timezone", _("Time zone"), csv_text(report.timezone))
        row("report", "", "previous_period", _("Period before"), _span(report.previous.period))
        earlier = _span(report.earlier.period)
        row("report", "", "same_period_earlier", _("Same period earlier"), earlier)
        compared = (report.previous, report.earlier)
        opened = (report.open_days, *(c.open_days for c in compared))
        row("report", "", "open_days", _("Open days"), *opened)
        closed = (report.closed_days, *(c.closed_days for c in compared))
        listed = (" ".join(day.isoformat() for day in days) for days in closed)
        row("report", "", "closed_days", _("Closed days (closed_days)"), *listed)
    analysis = analysis_json(report)
    row("report", "", "period", _("Period"), report.period.kind)
    row("report", "", "as_of", _("Figures up to"), analysis["as_of"])
    row("report", "", "complete", _("Period over"), int(report.complete))
    in_progress = report.in_progress_calls
    row("report", "", "in_progress_calls", _("Calls still in progress"), in_progress)
    row("report", "", "queue", _("Queue"), csv_text(report.queue or ""))
    row("report", "", "agent", _("Operator"), csv_text(report.agent or ""))
    keys = [key for _, group in scalar_keys(k) for key in group] + target_keys()
    for key in keys:
        if key not in k:
            continue
        row("kpi", "", key, kpi_label(key), *(scalar_value(s, key) for s in days))
    for name in [r["name"] for r in category_rows(report)]:
        for field_name in ("count", "share", "talk_seconds", "talk_cost", "alert"):
            if name == "untagged" and field_name in ("share", "alert"):
                continue
            values = [_category_value(s, name, field_name) for s in days]
            row(
                "category",
                csv_text(name),
                field_name,
                f"{csv_text(name)} — {field_label(field_name)}",
                *values,
            )
    hours = [hour_rows(s) for s in days]
    for h in range(24):
        for field_name in ("offered", "answered", "abandoned"):
            row(
                "hour",
                f"{h:02d}",
                field_name,
                f"{h:02d}:00 — {field_label(field_name)}",
                *(hs[h][field_name] for hs in hours),
            )
    for name in sorted(k.get("by_queue") or {}):
        figures = [((s.get("by_queue") or {}).get(name) or {}) for s in days]
        for d in QUEUE_KPIS:
            row("queue", csv_text(name), d.key, _(d.label), *(f.get(d.key) for f in figures))
    for name, a in agent_rows(k):
        figures = [a, *(((s.get("by_agent") or {}).get(name) or {}) for s in (prev, week))]
        keys = [d.key for d in AGENT_KPIS if d.kind != "breakdown"]
        keys += ["unreachable_rings"] if "unreachable_rings" in a else []
        for field_name in keys:
            values = [f.get(field_name) for f in figures]
            row("agent", csv_text(name), field_name, field_label(field_name), *values)
        for reason in a.get("paused_by_reason") or {}:
            values = [(f.get("paused_by_reason") or {}).get(reason) for f in figures]
            text = csv_text(reason)
            paused = _("paused: {reason}").format(reason=text)
            row("agent", csv_text(name), f"paused:{text}", paused, *values)
    _analysis_rows(report, row)
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
