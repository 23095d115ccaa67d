"""carewatch's own call-log formats: CSV with a header row, and JSON Lines.

Both carry the fields of SPEC "carewatch CSV / JSONL fields". One row or object is one
:class:`~carewatch.records.CallUpdate`: the values it has, validated and converted
(times to UTC epoch seconds, durations to seconds, flags to ``bool``, scores to ``int``),
plus what :func:`derive` can work out from them. Empty values are left out, so a later
row with an empty field leaves the value an earlier row gave.

The validators (:func:`to_seconds`, :func:`to_score`, :func:`to_bool`, ...) are shared
with the ``mapped`` format.
"""

from __future__ import annotations

import csv
import json
import math
import re
from datetime import tzinfo
from typing import Any

from carewatch.bounds import MAX_CALL_ID, SCORE_RANGES
from carewatch.records import (
    CALL_FIELDS,
    DIRECTIONS,
    DISPOSITIONS,
    BadLine,
    CallUpdate,
    Record,
    derive,
)
from carewatch.sources.base import IncompleteRecord, Parser, clean_text
from carewatch.timeutil import parse_duration, parse_timestamp

#: The columns / keys the formats know. ``transferred`` is accepted too (a boolean).
FIELDS: tuple[str, ...] = ("call_id", *CALL_FIELDS)

#: The fields after ``call_id``, in order; and all of them as a set (fast ``in``).
_VALUE_FIELDS = FIELDS[1:]
_FIELD_SET = frozenset(FIELDS)

TIME_FIELDS = ("started_at", "answered_at", "ended_at")
DURATION_FIELDS = ("wait_seconds", "talk_seconds")
TEXT_FIELDS = ("queue", "agent", "caller", "category", "outcome", "note")
BOOL_FIELDS = ("resolved", "transferred")

#: What kind of value each field holds (one lookup per value read).
_KINDS: dict[str, str] = {
    **dict.fromkeys(TIME_FIELDS, "time"),
    **dict.fromkeys(DURATION_FIELDS, "duration"),
    **dict.fromkeys(TEXT_FIELDS, "text"),
    **dict.fromkeys(BOOL_FIELDS, "bool"),
    **dict.fromkeys(SCORE_RANGES, "score"),
}


_LINE_BREAKS = re.compile(r"[\r\n]+")

_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


# -- validators shared with the mapped format ------------------------------------------


def shown(value: Any) -> str:
    """A value as it may appear in a :class:`BadLine` detail: printable and short."""
    text = clean_text(str(value)) or ""
    return text if len(text) <= 40 else text[:39] + "…"


def bad_value(name: str, value: Any) -> BadLine:
    """The :class:`BadLine` for a value that a field cannot take: ``bad value: csat=7``."""
    return BadLine("bad value", f"{name}={shown(value)}")


def to_seconds(name: str, value: Any) -> float:
    """A duration (``75``, ``"75.5"``, ``"0:01:15"``) -> seconds ≥ 0, or ``bad value``."""
    if isinstance(value, bool):
        raise bad_value(name, value)
    if isinstance(value, int | float):
        try:
            seconds = float(value)
        except OverflowError:  # an integer of hundreds of digits
            raise bad_value(name, value) from None
    else:
        try:
            seconds = parse_duration(str(value))
        except (ValueError, OverflowError):
            raise bad_value(name, value) from None
    if not math.isfinite(seconds) or seconds < 0:
        raise bad_value(name, value)
    return seconds


def to_score(name: str, value: Any, low: int, high: int) -> int:
    """A whole number in ``low..high`` (``4``, ``"4"``, ``"4.0"``), or ``bad value``."""
    if isinstance(value, bool):
        raise bad_value(name, value)
    try:
        number = float(value) if isinstance(value, int | float) else float(str(value).strip())
    except (ValueError, OverflowError):
        raise bad_value(name, value) from None
    if not math.isfinite(number) or not number.is_integer() or not low <= number <= high:
        raise bad_value(name, value)
    return int(number)


