"""The text format's tables: category mix, operators, open issues and calls."""

from __future__ import annotations

from typing import Any

from carewatch.callstate import disposition
from carewatch.present import age, clean_text, duration, money, percent, yes_no
from carewatch.report.layout import ANSI, Paint, cell_width, fit, heading, wrap
from carewatch.report.model import Report
from carewatch.report.rows import (
    PERIOD_NOUN,
    agent_cells,
    agent_rows,
    category_rows,
    issues_by_age,
    issues_summary,
    local_time,
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
        "CATEGORY MIX",
        f"{tagged:,} tagged · {int(k.get('untagged') or 0):,} untagged",
        width,
        paint,
    )
    rows = category_rows(report)
    c_name, c_bar = 14 + max(0, width - 80), 20
    out.append(
        fit("category", c_name)
        + " "
        + fit("share of tagged calls", c_bar + 7)
        + fit("calls", 7, ">")
        + fit("talk time", 13, ">")
        + fit("cost", 10, ">")
    )
    for row in rows:
        untagged = row.get("untagged")
        name = "(untagged)" if untagged else clean_text(row["name"])
        colour = report.category_colours.get(row["name"])
        bar = " " * c_bar if untagged else _bar(row["share"], c_bar, row["threshold"])
        line = (
            fit(name, c_name)
            + " "
            + paint(bar, colour if colour in ANSI else None)
            + fit("" if untagged else percent(row["share"]), 7, ">")
            + fit(f"{row['count']:,}", 7, ">")
            + fit(duration(row["talk_seconds"]), 13, ">")
            + fit(money(row["cost"], report.currency), 10, ">")
        )
        if row["alert"]:
            line += " " + paint("ALERT", "red")
        out.append(line.rstrip())
    threshold = report.category_alert_shares
    default = max(threshold.values()) if threshold else None
    notes = [
        "| = a category's alert share"
        + (
            f" ({percent(default, 0)})"
            if default is not None and len(set(threshold.values())) == 1
            else ""
        )
        + f"; ALERT = over it, once {report.category_alert_min_calls} calls are tagged.",
        "Untagged = answered calls nobody tagged yet.",
    ]
    for alert in k.get("category_alerts") or ():
        name = clean_text(alert["category"])
        talk = (k.get("talk_seconds_by_category") or {}).get(alert["category"])
        cost = ((k.get("talk_cost") or {}).get("by_category") or {}).get(alert["category"])
        notes.append(
            f"ALERT {name}: {percent(alert.get('share'))} of tagged calls "
            f"(limit {percent(alert.get('threshold'), 0)}), {duration(talk)} of talk, "
            f"{money(cost, report.currency)}."
        )
    for note in notes:
        out.extend(wrap(note, width))
    return out


def agents(report: Report, width: int, paint: Paint) -> list[str]:
    """One line per operator, then the totals."""
    rows = agent_rows(report.kpis)
    out = heading("OPERATORS", f"{len(rows)} with calls or rings", width, paint)
    if not rows:
        out.append("No operator had a call this day.")
        return out
    c_name = 14 + max(0, width - 80)
    widths = (9, 12, 12, 12, 7, 6, 6)  # 14 + 64 = 78 columns

    def line(name: str, cells: tuple[str, ...]) -> str:
        return fit(name, c_name) + "".join(
            " " + fit(c, w - 1, ">") for c, w in zip(cells, widths, strict=True)
        )

    out.append(
        line(
            "operator",
            ("answered", "avg talk", "talk time", "avg wait", "tagged", "conv.", "rings"),
        )
    )
    for name, a in rows:
        out.append(line(clean_text(name) or "(none)", agent_cells(a)))
    total_answered = sum(int(a.get("answered") or 0) for _, a in rows)
    total_talk = sum(float(a.get("total_talk_seconds") or 0) for _, a in rows)
    totals = (
        f"{total_answered:,}",
        "",
        duration(total_talk),
        "",
        "",
        f"{sum(int(a.get('conversions') or 0) for _, a in rows):,}",
        f"{sum(int(a.get('missed_rings') or 0) for _, a in rows):,}",
    )
    out.append("─" * (c_name + sum(widths)))
    out.append(line("all operators", totals))
    out.extend(
        wrap(
            "tagged = share of their answered calls with a category; conv. = sales and "
            "appointments; rings = rings they did not answer.",
            width,
        )
    )
    return out


def issues(report: Report, width: int, paint: Paint) -> list[str]:
    """The issues open at the report time, oldest first."""
    open_issues = issues_by_age(report)
    oldest = max((i.age_seconds for i in open_issues), default=None)
    note = f"{len(open_issues)} open" + (f" · oldest {age(oldest)}" if open_issues else "")
    out = heading("OPEN ISSUES", note, width, paint)
    out.extend(wrap(issues_summary(report.kpis, PERIOD_NOUN[report.period.kind]), width))
    if not open_issues:
        out.append("No open issue.")
        return out
    out.append(fit("#", 5) + fit("age", 13) + fit("opened", 13) + "issue")
    for issue in open_issues:
        head = (
            fit(f"{issue.id}", 5)
            + fit(age(issue.age_seconds), 13)
            + fit(local_time(report, issue.opened_at, "%d %b %H:%M"), 13)
        )
        text = clean_text(issue.title)
        extra = []
        if issue.category:
            extra.append(clean_text(issue.category))
        if issue.opened_by:
            extra.append(f"by {clean_text(issue.opened_by)}")
        if extra:
            text += f" ({', '.join(extra)})"
        out.extend(wrap(text, width, indent=" " * 31, first=head))
    return out


def calls(report: Report, width: int, paint: Paint) -> list[str]:
    """One line per call (``--calls``), its note after it or on the lines below."""
    day_calls = report.calls or []
    out = heading("CALLS", f"{len(day_calls):,} calls", width, paint)
    if not day_calls:
        out.append(f"No call this {PERIOD_NOUN[report.period.kind]}.")
        return out
    cols = (
        ("time", 6),
        ("operator", 11),
        ("talk", 12),
        ("category", 11),
        ("outcome", 12),
        ("res.", 5),
    )
    fixed = sum(w for _, w in cols)
    note_width = width - fixed
    out.append(
        "".join(fit(t, w) for t, w in cols[:2])
        + fit("talk", 11, ">")
        + " "
        + "".join(fit(t, w) for t, w in cols[3:])
        + "note"
    )
    shown_day = None
    # Operators, categories and outcomes repeat: fit each value once.
    fitted: dict[tuple[Any, ...], str] = {}
    for call in day_calls:
        state = disposition(call) or "waiting"
        key = ("who", call.agent, state, call.direction)
        who = fitted.get(key)
        if who is None:
            name = clean_text(call.agent)
            if state != "answered":
                name = name or f"({state})"
            if call.direction == "out":
                name = f"{name} (out)" if name else "(outbound)"
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
                out.append(local_time(report, call.started_at, "%A %d %B"))
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
    out.extend(wrap("res. = resolved at first contact.", width))
    return out
