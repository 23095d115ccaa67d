"""The summary as one self-contained, printable HTML page (``--format html``).

Inline CSS with a print stylesheet (A4, page breaks before the big sections, table headers
repeated on every page), charts drawn as inline SVG (hourly volume, category mix:
:mod:`carewatch.report.html_charts`), no external asset and no script. The same content as
the Markdown. Every text that came from a log or an operator is HTML-escaped.
"""

from __future__ import annotations

from carewatch.i18n import N_, _, language
from carewatch.present import age, count, duration, money, percent, yes_no
from carewatch.report.html_analysis import (
    callbacks,
    days,
    operators_time,
    queues,
    requests,
    trend,
)
from carewatch.report.html_base import esc, html_table, td, tr
from carewatch.report.html_charts import css_colour, hourly_svg, legend, share_svg
from carewatch.report.markdown import CALL_HEADINGS, ISSUE_HEADINGS, NO_OPERATOR_CALL
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
tr.weekend td { background: #eee; }
td.better { color: var(--good); } td.worse { color: var(--bad); }
.alert { color: #fff; background: var(--bad); padding: 0 .35em; border-radius: 2px;
         font-size: 8.5pt; font-weight: 600; }
td.note { max-width: 70mm; overflow-wrap: anywhere; }
ul.insights li, ul.notes li { margin: .25em 0; }
ul.notes { font-size: 10pt; }
h3 { font-size: 11pt; margin: 1em 0 .3em; }
p.notice { font-weight: 600; color: var(--bad); }
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


def render_html(report: Report, options: RenderOptions) -> str:
    """The summary as one printable HTML page (``options`` are the text format's: not read
    here)."""
    title = f"{summary_title(report)} — {period_title(report.period)}"
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{language()}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{esc(title)}</h1>",
        '<p class="meta">'
        + _("Time zone {zone} · compared with {compared} · {as_of} · printed {printed}").format(
            zone=esc(report.timezone),
            compared=compared_days(report),
            as_of=as_of_text(report),
            printed=local_time(report, report.generated_at),
        )
        + "</p>",
        f'<p class="meta">{targets_text(report)}</p>',
    ]
    for notice in header_notices(report):
        out.append(f'<p class="notice">{esc(notice)}</p>')
    out.append("</header>")
    out += _key_figures(report)
    out += queues(report)
    out += days(report)
    out += _hours(report)
    out += trend(report)
    out += _categories(report)
    out += requests(report)
    out += _agents(report)
    out += operators_time(report)
    out += _issues(report)
    out += callbacks(report)
    out.append('<section class="keep"><h2>' + _("What stands out") + "</h2>")
    if report.insights:
        out.append('<ul class="insights">')
        out += [f"<li>{esc(note)}</li>" for note in report.insights]
        out.append("</ul>")
    else:
        out.append("<p>" + _("Nothing stands out.") + "</p>")
    out.append("</section>")
    if report.calls is not None:
        out += _calls(report)
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _key_figures(report: Report) -> list[str]:
    rows = []
    for group, figures in key_figures(report):
        rows.append(f'<tr class="group"><td colspan="4">{esc(group)}</td></tr>')
        for figure in figures:
            rows.append(
                tr(
                    td(esc(figure.label)),
                    td(esc(figure.value), "num"),
                    *(
                        td(esc(text), f"num {tone}" if tone else "num")
                        for text, tone in figure.changes
                    ),
                )
            )
    vs_before, vs_week = vs_headings(report)
    out = ['<section class="keep"><h2>' + _("Key figures") + "</h2>"]
    head = [_("KPI"), esc(value_heading(report).capitalize()), esc(vs_before), esc(vs_week)]
    out += html_table(head, rows, "lrrr")
    changes = by_kind(report.period.kind, CHANGES_KEY)
    out.append(f'<p class="note">{changes}</p></section>')
    return out


def _hours(report: Report) -> list[str]:
    hours = hour_rows(report.kpis)
    out = ['<section class="keep"><h2>' + _("Calls per hour") + "</h2>"]
    if any(h["offered"] for h in hours):
        out.append(legend())
        out.append(f"<figure>{hourly_svg(hours)}</figure>")
    else:
        out.append(f"<p>{by_kind(report.period.kind, NO_INBOUND)}</p>")
    out.append("</section>")
    return out


