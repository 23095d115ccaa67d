"""The header's notices (:func:`header_notices`), and the one that the calls logged stop well
before the end of what a report covers (:mod:`carewatch.kpi.stopped`): the logs may not have
been read since."""

from __future__ import annotations

from datetime import datetime

from carewatch.i18n import _, ngettext
from carewatch.present import count, date_text
from carewatch.report.model import Report
from carewatch.report.rows import (
    coverage_notice,
    empty_notice,
    operator_notice,
    own_coverage_notice,
    span_text,
)


def header_notices(report: Report) -> list[str]:
    """The header's notices: a period without calls (:func:`empty_notice`), one the logs
    begin in the middle of (:func:`own_coverage_notice`), one the calls stop well before the
    end of (:func:`stopped_notice`), compared periods the logs do not reach back to the start
    of (:func:`coverage_notice`), an operator's figures (:func:`operator_notice`)."""
    notices = (
        empty_notice(report),
        own_coverage_notice(report),
        stopped_notice(report),
        coverage_notice(report),
        operator_notice(report),
    )
    return [n for n in notices if n]


def stopped_notice(report: Report) -> str | None:
    """ "No call logged since Fri 20 Nov 14:02 (6 open weekdays, 23–30 Nov): the logs may
    not have been read since (carewatch ingest --follow)."; for one day "No call logged since
    11:02, while the same weekday a week before (Tue 17 Nov) had 412 calls between 12:00 and
    18:00: …". ``None`` when the calls do not stop before the report's end."""
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
    values = {
        "time": f"{last:%H:%M}",
        "day": date_text(report.earlier.period.first, "short_weekday"),
        "calls": count(found.compared_calls or 0),
        "after": f"{found.after_hour or 0:02d}:00",
    }
    if report.complete:
        text = _(
            "No call logged since {time}, while the same weekday a week before ({day}) had "
            "{calls} calls after {after}: the logs may not have been read since (carewatch "
            "ingest --follow)."
        )
        return text.format(**values)
    text = _(
        "No call logged since {time}, while the same weekday a week before ({day}) had {calls} "
        "calls between {after} and {now}: the logs may not have been read since (carewatch "
        "ingest --follow)."
    )
    return text.format(now=f"{datetime.fromtimestamp(report.as_of, report.tz):%H:%M}", **values)
