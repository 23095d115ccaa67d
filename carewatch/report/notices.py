"""The header's notices (:func:`header_notices`), and the one that the calls logged stop well
before the end of what a report covers (:mod:`carewatch.kpi.stopped`): the logs may not have
been read since."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from carewatch.i18n import _, ngettext
from carewatch.kpi.windows import Period
from carewatch.present import count, date_text
from carewatch.report.model import Compared, Report
from carewatch.report.rows import (
    compared_short,
    day_title,
    empty_notice,
    operator_notice,
    period_short,
    short_day,
    span_text,
    years_shown,
)
from carewatch.report.values import comparable, had_calls
from carewatch.report.words import and_text


def header_notices(report: Report) -> list[str]:
    """The header's notices: a period without calls (:func:`empty_notice`), one the logs
    begin in the middle of (:func:`own_coverage_notice`), one the calls stop well before the
    end of (:func:`stopped_notice`), compared periods the logs do not reach back to the start
    of (:func:`coverage_notice`), an operator's figures (:func:`operator_notice`); the
    closed days (``closed_days``): the report's own (:func:`closed_notice`), those it does
    not compare with (:func:`closed_compared_notice`), and the periods compared per open day
    (:func:`open_days_notice`)."""
    notices = (
        closed_notice(report),
        empty_notice(report),
        own_coverage_notice(report),
        stopped_notice(report),
        coverage_notice(report),
        closed_compared_notice(report),
        open_days_notice(report, report.previous),
        open_days_notice(report, report.earlier),
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
    lists as closed (:func:`carewatch.report.values.comparable`: their changes are "–"), and
    "24–25 Dec 2026 was closed every day: it is not compared." for a longer compared period
    whose every day up to the point compared is closed; ``None`` when there is none."""
    closed = [c for c in (report.previous, report.earlier) if c.closed]
    if not closed:
        return None
    days = all(c.period.kind == "day" for c in closed)
    names = [_period_named(report, c.period) for c in closed]
    if len(closed) == 1:
        if days:
            return _("{day} was a closed day: it is not compared.").format(day=names[0])
        return _("{period} was closed every day: it is not compared.").format(period=names[0])
    if days:
        text = _("{first} and {second} were closed days: they are not compared.")
    else:
        text = _("{first} and {second} were closed every day: they are not compared.")
    return text.format(first=names[0], second=names[1])


def open_days_notice(report: Report, other: Compared) -> str | None:
    """ "W52 2026 had 6 open days (Fri 25 Dec closed) against 7 in W51 2026: the counts and
    totals are compared per open day." for a compared period whose sums are compared per open day
    (:func:`carewatch.kpi.open_days.per_open_day`: the two have a different number of open
    days and one of them holds a closed day); ``None`` otherwise."""
    if other.per_open_day is None or not comparable(other):
        return None
    own = ngettext("{count} open day", "{count} open days", report.open_days).format(
        count=count(report.open_days)
    )
    text = _(
        "{period} had {days} against {count} in {other}: the counts and totals are compared "
        "per open day."
    )
    return text.format(
        period=_period_named(report, report.period),
        days=_with_closed(own, report.closed_days, year=years_shown(report)),
        count=count(other.open_days),
        other=_with_closed(
            _period_named(report, other.period),
            other.closed_days,
            year=years_shown(report, other.period),
        ),
    )


def _period_named(report: Report, period: Period) -> str:
    """A period in a sentence: "Fri 25 Dec", "W52 2026", "Dec 2026", a range's days; a day
    with its year beside a report of another year (:func:`compared_short`)."""
    if period.kind == "range":
        return span_text(period.first, period.last)
    return compared_short(report, period)


def _with_closed(text: str, days: Sequence[date], *, year: bool = False) -> str:
    """ "6 open days (Fri 25 Dec closed)", "W52 2025 (Thu 25 Dec and Fri 26 Dec closed)" (with
    ``year``, "Fri 25 Dec 2026"); ``text`` as it is without a closed day."""
    if not days:
        return text
    names = [short_day(day, year=year) for day in days]
    listed = names[0] if len(names) == 1 else and_text(", ".join(names[:-1]), names[-1])
    phrase = ngettext("{text} ({days} closed)", "{text} ({days} closed)", len(days))
    return phrase.format(text=text, days=listed)


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
    year = years_shown(report)  # the days of a period across two years say theirs
    if found.open_days:
        first, end = found.open_days[0], found.open_days[-1]
        span = span_text(first, end, year=year)
        days = ngettext(
            "{count} open weekday, {span}", "{count} open weekdays, {span}", len(found.open_days)
        ).format(count=count(len(found.open_days)), span=span)
        return _(
            "No call logged since {time} ({days}): the logs may not have been read since "
            "(carewatch ingest --follow)."
        ).format(time=date_text(last, _STOPPED_FORMS[year]), days=days)
    day = found.compared_day or report.earlier.period.first
    if day == last.date() - timedelta(days=7):
        basis = _("the same weekday a week before ({day})")
    else:
        basis = _("the day before ({day})")
    values = {
        "time": f"{last:%H:%M}",
        "basis": basis.format(day=short_day(day, year=years_shown(report, Period.day(day)))),
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


#: How the stopped notice says the last call's time: without the year, and with it.
_STOPPED_FORMS = {False: "short_weekday_time", True: "short_weekday_year_time"}


def coverage_notice(report: Report) -> str | None:
    """ "The logs begin on 21 Oct 2026, after the start of October 2026: it is not
    compared." for the compared periods that had calls but began before the first call the
    database holds (their figures are a part of them); ``None`` when there is none."""
    cut = [
        c
        for c in (report.previous, report.earlier)
        # a closed day is said once: closed (closed_compared_notice), not also cut
        if not c.covered and not c.closed and had_calls(c.kpis)
    ]
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
                return text.format(time=f"{began:%H:%M}", day=compared_short(report, cut[0].period))
            text = _(
                "The logs begin at {time} on {day}, after that day's first hours: {period} is "
                "not compared."
            )
            return text.format(
                time=f"{began:%H:%M}",
                day=short_day(report.logged_from, year=years_shown(report, cut[0].period)),
                period=compared_short(report, cut[0].period),
            )
        text = _("The logs begin on {day}, after the start of {period}: it is not compared.")
        return text.format(day=day, period=compared_short(report, cut[0].period))
    text = _(
        "The logs begin on {day}, after the start of {first} and of {second}: they are not "
        "compared."
    )
    first, second = (compared_short(report, c.period) for c in cut)
    return text.format(day=day, first=first, second=second)


def own_coverage_notice(report: Report) -> str | None:
    """ "The logs begin on 21 Oct 2026: the figures of Oct 2026 are from that day on." for a
    period with calls that began before the first call the database holds (its figures are
    not the whole period's); ``None`` otherwise."""
    first = report.logged_from
    if first is None or first <= report.period.first or not had_calls(report.kpis):
        return None
    text = _("The logs begin on {day}: the figures of {period} are from that day on.")
    return text.format(day=date_text(first, "day_month_year"), period=period_short(report.period))
