"""The Markdown format's manager sections: queues, the trend, operators' time, what callers
wanted and what a cut would save, callers to call back. Text from logs goes through
:func:`carewatch.report.markdown.md_escape`."""

from __future__ import annotations

from carewatch.i18n import N_, _
from carewatch.present import count
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
    callbacks_cut_note,
    complaint_text,
    day_table,
    days_note,
    queue_rows,
    request_counts,
    saving_text,
    shown,
    shown_callbacks,
    time_rows,
    trend_cells,
    trend_label,
    trend_note,
)
from carewatch.report.markdown_base import md_escape, md_table
from carewatch.report.model import Report
from carewatch.report.rows import (
    call_time_form,
    local_time,
)
from carewatch.report.words import (
    by_kind,
    last_periods,
    translated,
)


def queues(report: Report) -> list[str]:
    out = ["", "## " + _("Queues"), ""]
    rows = queue_rows(report.kpis)
    if not rows:
        return [*out, _("No call was logged with a queue.")]
    out += md_table(
        [_(QUEUE_HEADINGS[0]), *shown(report, translated(QUEUE_HEADINGS[1:]))],
        ([md_escape(n), *shown(report, cells)] for n, cells in rows),
        "l" + "".join(shown(report, QUEUE_ALIGN[1:])),
    )
    return [*out, "", _("Calls logged without a queue are in the totals only.")]


def days(report: Report) -> list[str]:
    """Each day of a longer period (nothing for one day)."""
    if not report.days:
        return []
    out = ["", "## " + _("Days"), ""]
    n = len(shown(report, QUEUE_HEADINGS[1:]))
    rows = []
    for name, cells, _day, _weekend in day_table(report, weekend=True):
        figures = (cells, *[""] * (n - 1)) if isinstance(cells, str) else cells
        rows.append([name.replace("*", "\\*"), *figures])
    out += md_table(
        [_("Day"), *shown(report, translated(QUEUE_HEADINGS[1:]))],
        rows,
        "l" + "".join(shown(report, QUEUE_ALIGN[1:])),
    )
    return [*out, "", md_escape(days_note(report))]


def trend(report: Report) -> list[str]:
    span = last_periods(report.period.kind, len(report.trend))
    out = ["", "## " + _("Trend: {span}").format(span=span), ""]
    rows = [
        [
            trend_label(report, r, " \\*"),
            *trend_cells(r.figures),
        ]
        for r in report.trend
    ]
    head = translated((N_("Period"), *TREND_HEADINGS.values()))
    out += md_table(head, rows, "l" + "r" * (len(head) - 1))
    return [*out, "", md_escape(trend_note(report))]


def operators_time(report: Report) -> list[str]:
    out = ["", "## " + _("Operators' time"), ""]
    rows = time_rows(report.kpis)
    if not rows:
        return [*out, by_kind(report.period.kind, NOBODY_LOGGED_IN)]
    out += md_table(
        translated((*TIME_HEADINGS, N_("Pauses"))),
        ([md_escape(n), *cells, md_escape(pauses) or "–"] for n, cells, pauses in rows),
        TIME_ALIGN + "l",
    )
    return [*out, "", _(TIME_NOTE)]


#: "No operator was logged in this day.", one per kind of period (Markdown and HTML).
NOBODY_LOGGED_IN = {
    "day": N_("No operator was logged in this day."),
    "week": N_("No operator was logged in this week."),
    "month": N_("No operator was logged in this month."),
    "range": N_("No operator was logged in this period."),
}


def requests(report: Report) -> list[str]:
    out = ["", "## " + _("What callers wanted"), "", md_escape(complaint_text(report))]
    if not report.requests:
        out += ["", _("No call has a category.")]
    fmt = call_time_form(report)
    for r in report.requests:
        mark = " " + _("(complaint)") if r.complaint else ""
        out += ["", f"### {md_escape(r.category)}{mark}: {request_counts(r)}", ""]
        if r.subcategories:
            subs = ", ".join(f"{md_escape(n)} {count(c)}" for n, c in r.subcategories.items())
            out += [_("By request type: {types}").format(types=subs), ""]
        for n in r.notes:
            tags = [md_escape(x) for x in (n.subcategory, n.outcome) if x]
            if n.resolved is not None:
                tags.append(_("resolved") if n.resolved else _("not resolved"))
            extra = f" ({', '.join(tags)})" if tags else ""
            out.append(
                f"- {local_time(report, n.started_at, fmt)} {md_escape(n.agent or '') or '–'}"
                f"{extra}: {md_escape(n.note)}"
            )
        if r.notes_total > len(r.notes):
            more = count(r.notes_total - len(r.notes))
            out.append("- " + _("… and {count} earlier notes.").format(count=more))
    out += ["", "## " + _("What it would save"), ""]
    if not report.savings:
        out.append(_("No category is over its alert share."))
    out += [f"- {md_escape(saving_text(report, s))}" for s in report.savings]
    return [*out, "", _(SAVINGS_NOTE)]


def callbacks(report: Report) -> list[str]:
    rows = callback_rows(
        shown_callbacks(report.callbacks),
        report.tz,
        report.privacy,
        call_time_form(report, "day_month_time"),
    )
    title = _("Callers to call back ({count})").format(count=count(len(report.callbacks)))
    out = ["", "## " + title, ""]
    if rows:
        out += md_table(
            translated(CALLBACK_HEADINGS),
            ([md_escape(c) for c in row] for row in rows),
            CALLBACK_ALIGN,
        )
        out.append("")
    else:
        out += [_("Nobody: every caller who was not answered has been reached since."), ""]
    cut = callbacks_cut_note(report.callbacks)
    return [*out, _(CALLBACK_NOTE) if cut is None else f"{md_escape(cut)} {_(CALLBACK_NOTE)}"]
