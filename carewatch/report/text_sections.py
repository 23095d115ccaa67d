"""The text format's tables: category mix, operators, open issues and calls."""

from __future__ import annotations

from typing import Any

from carewatch.callstate import disposition
from carewatch.i18n import N_, _, ngettext
from carewatch.present import age, clean_text, count, duration, money, percent, yes_no
from carewatch.report.layout import (
    ANSI,
    LEAST_NAME,
    Paint,
    cell_width,
    fit,
    heading,
    named_row,
    widened,
    wrap,
)
from carewatch.report.model import Report
from carewatch.report.rows import (
    agent_cells,
    agent_rows,
    category_rows,
    issues_by_age,
    issues_summary,
    local_time,
    years_shown,
)
from carewatch.report.words import (
    by_kind,
    result_word,
)


def _bar(share: float | None, cells: int, threshold: float | None = None) -> str:
    """A share 0–1 as a bar of ``cells`` characters: █ filled, · empty, | at the threshold."""
    filled = 0 if share is None else min(cells, round(share * cells))
    chars = ["█"] * filled + ["·"] * (cells - filled)
    if threshold is not None and 0 < threshold < 1:
        mark = min(cells - 1, round(threshold * cells))
        if chars[mark] == "·":
            chars[mark] = "|"
    return "".join(chars)


def categories(report: Report, width: int, paint: Paint) -> list[str]:
    """The category mix: a bar per category against its alert share, then the alerts."""
    k = report.kpis
    tagged = k.get("tagged")
    if tagged is None:
        tagged = sum(int(v.get("count") or 0) for v in (k.get("category_mix") or {}).values())
    out = heading(
        _("CATEGORY MIX"),
        _("{tagged} tagged · {untagged} untagged").format(
            tagged=count(tagged), untagged=count(int(k.get("untagged") or 0))
        ),
        width,
        paint,
    )
    rows = category_rows(report)
    c_bar = 20
    shown = [
        (count(row["count"]), duration(row["talk_seconds"]), money(row["cost"], report.currency))
        for row in rows
    ]
    c_calls, c_talk, c_cost = widened((7, 13, 10), shown)
    # 8 columns kept for " ALERT"; the name gives the room a wider figure needs
    c_name = max(
        LEAST_NAME,
        min(14 + max(0, width - 80), width - 8 - (1 + c_bar + 7 + c_calls + c_talk + c_cost)),
    )
    out.append(
        fit(_("category"), c_name)
        + " "
        + fit(_("share of tagged calls"), c_bar + 7)
        + fit(_("calls"), c_calls, ">")
        + fit(_("talk time"), c_talk, ">")
        + fit(_("cost"), c_cost, ">")
    )
    for row, (calls_cell, talk_cell, cost_cell) in zip(rows, shown, strict=True):
        untagged = row.get("untagged")
        name = _("(untagged)") if untagged else clean_text(row["name"])
        colour = report.category_colours.get(row["name"])
        bar = " " * c_bar if untagged else _bar(row["share"], c_bar, row["threshold"])
        line = (
            fit(name, c_name)
            + " "
            + paint(bar, colour if colour in ANSI else None)
            + fit("" if untagged else percent(row["share"]), 7, ">")
            + fit(calls_cell, c_calls, ">")
            + fit(talk_cell, c_talk, ">")
            + fit(cost_cell, c_cost, ">")
        )
        if row["alert"]:
            line += " " + paint(_("ALERT"), "red")
        out.append(line.rstrip())
    threshold = report.category_alert_shares
    default = max(threshold.values()) if threshold else None
    one_share = default is not None and len(set(threshold.values())) == 1
    key = (
        _("| = a category's alert share ({share}); ALERT = over it, once {count} calls are tagged.")
        if one_share
        else _("| = a category's alert share; ALERT = over it, once {count} calls are tagged.")
    )
    notes = [
        key.format(share=percent(default, 0), count=report.category_alert_min_calls),
        _("Untagged = answered calls nobody tagged yet."),
    ]
    for alert in k.get("category_alerts") or ():
        name = clean_text(alert["category"])
        talk = (k.get("talk_seconds_by_category") or {}).get(alert["category"])
        cost = ((k.get("talk_cost") or {}).get("by_category") or {}).get(alert["category"])
        notes.append(
            _(
                "ALERT {name}: {share} of tagged calls (limit {limit}), {talk} of talk, {cost}."
            ).format(
                name=name,
                share=percent(alert.get("share")),
                limit=percent(alert.get("threshold"), 0),
                talk=duration(talk),
                cost=money(cost, report.currency),
            )
        )
    for note in notes:
        out.extend(wrap(note, width))
    return out


