"""The HTML page's manager sections: queues, the trend (with an inline SVG chart), operators'
time, what callers wanted and what a cut would save, callers to call back. Every text from a
log goes through :func:`carewatch.report.html_base.esc`."""

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
from carewatch.report.html_base import esc, html_table, td, tr
from carewatch.report.html_charts import legend, trend_svg
from carewatch.report.markdown_analysis import NOBODY_LOGGED_IN
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


def _note(text: str) -> str:
    return f'<p class="note">{esc(text)}</p>'


def queues(report: Report) -> list[str]:
    out = ['<section class="keep"><h2>' + _("Queues") + "</h2>"]
    rows = queue_rows(report.kpis)
    if rows:
        body = [
            tr(td(esc(n)), *(td(esc(c), "num") for c in shown(report, cells))) for n, cells in rows
        ]
        head = [_(QUEUE_HEADINGS[0]), *shown(report, translated(QUEUE_HEADINGS[1:]))]
        out += html_table(head, body, "l" + "".join(shown(report, QUEUE_ALIGN[1:])))
        out.append(_note(_("Calls logged without a queue are in the totals only.")))
    else:
        out.append("<p>" + _("No call was logged with a queue.") + "</p>")
    return [*out, "</section>"]


def days(report: Report) -> list[str]:
    """Each day of a longer period (nothing for one day)."""
    if not report.days:
        return []
    out = ['<section class="keep"><h2>' + _("Days") + "</h2>"]
    head = [_("Day"), *shown(report, translated(QUEUE_HEADINGS[1:]))]
    body = []
    for name, cells, _day, weekend in day_table(report):
        if isinstance(cells, str):  # before the logs, closed: said, not 0
            figures = f'<td colspan="{len(head) - 1}">{esc(cells)}</td>'
        else:
            figures = "".join(td(esc(c), "num") for c in cells)
        body.append(tr(td(esc(name)), figures, cls="weekend" if weekend else ""))
    out += html_table(head, body, "l" + "".join(shown(report, QUEUE_ALIGN[1:])))
    return [*out, _note(days_note(report, shaded=True)), "</section>"]


def trend(report: Report) -> list[str]:
    span = last_periods(report.period.kind, len(report.trend))
    out = ['<section class="keep"><h2>' + _("Trend: {span}").format(span=span) + "</h2>"]
    labels = [trend_label(report, r) for r in report.trend]
    bars = [
        (esc(name), int(r.figures.get("offered") or 0), int(r.figures.get("answered") or 0))
        for name, r in zip(labels, report.trend, strict=True)
    ]
    out.append(legend())
    out.append(f"<figure>{trend_svg(bars)}</figure>")
    body = [
        tr(td(esc(name)), *(td(esc(c), "num") for c in trend_cells(r.figures)))
        for name, r in zip(labels, report.trend, strict=True)
    ]
    head = translated((N_("Period"), *TREND_HEADINGS.values()))
    out += html_table(head, body, "l" + "r" * (len(head) - 1))
    return [*out, _note(trend_note(report)), "</section>"]


def operators_time(report: Report) -> list[str]:
    title = _("Operators' time")
    out = [f'<section class="keep"><h2>{title}</h2>']
    rows = time_rows(report.kpis)
    if rows:
        body = [
            tr(td(esc(n)), *(td(esc(c), "num") for c in cells), td(esc(pauses) or "–"))
            for n, cells, pauses in rows
        ]
        out += html_table(translated((*TIME_HEADINGS, N_("Pauses"))), body, TIME_ALIGN + "l")
        out.append(_note(_(TIME_NOTE)))
    else:
        out.append(f"<p>{by_kind(report.period.kind, NOBODY_LOGGED_IN)}</p>")
    return [*out, "</section>"]


def requests(report: Report) -> list[str]:
    out = [
        '<section class="break"><h2>' + _("What callers wanted") + "</h2>",
        f"<p>{esc(complaint_text(report))}</p>",
    ]
    if not report.requests:
        out.append("<p>" + _("No call has a category.") + "</p>")
    fmt = call_time_form(report)
    for r in report.requests:
        mark = " " + _("(complaint)") if r.complaint else ""
        out.append(f"<h3>{esc(r.category)}{mark}: {request_counts(r)}</h3>")
        if r.subcategories:
            subs = ", ".join(f"{esc(n)} {count(c)}" for n, c in r.subcategories.items())
            out.append(
                '<p class="meta">' + _("By request type: {types}").format(types=subs) + "</p>"
            )
        if r.notes:
            out.append('<ul class="notes">')
            for n in r.notes:
                tags = [esc(x) for x in (n.subcategory, n.outcome) if x]
                if n.resolved is not None:
                    tags.append(_("resolved") if n.resolved else _("not resolved"))
                extra = f" ({', '.join(tags)})" if tags else ""
                out.append(
                    f"<li>{local_time(report, n.started_at, fmt)} {esc(n.agent or '–')}"
                    f"{extra}: {esc(n.note)}</li>"
                )
            if r.notes_total > len(r.notes):
                more = _("… and {count} earlier notes.").format(
                    count=count(r.notes_total - len(r.notes))
                )
                out.append(f"<li>{more}</li>")
            out.append("</ul>")
    out.append("<h2>" + _("What it would save") + "</h2>")
    if report.savings:
        out.append("<ul>")
        out += [f"<li>{esc(saving_text(report, s))}</li>" for s in report.savings]
        out.append("</ul>")
    else:
        out.append("<p>" + _("No category is over its alert share.") + "</p>")
    return [*out, _note(_(SAVINGS_NOTE)), "</section>"]


def callbacks(report: Report) -> list[str]:
    rows = callback_rows(
        shown_callbacks(report.callbacks),
        report.tz,
        report.privacy,
        call_time_form(report, "day_month_time"),
    )
    title = _("Callers to call back ({count})").format(count=count(len(report.callbacks)))
    out = [f'<section class="keep"><h2>{title}</h2>']
    if rows:
        body = [
            tr(
                *(
                    td(esc(c), "num" if a == "r" else "")
                    for c, a in zip(row, CALLBACK_ALIGN, strict=True)
                )
            )
            for row in rows
        ]
        out += html_table(translated(CALLBACK_HEADINGS), body, CALLBACK_ALIGN)
    else:
        nobody = _("Nobody: every caller who was not answered has been reached since.")
        out.append(f"<p>{nobody}</p>")
    cut = callbacks_cut_note(report.callbacks)
    note = _(CALLBACK_NOTE) if cut is None else f"{cut} {_(CALLBACK_NOTE)}"
    return [*out, _note(note), "</section>"]