def to_bool(name: str, value: Any) -> bool:
    """``true/false``, ``yes/no``, ``y/n``, ``1/0`` (any case) or a JSON boolean."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise bad_value(name, value)


def to_epoch(name: str, value: Any, tz: tzinfo) -> float:
    """A time (epoch seconds, ISO 8601 with or without offset) -> epoch, or ``bad timestamp``.

    Naive ISO times are in ``tz``.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadLine("bad timestamp", f"{name}={shown(value)}")
    try:
        epoch = parse_timestamp(str(value), tz)
    except (ValueError, OverflowError, OSError):
        raise BadLine("bad timestamp", f"{name}={shown(value)}") from None
    if not math.isfinite(epoch):
        raise BadLine("bad timestamp", f"{name}={shown(value)}")
    return epoch


def to_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (any case), or ``bad value``."""
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text not in choices:
        raise bad_value(name, value)
    return text


def to_text(name: str, value: Any) -> str | None:
    """A text field: line breaks (a quoted CSV field may span lines) become one space,
    other control characters are removed, blanks trimmed; numbers become text."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise bad_value(name, value)
    text = str(value)
    if "\n" in text or "\r" in text:
        text = " ".join(part.strip() for part in _LINE_BREAKS.split(text) if part.strip())
    return clean_text(text)


