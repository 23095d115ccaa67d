"""The end-of-day summary as one self-contained, printable HTML page.

Inline CSS with a print stylesheet (A4, page breaks before the big sections, table headers
repeated on every page), charts drawn as inline SVG (hourly volume, category mix), no external
asset and no script. Every text that came from a log or an operator is HTML-escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from carewatch.callstate import disposition
from carewatch.kpi.definitions import label
from carewatch.present import age, clean_text, clock, duration, kpi_value, money, percent, yes_no
from carewatch.report import (
    Report,
    agent_rows,
    as_of_text,
    category_rows,
    change,
    chart_hours,
    compared,
    day_title,
    hour_rows,
    local_time,
    scalar_keys,
    scalar_value,
    short_day,
    verdict,
)

#: Config colour names -> CSS colours that show on white paper.
_CSS_COLOURS = {
    "red": "#c62828",
    "green": "#2e7d32",
    "blue": "#1565c0",
    "cyan": "#00838f",
    "magenta": "#8e24aa",
    "yellow": "#f9a825",
    "white": "#9e9e9e",
    "black": "#212121",
    "grey": "#757575",
    "gray": "#757575",
    "orange": "#ef6c00",
    "purple": "#6a1b9a",
}
_DEFAULT_COLOUR = "#455a64"
_ANSWERED = "#1565c0"
_LOST = "#ef9a9a"
_HEX_RE = re.compile(r"^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$")

_CSS = """
:root { --ink: #1b1b1b; --muted: #666; --rule: #ccc; --good: #2e7d32; --bad: #c62828;
}
* { box-sizing: border-box; }
body { font: 11pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       max-width: 190mm; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 18pt; margin: 0 0 .2em; }
h2 { font-size: 13pt; margin: 1.6em 0 .5em; border-bottom: 2px solid var(--ink);
     padding-bottom: .15em; }
