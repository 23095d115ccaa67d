"""The days the centre is closed (``closed_days``): public holidays and the like, explicit
dates with no recurrence rule. The report expects no call on them (docs/reports.md, "Closed
days"); the calls logged on them still count."""

from __future__ import annotations

import re
from datetime import date, datetime

from carewatch.i18n import _

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _one_day(value: object) -> date:
    """One closed day: an ISO date ``"2026-12-25"`` or a TOML date literal ``2026-12-25``."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(
        _('a closed day is a date such as "2026-12-25" (YYYY-MM-DD), not {value}').format(
            value=value.isoformat() if isinstance(value, datetime) else repr(value)
        )
    )


def check_closed_days(value: object) -> object:
    """``closed_days`` as the config model keeps it: the dates sorted, each once; a value that
    is not a list of dates is an error naming it."""
    if not isinstance(value, (list, tuple)):
        raise ValueError(
            _('a list of dates such as ["2026-12-25", "2027-01-01"], not {value!r}').format(
                value=value
            )
        )
    return tuple(sorted({_one_day(item) for item in value}))