def convert_value(name: str, value: Any, tz: tzinfo) -> Any:
    """One field of the carewatch formats -> its stored value, ``None`` when empty.

    Raises :class:`BadLine` (``bad timestamp`` or ``bad value``) when it is not valid.
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    elif isinstance(value, list | dict):
        raise bad_value(name, value)
    kind = _KINDS.get(name)
    if kind == "time":
        return to_epoch(name, value, tz)
    if kind == "duration":
        return to_seconds(name, value)
    if kind == "text":
        return to_text(name, value)
    if kind == "bool":
        return to_bool(name, value)
    if kind == "score":
        low, high = SCORE_RANGES[name]
        return to_score(name, value, low, high)
    if name == "direction":
        return to_choice(name, value, DIRECTIONS)
    if name == "disposition":
        return to_choice(name, value, DISPOSITIONS)
    raise ValueError(f"not a carewatch field: {name!r}")  # pragma: no cover - a bug


def to_call_id(value: Any) -> str:
    """The ``call_id`` field: non-empty printable text (numbers allowed), or ``BadLine``."""
    if value is None:
        raise BadLine("missing call id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise bad_value("call_id", value)
    call_id = clean_text(str(value))
    if call_id is None:
        raise BadLine("missing call id")
    if len(call_id) > MAX_CALL_ID:
        raise BadLine("bad value", f"call_id longer than {MAX_CALL_ID} characters")
    return call_id


def build_update(values: dict[str, Any], tz: tzinfo) -> CallUpdate:
    """Raw values by field name (CSV text or JSON values) -> one :class:`CallUpdate`.

    Unknown names are ignored; empty values are left out; ``creates`` is true when the
    row has a ``started_at``.
    """
    call_id = to_call_id(values.get("call_id"))
    fields: dict[str, Any] = {}
    for name in _VALUE_FIELDS:
        if name in values:
            value = values[name]
            if value is None or value == "":
                continue  # empty (what convert_value returns None for), without the call
            converted = convert_value(name, value, tz)
            if converted is not None:
                fields[name] = converted
    return CallUpdate(call_id, derive(fields), creates="started_at" in fields)


def normalise_name(name: str) -> str:
    """A column or key name as the formats compare it: ``" Call-ID "`` -> ``call_id``."""
    return name.strip().lower().replace(" ", "_").replace("-", "_")


# -- parsers ---------------------------------------------------------------------------


def split_csv(line: str, delimiter: str = ",") -> list[str]:
    """One CSV line -> its cells, or ``BadLine("malformed")`` (e.g. an unclosed quote).

    A carriage return inside the line (a lone CR, never a line end here) is read as a blank,
    as a text field would show it anyway: the csv module refuses one in an unquoted cell.
    """
    try:
        rows = list(csv.reader([line.replace("\r", " ")], delimiter=delimiter, strict=True))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise IncompleteRecord() from None
        raise BadLine("malformed", str(exc)) from None
    if len(rows) != 1:
        raise BadLine("malformed", "not one CSV row")
    return rows[0]


def fit_row(cells: list[str], width: int) -> list[str]:
    """A row's cells checked against the header's width (``BadLine("malformed")``).

    Extra trailing empty cells (a trailing delimiter) are dropped; a short row, e.g. a
    half-written last line, is malformed.
    """
    if len(cells) == width:
        return cells
    if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
        return cells[:width]
    raise BadLine("malformed", f"{len(cells)} fields, the header has {width}")


class CsvParser(Parser):
    """carewatch's own CSV: a header row naming the fields, then one row per update.

    The header must have a ``call_id`` column; unknown columns are ignored. A row with a
    ``started_at`` value may create the call; a row without one only updates it.
    """

    format = "csv"
    has_header = True

    def __init__(self, tz: tzinfo, delimiter: str = ",") -> None:
        super().__init__(tz)
        self.delimiter = delimiter
        self.columns: list[str] | None = None

    def read_header(self, line: str) -> None:
        """Take the header row; ``BadLine("bad header")`` without ``call_id`` or on duplicates."""
        try:
            cells = split_csv(line, self.delimiter)
        except IncompleteRecord:
            raise
        except BadLine as exc:
            raise BadLine("bad header", exc.detail) from None
        names = [normalise_name(cell) for cell in cells]
        if "call_id" not in names:
            raise BadLine("bad header", "no call_id column")
        known = [name for name in names if name in FIELDS]
        duplicates = sorted({name for name in known if known.count(name) > 1})
        if duplicates:
            raise BadLine("bad header", f"column {duplicates[0]} appears twice")
        self.columns = names

    def parse_line(self, line: str, line_no: int) -> list[Record]:
        """One data row -> ``[CallUpdate]``. A repeated header row is taken as the header."""
        if self.columns is None:
            raise BadLine("no header", "the header row was not read")
        cells = split_csv(line, self.delimiter)
        # A repeated header has a cell that normalises to ``call_id``, so its text holds
        # "call" (in any case): only then is it worth normalising every cell to check.
        if "call" in line.lower():
            names = [normalise_name(cell) for cell in cells]
            if "call_id" in names and len(set(names) & set(FIELDS)) >= 2:
                self.read_header(line)  # the header again (files joined, or a new layout)
                return []
        cells = fit_row(cells, len(self.columns))
        values = {
            name: cell for name, cell in zip(self.columns, cells, strict=True) if name in _FIELD_SET
        }
        return [build_update(values, self.tz)]


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


class JsonlParser(Parser):
    """One JSON object per line with carewatch's field names; ``null`` means empty.

    Numbers may be JSON numbers or strings; times epoch numbers or ISO strings. A control
    character written raw inside a string (a tab, an escape code, which JSON wants escaped)
    is read as the text it is, as in the other formats, rather than losing the call.
    """

    format = "jsonl"

    def parse_line(self, line: str, line_no: int) -> list[Record]:
        """One JSON object -> ``[CallUpdate]``; anything else is ``malformed``."""
        try:
            obj = json.loads(line, parse_constant=_reject_constant, strict=False)
        except (ValueError, RecursionError) as exc:
            raise BadLine("malformed", shown(exc)) from None
        if not isinstance(obj, dict):
            raise BadLine("malformed", "not a JSON object")
        values = {normalise_name(str(key)): value for key, value in obj.items()}
        return [build_update(values, self.tz)]