p.meta, p.note { color: var(--muted); margin: .3em 0; }
p.note { font-size: 9pt; }
table { border-collapse: collapse; width: 100%; font-size: 10pt; }
th, td { padding: .2em .45em; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { text-align: left; border-bottom: 1px solid var(--ink); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.group td { font-weight: 600; padding-top: .7em; border-bottom: none; }
td.better { color: var(--good); } td.worse { color: var(--bad); }
.alert { color: #fff; background: var(--bad); padding: 0 .35em; border-radius: 2px;
         font-size: 8.5pt; font-weight: 600; }
td.note { max-width: 70mm; overflow-wrap: anywhere; }
ul.insights li { margin: .25em 0; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 9px system-ui, sans-serif; fill: var(--muted); }
.legend span { display: inline-block; width: .8em; height: .8em; margin: 0 .3em 0 1em;
               vertical-align: -.05em; }
section { margin-bottom: 1em; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section.break { break-before: page; page-break-before: always; }
  section.keep, figure, svg, tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  h2 { break-after: avoid; page-break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def esc(value: Any) -> str:
    """Text from a log as inert HTML (control characters removed, then escaped)."""
    return html.escape(clean_text(value), quote=True)


def _colour(name: str | None) -> str:
    if not name:
        return _DEFAULT_COLOUR
    name = name.strip().lower()
    if _HEX_RE.match(name):
        return name
    return _CSS_COLOURS.get(name.removeprefix("bright_"), _DEFAULT_COLOUR)


def _table(head: Sequence[tuple[str, str]], rows: Iterable[str]) -> list[str]:
    """``head``: (title, css class) pairs; ``rows``: ready ``<tr>`` strings."""
    out = ["<table>"]
    cells = "".join(
        f'<th class="{cls}">{title}</th>' if cls else f"<th>{title}</th>" for title, cls in head
    )
    out.append(f"<thead><tr>{cells}</tr></thead>")
    out.append("<tbody>")
    out.extend(rows)
    out.append("</tbody></table>")
    return out


def _td(text: str, cls: str = "") -> str:
    return f'<td class="{cls}">{text}</td>' if cls else f"<td>{text}</td>"


def hourly_svg(hours: Sequence[dict[str, int]]) -> str:
    """Stacked bars of calls offered per hour (answered / not answered) as inline SVG, over
    the hours of :func:`carewatch.report.chart_hours`."""
    hours = chart_hours(hours)
    top = max((h["offered"] for h in hours), default=0) or 1
    w, h_plot, left, bottom, top_pad = 720, 170, 34, 18, 8
    bar_w = (w - left - 4) / len(hours)
    parts = [
        f'<svg viewBox="0 0 {w} {h_plot + bottom + top_pad}" width="{w}" role="img" '
        'aria-label="Calls offered per hour, answered and not answered">'
    ]
    for frac in (0, 0.5, 1):
        y = top_pad + h_plot * (1 - frac)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{w - 2}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{round(top * frac):,}</text>'
        )
    for i, hour in enumerate(hours):
        x = left + 2 + i * bar_w
        answered = hour["answered"]
        lost = max(0, hour["offered"] - answered)
        h_ans = h_plot * answered / top
        h_lost = h_plot * lost / top
        y_ans = top_pad + h_plot - h_ans
        title = (
            f"{hour['hour']:02d}:00 — {hour['offered']:,} offered, {answered:,} answered, "
            f"{lost:,} not answered"
        )
        if not hour["offered"]:
            parts.append(
                f'<text x="{x + (bar_w - 3) / 2:.1f}" y="{top_pad + h_plot + 12}" '
                f'text-anchor="middle">{hour["hour"]:02d}</text>'
            )
            continue
        parts.append(f"<g><title>{title}</title>")
        if h_ans:
            parts.append(
                f'<rect x="{x:.1f}" y="{y_ans:.1f}" width="{bar_w - 3:.1f}" height="{h_ans:.1f}" '
                f'fill="{_ANSWERED}"/>'
            )
        if h_lost:
            parts.append(
                f'<rect x="{x:.1f}" y="{y_ans - h_lost:.1f}" width="{bar_w - 3:.1f}" '
                f'height="{h_lost:.1f}" fill="{_LOST}"/>'
            )
        parts.append("</g>")
        parts.append(
            f'<text x="{x + (bar_w - 3) / 2:.1f}" y="{top_pad + h_plot + 12}" '
            f'text-anchor="middle">{hour["hour"]:02d}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def share_svg(share: float | None, colour: str, threshold: float | None) -> str:
    """One category's share as a small inline SVG bar, with its alert share marked."""
    w, h = 160, 12
    filled = 0.0 if share is None else max(0.0, min(1.0, share)) * w
    out = [
        f'<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        f'aria-label="{percent(share)}">',
        f'<rect x="0" y="0" width="{w}" height="{h}" fill="#eee"/>',
        f'<rect x="0" y="0" width="{filled:.1f}" height="{h}" fill="{colour}"/>',
    ]
    if threshold is not None and 0 < threshold < 1:
        x = threshold * w
        out.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{h}" stroke="#000" stroke-width="1.5"/>'
        )
    out.append("</svg>")
    return "".join(out)


def render_html(report: Report) -> str:
    """The summary as one printable HTML page (see the module docstring)."""
    k = report.kpis
    cur = report.currency
    title = f"End-of-day summary — {day_title(report.day)}"
    prev_head = f"vs {short_day(report.previous_date)}"
    week_head = f"vs {short_day(report.last_week_date)}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">Time zone {esc(report.timezone)} · compared with the day before '
        f"({short_day(report.previous_date)}) and the same weekday a week earlier "
        f"({short_day(report.last_week_date)}) · {as_of_text(report)} · printed "
        f"{local_time(report, report.generated_at)}</p>",
        f'<p class="meta">Targets: talk time {duration(report.talk_target_seconds)} per '
        f"call; service level = answered within "
        f"{duration(report.service_level_seconds)}.</p>",
        "</header>",
    ]

    # key figures
    rows = []
    for group, keys in scalar_keys(k):
        rows.append(f'<tr class="group"><td colspan="4">{esc(group)}</td></tr>')
        for key in keys:
            value = scalar_value(k, key)
            cells = [_td(esc(label(key))), _td(esc(kpi_value(key, value, currency=cur)), "num")]
            for other in (report.previous_day, report.same_day_last_week):
                text, direction = change(key, value, scalar_value(compared(other), key), cur)
                tone = verdict(key, direction)
                cells.append(_td(esc(text), f"num {tone}" if tone else "num"))
            rows.append("<tr>" + "".join(cells) + "</tr>")
    out.append('<section class="keep"><h2>Key figures</h2>')
    out += _table(
        [("KPI", ""), ("Today", "num"), (esc(prev_head), "num"), (esc(week_head), "num")], rows
    )
    out.append(
        '<p class="note">▲/▼ up/down against that day (pp = percentage points); = no change; '
        "– no figure on one of the days. Green is better, red is worse.</p></section>"
    )

    # hourly volume
    hours = hour_rows(k)
    out.append('<section class="keep"><h2>Calls per hour</h2>')
    if any(h["offered"] for h in hours):
        out.append(
            f'<p class="legend note"><span style="background:{_ANSWERED}"></span>answered'
            f'<span style="background:{_LOST}"></span>not answered</p>'
        )
        out.append(f"<figure>{hourly_svg(hours)}</figure>")
    else:
        out.append("<p>No inbound calls this day.</p>")
    out.append("</section>")

    # category mix
    tagged = k.get("tagged")
    out.append(
        f'<section class="keep"><h2>Category mix</h2><p class="meta">'
        f"{int(tagged or 0):,} tagged calls · {int(k.get('untagged') or 0):,} answered calls "
        "not tagged</p>"
    )
    rows = []
    for row in category_rows(report):
        untagged = row.get("untagged")
        bar = (
            ""
            if untagged
            else share_svg(
                row["share"], _colour(report.category_colours.get(row["name"])), row["threshold"]
            )
        )
        rows.append(
            "<tr>"
            + _td("<em>untagged</em>" if untagged else esc(row["name"]))
            + _td(bar)
            + _td("" if untagged else esc(percent(row["share"])), "num")
            + _td(f"{row['count']:,}", "num")
            + _td(esc(duration(row["talk_seconds"])), "num")
            + _td(esc(money(row["cost"], cur)), "num")
            + _td('<span class="alert">ALERT</span>' if row["alert"] else "")
            + "</tr>"
        )
    out += _table(
        [
            ("Category", ""),
            ("Share of tagged calls", ""),
            ("Share", "num"),
            ("Calls", "num"),
            ("Talk time", "num"),
            ("Cost", "num"),
            ("", ""),
        ],
        rows,
    )
    out.append(
        f'<p class="note">The black line is the category\'s alert share; ALERT = over it, once '
        f"{report.category_alert_min_calls} calls are tagged.</p></section>"
    )

    # operators
    agents = agent_rows(k)
    out.append('<section class="break"><h2>Operators</h2>')
    if agents:
        rows = [
            "<tr>"
            + _td(esc(name) or "<em>none</em>")
            + _td(f"{int(a.get('answered') or 0):,}", "num")
            + _td(esc(duration(a.get("avg_talk_seconds"))), "num")
            + _td(esc(duration(a.get("total_talk_seconds"))), "num")
            + _td(esc(duration(a.get("avg_wait_seconds"))), "num")
            + _td(esc(percent(a.get("tagged_share"), 0)), "num")
            + _td(f"{int(a.get('conversions') or 0):,}", "num")
            + _td(f"{int(a.get('missed_rings') or 0):,}", "num")
            + "</tr>"
            for name, a in agents
        ]
        out += _table(
            [
                ("Operator", ""),
                ("Answered", "num"),
                ("Avg talk", "num"),
                ("Talk time", "num"),
                ("Avg wait", "num"),
                ("Tagged", "num"),
                ("Conversions", "num"),
                ("Missed rings", "num"),
            ],
            rows,
        )
    else:
        out.append("<p>No operator had a call this day.</p>")
    out.append("</section>")

    # open issues
    out.append('<section class="keep"><h2>Open issues</h2>')
    out.append(
        f'<p class="meta">Opened this day: {int(k.get("issues_opened") or 0):,}; resolved: '
        f"{int(k.get('issues_resolved') or 0):,}, in "
        f"{esc(kpi_value('avg_resolution_seconds', k.get('avg_resolution_seconds')))} "
        "on average.</p>"
    )
    if report.open_issues:
        rows = [
            "<tr>"
            + _td(str(i.id), "num")
            + _td(esc(age(i.age_seconds)), "num")
            + _td(esc(local_time(report, i.opened_at)))
            + _td(esc(i.title))
            + _td(esc(i.category or "–"))
            + _td(esc(i.opened_by))
            + "</tr>"
            for i in sorted(report.open_issues, key=lambda i: (-i.age_seconds, i.id))
        ]
        out += _table(
            [
                ("#", "num"),
                ("Age", "num"),
                ("Opened", ""),
                ("Issue", ""),
                ("Category", ""),
                ("By", ""),
            ],
            rows,
        )
    else:
        out.append("<p>No open issue.</p>")
    out.append("</section>")

    # insights
    out.append('<section class="keep"><h2>What stands out</h2>')
    if report.insights:
        out.append('<ul class="insights">')
        out += [f"<li>{esc(note)}</li>" for note in report.insights]
        out.append("</ul>")
    else:
        out.append("<p>Nothing stands out.</p>")
    out.append("</section>")

    if report.calls is not None:
        out.append(f'<section class="break"><h2>Calls ({len(report.calls):,})</h2>')
        rows = [
            "<tr>"
            + _td(datetime.fromtimestamp(c.started_at, report.tz).strftime("%H:%M:%S"))
            + _td(esc(c.call_id))
            + _td(esc(c.agent or "–"))
            + _td(esc((disposition(c) or "waiting") + (" (out)" if c.direction == "out" else "")))
            + _td(esc(clock(c.talk_seconds)), "num")
            + _td(esc(c.category or "–"))
            + _td(esc(c.outcome or "–"))
            + _td(yes_no(c.resolved))
            + _td(esc(c.note or ""), "note")
            + "</tr>"
            for c in report.calls
        ]
        out += _table(
            [
                ("Time", ""),
                ("Call", ""),
                ("Operator", ""),
                ("Result", ""),
                ("Talk", "num"),
                ("Category", ""),
                ("Outcome", ""),
                ("Resolved", ""),
                ("Note", ""),
            ],
            rows,
        )
        out.append("</section>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)
