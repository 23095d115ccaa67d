"""The summary as Markdown (``--format markdown``), for a wiki or an e-mail.

The same content as the HTML page, in GitHub-flavoured tables. Text from logs is made inert:
control characters and escape codes removed, ``&``, ``<`` and ``>`` as HTML entities, ``|``
and Markdown markup backslash-escaped, no line breaks (:func:`md_escape`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Any

from carewatch.present import age, clean_text, clock, duration, money, percent, yes_no
from carewatch.report.model import RenderOptions, Report
from carewatch.report.rows import (
    AGENT_ALIGN,
    AGENT_HEADINGS,
    agent_cells,
    agent_rows,
    as_of_text,
    call_result,
    category_rows,
    compared_days,
    day_title,
    hour_rows,
    issues_by_age,
    issues_summary,
    local_time,
    targets_text,
    vs_headings,
)
from carewatch.report.values import key_figures

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


def render_markdown(report: Report, options: RenderOptions) -> str:
    """The summary as Markdown (``options`` are the text format's: not read here)."""
    k = report.kpis
    out = [
        f"# End-of-day summary — {day_title(report.day)}",
        "",
        f"Time zone {md_escape(report.timezone)}. Compared with {compared_days(report)}. "
        f"{as_of_text(report)}. {targets_text(report)}",
        "",
        "## Key figures",
        "",
    ]
    rows = []
    for group, figures in key_figures(report):
        rows.append([f"**{group}**", "", "", ""])
        for figure in figures:
            rows.append(
                [figure.label, figure.value]
                + [f"{text} ({tone})" if tone else text for text, tone in figure.changes]
            )
    out += _md_table(["KPI", "Today", *vs_headings(report)], rows, "lrrr")
    out += ["", "▲/▼ up/down against that day; pp = percentage points; – no figure.", ""]
    out += _hours(report)
    out += _categories(report)
    out += ["", "## Operators", ""]
    agents = agent_rows(k)
    if agents:
        out += _md_table(
            AGENT_HEADINGS,
            ([md_escape(name) or "*none*", *agent_cells(a)] for name, a in agents),
            AGENT_ALIGN,
        )
    else:
        out.append("No operator had a call this day.")
    out += ["", "## Open issues", "", issues_summary(k), ""]
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
                for i in issues_by_age(report)
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
                    local_time(report, c.started_at, "%H:%M:%S"),
                    md_escape(c.agent or "") or "–",
                    call_result(c),
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


def _hours(report: Report) -> list[str]:
    out = ["## Calls per hour", ""]
    busy = [h for h in hour_rows(report.kpis) if h["offered"]]
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
    return out


def _categories(report: Report) -> list[str]:
    cur = report.currency
    out = ["## Category mix", ""]
    rows = []
    for row in category_rows(report):
        untagged = row.get("untagged")
        rows.append(
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
        ["Category", "Share", "Calls", "Talk time", "Cost", "Alert share", ""], rows, "lrrrrrl"
    )
    out += [
        "",
        f"Shares are of the tagged calls; ALERT once {report.category_alert_min_calls} calls are "
        "tagged. Untagged = answered calls nobody tagged yet.",
    ]
    return out