def _categories(report: Report) -> list[str]:
    k = report.kpis
    tagged = _("{tagged} tagged calls · {untagged} answered calls not tagged").format(
        tagged=count(int(k.get("tagged") or 0)), untagged=count(int(k.get("untagged") or 0))
    )
    out = ['<section class="keep"><h2>' + _("Category mix") + f'</h2><p class="meta">{tagged}</p>']
    rows = []
    for row in category_rows(report):
        untagged = row.get("untagged")
        colour = css_colour(report.category_colours.get(row["name"]))
        rows.append(
            tr(
                td("<em>" + _("untagged") + "</em>" if untagged else esc(row["name"])),
                td("" if untagged else share_svg(row["share"], colour, row["threshold"])),
                td("" if untagged else esc(percent(row["share"])), "num"),
                td(count(row["count"]), "num"),
                td(esc(duration(row["talk_seconds"])), "num"),
                td(esc(money(row["cost"], report.currency)), "num"),
                td('<span class="alert">' + _("ALERT") + "</span>" if row["alert"] else ""),
            )
        )
    head = [
        _("Category"),
        _("Share of tagged calls"),
        _("Share"),
        _("Calls"),
        _("Talk time"),
        _("Cost"),
        "",
    ]
    out += html_table(head, rows, "llrrrrl")
    note = _(
        "The black line is the category's alert share; ALERT = over it, once {count} calls "
        "are tagged."
    ).format(count=report.category_alert_min_calls)
    out.append(f'<p class="note">{note}</p></section>')
    return out


def _agents(report: Report) -> list[str]:
    agents = agent_rows(report.kpis)
    out = ['<section class="break"><h2>' + _("Operators") + "</h2>"]
    if agents:
        rows = [
            tr(
                td(esc(name) or "<em>" + _("none") + "</em>"),
                *(td(esc(cell), "num") for cell in agent_cells(a)),
            )
            for name, a in agents
        ]
        out += html_table(translated(AGENT_HEADINGS), rows, AGENT_ALIGN)
    else:
        out.append(f"<p>{by_kind(report.period.kind, NO_OPERATOR_CALL)}</p>")
    out.append("</section>")
    return out


def _issues(report: Report) -> list[str]:
    out = [
        '<section class="keep"><h2>' + _("Open issues") + "</h2>",
        f'<p class="meta">{esc(issues_summary(report.kpis, report.period.kind))}</p>',
    ]
    if report.open_issues:
        rows = [
            tr(
                td(str(i.id), "num"),
                td(esc(age(i.age_seconds)), "num"),
                td(esc(local_time(report, i.opened_at))),
                td(esc(i.title)),
                td(esc(i.category or "–")),
                td(esc(i.opened_by)),
            )
            for i in issues_by_age(report)
        ]
        out += html_table(["#", *translated(ISSUE_HEADINGS)], rows, "rrllll")
    else:
        out.append("<p>" + _("No open issue.") + "</p>")
    out.append("</section>")
    return out


def _calls(report: Report) -> list[str]:
    calls = report.calls or []
    title = _("Calls ({count})").format(count=count(len(calls)))
    out = [f'<section class="break"><h2>{title}</h2>']
    rows = [
        tr(
            td(local_time(report, c.started_at, call_time_form(report, "%H:%M:%S"))),
            td(esc(c.call_id)),
            td(esc(c.agent or "–")),
            td(esc(call_result(c))),
            td(esc(duration(c.talk_seconds)) if c.talk_seconds is not None else "", "num"),
            td(esc(c.category or "–")),
            td(esc(c.outcome or "–")),
            td(yes_no(c.resolved)),
            td(esc(c.note or ""), "note"),
        )
        for c in calls
    ]
    first, *rest = translated(CALL_HEADINGS)
    out += html_table([first, _("Call"), *rest], rows, "llllrllll")
    out.append("</section>")
    return out


#: The key to the change columns and their colours, one sentence per kind of period.
CHANGES_KEY = {
    "day": N_(
        "▲/▼ up/down against that day (pp = percentage points); = no change; – no figure on "
        "one of the days. Green is better, red is worse."
    ),
    "week": N_(
        "▲/▼ up/down against that week (pp = percentage points); = no change; – no figure on "
        "one of the weeks. Green is better, red is worse."
    ),
    "month": N_(
        "▲/▼ up/down against that month (pp = percentage points); = no change; – no figure on "
        "one of the months. Green is better, red is worse."
    ),
    "range": N_(
        "▲/▼ up/down against that period (pp = percentage points); = no change; – no figure "
        "on one of the periods. Green is better, red is worse."
    ),
}
