"""The summary as text (``--format text``), for a printer or a terminal.

It fits ``width`` (80 at the least) columns; colour codes only with ``color=True`` (the CLI
asks for them when it prints to a terminal). Text from logs is cleaned of control characters
and escape codes. The sections after the hourly chart are in
:mod:`carewatch.report.text_sections`, the chart in :mod:`carewatch.report.text_chart`.
"""

from __future__ import annotations

from carewatch.i18n import N_, _, ngettext
from carewatch.present import clean_text, count, duration
from carewatch.report.layout import Paint, fit, heading, widened, wrap
from carewatch.report.model import RenderOptions, Report
from carewatch.report.notices import header_notices
from carewatch.report.rows import (
    as_of_text,
    compared_days,
    hour_rows,
    local_time,
    period_title,
    summary_title,
    targets_text,
    value_heading,
    vs_headings,
)
from carewatch.report.text_analysis import (
    callbacks,
    days,
    operators_time,
    queues,
    requests,
    trend,
)
from carewatch.report.text_chart import hourly_chart
from carewatch.report.text_sections import agents, calls, categories, issues
from carewatch.report.values import key_figures
from carewatch.report.words import (
    by_kind,
)


def render_text(report: Report, options: RenderOptions) -> str:
    """The printable summary; ``options.width`` is at least 80."""
    width = max(80, options.width)
    paint = Paint(options.color)
    out = _header(report, width, paint)
    out += _key_figures(report, width, paint)
    out += queues(report, width, paint)
    out += days(report, width, paint)
    out += _hours(report, width, paint)
    out += trend(report, width, paint)
    out += categories(report, width, paint)
    out += requests(report, width, paint)
    out += agents(report, width, paint)
    out += operators_time(report, width, paint)
    out += issues(report, width, paint)
    out += callbacks(report, width, paint)
    out += heading(_("WHAT STANDS OUT"), "", width, paint)
    if report.insights:
        for note in report.insights:
            out.extend(wrap(clean_text(note), width, indent="  ", first="• "))
    else:
        out.append(_("Nothing stands out."))
    if report.calls is not None:
        out += calls(report, width, paint)
    out.append("")
    return "\n".join(line.rstrip() for line in out)


def _header(report: Report, width: int, paint: Paint) -> list[str]:
    out = [
        paint(f"CAREWATCH · {summary_title(report).upper()}", "bold"),
        f"{period_title(report.period)} · {clean_text(report.timezone)}",
        "═" * width,
    ]
    for notice in header_notices(report):
        out += wrap(notice, width)
    out += wrap(
        _("Compared with {compared}. {as_of}; printed {printed}.").format(
            compared=compared_days(report),
            as_of=as_of_text(report),
            printed=local_time(report, report.generated_at),
        ),
        width,
    )
    out += wrap(targets_text(report), width)
    return out


def _key_figures(report: Report, width: int, paint: Paint) -> list[str]:
    groups = key_figures(report)
    shown = [(f.value, *(text for text, _tone in f.changes)) for _g, fs in groups for f in fs]
    # 34 + 14 + 15 + 15 = 78 columns; a figure of a long period ("7,839 h 04 min" of talk)
    # widens its column and the label gives way
    c_val, *changes = widened((14, 15, 15), shown)
    c_chg = max(changes)
    c_label = max(20, min(34 + max(0, width - 80), width - c_val - 2 * c_chg))
    vs_before, vs_week = vs_headings(report)
    out = [
        "",
        paint(fit(_("KEY FIGURES"), c_label), "bold")
        + fit(value_heading(report), c_val, ">")
        + fit(vs_before, c_chg, ">")
        + fit(vs_week, c_chg, ">"),
        "─" * width,
    ]
    for i, (group, figures) in enumerate(groups):
        if i:
            out.append("")
        out.append(paint(group, "bold"))
        for figure in figures:
            name = figure.label
            if figure.key == "service_level":
                name += f" (≤ {duration(report.service_level_seconds)})"
            cells = [fit("  " + name, c_label), fit(figure.value, c_val, ">")]
            for text, tone in figure.changes:
                colour = "green" if tone == "better" else "red" if tone == "worse" else None
                cells.append(paint(fit(text, c_chg, ">"), colour))
            out.append("".join(cells).rstrip())
    out.append("")
    out += wrap(by_kind(report.period.kind, CHANGES_KEY), width)
    return out


#: The key to the change columns, one sentence per kind of period.
CHANGES_KEY = {
    "day": N_(
        "▲/▼ = up/down against that day (pp = percentage points); = no change; – no figure on "
        "one of the days."
    ),
    "week": N_(
        "▲/▼ = up/down against that week (pp = percentage points); = no change; – no figure "
        "on one of the weeks."
    ),
    "month": N_(
        "▲/▼ = up/down against that month (pp = percentage points); = no change; – no figure "
        "on one of the months."
    ),
    "range": N_(
        "▲/▼ = up/down against that period (pp = percentage points); = no change; – no figure "
        "on one of the periods."
    ),
}
#: "No inbound calls this day.", one per kind of period (every format says it).
NO_INBOUND = {
    "day": N_("No inbound calls this day."),
    "week": N_("No inbound calls this week."),
    "month": N_("No inbound calls this month."),
    "range": N_("No inbound calls this period."),
}


def _hours(report: Report, width: int, paint: Paint) -> list[str]:
    hours = hour_rows(report.kpis)
    title = _("CALLS PER HOUR") if report.is_day else _("CALLS PER HOUR OF THE DAY")
    out = heading(title, _("█ answered  ░ not answered"), width, paint)
    if not sum(h["offered"] for h in hours):
        out.append(by_kind(report.period.kind, NO_INBOUND))
        return out
    out += hourly_chart(hours, width - 2)
    busiest = max(hours, key=lambda h: (h["offered"], -h["hour"]))
    lost = busiest["offered"] - busiest["answered"]
    out += wrap(
        ngettext(
            "Busiest hour {start}:00–{end}:00: {offered} call offered, {answered} answered, "
            "{lost} not answered.",
            "Busiest hour {start}:00–{end}:00: {offered} calls offered, {answered} answered, "
            "{lost} not answered.",
            busiest["offered"],
        ).format(
            start=f"{busiest['hour']:02d}",
            end=f"{(busiest['hour'] + 1) % 24:02d}",
            offered=count(busiest["offered"]),
            answered=count(busiest["answered"]),
            lost=count(lost),
        ),
        width,
    )
    return out
