"""How carewatch says things to people: the one presentation module of the report and the screen.

Durations, percentages, counts, money and KPI values, and the cleaning of text that came from
a log or a user before it is shown. Every face of carewatch (the report's five formats, the
live screen, the command line's messages) formats through these functions, so a figure reads
the same on paper and on the screen.

``None`` is shown as :data:`DASH` ("–"): no data, never 0.

In Italian (:func:`carewatch.i18n.language` is ``"it"``) the same functions speak the locale:
"1.234,5", "32,5%", "1.234,50 €", "5 g 12 h", "lunedì 30 marzo 2026" (dates through Babel,
imported only then). In English every function gives exactly what it always gave.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from carewatch.i18n import _, language
from carewatch.kpi.definitions import definition, label

if TYPE_CHECKING:
    from carewatch.config import Privacy

DASH = "–"


# -- the locale -------------------------------------------------------------------------------


def _italian() -> bool:
    return language() == "it"


_SWAP = str.maketrans(",.", ".,")


def localised(number: str) -> str:
    """A number written the English way ("1,234.5") in the current language ("1.234,5")."""
    return number.translate(_SWAP) if _italian() else number


def number(value: float, decimals: int = 0) -> str:
    """A number with thousands separators and ``decimals`` decimals: "1,234.5" / "1.234,5"."""
    return localised(f"{value:,.{decimals}f}")


#: The forms of a date: (the English ``strftime`` pattern, ``{day}`` for the day without a
#: leading zero; the CLDR pattern Babel formats the other languages with).
DATE_FORMS: dict[str, tuple[str, str]] = {
    "full": ("%A {day} %B %Y", "full"),
    "weekday": ("%A %d %B", "EEEE d MMMM"),
    "short_weekday": ("%a {day} %b", "EEE d MMM"),
    "short_weekday_year": ("%a {day} %b %Y", "EEE d MMM y"),
    "day_month": ("{day} %b", "d MMM"),
    "day_month_year": ("{day} %b %Y", "d MMM y"),
    "month_year": ("%B %Y", "LLLL y"),
    "short_month_year": ("%b %Y", "LLL y"),
    "day_month_time": ("%d %b %H:%M", "dd MMM HH:mm"),
    "short_day_month_time": ("{day} %b %H:%M", "d MMM HH:mm"),
    "short_weekday_time": ("%a {day} %b %H:%M", "EEE d MMM HH:mm"),
    "short_weekday_year_time": ("%a {day} %b %Y %H:%M", "EEE d MMM y HH:mm"),
    "day_month_year_time": ("{day} %b %Y %H:%M", "d MMM y HH:mm"),
}


def date_text(value: date, form: str = "full") -> str:
    """A date (or a local ``datetime``) as people read it, in one of :data:`DATE_FORMS`:
    "Monday 30 March 2026" / "lunedì 30 marzo 2026", "Tue 14 May" / "mar 14 mag", "13 May
    2024" / "13 mag 2024", "May 2024" / "maggio 2024", "14 May 12:00" / "14 mag 12:00"."""
    english, pattern = DATE_FORMS[form]
    if not _italian():
        return value.strftime(english.replace("{day}", str(value.day)))
    from babel.dates import format_date, format_datetime

    if isinstance(value, datetime):
        return format_datetime(value.replace(tzinfo=None), pattern, locale=language())
    return format_date(value, pattern, locale=language())


def time_text(stamp: datetime, fmt: str) -> str:
    """A local time: ``fmt`` a ``strftime`` pattern (a machine-like form, "2024-05-14 12:00",
    "09:30", the same in every language) or the name of one of :data:`DATE_FORMS`."""
    return stamp.strftime(fmt) if fmt.startswith("%") else date_text(stamp, fmt)


def kpi_label(key: str) -> str:
    """The label of a KPI (:mod:`carewatch.kpi.definitions`) in the current language."""
    return _(label(key))


# -- durations ---------------------------------------------------------------------------------


def duration(seconds: float | None) -> str:
    """ "1 h 05 min", "2 min 05 s" or "45 s" ("7,839 h 04 min" in a year); "–" for no
    value."""
    if seconds is None:
        return DASH
    total = round(seconds)
    if total >= 3600:
        h, rem = divmod(total, 3600)
        return f"{count(h)} h {rem // 60:02d} min"
    if total >= 60:
        m, s = divmod(total, 60)
        return f"{m} min {s:02d} s"
    return f"{total} s"


def age(seconds: float | None) -> str:
    """An age that may run to days: "45 s", "12 min 05 s", "3 h 10 min", "2 d 4 h"."""
    if seconds is None:
        return DASH
    total = max(0, round(seconds))
    days, rest = divmod(total, 86400)
    if days:
        hours = rest // 3600
        unit = "g" if _italian() else "d"
        return f"{count(days)} {unit} {hours} h" if hours else f"{count(days)} {unit}"
    return duration(total)


def clock(seconds: float | None, empty: str = DASH) -> str:
    """A running or short duration as a clock: "0:07", "2:05", "1:02:03"; ``empty`` for none."""
    if seconds is None:
        return empty
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def short_duration(seconds: float | None) -> str:
    """The tiles' form: "45 s", "2:05", "1 h 05"; "–" for no value."""
    if seconds is None:
        return DASH
    total = max(0, round(seconds))
    if total < 60:
        return f"{total} s"
    if total < 3600:
        return f"{total // 60}:{total % 60:02d}"
    hours, rem = divmod(total, 3600)
    return f"{hours} h {rem // 60:02d}"


