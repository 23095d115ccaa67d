"""The header's notices (:func:`header_notices`), and the one that the calls logged stop well
before the end of what a report covers (:mod:`carewatch.kpi.stopped`): the logs may not have
been read since."""

from __future__ import annotations

from datetime import datetime, timedelta

from carewatch.i18n import _, ngettext
from carewatch.present import count, date_text
from carewatch.report.model import Report
from carewatch.report.rows import (
    day_title,
    empty_notice,
    operator_notice,
    period_short,
    span_text,
)
from carewatch.report.values import had_calls


def header_notices(report: Report) -> list[str]:
    """The header's notices: a period without calls (:func:`empty_notice`), one the logs
    begin in the middle of (:func:`own_coverage_notice`), one the calls stop well before the
    end of (:func:`stopped_notice`), compared periods the logs do not reach back to the start
    of (:func:`coverage_notice`), an operator's figures (:func:`operator_notice`); the
    closed days (``closed_days``): the report's own (:func:`closed_notice`), and those it does
    not compare with (:func:`closed_compared_notice`)."""
    notices = (
        closed_notice(report),
        empty_notice(report),
        own_coverage_notice(report),
        stopped_notice(report),
        coverage_notice(report),
        closed_compared_notice(report),
        operator_notice(report),
    )
    return [n for n in notices if n]


def closed_notice(report: Report) -> str | None:
    """ "Friday 25 December 2026 is a closed day (closed_days)." for a report of one day the
    config lists as closed (its figures are shown as they are); ``None`` otherwise."""
    if not report.closed:
        return None
    return _("{day} is a closed day (closed_days).").format(day=day_title(report.period.first))


def closed_compared_notice(report: Report) -> str | None:
    """ "Fri 25 Dec was a closed day: it is not compared." for the compared days the config
    lists as closed (:func:`carewatch.report.values.comparable`: their changes are "–");
    ``None`` when there is none."""
    closed = [c for c in (report.previous, report.earlier) if c.closed]
    if not closed:
        return None
    if len(closed) == 1:
        text = _("{day} was a closed day: it is not compared.")
        return text.format(day=period_short(closed[0].period))
    text = _("{first} and {second} were closed days: they are not compared.")
    return text.format(first=period_short(closed[0].period), second=period_short(closed[1].period))


def stopped_notice(report: Report) -> str | None:
    """ "No call logged since Fri 20 Nov 14:02 (6 open weekdays, 23–30 Nov): the logs may
    not have been read since (carewatch ingest --follow)."; for one day "No call logged since
    11:02, while the same weekday a week before (Tue 17 Nov) had 412 calls between 12:00 and
    18:00: …" (or "the day before (Mon 23 Nov)"), and for today in a longer period in progress
    "No call logged since 11:02 today, while …". ``None`` when the calls do not stop before
    the report's end."""
    found = report.stopped
    if found is None:
        return None
    last = datetime.fromtimestamp(found.last_call, report.tz)
    if found.open_days:
        first, end = found.open_days[0], found.open_days[-1]
        span = span_text(first, end, year=False)
        days = ngettext(
            "{count} open weekday, {span}", "{count} open weekdays, {span}", len(found.open_days)
        ).format(count=count(len(found.open_days)), span=span)
        return _(
            "No call logged since {time} ({days}): the logs may not have been read since "
            "(carewatch ingest --follow)."
        ).format(time=date_text(last, "short_weekday_time"), days=days)
    day = found.compared_day or report.earlier.period.first
    if day == last.date() - timedelta(days=7):
        basis = _("the same weekday a week before ({day})")
    else:
        basis = _("the day before ({day})")
    values = {
        "time": f"{last:%H:%M}",
        "basis": basis.format(day=date_text(day, "short_weekday")),
        "calls": count(found.compared_calls or 0),
        "after": f"{found.after_hour or 0:02d}:00",
        "now": f"{datetime.fromtimestamp(report.as_of, report.tz):%H:%M}",
    }
    if report.period.kind != "day":  # a longer period in progress, whose last call is today
        text = _(
            "No call logged since {time} today, while {basis} had {calls} calls between "
            "{after} and {now}: the logs may not have been read since (carewatch ingest "
            "--follow)."
        )
    elif report.complete:
        text = _(
            "No call logged since {time}, while {basis} had {calls} calls after {after}: the "
            "logs may not have been read since (carewatch ingest --follow)."
        )
    else:
        text = _(
            "No call logged since {time}, while {basis} had {calls} calls between {after} and "
            "{now}: the logs may not have been read since (carewatch ingest --follow)."
        )
    return text.format(**values)


def coverage_notice(report: Report) -> str | None:
    """ "The logs begin on 21 Oct 2026, after the start of October 2026: it is not
    compared." for the compared periods that had calls but began before the first call the
    database holds (their figures are a part of them); ``None`` when there is none."""
    cut = [c for c in (report.previous, report.earlier) if not c.covered and had_calls(c.kpis)]
    if not cut or report.logged_from is None:
        return None
    day = date_text(report.logged_from, "day_month_year")
    if len(cut) == 1:
        if cut[0].period.first == report.logged_from and report.logged_at is not None:
            # a period that begins with the day the logs begin on, late in it (a site that
            # started at 14:00)
            began = datetime.fromtimestamp(report.logged_at, report.tz)
            if cut[0].period.kind == "day":
                text = _(
                    "The logs begin at {time} on {day}, after that day's first hours: it is not "
                    "compared."
                )
                return text.format(time=f"{began:%H:%M}", day=period_short(cut[0].period))
            text = _(
                "The logs begin at {time} on {day}, after that day's first hours: {period} is "
                "not compared."
            )
            return text.format(
                time=f"{began:%H:%M}",
                day=date_text(report.logged_from, "short_weekday"),
                period=period_short(cut[0].period),
            )
        text = _("The logs begin on {day}, after the start of {period}: it is not compared.")
        return text.format(day=day, period=period_short(cut[0].period))
    text = _(
        "The logs begin on {day}, after the start of {first} and of {second}: they are not "
        "compared."
    )
    return text.format(
        day=day, first=period_short(cut[0].period), second=period_short(cut[1].period)
    )


def own_coverage_notice(report: Report) -> str | None:
    """ "The logs begin on 21 Oct 2026: the figures of Oct 2026 are from that day on." for a
    period with calls that began before the first call the database holds (its figures are
    not the whole period's); ``None`` otherwise."""
    first = report.logged_from
    if first is None or first <= report.period.first or not had_calls(report.kpis):
        return None
    text = _("The logs begin on {day}: the figures of {period} are from that day on.")
    return text.format(day=date_text(first, "day_month_year"), period=period_short(report.period))
