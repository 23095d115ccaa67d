"""The end-of-day summary: one day's KPIs against the day before and the same weekday a week
earlier, in five formats (``carewatch report --format text|markdown|html|csv|json``).

:func:`build_report` reads what a summary needs (three KPI snapshots — the day, the day before,
the same weekday a week before — each one index range query, plus the open issues and, on
request, the day's calls) into a :class:`Report`; :func:`render` turns it into text. Rendering
never touches the database, so one report can be rendered in several formats.

Text that came from logs or from operators (agents, queues, categories, outcomes, notes, issue
titles) is data: control characters and terminal escape codes are removed in every format but
JSON (where :mod:`json` escapes them), ``|`` and Markdown markup are escaped in Markdown, and
everything is HTML-escaped in HTML.

JSON (``--format json``) — the machine-readable contract (SPEC "End-of-day summary")
-------------------------------------------------------------------------------------
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

CSV (``--format csv``) — one table, one header, a ``record`` column says what a row is
-----------------------------------------------------------------------------------------
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
spreadsheet does not run it as a formula.

Text (``--format text``) fits ``width`` (80) columns, for a printer or a terminal; colour
codes only with ``color=True``. Markdown and HTML hold the same content; the HTML page is
self-contained (inline CSS with a print stylesheet, inline SVG charts, no script).
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
import textwrap
import time
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from carewatch.callstate import disposition
from carewatch.config import Config
from carewatch.figures import window_kpis
from carewatch.kpi.definitions import (
    AGENT_KPIS,
    higher_is_better,
    kind,
    label,
    report_groups,
    target_keys,
)
from carewatch.kpi.insights import insights
from carewatch.kpi.windows import day_window
from carewatch.present import (
    age,
    clean_text,
    clock,
    duration,
    kpi_value,
    money,
    percent,
    strip_escapes,
    yes_no,
)
from carewatch.records import CallRow

if TYPE_CHECKING:
    from carewatch.store import Store

FORMATS = ("text", "markdown", "html", "csv", "json")

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

CSV_COLUMNS = ("record", "name", "key", "label", "value", "previous_day", "same_day_last_week")

# -- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenIssue:
    """An issue open at the report time, with its age then (seconds)."""

    id: int
    title: str
    category: str | None
    opened_by: str
    opened_at: float
    age_seconds: float


@dataclass
class Report:
    """Everything one end-of-day summary shows; rendering needs nothing else.

    ``kpis``, ``previous_day`` and ``same_day_last_week`` are the KPI engine's snapshots
    (:func:`carewatch.kpi.kpis_for_window`, keys of docs/kpis.md). ``as_of`` is the report
    time: the end of the day, or now for a day not over yet (open issues and their ages are
    taken then).
    """

    day: date
    timezone: str
    tz: tzinfo
    kpis: dict[str, Any]
    previous_day: dict[str, Any]
    same_day_last_week: dict[str, Any]
    insights: list[str]
    open_issues: list[OpenIssue]
    calls: list[CallRow] | None
    generated_at: float
    as_of: float
    currency: str
    agent_cost_per_hour: float
    talk_target_seconds: float
    service_level_seconds: float
    category_alert_min_calls: int
    #: Alert share of every category of the day's mix (its own, else the default).
    category_alert_shares: dict[str, float] = field(default_factory=dict)
    #: Colour names from the config (for the HTML and the coloured terminal).
    category_colours: dict[str, str] = field(default_factory=dict)

    @property
    def previous_date(self) -> date:
        """The day before."""
        return self.day - timedelta(days=1)

    @property
    def last_week_date(self) -> date:
        """The same weekday one week earlier."""
        return self.day - timedelta(days=7)


def build_report(
    store: Store,
    config: Config,
    day: date,
    *,
    with_calls: bool = False,
    now: float | None = None,
) -> Report:
    """Read the summary of local calendar ``day`` from ``store``.

    Three KPI snapshots (``day``, the day before, the same weekday a week before), each an
    index range query on the call's start time, so the cost depends on the days' calls and
    never on the length of the history. ``with_calls`` also reads the day's calls (for
    ``--calls``); ``now`` fixes the clock (default: the time now).
    """
    now = time.time() if now is None else now
    tz = config.tz
    window = day_window(day, tz)
    prev_window = day_window(day - timedelta(days=1), tz)
    week_window = day_window(day - timedelta(days=7), tz)

    kpis = window_kpis(store, config, window, now=now)
    previous = window_kpis(store, config, prev_window, now=now)
    last_week = window_kpis(store, config, week_window, now=now)

    as_of = min(now, window.end)
    issue_rows = [
        i
        for i in store.issues_relevant(window.start, window.end)
        if i.opened_at <= as_of and (i.resolved_at is None or i.resolved_at > as_of)
    ]
    # As the report time sees them: an issue resolved after it was still open then.
    open_rows = [i._replace(resolved_at=None, resolved_by=None) for i in issue_rows]
    notes = insights(
        kpis,
        config=config,
        previous_day=previous if had_calls(previous) else None,
        last_week=last_week if had_calls(last_week) else None,
        open_issues=open_rows,
        now=as_of,
    )
    open_issues = [
        OpenIssue(i.id, i.title, i.category, i.opened_by, i.opened_at, as_of - i.opened_at)
        for i in issue_rows
    ]
    calls = store.calls_between(window.start, window.end) if with_calls else None
    mix = kpis.get("category_mix") or {}
    return Report(
        day=day,
        timezone=config.timezone_name,
        tz=tz,
        kpis=kpis,
        previous_day=previous,
        same_day_last_week=last_week,
        insights=list(notes),
        open_issues=open_issues,
        calls=calls,
        generated_at=now,
        as_of=as_of,
        currency=config.currency,
        agent_cost_per_hour=config.agent_cost_per_hour,
        talk_target_seconds=float(config.targets.talk_seconds),
        service_level_seconds=float(config.targets.service_level_seconds),
        category_alert_min_calls=config.targets.category_alert_min_calls,
        category_alert_shares={name: config.alert_share(name) for name in mix},
        category_colours={c.name: c.colour for c in config.categories},
    )


# -- values and changes ------------------------------------------------------------------------


def scalar_value(kpis: Mapping[str, Any], key: str) -> Any:
    """The scalar value of ``key`` (``talk_cost`` is its total)."""
    value = kpis.get(key)
    if key == "talk_cost" and isinstance(value, Mapping):
        return value.get("total")
    return value


def had_calls(kpis: Mapping[str, Any]) -> bool:
    """Whether a day had any call: a day without one (before the centre's data starts, a
    closed day) is no basis for a comparison, so its changes print as "–"."""
    return bool(kpis.get("offered") or kpis.get("outbound"))


def compared(kpis: Mapping[str, Any]) -> Mapping[str, Any]:
    """The snapshot to compare against: empty when that day had no call."""
    return kpis if had_calls(kpis) else {}


def scalar_keys(kpis: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """The groups of scalar KPIs to print (:func:`carewatch.kpi.definitions.report_groups`),
    then every other scalar key of the snapshot (a key the engine adds later) under "Other".
    Targets are left out."""
    printed = report_groups()
    known = {k for _, keys in printed for k in keys} | set(target_keys())
    groups = [(title, [k for k in keys if k in kpis]) for title, keys in printed]
    other = [
        k
        for k, v in kpis.items()
        if k not in known
        and (v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)))
    ]
    if other:
        groups.append(("Other", other))
    return [(title, keys) for title, keys in groups if keys]


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and not (isinstance(value, float) and not math.isfinite(value))
    )


def change(key: str, now: Any, before: Any, currency: str | None = None) -> tuple[str, int | None]:
    """The change of a KPI from ``before`` to ``now`` as text, and its direction.

    "▲ 12" for counts, "▼ 3.1 pp" for rates (percentage points), "▲ 14 s" for seconds,
    "▲ 0.25" for scores, "▲ € 12" for money; "=" when it did not change (at the shown
    precision); "–" when either side is null (direction ``None``).
    """
    if not (_is_number(now) and _is_number(before)):
        return "–", None
    found = kind(key)
    diff = now - before
    if found == "rate":
        size = round(abs(diff) * 100, 1)
        text = f"{size:.1f} pp"
    elif found == "seconds":
        size = round(abs(diff))
        text = age(size) if size >= 86400 else duration(size)
    elif found == "money":
        size = round(abs(diff))
        text = f"{currency} {size:,}" if currency else f"{size:,}"
    elif found == "score":
        decimals = 0 if isinstance(now, int) and isinstance(before, int) else 2
        size = round(abs(diff), decimals)
        text = f"{size:,.{decimals}f}"
    else:
        if isinstance(diff, float) and not diff.is_integer():
            size = round(abs(diff), 2)
            text = f"{size:,.2f}"
        else:
            size = round(abs(diff))
            text = f"{size:,}"
    if size == 0:
        return "=", 0
    return (f"▲ {text}", 1) if diff > 0 else (f"▼ {text}", -1)


def verdict(key: str, direction: int | None) -> str | None:
    """ "better" / "worse" for a change of ``key`` in ``direction``, ``None`` when neutral."""
    better = higher_is_better(key)
    if better is None or not direction:
        return None
    return "better" if (direction > 0) == better else "worse"


# -- text from logs ------------------------------------------------------------------------------


def cell_width(text: str) -> int:
    """Columns ``text`` takes on a terminal (wide East Asian characters take two)."""
    if text.isascii():
        return len(text)
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def fit(text: str, width: int, align: str = "<") -> str:
    """``text`` truncated with "…" and padded to exactly ``width`` columns."""
    if cell_width(text) > width:
        out, used = [], 0
        for ch in text:
            w = 0 if unicodedata.combining(ch) else cell_width(ch)
            if used + w > width - 1:
                break
            out.append(ch)
            used += w
        text = "".join(out) + "…"
    pad = " " * max(0, width - cell_width(text))
    return pad + text if align == ">" else text + pad


_GLUE_RE = re.compile(r"(?<=\d) (?=(?:d|h|min|s|pp|calls?)\b)|\b(?:d|h|min) (?=\d)|[€$£¥] (?=\d)")
_NBSP = "\u00a0"


def wrap(text: str, width: int, indent: str = "", first: str | None = None) -> list[str]:
    """``text`` wrapped to ``width`` columns; the first line starts with ``first`` (default
    ``indent``), the others with ``indent``. A number stays on the line of its unit ("2 min
    05 s", "€ 146"); long words are broken."""
    start = indent if first is None else first
    glued = _GLUE_RE.sub(lambda m: m.group(0).replace(" ", _NBSP), text.replace(_NBSP, " "))
    lines = textwrap.wrap(
        glued,
        width=max(10, width),
        initial_indent=start,
        subsequent_indent=indent,
        break_long_words=True,
        break_on_hyphens=False,
    )
    lines = [line.replace(_NBSP, " ") for line in lines]
    # textwrap counts characters; re-fit lines with wide characters.
    return [line if cell_width(line) <= width else fit(line, width).rstrip() for line in lines] or [
        start.rstrip()
    ]


# -- rendering ------------------------------------------------------------------------------------


def render(report: Report, fmt: str, *, color: bool = False, width: int = 80) -> str:
    """The report as ``fmt`` (one of :data:`FORMATS`). ``color`` adds terminal colour codes to
    the text format (only when printing to a terminal); ``width`` is the text format's width
    in columns (80, the default, is the least: the tables are laid out for it). Raises
    ``ValueError`` on an unknown format."""
    if fmt == "text":
        return render_text(report, color=color, width=width)
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "html":
        from carewatch.report_html import render_html

        return render_html(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "json":
        return render_json(report)
    raise ValueError(f"unknown report format {fmt!r}; one of: {', '.join(FORMATS)}")


def day_title(day: date) -> str:
    """ "Tuesday 14 May 2024"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_day(day: date) -> str:
    """ "Tue 14 May"."""
    return f"{day:%a} {day.day} {day:%b}"


def as_of_text(report: Report) -> str:
    """ "Figures for the whole day" or "Day not over: figures up to 14:05"."""
    if report.as_of >= _day_end(report):
        return "Figures for the whole day"
    return f"Day not over: figures up to {local_time(report, report.as_of, '%H:%M')}"


def _day_end(report: Report) -> float:
    return day_window(report.day, report.tz).end


def local_time(report: Report, epoch: float, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant as local time of the report's zone."""
    return datetime.fromtimestamp(epoch, report.tz).strftime(fmt)


def category_rows(report: Report) -> list[dict[str, Any]]:
    """The category mix as rows, most calls first (then config order): name, count, share,
    talk seconds, cost, threshold, alert; plus a last row for the untagged calls."""
    k = report.kpis
    mix = k.get("category_mix") or {}
    talk = k.get("talk_seconds_by_category") or {}
    cost = (k.get("talk_cost") or {}).get("by_category") or {}
    alerts = {a["category"] for a in k.get("category_alerts") or ()}
    order = {name: i for i, name in enumerate(mix)}
    rows = [
        {
            "name": name,
            "count": int(entry.get("count") or 0),
            "share": entry.get("share"),
            "talk_seconds": talk.get(name),
            "cost": cost.get(name),
            "threshold": report.category_alert_shares.get(name),
            "alert": name in alerts,
        }
        for name, entry in mix.items()
    ]
    rows.sort(key=lambda r: (-r["count"], order[r["name"]]))
    rows.append(
        {
            "name": "untagged",
            "count": int(k.get("untagged") or 0),
            "share": None,
            "talk_seconds": untagged_talk_seconds(k),
            "cost": cost.get("untagged"),
            "threshold": None,
            "alert": False,
            "untagged": True,
        }
    )
    return rows


def untagged_talk_seconds(kpis: Mapping[str, Any]) -> float | None:
    """Talk time of the calls without a category: the total less the categories' talk."""
    total = kpis.get("talk_seconds_total")
    if total is None:
        return None
    by_category = kpis.get("talk_seconds_by_category") or {}
    return max(0.0, float(total) - sum(float(v or 0) for v in by_category.values()))


def agent_rows(kpis: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Operators, most answered calls first, then by name."""
    agents = kpis.get("by_agent") or {}
    return sorted(agents.items(), key=lambda kv: (-int(kv[1].get("answered") or 0), kv[0]))


def hour_rows(kpis: Mapping[str, Any]) -> list[dict[str, int]]:
    """The 24 hourly buckets (always 24, hour 0–23)."""
    buckets = {h: {"hour": h, "offered": 0, "answered": 0, "abandoned": 0} for h in range(24)}
    for entry in kpis.get("by_hour") or ():
        hour = int(entry.get("hour", -1))
        if hour in buckets:
            for key in ("offered", "answered", "abandoned"):
                buckets[hour][key] = int(entry.get(key) or 0)
    return [buckets[h] for h in range(24)]


# -- text ---------------------------------------------------------------------------------------

_ANSI = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
    "white": "37",
    "black": "30",
    "bright_red": "91",
    "bright_green": "92",
    "bright_yellow": "93",
    "bright_blue": "94",
    "bright_magenta": "95",
    "bright_cyan": "96",
    "bright_white": "97",
}


class _Paint:
    """Colour codes when enabled, else nothing."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str | None) -> str:
        code = _ANSI.get(style or "")
        if not self.enabled or not code or not text.strip():
            return text
        return f"\x1b[{code}m{text}\x1b[0m"


def _heading(title: str, note: str, width: int, paint: _Paint) -> list[str]:
    note = fit(note, max(0, width - cell_width(title) - 2)).rstrip() if note else ""
    gap = max(2, width - cell_width(title) - cell_width(note))
    return ["", paint(title, "bold") + " " * gap + note, "─" * width]


def render_text(report: Report, *, color: bool = False, width: int = 80) -> str:
    """The printable summary (see :func:`render`); ``width`` is at least 80."""
    width = max(80, width)
    paint = _Paint(color)
    k = report.kpis
    cur = report.currency
    out: list[str] = []

    # title
    title = "CAREWATCH · END-OF-DAY SUMMARY"
    out.append(paint(title, "bold"))
    out.append(f"{day_title(report.day)} · {clean_text(report.timezone)}")
    out.append("═" * width)
    out.extend(
        wrap(
            f"Compared with the day before ({short_day(report.previous_date)}) and the same "
            f"weekday a week earlier ({short_day(report.last_week_date)}). "
            f"{as_of_text(report)}; printed {local_time(report, report.generated_at)}.",
            width,
        )
    )
    out.extend(
        wrap(
            f"Targets: talk time {duration(report.talk_target_seconds)} per call; "
            f"service level = answered within {duration(report.service_level_seconds)}.",
            width,
        )
    )

    # key figures
    c_label, c_val, c_chg = 34, 14, 15
    extra = max(0, width - 80)
    c_label += extra
    out.append("")
    out.append(
        paint(fit("KEY FIGURES", c_label), "bold")
        + fit("today", c_val, ">")
        + fit(f"vs {short_day(report.previous_date)}", c_chg, ">")
        + fit(f"vs {short_day(report.last_week_date)}", c_chg, ">")
    )
    out.append("─" * width)
    for i, (group, keys) in enumerate(scalar_keys(k)):
        if i:
            out.append("")
        out.append(paint(group, "bold"))
        for key in keys:
            value = scalar_value(k, key)
            name = label(key)
            if key == "service_level":
                name += f" (≤ {duration(report.service_level_seconds)})"
            cells = [
                fit("  " + name, c_label),
                fit(kpi_value(key, value, currency=cur), c_val, ">"),
            ]
            for other in (report.previous_day, report.same_day_last_week):
                text, direction = change(key, value, scalar_value(compared(other), key), cur)
                tone = verdict(key, direction)
                cells.append(
                    paint(
                        fit(text, c_chg, ">"),
                        "green" if tone == "better" else "red" if tone == "worse" else None,
                    )
                )
            out.append("".join(cells).rstrip())
    out.append("")
    out.extend(
        wrap(
            "▲/▼ = up/down against that day (pp = percentage points); = no change; "
            "– no figure on one of the days.",
            width,
        )
    )

    # hourly volume
    hours = hour_rows(k)
    offered = sum(h["offered"] for h in hours)
    out.extend(_heading("CALLS PER HOUR", "█ answered  ░ not answered", width, paint))
    if offered:
        out.extend(hourly_chart(hours, width - 2))
        busiest = max(hours, key=lambda h: (h["offered"], -h["hour"]))
        lost = busiest["offered"] - busiest["answered"]
        out.extend(
            wrap(
                f"Busiest hour {busiest['hour']:02d}:00–{(busiest['hour'] + 1) % 24:02d}:00: "
                f"{busiest['offered']:,} calls offered, {busiest['answered']:,} answered, "
                f"{lost:,} not answered.",
                width,
            )
        )
    else:
        out.append("No inbound calls this day.")

    # category mix
    out.extend(_text_categories(report, width, paint))
    out.extend(_text_agents(report, width, paint))
    out.extend(_text_issues(report, width, paint))

    out.extend(_heading("WHAT STANDS OUT", "", width, paint))
    if report.insights:
        for note in report.insights:
            out.extend(wrap(clean_text(note), width, indent="  ", first="• "))
    else:
        out.append("Nothing stands out.")

    if report.calls is not None:
        out.extend(_text_calls(report, width, paint))
    out.append("")
    return "\n".join(line.rstrip() for line in out)


def chart_hours(hours: Sequence[Mapping[str, int]], min_span: int = 12) -> list[Mapping[str, int]]:
    """The hours a chart shows: from the first to the last hour with calls, widened to at
    least ``min_span`` hours (the quiet night hours of a day-time centre are left out)."""
    busy = [h["hour"] for h in hours if h["offered"]]
    if not busy:
        return list(hours)
    first, last = min(busy), max(busy)
    while last - first + 1 < min_span:
        if first > 0:
            first -= 1
        if last - first + 1 < min_span and last < 23:
            last += 1
    return [h for h in hours if first <= h["hour"] <= last]


def hourly_chart(
    hours: Sequence[Mapping[str, int]], width: int = 78, height: int = 14
) -> list[str]:
    """A bar chart of the calls offered per hour (answered and not answered stacked), drawn
    by plotext in plain characters (no colour codes), over :func:`chart_hours`."""
    import plotext as plt

    hours = chart_hours(hours)
    answered = [h["answered"] for h in hours]
    lost = [max(0, h["offered"] - h["answered"]) for h in hours]
    top = max(a + b for a, b in zip(answered, lost, strict=True))
    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")
    xs = [h["hour"] for h in hours]
    # Bars with a gap between them when there is room; a plain histogram for 24 hours.
    bar_width = 0.6 if len(xs) <= 16 else 0.67
    plt.stacked_bar(xs, [answered, lost], marker=["█", "░"], width=bar_width)
    plt.xticks(xs, [str(x) for x in xs])
    ticks = sorted({0, round(top / 2), top})
    plt.yticks(ticks, [f"{t:,}" for t in ticks])
    plt.xlim(xs[0] - 0.5, xs[-1] + 0.5)
    plt.ylim(0, top)
    chart = plt.build()
    plt.clear_figure()
    lines = [strip_escapes(line).rstrip() for line in chart.splitlines()]
    while lines and not lines[-1].strip():
        lines.pop()
    return [fit(line, width).rstrip() for line in lines]


def _bar(share: float | None, cells: int, threshold: float | None = None) -> str:
    """A share 0–1 as a bar of ``cells`` characters: █ filled, · empty, | at the threshold."""
    filled = 0 if share is None else min(cells, round(share * cells))
    chars = ["█"] * filled + ["·"] * (cells - filled)
    if threshold is not None and 0 < threshold < 1:
        mark = min(cells - 1, round(threshold * cells))
        if chars[mark] == "·":
            chars[mark] = "|"
    return "".join(chars)


def _text_categories(report: Report, width: int, paint: _Paint) -> list[str]:
    k = report.kpis
    tagged = k.get("tagged")
    if tagged is None:
        tagged = sum(int(v.get("count") or 0) for v in (k.get("category_mix") or {}).values())
    out = _heading(
        "CATEGORY MIX",
        f"{tagged:,} tagged · {int(k.get('untagged') or 0):,} untagged",
        width,
        paint,
    )
    rows = category_rows(report)
    c_name, c_bar = 14 + max(0, width - 80), 20
    out.append(
        fit("category", c_name)
        + " "
        + fit("share of tagged calls", c_bar + 7)
        + fit("calls", 7, ">")
        + fit("talk time", 13, ">")
        + fit("cost", 10, ">")
    )
    for row in rows:
        untagged = row.get("untagged")
        name = "(untagged)" if untagged else clean_text(row["name"])
        colour = report.category_colours.get(row["name"])
        bar = " " * c_bar if untagged else _bar(row["share"], c_bar, row["threshold"])
        line = (
            fit(name, c_name)
            + " "
            + paint(bar, colour if colour in _ANSI else None)
            + fit("" if untagged else percent(row["share"]), 7, ">")
            + fit(f"{row['count']:,}", 7, ">")
            + fit(duration(row["talk_seconds"]), 13, ">")
            + fit(money(row["cost"], report.currency), 10, ">")
        )
        if row["alert"]:
            line += " " + paint("ALERT", "red")
        out.append(line.rstrip())
    threshold = report.category_alert_shares
    default = max(threshold.values()) if threshold else None
    notes = [
        "| = a category's alert share"
        + (
            f" ({percent(default, 0)})"
            if default is not None and len(set(threshold.values())) == 1
            else ""
        )
        + f"; ALERT = over it, once {report.category_alert_min_calls} calls are tagged.",
        "Untagged = answered calls nobody tagged yet.",
    ]
    for alert in k.get("category_alerts") or ():
        name = clean_text(alert["category"])
        talk = (k.get("talk_seconds_by_category") or {}).get(alert["category"])
        cost = ((k.get("talk_cost") or {}).get("by_category") or {}).get(alert["category"])
        notes.append(
            f"ALERT {name}: {percent(alert.get('share'))} of tagged calls "
            f"(limit {percent(alert.get('threshold'), 0)}), {duration(talk)} of talk, "
            f"{money(cost, report.currency)}."
        )
    for note in notes:
        out.extend(wrap(note, width))
    return out


def _text_agents(report: Report, width: int, paint: _Paint) -> list[str]:
    rows = agent_rows(report.kpis)
    out = _heading("OPERATORS", f"{len(rows)} with calls or rings", width, paint)
    if not rows:
        out.append("No operator had a call this day.")
        return out
    c_name = 14 + max(0, width - 80)
    widths = (9, 12, 12, 12, 7, 6, 6)  # 14 + 64 = 78 columns
    head = ("answered", "avg talk", "talk time", "avg wait", "tagged", "conv.", "rings")
    out.append(
        fit("operator", c_name)
        + "".join(" " + fit(h, w - 1, ">") for h, w in zip(head, widths, strict=True))
    )
    for name, a in rows:
        cells = (
            f"{int(a.get('answered') or 0):,}",
            duration(a.get("avg_talk_seconds")),
            duration(a.get("total_talk_seconds")),
            duration(a.get("avg_wait_seconds")),
            percent(a.get("tagged_share"), 0),
            f"{int(a.get('conversions') or 0):,}",
            f"{int(a.get('missed_rings') or 0):,}",
        )
        out.append(
            fit(clean_text(name) or "(none)", c_name)
            + "".join(" " + fit(c, w - 1, ">") for c, w in zip(cells, widths, strict=True))
        )
    total_answered = sum(int(a.get("answered") or 0) for _, a in rows)
    total_talk = sum(float(a.get("total_talk_seconds") or 0) for _, a in rows)
    totals = (
        f"{total_answered:,}",
        "",
        duration(total_talk),
        "",
        "",
        f"{sum(int(a.get('conversions') or 0) for _, a in rows):,}",
        f"{sum(int(a.get('missed_rings') or 0) for _, a in rows):,}",
    )
    out.append("─" * (c_name + sum(widths)))
    out.append(
        fit("all operators", c_name)
        + "".join(" " + fit(c, w - 1, ">") for c, w in zip(totals, widths, strict=True))
    )
    out.extend(
        wrap(
            "tagged = share of their answered calls with a category; conv. = sales and "
            "appointments; rings = rings they did not answer.",
            width,
        )
    )
    return out


def _text_issues(report: Report, width: int, paint: _Paint) -> list[str]:
    issues = report.open_issues
    oldest = max((i.age_seconds for i in issues), default=None)
    note = f"{len(issues)} open" + (f" · oldest {age(oldest)}" if issues else "")
    out = _heading("OPEN ISSUES", note, width, paint)
    k = report.kpis
    out.extend(
        wrap(
            f"Opened this day: {int(k.get('issues_opened') or 0):,}; resolved: "
            f"{int(k.get('issues_resolved') or 0):,}, in "
            f"{kpi_value('avg_resolution_seconds', k.get('avg_resolution_seconds'))} on average.",
            width,
        )
    )
    if not issues:
        out.append("No open issue.")
        return out
    out.append(fit("#", 5) + fit("age", 13) + fit("opened", 13) + "issue")
    for issue in sorted(issues, key=lambda i: (-i.age_seconds, i.id)):
        head = (
            fit(f"{issue.id}", 5)
            + fit(age(issue.age_seconds), 13)
            + fit(local_time(report, issue.opened_at, "%d %b %H:%M"), 13)
        )
        text = clean_text(issue.title)
        extra = []
        if issue.category:
            extra.append(clean_text(issue.category))
        if issue.opened_by:
            extra.append(f"by {clean_text(issue.opened_by)}")
        if extra:
            text += f" ({', '.join(extra)})"
        lines = wrap(text, width, indent=" " * 31, first=head)
        out.extend(lines)
    return out


def _text_calls(report: Report, width: int, paint: _Paint) -> list[str]:
    calls = report.calls or []
    out = _heading("CALLS", f"{len(calls):,} calls", width, paint)
    if not calls:
        out.append("No call this day.")
        return out
    cols = (
        ("time", 6),
        ("operator", 13),
        ("talk", 8),
        ("category", 12),
        ("outcome", 12),
        ("res.", 5),
    )
    fixed = sum(w for _, w in cols)
    note_width = width - fixed
    out.append(
        "".join(fit(t, w) for t, w in cols[:2])
        + fit("talk", 7, ">")
        + " "
        + "".join(fit(t, w) for t, w in cols[3:])
        + "note"
    )
    tz = report.tz
    # Operators, categories and outcomes repeat: fit each value once.
    fitted: dict[tuple[Any, ...], str] = {}
    for call in calls:
        state = disposition(call) or "waiting"
        key = ("who", call.agent, state, call.direction)
        who = fitted.get(key)
        if who is None:
            name = clean_text(call.agent)
            if state != "answered":
                name = name or f"({state})"
            if call.direction == "out":
                name = f"{name} (out)" if name else "(outbound)"
            who = fitted[key] = fit(name or "–", 13)
        tags = fitted.get(("tags", call.category, call.outcome, call.resolved))
        if tags is None:
            tags = fitted[("tags", call.category, call.outcome, call.resolved)] = (
                fit(clean_text(call.category) or "–", 12)
                + fit(clean_text(call.outcome) or "–", 12)
                + fit(yes_no(call.resolved), 5)
            )
        talk = clock(call.talk_seconds) if state == "answered" else ""
        head = (
            datetime.fromtimestamp(call.started_at, tz).strftime("%H:%M ")
            + who
            + (" " * (7 - len(talk)) + talk if len(talk) <= 7 else fit(talk, 7, ">"))
            + " "
            + tags
        )
        note = " ".join(clean_text(call.note).split())
        if not note:
            out.append(head.rstrip())
        elif cell_width(note) <= note_width:
            out.append(head + note)
        else:
            out.append(head.rstrip())
            out.extend(wrap(note, width, indent=" " * 8, first="      ↳ "))
    out.extend(wrap("res. = resolved at first contact; talk in minutes:seconds.", width))
    return out


# -- markdown ------------------------------------------------------------------------------------

_MD_SPECIAL_RE = re.compile(r"([\\`*_\[\]|~#])")
_MD_LEAD_RE = re.compile(r"^(\s*)([-+>]|\d{1,9})([.)]?)(?=\s|$)")


def md_escape(value: Any) -> str:
    """Text from a log made inert in Markdown (also inside a table cell): ``&``, ``<``, ``>``
    as HTML entities, markup characters and ``|`` backslash-escaped, no line breaks."""
    text = " ".join(clean_text(value).split())
    text = html.escape(text, quote=False)
    text = _MD_SPECIAL_RE.sub(lambda m: "\\" + m.group(1), text)
    return _MD_LEAD_RE.sub(_md_lead, text)


def _md_lead(m: re.Match[str]) -> str:
    """A line start that would make a list or a quote: escape its marker."""
    space, mark, dot = m.groups()
    if mark[0].isdigit():
        return f"{space}{mark}\\{dot}" if dot else m.group(0)
    return f"{space}\\{mark}{dot}"


def _md_table(head: Sequence[str], rows: Iterable[Sequence[str]], align: str) -> list[str]:
    marks = {"l": "---", "r": "---:", "c": ":---:"}
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    out.extend("| " + " | ".join(row) + " |" for row in rows)
    return out


def render_markdown(report: Report) -> str:
    """The summary as Markdown (for a wiki or an e-mail)."""
    k = report.kpis
    cur = report.currency
    out = [
        f"# End-of-day summary — {day_title(report.day)}",
        "",
        f"Time zone {md_escape(report.timezone)}. Compared with the day before "
        f"({short_day(report.previous_date)}) and the same weekday a week earlier "
        f"({short_day(report.last_week_date)}). {as_of_text(report)}. Targets: talk time "
        f"{duration(report.talk_target_seconds)} per call; service level = answered "
        f"within {duration(report.service_level_seconds)}.",
        "",
        "## Key figures",
        "",
    ]
    rows = []
    for group, keys in scalar_keys(k):
        rows.append([f"**{group}**", "", "", ""])
        for key in keys:
            value = scalar_value(k, key)
            cells = [label(key), kpi_value(key, value, currency=cur)]
            for other in (report.previous_day, report.same_day_last_week):
                text, direction = change(key, value, scalar_value(compared(other), key), cur)
                tone = verdict(key, direction)
                cells.append(f"{text} ({tone})" if tone else text)
            rows.append(cells)
    out += _md_table(
        [
            "KPI",
            "Today",
            f"vs {short_day(report.previous_date)}",
            f"vs {short_day(report.last_week_date)}",
        ],
        rows,
        "lrrr",
    )
    out += ["", "▲/▼ up/down against that day; pp = percentage points; – no figure.", ""]

    hours = hour_rows(k)
    out += ["## Calls per hour", ""]
    busy = [h for h in hours if h["offered"]]
    if busy:
        top = max(h["offered"] for h in busy)
        out += _md_table(
            ["Hour", "Offered", "Answered", "Abandoned", ""],
            (
                [
                    f"{h['hour']:02d}:00",
                    f"{h['offered']:,}",
                    f"{h['answered']:,}",
                    f"{h['abandoned']:,}",
                    "█" * max(1, round(20 * h["offered"] / top)),
                ]
                for h in busy
            ),
            "lrrrl",
        )
    else:
        out.append("No inbound calls this day.")
    out.append("")

    out += ["## Category mix", ""]
    cat_rows = []
    for row in category_rows(report):
        untagged = row.get("untagged")
        cat_rows.append(
            [
                "*untagged*" if untagged else md_escape(row["name"]),
                "" if untagged else percent(row["share"]),
                f"{row['count']:,}",
                duration(row["talk_seconds"]),
                money(row["cost"], cur),
                "" if untagged else percent(row["threshold"], 0),
                "**ALERT**" if row["alert"] else "",
            ]
        )
    out += _md_table(
        ["Category", "Share", "Calls", "Talk time", "Cost", "Alert share", ""], cat_rows, "lrrrrrl"
    )
    out += [
        "",
        f"Shares are of the tagged calls; ALERT once {report.category_alert_min_calls} calls are "
        "tagged. Untagged = answered calls nobody tagged yet.",
        "",
        "## Operators",
        "",
    ]
    agents = agent_rows(k)
    if agents:
        out += _md_table(
            [
                "Operator",
                "Answered",
                "Avg talk",
                "Talk time",
                "Avg wait",
                "Tagged",
                "Conversions",
                "Missed rings",
            ],
            (
                [
                    md_escape(name) or "*none*",
                    f"{int(a.get('answered') or 0):,}",
                    duration(a.get("avg_talk_seconds")),
                    duration(a.get("total_talk_seconds")),
                    duration(a.get("avg_wait_seconds")),
                    percent(a.get("tagged_share"), 0),
                    f"{int(a.get('conversions') or 0):,}",
                    f"{int(a.get('missed_rings') or 0):,}",
                ]
                for name, a in agents
            ),
            "lrrrrrrr",
        )
    else:
        out.append("No operator had a call this day.")
    out += ["", "## Open issues", ""]
    out.append(
        f"Opened this day: {int(k.get('issues_opened') or 0):,}; resolved: "
        f"{int(k.get('issues_resolved') or 0):,}, in "
        f"{kpi_value('avg_resolution_seconds', k.get('avg_resolution_seconds'))} on average."
    )
    out.append("")
    if report.open_issues:
        out += _md_table(
            ["#", "Age", "Opened", "Issue", "Category", "By"],
            (
                [
                    str(i.id),
                    age(i.age_seconds),
                    local_time(report, i.opened_at),
                    md_escape(i.title),
                    md_escape(i.category or "") or "–",
                    md_escape(i.opened_by),
                ]
                for i in sorted(report.open_issues, key=lambda i: (-i.age_seconds, i.id))
            ),
            "lrllll",
        )
    else:
        out.append("No open issue.")
    out += ["", "## What stands out", ""]
    out += [f"- {md_escape(note)}" for note in report.insights] or ["Nothing stands out."]
    if report.calls is not None:
        out += ["", f"## Calls ({len(report.calls):,})", ""]
        out += _md_table(
            ["Time", "Operator", "Result", "Talk", "Category", "Outcome", "Resolved", "Note"],
            (
                [
                    datetime.fromtimestamp(c.started_at, report.tz).strftime("%H:%M:%S"),
                    md_escape(c.agent or "") or "–",
                    (disposition(c) or "waiting") + (" (out)" if c.direction == "out" else ""),
                    clock(c.talk_seconds),
                    md_escape(c.category or "") or "–",
                    md_escape(c.outcome or "") or "–",
                    yes_no(c.resolved),
                    md_escape(c.note or ""),
                ]
                for c in report.calls
            ),
            "llllllll",
        )
    out.append("")
    return "\n".join(out)


# -- csv ---------------------------------------------------------------------------------------

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


def render_csv(report: Report) -> str:
    """The summary as one CSV table (scheme in the module docstring)."""
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
        row("kpi", "", key, label(key), *(scalar_value(s, key) for s in (k, prev, week)))

    def cat(snapshot: Mapping[str, Any], name: str, field_name: str) -> Any:
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

    for name in [r["name"] for r in category_rows(report)]:
        for field_name in ("count", "share", "talk_seconds", "talk_cost", "alert"):
            if name == "untagged" and field_name in ("share", "alert"):
                continue
            values = [cat(s, name, field_name) for s in (k, prev, week)]
            row(
                "category",
                csv_text(name),
                field_name,
                f"{csv_text(name)} — {field_name.replace('_', ' ')}",
                *values,
            )
    hours = [hour_rows(s) for s in (k, prev, week)]
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


# -- json --------------------------------------------------------------------------------------


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


def render_json(report: Report) -> str:
    """The summary as JSON (the machine-readable contract), indented; with ``--calls`` each
    call is one compact line of the ``calls`` list (50,000 calls stay fast and greppable)."""
    data = report_json(report)
    calls = data.pop("calls", None)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if calls is None:
        return text + "\n"
    body = ",\n    ".join(json.dumps(c, ensure_ascii=False) for c in calls)
    listing = f"[\n    {body}\n  ]" if calls else "[]"
    return f'{text.removesuffix("}").rstrip()},\n  "calls": {listing}\n}}\n'
