"""The text format's manager sections: queues, the trend (with its chart), operators' time,
what callers wanted and what a cut would save, callers to call back."""

from __future__ import annotations

from carewatch.i18n import N_, _, ngettext
from carewatch.present import clean_text, count
from carewatch.report.analysis_rows import (
    CALLBACK_NOTE,
    SAVINGS_NOTE,
    TIME_NOTE,
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
from carewatch.report.layout import (
    LEAST_NAME,
    Paint,
    cell_width,
    column_widths,
    fit,
    heading,
    named_row,
    widened,
    wrap,
)
from carewatch.report.model import Report
from carewatch.report.rows import (
    call_time_form,
    local_time,
    years_shown,
)
from carewatch.report.words import (
    by_kind,
    last_periods,
    translated,
)


def _table_rows(
    rows: list[tuple[str, tuple[str, ...]]],
    head: tuple[str, ...],
    widths: tuple[int, ...],
    width: int,
) -> list[list[str]]:
    """The lines of a table, the heading's first and then each row's (a row whose name is
    longer than its column takes two or more, see :func:`named_row`): a name column (the rest
    of ``width``) and right-aligned cells of ``widths``, each widened where a figure needs it
    (the name column gives the room)."""
    widths = widened(widths, (cells for _name, cells in rows))
    c_name = max(LEAST_NAME, width - sum(widths))

    def figures(cells: tuple[str, ...]) -> str:
        return "".join(fit(c, w, ">") for c, w in zip(cells, widths, strict=True))

    out = [[(fit(head[0], c_name) + figures(head[1:])).rstrip()]]
    for name, cells in rows:
        out.append(named_row(clean_text(name) or _("(none)"), c_name, width, figures(cells)))
    return out


def _table(
    rows: list[tuple[str, tuple[str, ...]]],
    head: tuple[str, ...],
    widths: tuple[int, ...],
    width: int,
) -> list[str]:
    """The lines of :func:`_table_rows`, one after the other."""
    return [line for lines in _table_rows(rows, head, widths, width) for line in lines]


#: The queue and day tables' column headings (the name, then the figures of
#: :data:`~carewatch.kpi.definitions.QUEUE_KPIS`) and the figures' widths.
FIGURE_HEADINGS = (
    N_("offered"),
    N_("answ."),
    N_("aband."),
    N_("missed"),
    N_("aband.%"),
    N_("avg wait"),
    N_("SL"),
    N_("avg talk"),
)
FIGURE_WIDTHS = (8, 7, 7, 7, 8, 11, 7, 11)


def queues(report: Report, width: int, paint: Paint) -> list[str]:
    """One line per queue: offered, answered, abandoned, missed, rates, wait and talk (an
    operator's report without those that read 0 for any operator)."""
    rows = [(name, shown(report, cells)) for name, cells in queue_rows(report.kpis)]
    out = heading(_("QUEUES"), _("{count} with calls").format(count=len(rows)), width, paint)
    if not rows:
        out.append(_("No call was logged with a queue."))
        return out
    head = (_("queue"), *shown(report, translated(FIGURE_HEADINGS)))
    out += _table(rows, head, shown_widths(report), width)
    out += wrap(
        _("SL = service level; calls logged without a queue are in the totals only."), width
    )
    return out


def shown_widths(report: Report) -> tuple[int, ...]:
    """The widths of the figures a queue or day table shows."""
    return shown(report, FIGURE_WIDTHS)


def days(report: Report, width: int, paint: Paint) -> list[str]:
    """One line per day of a longer period, with its weekday: the queue table's figures over
    the day's calls; a day before the logs begin says so. Nothing for one day. A dashed line
    parts the weeks (before each Monday but the first line): a weekend closes each block.
    Across two years a line with the year comes before the first day of each (the labels
    stay short: with the year they would not fit 80 columns)."""
    if not report.days:
        return []
    span = ngettext("{count} day", "{count} days", len(report.days))
    out = heading(_("DAYS"), span.format(count=len(report.days)), width, paint)
    table = day_table(report, year=False)
    blank = shown(report, ("",) * len(FIGURE_WIDTHS))
    rows = [(line.label, blank if isinstance(line.cells, str) else line.cells) for line in table]
    head = ("", *shown(report, translated(FIGURE_HEADINGS)))
    lines = _table_rows(rows, head, shown_widths(report), width)
    widths = widened(shown_widths(report), (cells for _name, cells in rows))
    c_name = max(LEAST_NAME, width - sum(widths))
    years = years_shown(report)
    shown_year = None
    out += lines[0]
    for i, (line, row_lines) in enumerate(zip(table, lines[1:], strict=True)):
        if isinstance(line.cells, str):  # before the logs, closed: said, not 0
            row_lines = [fit(line.label, max(c_name, cell_width(line.label) + 1)) + line.cells]
        if line.day is not None and line.day.weekday() == 0 and i:
            out.append("┄" * (c_name + sum(widths)))
        if years and line.day is not None and line.day.year != shown_year:
            shown_year = line.day.year
            out.append(paint(str(shown_year), "bold"))
        out += row_lines
    out += wrap(_("SL = service level.") + " " + days_note(report), width)
    return out


def trend(report: Report, width: int, paint: Paint) -> list[str]:
    """The main KPIs of the last 12 periods, then a chart of the calls offered in each."""
    out = heading(_("TREND"), last_periods(report.period.kind, len(report.trend)), width, paint)
    rows = [
        (
            trend_label(report, r),
            trend_cells(r.figures),
        )
        for r in report.trend
    ]
    head = translated(
        (
            "",
            N_("offered"),
            N_("answ."),
            N_("aband."),
            N_("SL"),
            N_("avg wait"),
            N_("avg talk"),
            N_("FCR"),
            N_("conv."),
            N_("CSAT"),
        )
    )
    head[0] = ""
    out += _table(rows, tuple(head), (8, 8, 7, 6, 11, 11, 5, 6, 5), width)
    out += wrap(trend_note(report), width)
    out.append("")
    out += trend_chart(report, width)
    return out


def trend_chart(report: Report, width: int) -> list[str]:
    """Calls offered per period as plain-character bars: █ answered, ░ not answered."""
    top = max((int(r.figures.get("offered") or 0) for r in report.trend), default=0)
    c_label, c_value = 14, 9
    bar_cells = width - c_label - c_value - 1
    out = [fit("", c_label) + _("calls offered: █ answered  ░ not answered")]
    for r in report.trend:
        offered = int(r.figures.get("offered") or 0)
        answered = int(r.figures.get("answered") or 0)
        full = round(bar_cells * offered / top) if top else 0
        solid = min(full, round(bar_cells * answered / top)) if top else 0
        bar = "█" * solid + "░" * (full - solid)
        name = trend_label(report, r)
        out.append(
            (
                fit(name, c_label) + fit(bar, bar_cells) + " " + fit(count(offered), c_value, ">")
            ).rstrip()
        )
    return out


def operators_time(report: Report, width: int, paint: Paint) -> list[str]:
    """Each operator's logged-in, paused and talk time, occupancy, missed and unreachable
    rings, with the pauses by reason below."""
    rows = time_rows(report.kpis)
    out = heading(_("OPERATORS' TIME"), "", width, paint)
    if not rows:
        out.append(by_kind(report.period.kind, NOBODY_LOGGED_IN_OR_CALLED))
        return out
    head = translated(
        (
            N_("operator"),
            N_("logged in"),
            N_("paused"),
            N_("talk time"),
            N_("occup."),
            N_("rings"),
            N_("unreach."),
        )
    )
    widths = (13, 13, 13, 7, 6, 9)
    body = _table_rows([(n, c) for n, c, _p in rows], tuple(head), widths, width)
    out += body[0]
    for lines, (_n, _c, pauses) in zip(body[1:], rows, strict=True):
        out += lines
        if pauses:
            out += wrap(
                _("pauses: {pauses}").format(pauses=pauses), width, indent="    ", first="  "
            )
    out += wrap(_(TIME_NOTE), width)
    return out


#: "No operator was logged in or had a call this day.", one per kind of period.
NOBODY_LOGGED_IN_OR_CALLED = {
    "day": N_("No operator was logged in or had a call this day."),
    "week": N_("No operator was logged in or had a call this week."),
    "month": N_("No operator was logged in or had a call this month."),
    "range": N_("No operator was logged in or had a call this period."),
}


def requests(report: Report, width: int, paint: Paint) -> list[str]:
    """What callers wanted: per category its calls, share, sub-categories and notes; the
    complaint rate; then what a cut in a category over its alert share would save."""
    out = heading(
        _("WHAT CALLERS WANTED"),
        _("{count} tagged").format(count=count(int(report.kpis.get("tagged") or 0))),
        width,
        paint,
    )
    out += wrap(complaint_text(report), width)
    if not report.requests:
        out.append(_("No call has a category."))
    for r in report.requests:
        mark = " " + _("(complaint)") if r.complaint else ""
        out.append("")
        out += wrap(f"{clean_text(r.category)}{mark}: {request_counts(r)}", width)
        if r.subcategories:
            subs = ", ".join(f"{clean_text(n)} {count(c)}" for n, c in r.subcategories.items())
            out += wrap(
                _("by request type: {types}").format(types=subs),
                width,
                indent="    ",
                first="  ",
            )
        for n in r.notes:
            when = local_time(report, n.started_at, call_time_form(report))
            tags = [x for x in (clean_text(n.subcategory), clean_text(n.outcome)) if x]
            if n.resolved is not None:
                tags.append(_("resolved") if n.resolved else _("not resolved"))
            head = f"{when} {clean_text(n.agent) or '–'}" + (
                f" ({', '.join(tags)})" if tags else ""
            )
            out += wrap(f"{head}: {clean_text(n.note)}", width, indent="      ", first="  ")
        if r.notes_total > len(r.notes):
            out.append(
                "  "
                + _("… and {count} earlier notes (--calls lists every call).").format(
                    count=count(r.notes_total - len(r.notes))
                )
            )
    out += heading(_("WHAT IT WOULD SAVE"), "", width, paint)
    if not report.savings:
        out.append(_("No category is over its alert share."))
    for saving in report.savings:
        out += wrap(clean_text(saving_text(report, saving)), width, indent="  ", first="• ")
    out += wrap(_(SAVINGS_NOTE), width)
    return out


def callbacks(report: Report, width: int, paint: Paint) -> list[str]:
    """Callers to call back: the last unanswered call of each, oldest first."""
    rows = callback_rows(
        shown_callbacks(report.callbacks),
        report.tz,
        report.privacy,
        call_time_form(report, "day_month_time"),
    )
    out = heading(_("CALLERS TO CALL BACK"), count(len(report.callbacks)), width, paint)
    if not rows:
        out.append(_("Nobody: every caller who was not answered has been reached since."))
        out += wrap(_(CALLBACK_NOTE), width)
        return out
    titles = tuple(
        translated(
            (
                N_("last call"),
                N_("caller"),
                N_("queue"),
                N_("result"),
                N_("last wait"),
                N_("calls"),
            )
        )
    )
    cells_of = [titles, *(tuple(clean_text(c) for c in cells[:6]) for cells in rows)]
    widths = list(column_widths(cells_of, (13, 18, 10, 10, 11, 6), (1, 1, 1, 1, 1, 1)))
    # the queue gives way so the line keeps the width; every cell keeps its space after it
    widths[2] = max(LEAST_NAME, min(widths[2], width - sum(widths) + widths[2]))
    for cells in cells_of:
        line = "".join(
            " " + fit(c, w - 1, ">") if i >= 4 else fit(c, w - 1) + " "
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )
        out.append(line.rstrip())
    cut = callbacks_cut_note(report.callbacks)
    out += wrap(_(CALLBACK_NOTE) if cut is None else f"{cut} {_(CALLBACK_NOTE)}", width)
    return out