def agents(report: Report, width: int, paint: Paint) -> list[str]:
    """One line per operator, then the totals."""
    rows = agent_rows(report.kpis)
    out = heading(
        _("OPERATORS"), _("{count} with calls or rings").format(count=len(rows)), width, paint
    )
    if not rows:
        out.append(_("No operator had a call this day."))
        return out
    cells = [agent_cells(a) for _n, a in rows]
    total_answered = sum(int(a.get("answered") or 0) for _, a in rows)
    total_talk = sum(float(a.get("total_talk_seconds") or 0) for _, a in rows)
    totals = (
        count(total_answered),
        "",
        duration(total_talk),
        "",
        "",
        count(sum(int(a.get("conversions") or 0) for _n, a in rows)),
        count(sum(int(a.get("missed_rings") or 0) for _n, a in rows)),
    )
    # 14 + 64 = 78 columns; a figure of a long period widens its column, the name gives way
    widths = widened((9, 12, 12, 12, 7, 6, 6), [*cells, totals])
    c_name = max(LEAST_NAME, min(14 + max(0, width - 80), width - sum(widths)))

    def figures(cells: tuple[str, ...]) -> str:
        return "".join(" " + fit(c, w - 1, ">") for c, w in zip(cells, widths, strict=True))

    def line(name: str, cells: tuple[str, ...]) -> str:
        return fit(name, c_name) + figures(cells)

    out.append(
        line(
            _("operator"),
            tuple(
                _(t)
                for t in (
                    N_("answered"),
                    N_("avg talk"),
                    N_("talk time"),
                    N_("avg wait"),
                    N_("tagged"),
                    N_("conv."),
                    N_("rings"),
                )
            ),
        )
    )
    for (name, _a), shown in zip(rows, cells, strict=True):
        out += named_row(clean_text(name) or _("(none)"), c_name, width, figures(shown))
    out.append("─" * (c_name + sum(widths)))
    out.append(line(_("all operators"), totals))
    out.extend(
        wrap(
            _(
                "tagged = share of their answered calls with a category; conv. = sales and "
                "appointments; rings = rings they did not answer."
            ),
            width,
        )
    )
    return out


def issues(report: Report, width: int, paint: Paint) -> list[str]:
    """The issues open at the report time, oldest first."""
    open_issues = issues_by_age(report)
    oldest = max((i.age_seconds for i in open_issues), default=None)
    note = (
        _("{count} open · oldest {age}").format(count=len(open_issues), age=age(oldest))
        if open_issues
        else _("{count} open").format(count=0)
    )
    out = heading(_("OPEN ISSUES"), note, width, paint)
    out.extend(wrap(issues_summary(report.kpis, report.period.kind), width))
    if not open_issues:
        out.append(_("No open issue."))
        return out
    out.append(fit("#", 5) + fit(_("age"), 13) + fit(_("opened"), 13) + _("issue"))
    for issue in open_issues:
        head = (
            fit(f"{issue.id}", 5)
            + fit(age(issue.age_seconds), 13)
            + fit(local_time(report, issue.opened_at, "day_month_time"), 13)
        )
        text = clean_text(issue.title)
        extra = []
        if issue.category:
            extra.append(clean_text(issue.category))
        if issue.opened_by:
            extra.append(_("by {name}").format(name=clean_text(issue.opened_by)))
        if extra:
            text += f" ({', '.join(extra)})"
        out.extend(wrap(text, width, indent=" " * 31, first=head))
    return out


def calls(report: Report, width: int, paint: Paint) -> list[str]:
    """One line per call (``--calls``), its note after it or on the lines below."""
    day_calls = report.calls or []
    out = heading(
        _("CALLS"),
        ngettext("{count} call", "{count} calls", len(day_calls)).format(
            count=count(len(day_calls))
        ),
        width,
        paint,
    )
    if not day_calls:
        out.append(by_kind(report.period.kind, NO_CALL))
        return out
    cols = (
        (_("time"), 6),
        (_("operator"), 11),
        (_("talk"), 12),
        (_("category"), 11),
        (_("outcome"), 12),
        (_("res."), 5),
    )
    fixed = sum(w for _, w in cols)
    note_width = width - fixed
    out.append(
        "".join(fit(t, w) for t, w in cols[:2])
        + fit(_("talk"), 11, ">")
        + " "
        + "".join(fit(t, w) for t, w in cols[3:])
        + _("note")
    )
    shown_day = None
    # each day's heading: "Monday 13 May"; across two years "Monday 28 December 2026"
    heading_form = "full" if years_shown(report) else "weekday"
    # Operators, categories and outcomes repeat: fit each value once.
    fitted: dict[tuple[Any, ...], str] = {}
    for call in day_calls:
        state = disposition(call) or "waiting"
        key = ("who", call.agent, state, call.direction)
        who = fitted.get(key)
        if who is None:
            name = clean_text(call.agent)
            if state != "answered":
                name = name or f"({result_word(state)})"
            if call.direction == "out":
                name = _("{result} (out)").format(result=name) if name else _("(outbound)")
            who = fitted[key] = fit(name or "–", 11)
        tags = fitted.get(("tags", call.category, call.outcome, call.resolved))
        if tags is None:
            tags = fitted[("tags", call.category, call.outcome, call.resolved)] = (
                fit(clean_text(call.category) or "–", 11)
                + fit(clean_text(call.outcome) or "–", 12)
                + fit(yes_no(call.resolved), 5)
            )
        if not report.is_day:  # a longer period: the calls of each day under its date
            day = local_time(report, call.started_at, "%Y-%m-%d")
            if day != shown_day:
                shown_day = day
                out.append(local_time(report, call.started_at, heading_form))
        talk = duration(call.talk_seconds) if state == "answered" else ""
        head = local_time(report, call.started_at, "%H:%M ") + who + fit(talk, 11, ">") + " " + tags
        note = " ".join(clean_text(call.note).split())
        if not note:
            out.append(head.rstrip())
        elif cell_width(note) <= note_width:
            out.append(head + note)
        else:
            out.append(head.rstrip())
            out.extend(wrap(note, width, indent=" " * 8, first="      ↳ "))
    out.extend(wrap(_("res. = resolved at first contact."), width))
    return out


#: "No call this day.", one per kind of period.
NO_CALL = {
    "day": N_("No call this day."),
    "week": N_("No call this week."),
    "month": N_("No call this month."),
    "range": N_("No call this period."),
}
