"""The Markdown format's manager sections: queues, the trend, operators' time, what callers
wanted and what a cut would save, callers to call back. Text from logs goes through
:func:`carewatch.report.markdown.md_escape`."""

from __future__ import annotations

from carewatch.report.analysis_rows import (
    CALLBACK_ALIGN,
    CALLBACK_HEADINGS,
    CALLBACK_NOTE,
    QUEUE_ALIGN,
    QUEUE_HEADINGS,
    SAVINGS_NOTE,
    TIME_ALIGN,
    TIME_HEADINGS,
    TIME_NOTE,
    TREND_HEADINGS,
    callback_rows,
    complaint_text,
    queue_rows,
    request_counts,
    saving_text,
    time_rows,
    trend_cells,
    trend_label,
    trend_note,
)
from carewatch.report.markdown_base import md_escape, md_table
from carewatch.report.model import Report
from carewatch.report.rows import PERIOD_NOUN, local_time


def queues(report: Report) -> list[str]:
    out = ["", "## Queues", ""]
    rows = queue_rows(report.kpis)
    if not rows:
        return [*out, "No call was logged with a queue."]
    out += md_table(QUEUE_HEADINGS, ([md_escape(n), *cells] for n, cells in rows), QUEUE_ALIGN)
    return [*out, "", "Calls logged without a queue are in the totals only."]


def trend(report: Report) -> list[str]:
    out = ["", f"## Trend: the last {len(report.trend)} {PERIOD_NOUN[report.period.kind]}s", ""]
    rows = [
        [trend_label(r.period) + (" \\*" if r.partial else ""), *trend_cells(r.figures)]
        for r in report.trend
    ]
    head = ["Period", *TREND_HEADINGS.values()]
    out += md_table(head, rows, "l" + "r" * (len(head) - 1))
    return [*out, "", md_escape(trend_note(report))]


def operators_time(report: Report) -> list[str]:
    out = ["", "## Operators' time", ""]
    rows = time_rows(report.kpis)
    if not rows:
        return [*out, f"No operator was logged in this {PERIOD_NOUN[report.period.kind]}."]
    out += md_table(
        [*TIME_HEADINGS, "Pauses"],
        ([md_escape(n), *cells, md_escape(pauses) or "–"] for n, cells, pauses in rows),
        TIME_ALIGN + "l",
    )
    return [*out, "", TIME_NOTE]


def requests(report: Report) -> list[str]:
    out = ["", "## What callers wanted", "", md_escape(complaint_text(report))]
    if not report.requests:
        out += ["", "No call has a category."]
    fmt = "%H:%M" if report.is_day else "%d %b %H:%M"
    for r in report.requests:
        mark = " (complaint)" if r.complaint else ""
        out += ["", f"### {md_escape(r.category)}{mark}: {request_counts(r)}", ""]
        if r.subcategories:
            subs = ", ".join(f"{md_escape(n)} {c:,}" for n, c in r.subcategories.items())
            out += [f"By request type: {subs}", ""]
        for n in r.notes:
            tags = [md_escape(x) for x in (n.subcategory, n.outcome) if x]
            if n.resolved is not None:
                tags.append("resolved" if n.resolved else "not resolved")
            extra = f" ({', '.join(tags)})" if tags else ""
            out.append(
                f"- {local_time(report, n.started_at, fmt)} {md_escape(n.agent or '') or '–'}"
                f"{extra}: {md_escape(n.note)}"
            )
        if r.notes_total > len(r.notes):
            out.append(f"- … and {r.notes_total - len(r.notes):,} earlier notes.")
    out += ["", "## What it would save", ""]
    if not report.savings:
        out.append("No category is over its alert share.")
    out += [f"- {md_escape(saving_text(report, s))}" for s in report.savings]
    return [*out, "", SAVINGS_NOTE]


def callbacks(report: Report) -> list[str]:
    rows = callback_rows(report.callbacks, report.tz, report.privacy)
    out = ["", f"## Callers to call back ({len(rows):,})", ""]
    if rows:
        out += md_table(
            CALLBACK_HEADINGS, ([md_escape(c) for c in row] for row in rows), CALLBACK_ALIGN
        )
        out.append("")
    else:
        out += ["Nobody: every caller who was not answered has been reached since.", ""]
    return [*out, CALLBACK_NOTE]