def minutes(seconds: float | None) -> str:
    """Whole minutes: "12 min", "1 h 05"; "" for no value (time in a state, logged in)."""
    if seconds is None:
        return ""
    whole = max(0, int(seconds // 60))
    return f"{whole // 60} h {whole % 60:02d}" if whole >= 60 else f"{whole} min"


# -- numbers -----------------------------------------------------------------------------------


def percent(share: float | None, decimals: int = 1, *, trim: bool = False) -> str:
    """A fraction 0–1 as a percentage: "62.5%" ("62,5%" in Italian); ``trim`` drops a ".0"
    ("60%"); "–" for none."""
    if share is None:
        return DASH
    text = f"{share * 100:.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{localised(text)}%"


def count(value: Any) -> str:
    """A count with thousands separators: "12,345" ("12.345" in Italian); "–" for none."""
    return DASH if value is None else localised(f"{int(value):,}")


def money_places() -> int:
    """The decimals :func:`money` shows: the cents in Italian, whole units in English."""
    return 2 if _italian() else 0


def money(value: float | None, currency: str | None = None) -> str:
    """Money in whole units: "€ 1,234" (or "1,234" without a currency); in Italian with the
    cents and the currency after the amount, "1.234,50 €"; "–" for none."""
    if value is None:
        return DASH
    places = money_places()
    if places:
        amount = number(value, places)
        return f"{amount} {currency}" if currency else amount
    amount = f"{value:,.0f}"
    return f"{currency} {amount}" if currency else amount


def kpi_value(key: str, value: Any, *, currency: str | None = None) -> str:
    """A KPI value as its kind is read (:mod:`carewatch.kpi.definitions`): "12.5%" for rates,
    "2 min 05 s" for seconds (from one day on: in days for an age, in hours for a duration),
    "1,234" for counts, "4.26" or "35" for scores, money in whole units. ``talk_cost`` may
    be given as the snapshot's ``{"total", "by_category"}``: its total is shown. "–" for
    ``None``."""
    if isinstance(value, Mapping) and "total" in value:
        value = value["total"]
    if value is None:
        return DASH
    found = definition(key)
    kind = found.kind if found else None
    if kind == "rate":
        return percent(value)
    if kind == "seconds":
        return age(value) if found is not None and found.age else duration(value)
    if kind == "count":
        return count(value)
    if kind == "score":
        decimals = found.decimals if found else 1
        return number(value, decimals)
    if kind == "money":
        return money(value, currency)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return localised(f"{value:,}")
    if isinstance(value, float):
        return number(value, 2)
    return str(value)


def name_order(name: str) -> tuple[str, str]:
    """The key that sorts names as people look them up: by their letters whatever the case
    (``dana``, ``erik``, ``Local/2005…``, not every capital first), then as written."""
    return name.casefold(), name


def yes_no(value: bool | None) -> str:
    """ "yes" / "no" / "–" ("sì" / "no" in Italian)."""
    return DASH if value is None else (_("yes") if value else _("no"))


# -- text from logs ----------------------------------------------------------------------------

#: Longest text a cell or a label shows; longer values are cut with an ellipsis.
MAX_TEXT = 200

_ESCAPE_RE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|.?)"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
)
_SPACES_RE = re.compile(r"[\t\n\r\v\f]+")
#: Control, format (bidi overrides, zero-width), surrogate and private-use characters.
_DROPPED = frozenset({"Cc", "Cf", "Cs", "Co"})


def strip_escapes(text: str) -> str:
    """``text`` without terminal escape sequences (colour codes, titles…), nothing else."""
    return _ESCAPE_RE.sub("", text)


def printable(text: str) -> str:
    """A message for the terminal with every character it would act on written out: control
    and format characters (an escape sequence in a file's name, a bell, a bidi override) as
    ``\\x1b``, ``\\u202e``... so a name reads as what it is and cannot retitle or recolour the
    terminal. Line breaks stay: a message may have several lines."""
    if text.isprintable():
        return text
    return "\n".join(
        "".join(
            ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in line
        )
        for line in text.split("\n")
    )


def clean_text(value: object, *, limit: int | None = None) -> str:
    """Text from a log or a user made safe to show, on one line.

    Terminal escape sequences (ANSI CSI, OSC, DCS…) are removed whole, so ``"\\x1b[2J"``
    cannot clear a screen; a run of line breaks and tabs becomes one space; other control, format
    (bidi override) and private-use characters are dropped; surrounding blanks are trimmed.
    ``limit`` cuts the result to that many characters with an ellipsis. ``None`` gives "".
    Markup is left as it is: each face escapes it in its own way.
    """
    if value is None:
        return ""
    text = str(value)
    if not text.isprintable():
        text = _SPACES_RE.sub(" ", strip_escapes(text))
        text = "".join(ch for ch in text if unicodedata.category(ch) not in _DROPPED)
    text = text.strip()
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text


def mask_caller(caller: str | None, privacy: Privacy, *, limit: int = MAX_TEXT) -> str:
    """A caller number as carewatch shows it: the last ``visible_digits`` digits kept and
    every other digit replaced by ``*`` when ``privacy.mask_callers`` is on.

    ``"+39 333 123 4567"`` -> ``"+** *** *** 4567"``. Letters (a caller *name*) are masked
    too, so nothing identifying is left but the visible digits.
    """
    text = clean_text(caller, limit=limit)
    if not text or not privacy.mask_callers:
        return text
    keep = privacy.visible_digits
    positions = [i for i, ch in enumerate(text) if ch.isalnum()]
    visible = set(positions[len(positions) - keep :]) if keep else set()
    return "".join(ch if (i in visible or not ch.isalnum()) else "*" for i, ch in enumerate(text))
