"""The summary as JSON (``--format json``): the machine-readable contract (SPEC "End-of-day
summary").

::

    {"date": "YYYY-MM-DD", "timezone": "Europe/Rome",
     "kpis": {<snapshot>},
     "previous_day": {"kpis": {<snapshot>}},          # the day before
     "same_day_last_week": {"kpis": {<snapshot>}},    # the same weekday 7 days before
     "calls": [...]}                                   # only with --calls

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
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from carewatch.records import CallRow
from carewatch.report.model import RenderOptions, Report

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


def report_json(report: Report) -> dict[str, Any]:
    """The JSON contract as a dict (see the module docstring)."""
    data: dict[str, Any] = {
        "date": report.day.isoformat(),
        "timezone": report.timezone,
        "kpis": _json_safe(report.kpis),
        "previous_day": {"kpis": _json_safe(report.previous_day)},
        "same_day_last_week": {"kpis": _json_safe(report.same_day_last_week)},
    }
    if report.calls is not None:
        data["calls"] = [call_record(report, c) for c in report.calls]
    return data


def render_json(report: Report, options: RenderOptions) -> str:
    """The summary as JSON (the machine-readable contract), indented; with ``--calls`` each
    call is one compact line of the ``calls`` list (50,000 calls stay fast and greppable).
    ``options`` are the text format's: not read here."""
    data = report_json(report)
    calls = data.pop("calls", None)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if calls is None:
        return text + "\n"
    body = ",\n    ".join(json.dumps(c, ensure_ascii=False) for c in calls)
    listing = f"[\n    {body}\n  ]" if calls else "[]"
    return f'{text.removesuffix("}").rstrip()},\n  "calls": {listing}\n}}\n'
