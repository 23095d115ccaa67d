"""The summary as Markdown (``--format markdown``), for a wiki or an e-mail.

The same content as the HTML page, in GitHub-flavoured tables. Text from logs is made inert:
control characters and escape codes removed, ``&``, ``<`` and ``>`` as HTML entities, ``|``
and Markdown markup backslash-escaped, no line breaks (:func:`md_escape`).
"""

from __future__ import annotations

import re

from carewatch.i18n import N_, _
from carewatch.present import age, count, duration, money, percent, yes_no
from carewatch.report.markdown_analysis import (
    callbacks,
    days,
    operators_time,
    queues,
    requests,
    trend,
)
from carewatch.report.markdown_base import md_escape, md_table
from carewatch.report.model import RenderOptions, Report
from carewatch.report.notices import header_notices
from carewatch.report.rows import (
    AGENT_ALIGN,
    AGENT_HEADINGS,
    agent_cells,
    agent_rows,
    as_of_text,
    call_result,
    call_time_form,
    category_rows,
    compared_days,
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
from carewatch.report.text import NO_INBOUND
from carewatch.report.values import key_figures
from carewatch.report.words import (
    by_kind,
    translated,
)


def render_markdown(report: Report, options: RenderOptions) -> str:
    """The summary as Markdown (``options`` are the text format's: not read here)."""
    k = report.kpis
    out = [
        f"# {md_escape(summary_title(report))} — {period_title(report.period)}",
        "",
        _("Time zone {zone}. Compared with {compared}. {as_of}. {targets}").format(
            zone=md_escape(report.timezone),
            compared=compared_days(report),
            as_of=as_of_text(report),
            targets=targets_text(report),
        ),
        "",
    ]
    for notice in header_notices(report):
        out += [f"**{md_escape(notice)}**", ""]
    kind = report.period.kind
    out += ["## " + _("Key figures"), ""]
    rows = []
    for group, figures in key_figures(report):
        rows.append([f"**{group}**", "", "", ""])
        for figure in figures:
            rows.append(
                [figure.label, figure.value]
                + [f"{text} ({_(tone)})" if tone else text for text, tone in figure.changes]
            )
    head = [_("KPI"), value_heading(report).capitalize(), *vs_headings(report)]
    out += md_table(head, rows, "lrrr")
    out += ["", by_kind(kind, CHANGES_KEY)]
    out += queues(report)
    out += days(report)
    out += ["", *_hours(report)]
    out += trend(report)
    out += ["", *_categories(report)]
    out += requests(report)
    out += ["", "## " + _("Operators"), ""]
    agents = agent_rows(k)
    if agents:
        out += md_table(
            translated(AGENT_HEADINGS),
            ([md_escape(name) or "*" + _("none") + "*", *agent_cells(a)] for name, a in agents),
            AGENT_ALIGN,
        )
    else:
        out.append(by_kind(kind, NO_OPERATOR_CALL))
    out += operators_time(report)
    out += ["", "## " + _("Open issues"), "", issues_summary(k, kind), ""]
    if report.open_issues:
        out += md_table(
            ["#", *translated(ISSUE_HEADINGS)],
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
        out.append(_("No open issue."))
    out += callbacks(report)
    out += ["", "## " + _("What stands out"), ""]
    out += [f"- {md_escape(note)}" for note in report.insights] or [_("Nothing stands out.")]
    if report.calls is not None:
        out += ["", "## " + _("Calls ({count})").format(count=count(len(report.calls))), ""]
        out += md_table(
            translated(CALL_HEADINGS),
            (
                [
                    local_time(report, c.started_at, call_time_form(report, "%H:%M:%S")),
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


#: The key to the change columns, one sentence per kind of period.
CHANGES_KEY = {
    "day": N_("▲/▼ up/down against that day; pp = percentage points; – no figure."),
    "week": N_("▲/▼ up/down against that week; pp = percentage points; – no figure."),
    "month": N_("▲/▼ up/down against that month; pp = percentage points; – no figure."),
    "range": N_("▲/▼ up/down against that period; pp = percentage points; – no figure."),
}
#: "No operator had a call this day.", one per kind of period.
NO_OPERATOR_CALL = {
    "day": N_("No operator had a call this day."),
    "week": N_("No operator had a call this week."),
    "month": N_("No operator had a call this month."),
    "range": N_("No operator had a call this period."),
}
#: The open issues' headings after "#" (Markdown and HTML).
ISSUE_HEADINGS = (N_("Age"), N_("Opened"), N_("Issue"), N_("Category"), N_("By"))
#: The calls' headings (Markdown; HTML adds the call's id).
CALL_HEADINGS = (
    N_("Time"),
    N_("Operator"),
    N_("Result"),
    N_("Talk"),
    N_("Category"),
    N_("Outcome"),
    N_("Resolved"),
    N_("Note"),
)


def _hours(report: Report) -> list[str]:
    out = ["## " + _("Calls per hour"), ""]
    busy = [h for h in hour_rows(report.kpis) if h["offered"]]
    if busy:
        top = max(h["offered"] for h in busy)
        out += md_table(
            [*translated((N_("Hour"), N_("Offered"), N_("Answered"), N_("Abandoned"))), ""],
            (
                [
                    f"{h['hour']:02d}:00",
                    count(h["offered"]),
                    count(h["answered"]),
                    count(h["abandoned"]),
                    "█" * max(1, round(20 * h["offered"] / top)),
                ]
                for h in busy
            ),
            "lrrrl",
        )
    else:
        out.append(by_kind(report.period.kind, NO_INBOUND))
    out.append("")
    return out


def _categories(report: Report) -> list[str]:
    cur = report.currency
    out = ["## " + _("Category mix"), ""]
    rows = []
    for row in category_rows(report):
        untagged = row.get("untagged")
        rows.append(
            [
                "*" + _("untagged") + "*" if untagged else md_escape(row["name"]),
                "" if untagged else percent(row["share"]),
                count(row["count"]),
                duration(row["talk_seconds"]),
                money(row["cost"], cur),
                "" if untagged else percent(row["threshold"], 0),
                "**" + _("ALERT") + "**" if row["alert"] else "",
            ]
        )
    head = (N_("Category"), N_("Share"), N_("Calls"), N_("Talk time"), N_("Cost"))
    out += md_table([*translated(head), _("Alert share"), ""], rows, "lrrrrrl")
    out += [
        "",
        _(
            "Shares are of the tagged calls; ALERT once {count} calls are tagged. Untagged = "
            "answered calls nobody tagged yet."
        ).format(count=report.category_alert_min_calls),
    ]
    return out
