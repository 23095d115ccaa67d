"""The summary as JSON (``--format json``): the machine-readable contract (SPEC "End-of-day
summary").

One day (``--date``; the keys of the end-of-day summary, unchanged)::

    {"date": "YYYY-MM-DD", "timezone": "Europe/Rome",
     "kpis": {<snapshot>},
     "previous_day": {"kpis": {<snapshot>}},          # the day before
     "same_day_last_week": {"kpis": {<snapshot>}},    # the same weekday 7 days before
     <the analysis keys>,
     "calls": [...]}                                   # only with --calls

A week, a month or a range of days (``--week``, ``--month``, ``--from/--to``)::

    {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD", "timezone": "Europe/Rome",
     "kpis": {<snapshot>},
     "previous_period": {"from", "to", "kpis",        # the period of the same length before
                         "closed_days", "open_days"},
     "same_period_earlier": {...},                    # a week, a month or the days a year before
     <the analysis keys>,
     "calls": [...]}

A compared period's ``kpis`` are its figures as they were read; ``closed_days`` (ISO dates)
are the days of the config's ``closed_days`` in the part compared (up to the same point as the
report's period, while that one is in progress) and ``open_days`` the other days of that part.
When it and the report's period have a different number of open days and one of them holds a
closed day, the report compares the figures that add up over days per open day
(:mod:`carewatch.kpi.open_days`); a compared period closed on every day is not compared.

The analysis keys, in this order: ``period`` (``day``, ``week``, ``month`` or ``range``),
``as_of`` (the local time the figures go up to: the end of the period, or now while it is in
progress), ``complete`` (``false`` while in progress), ``in_progress_calls`` (the calls begun
in the period that are still in progress when the report is made: waiting in a queue or being
talked, not stale — open for at most 4 hours; after the period's end, its figures are not
final while it is above 0: docs/reports.md), ``compared_up_to`` (``{"previous",
"earlier"}``: where the compared periods were cut, the same point of each), ``filters``
(``{"queue", "agent"}``, ``null`` when not given), ``days`` (a week, a month or a range only:
each local day begun by the report time, oldest first: ``{"date", "partial", "before_logs",
"closed", "weekend", "kpis"}``, ``closed`` true for a day of the config's ``closed_days``,
``weekend`` true for a Saturday or a Sunday, ``kpis`` the
figures of ``by_queue`` over the day's inbound calls — ``offered``,
``answered``, ``abandoned``, ``missed``, ``abandon_rate``, ``avg_wait_seconds``,
``service_level``, ``avg_talk_seconds`` — or ``null`` for a day before the logs begin),
``standout_days`` (with ``days``: the days "What stands out" names, ``{"date", "why",
"value", "period_value"}``, ``why`` ``abandon_rate``, ``service_level`` or ``no_calls``, the
day's and the period's figure, ``null`` for ``no_calls``),
``logs_stopped`` (``null``, or when the calls logged stop well before the end of the period
or now: ``{"last_call", "open_days", "after_hour", "compared_calls", "compared_day"}``: the
local time of the last call the database holds; for a week, a month or a range the open
weekdays after it with no call, else ``[]``; for one day (or today, in a longer period in
progress) the first whole hour after it, the calls the compared day had from then up to the
same time of day and that day — the same weekday a week before, or the day before — else
``null``: docs/reports.md),
``trend`` (the last 12 periods, oldest first,
from the one the logs begin in: ``{"period", "from", "to", "partial", <the trend's KPIs>}``),
``requests`` (what callers wanted, per category: ``{"category", "count", "share", "complaint",
"subcategories": {name: count}, "notes_total", "notes": [{"time", "call_id", "agent",
"subcategory", "outcome", "resolved", "note"}]}``, the latest 20 notes), ``savings``
(``{"category", "share", "threshold", "count", "talk_seconds", "cut", "hours_per_month",
"money_per_month"}``), ``callbacks`` (``{"time", "caller", "call_id", "queue", "result",
"last_wait_seconds", "calls"}``; ``caller`` masked as the config's ``[privacy]`` says) and
``data_span`` (``{"from", "to"}``: the first and last call the database holds, given when the
period has no call, else ``null``).

``<snapshot>`` is the KPI engine's snapshot as it is (:func:`carewatch.kpi.kpis_for_window`):
every key of docs/kpis.md, in that shape — counts are integers, seconds and money numbers,
rates fractions 0–1, ``null`` where a denominator is empty; ``category_mix`` is
``{"<category>": {"count": n, "share": f}}`` and ``untagged`` a key of the snapshot;
``category_alerts`` is ``[{"category", "share", "count", "threshold"}]``; ``talk_cost`` is
``{"total": money, "by_category": {"<category>": money, "untagged": money}}`` — plus the
engine's additions (``tagged``, ``conversions``, ``talk_seconds_total``,
``talk_seconds_by_category``). A non-finite number would be written as ``null``.

Each element of ``calls``: ``time`` (ISO 8601, local, with offset),
``call_id``, ``direction``, ``agent``, ``queue``, ``disposition``, ``wait_seconds``,
``talk_seconds``, ``category``, ``outcome``, ``resolved``, ``csat``, ``nps``, ``note``. The keys
of every object are always all present, in a fixed order.

Text from logs is written as it is: :mod:`json` escapes control characters.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from carewatch.config import Privacy
from carewatch.kpi.callbacks import Callback
from carewatch.present import mask_caller
from carewatch.records import CallRow
from carewatch.report.model import Compared, RenderOptions, Report

#: The keys of one call in JSON (and the call columns of CSV), in order.
CALL_FIELDS = (
    "time",
    "call_id",
    "direction",
    "agent",
    "queue",
    "disposition",
    "wait_seconds",
    "talk_seconds",
    "category",
    "outcome",
    "resolved",
    "csat",
    "nps",
    "note",
)


def call_record(report: Report, call: CallRow) -> dict[str, Any]:
    """One call as JSON (keys :data:`CALL_FIELDS`)."""
    return {
        "time": datetime.fromtimestamp(call.started_at, report.tz).isoformat(timespec="seconds"),
        "call_id": call.call_id,
        "direction": call.direction,
        "agent": call.agent,
        "queue": call.queue,
        "disposition": call.disposition,
        "wait_seconds": _finite(call.wait_seconds),
        "talk_seconds": _finite(call.talk_seconds),
        "category": call.category,
        "outcome": call.outcome,
        "resolved": call.resolved,
        "csat": call.csat,
        "nps": call.nps,
        "note": call.note,
    }


def _finite(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def _local(report: Report, epoch: float) -> str:
    return datetime.fromtimestamp(epoch, report.tz).isoformat(timespec="seconds")


def _compared(compared: Compared) -> dict[str, Any]:
    return {
        "from": compared.period.first.isoformat(),
        "to": compared.period.last.isoformat(),
        "kpis": _json_safe(compared.kpis),
        "closed_days": [day.isoformat() for day in compared.closed_days],
        "open_days": compared.open_days,
    }


def report_json(report: Report) -> dict[str, Any]:
    """The JSON contract as a dict (see the module docstring)."""
    data: dict[str, Any]
    if report.is_day:
        data = {
            "date": report.day.isoformat(),
            "timezone": report.timezone,
            "kpis": _json_safe(report.kpis),
            "previous_day": {"kpis": _json_safe(report.previous_day)},
            "same_day_last_week": {"kpis": _json_safe(report.same_day_last_week)},
        }
    else:
        data = {
            "from": report.period.first.isoformat(),
            "to": report.period.last.isoformat(),
            "timezone": report.timezone,
            "kpis": _json_safe(report.kpis),
            "previous_period": _compared(report.previous),
            "same_period_earlier": _compared(report.earlier),
        }
    data.update(analysis_json(report))
    if report.calls is not None:
        data["calls"] = [call_record(report, c) for c in report.calls]
    return data


def callback_record(c: Callback, tz: tzinfo, privacy: Privacy) -> dict[str, Any]:
    """A caller to call back as JSON (the caller masked as ``privacy`` says)."""
    return {
        "time": datetime.fromtimestamp(c.last_at, tz).isoformat(timespec="seconds"),
        "caller": mask_caller(c.caller, privacy),
        "call_id": c.call_id,
        "queue": c.queue,
        "result": c.result,
        "last_wait_seconds": _finite(c.last_wait_seconds),
        "calls": c.attempts,
    }


def _days(report: Report) -> list[dict[str, Any]]:
    """The ``days`` key (see the module docstring)."""
    return [
        {
            "date": row.day.isoformat(),
            "partial": row.partial,
            "before_logs": row.figures is None,
            "closed": row.closed,
            "weekend": row.weekend,
            "kpis": None if row.figures is None else _json_safe(row.figures),
        }
        for row in report.days
    ]


def _standouts(report: Report) -> list[dict[str, Any]]:
    """The ``standout_days`` key (see the module docstring)."""
    return [
        {
            "date": f.day.isoformat(),
            "why": f.why,
            "value": _json_safe(f.value),
            "period_value": _json_safe(f.period_value),
        }
        for f in report.standout_days
    ]


def _stopped(report: Report) -> dict[str, Any] | None:
    """The ``logs_stopped`` key (see the module docstring)."""
    found = report.stopped
    if found is None:
        return None
    return {
        "last_call": _local(report, found.last_call),
        "open_days": [day.isoformat() for day in found.open_days],
        "after_hour": found.after_hour,
        "compared_calls": found.compared_calls,
        "compared_day": None if found.compared_day is None else found.compared_day.isoformat(),
    }


def analysis_json(report: Report) -> dict[str, Any]:
    """The analysis keys (see the module docstring), in order."""
    span = report.data_span
    return {
        "period": report.period.kind,
        "as_of": _local(report, report.as_of),
        "complete": report.complete,
        "in_progress_calls": report.in_progress_calls,
        "compared_up_to": {
            "previous": _local(report, report.previous.up_to),
            "earlier": _local(report, report.earlier.up_to),
        },
        "filters": {"queue": report.queue, "agent": report.agent},
        **({} if report.is_day else {"days": _days(report), "standout_days": _standouts(report)}),
        "logs_stopped": _stopped(report),
        "trend": [
            {
                "period": row.period.label,
                "from": row.period.first.isoformat(),
                "to": row.period.last.isoformat(),
                "partial": row.partial,
                **_json_safe(row.figures),
            }
            for row in report.trend
        ],
        "requests": [
            {
                "category": r.category,
                "count": r.count,
                "share": _json_safe(r.share),
                "complaint": r.complaint,
                "subcategories": dict(r.subcategories),
                "notes_total": r.notes_total,
                "notes": [
                    {
                        "time": _local(report, n.started_at),
                        "call_id": n.call_id,
                        "agent": n.agent,
                        "subcategory": n.subcategory,
                        "outcome": n.outcome,
                        "resolved": n.resolved,
                        "note": n.note,
                    }
                    for n in r.notes
                ],
            }
            for r in report.requests
        ],
        "savings": _json_safe(report.savings),
        "callbacks": [callback_record(c, report.tz, report.privacy) for c in report.callbacks],
        "data_span": (
            None
            if span is None
            else {"from": _local(report, span[0]), "to": _local(report, span[1])}
        ),
    }


#: Characters a terminal may act on that ``json.dumps`` leaves as they are (it escapes only
#: the C0 controls): DEL and the C1 controls (U+009B is a CSI), the invisible format and
#: bidi-override characters, and the line and paragraph separators.
_TERMINAL_ACTS = re.compile("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def json_text(value: Any, indent: int | None = None) -> str:
    """``value`` as JSON text, Unicode as it is but every character a terminal may act on
    escaped (``\\u009b``): the same value to a program, inert when printed on a screen."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _TERMINAL_ACTS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render_json(report: Report, options: RenderOptions) -> str:
    """The summary as JSON (the machine-readable contract), indented; with ``--calls`` each
    call is one compact line of the ``calls`` list (50,000 calls stay fast and greppable).
    ``options`` are the text format's: not read here."""
    data = report_json(report)
    calls = data.pop("calls", None)
    text = json_text(data, indent=2)
    if calls is None:
        return text + "\n"
    body = ",\n    ".join(json_text(c) for c in calls)
    listing = f"[\n    {body}\n  ]" if calls else "[]"
    return f'{text.removesuffix("}").rstrip()},\n  "calls": {listing}\n}}\n'
