"""The report's words that depend on the kind of period or on a call's state, and the helpers
that translate tables of marked words.

A sentence that names the kind of period ("this week", "this month") has one form per kind in
the catalog, so a language can agree it with the noun (Italian: "questa settimana", "questo
mese"); :func:`by_kind` picks and translates it. Tables hold English marked with ``N_``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from carewatch.i18n import N_, _, ngettext, pgettext
from carewatch.present import count


def by_kind(kind: str, table: Mapping[str, str]) -> str:
    """The sentence of ``table`` (marked with ``N_``, one per kind of period) for ``kind``,
    translated."""
    return _(table[kind])


def translated(texts: Iterable[str]) -> list[str]:
    """Headings marked with ``N_`` in a table, translated."""
    return [_(text) for text in texts]


SUMMARY_TITLES = {
    "day": N_("End-of-day summary"),
    "week": N_("Weekly summary"),
    "month": N_("Monthly summary"),
    "range": N_("Summary"),
}


def and_text(first: str, second: str) -> str:
    """ "a and b"."""
    return _("{first} and {second}").format(first=first, second=second)


WHOLE_PERIOD = {
    "day": N_("Figures for the whole day"),
    "week": N_("Figures for the whole week"),
    "month": N_("Figures for the whole month"),
    "range": N_("Figures for the whole period"),
}


def over_in_progress(kind: str, n: int) -> str:
    """ "Day over; 2 calls that began in it are still in progress: their figures are not
    final" (a period just over, with ``n`` of its calls waiting or being talked), one sentence
    per kind of period and number."""
    if kind == "day":
        text = ngettext(
            "Day over; {count} call that began in it is still in progress: its figures are "
            "not final",
            "Day over; {count} calls that began in it are still in progress: their figures "
            "are not final",
            n,
        )
    elif kind == "week":
        text = ngettext(
            "Week over; {count} call that began in it is still in progress: its figures are "
            "not final",
            "Week over; {count} calls that began in it are still in progress: their figures "
            "are not final",
            n,
        )
    elif kind == "month":
        text = ngettext(
            "Month over; {count} call that began in it is still in progress: its figures are "
            "not final",
            "Month over; {count} calls that began in it are still in progress: their figures "
            "are not final",
            n,
        )
    else:
        text = ngettext(
            "Period over; {count} call that began in it is still in progress: its figures "
            "are not final",
            "Period over; {count} calls that began in it are still in progress: their "
            "figures are not final",
            n,
        )
    return text.format(count=count(n))


NOT_STARTED = {
    "day": N_("Day not started yet: it begins on {start}"),
    "week": N_("Week not started yet: it begins on {start}"),
    "month": N_("Month not started yet: it begins on {start}"),
    "range": N_("Period not started yet: it begins on {start}"),
}


NOT_OVER = {
    "week": N_(
        "Week not over: figures up to {point}, compared with the other weeks up to the same "
        "point ({cuts})"
    ),
    "month": N_(
        "Month not over: figures up to {point}, compared with the other months up to the same "
        "point ({cuts})"
    ),
    "range": N_(
        "Period not over: figures up to {point}, compared with the other periods up to the "
        "same point ({cuts})"
    ),
}


VALUE_HEADINGS = {
    "day": N_("today"),
    "week": N_("this week"),
    "month": N_("this month"),
    "range": N_("period"),
}


#: The trend's span when it shows one period only (no "the last 1 week").
LAST_ONE = {
    "day": N_("the last day"),
    "week": N_("the last week"),
    "month": N_("the last month"),
    "range": N_("the last period"),
}


def last_periods(kind: str, n: int) -> str:
    """ "the last 12 weeks" (the trend's span); "the last week" for one."""
    if n == 1:
        return by_kind(kind, LAST_ONE)
    if kind == "day":
        text = ngettext("the last {count} day", "the last {count} days", n)
    elif kind == "week":
        text = ngettext("the last {count} week", "the last {count} weeks", n)
    elif kind == "month":
        text = ngettext("the last {count} month", "the last {count} months", n)
    else:
        text = ngettext("the last {count} period", "the last {count} periods", n)
    return text.format(count=n)


OPENED_SUMMARY = {
    "day": N_("Opened this day: {opened}; resolved: {resolved}, in {average} on average."),
    "week": N_("Opened this week: {opened}; resolved: {resolved}, in {average} on average."),
    "month": N_("Opened this month: {opened}; resolved: {resolved}, in {average} on average."),
    "range": N_("Opened this period: {opened}; resolved: {resolved}, in {average} on average."),
}


def result_word(state: str | None) -> str:
    """ "answered", "abandoned", "missed" or "waiting" (a call's result, translated in the
    context "call": one call, where a column of counts says "answered" of many); an unknown
    state as it is."""
    state = state or "waiting"
    if state == "answered":
        return pgettext("call", "answered")
    if state == "abandoned":
        return pgettext("call", "abandoned")
    if state == "missed":
        return pgettext("call", "missed")
    if state == "waiting":
        return pgettext("call", "waiting")
    return state
