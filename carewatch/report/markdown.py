"""The summary as Markdown (``--format markdown``), for a wiki or an e-mail.

The same content as the HTML page, in GitHub-flavoured tables. Text from logs is made inert:
control characters and escape codes removed, ``&``, ``<`` and ``>`` as HTML entities, ``|``
and Markdown markup backslash-escaped, no line breaks (:func:`md_escape`).
"""

from __future__ import annotations

import re

from carewatch.present import age, duration, money, percent, yes_no
from carewatch.report.markdown_analysis import (
    callbacks,
    operators_time,
    queues,
    requests,
    trend,
)
from carewatch.report.markdown_base import md_escape, md_table
from carewatch.report.model import RenderOptions, Report
from carewatch.report.rows import (
    AGENT_ALIGN,
    AGENT_HEADINGS,
    PERIOD_NOUN,
    agent_cells,
    agent_rows,
    as_of_text,
    call_result,
    category_rows,
    compared_days,
    empty_notice,
    hour_rows,
    issues_by_age,
    issues_summary,
    local_time,
    period_title,
    summary_title,
    targets_text,
    value_heading,
    vs_headings,
)
from carewatch.report.values import key_figures


def render_markdown(report: Report, options: RenderOptions) -> str:
    """The summary as Markdown (``options`` are the text format's: not read here)."""
    k = report.kpis
    out = [
        f"# {md_escape(summary_title(report))} — {period_title(report.period)}",
        "",
        f"Time zone {md_escape(report.timezone)}. Compared with {compared_days(report)}. "
        f"{as_of_text(report)}. {targets_text(report)}",
        "",
    ]
    notice = empty_notice(report)
    if notice:
        out += [f"**{md_escape(notice)}**", ""]
    noun = PERIOD_NOUN[report.period.kind]
    out += ["## Key figures", ""]
    rows = []
    for group, figures in key_figures(report):
        rows.append([f"**{group}**", "", "", ""])
        for figure in figures:
            rows.append(
                [figure.label, figure.value]
                + [f"{text} ({tone})" if tone else text for text, tone in figure.changes]
            )
    head = ["KPI", value_heading(report).capitalize(), *vs_headings(report)]
    out += md_table(head, rows, "lrrr")
    out += ["", f"▲/▼ up/down against that {noun}; pp = percentage points; – no figure."]
    out += queues(report)
    out += ["", *_hours(report)]
    out += trend(report)
    out += ["", *_categories(report)]
    out += requests(report)
    out += ["", "## Operators", ""]
    agents = agent_rows(k)
    if agents:
        out += md_table(
            AGENT_HEADINGS,
            ([md_escape(name) or "*none*", *agent_cells(a)] for name, a in agents),
            AGENT_ALIGN,
        )
    else:
        out.append(f"No operator had a call this {noun}.")
    out += operators_time(report)
    out += ["", "## Open issues", "", issues_summary(k, noun), ""]
    if report.open_issues:
        out += md_table(
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
    out += callbacks(report)
    out += ["", "## What stands out", ""]
    out += [f"- {md_escape(note)}" for note in report.insights] or ["Nothing stands out."]
    if report.calls is not None:
        out += ["", f"## Calls ({len(report.calls):,})", ""]
        out += md_table(
            ["Time", "Operator", "Result", "Talk", "Category", "Outcome", "Resolved", "Note"],
            (
                [
                    local_time(
                        report, c.started_at, "%H:%M:%S" if report.is_day else "%d %b %H:%M"
                    ),
                    md_escape(c.agent or "") or "–",
                    call_result(c),
                    duration(c.talk_seconds) if c.talk_seconds is not None else "",
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
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out))


def _hours(report: Report) -> list[str]:
    out = ["## Calls per hour", ""]
    busy = [h for h in hour_rows(report.kpis) if h["offered"]]
    if busy:
        top = max(h["offered"] for h in busy)
        out += md_table(
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
        out.append(f"No inbound calls this {PERIOD_NOUN[report.period.kind]}.")
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
    out += md_table(
        ["Category", "Share", "Calls", "Talk time", "Cost", "Alert share", ""], rows, "lrrrrrl"
    )
    out += [
        "",
        f"Shares are of the tagged calls; ALERT once {report.category_alert_min_calls} calls are "
        "tagged. Untagged = answered calls nobody tagged yet.",
    ]
    return out
