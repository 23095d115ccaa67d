"""Format ``mapped``: any CSV export, read through the config's column mapping.

The ``[mapping]`` section (:class:`carewatch.config.Mapping`) says which column holds
which call field and what its values mean. Every data row is one finished call: one
:class:`~carewatch.records.CallUpdate` that may create it. Rows the mapping says are not
calls (a ghost call, a caller who hung up in the voice menu before reaching the queue)
raise :class:`~carewatch.records.BadLine` with their own reason, so they are counted.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from carewatch.bounds import SCORE_RANGES
from carewatch.config import Mapping
from carewatch.records import BadLine, CallUpdate, Record
from carewatch.sources.base import IncompleteRecord, Parser, clean_text
from carewatch.sources.csvjson import (
    bad_value,
    derive,
    fit_row,
    shown,
    split_csv,
    to_call_id,
    to_epoch,
    to_score,
    to_seconds,
)
from carewatch.timeutil import combine_local

_CLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$")

#: Mapping keys of plain text fields and the call field each one sets.
_TEXT_KEYS = {"queue": "queue", "caller": "caller", "outcome": "outcome", "note": "note"}


def _key(value: str) -> str:
    """How mapping values are compared: ignoring case and surrounding blanks."""
    return value.strip().upper()


def find_column(names: list[str], column: str) -> int | None:
    """Index of ``column`` in a header: the exact name, else the one name equal ignoring case."""
    stripped = [name.strip() for name in names]
    if column.strip() in stripped:
        return stripped.index(column.strip())
    folded = [name.casefold() for name in stripped]
    wanted = column.strip().casefold()
    if folded.count(wanted) == 1:
        return folded.index(wanted)
    return None


def row_hash(cells: list[str]) -> str:
    """A stable call id for a row without one: identical rows get the same id."""
    digest = hashlib.sha256("\x1f".join(cell.strip() for cell in cells).encode("utf-8"))
    return "row-" + digest.hexdigest()[:16]


class MappedParser(Parser):
    """A centre's own CSV export, through a :class:`~carewatch.config.Mapping`.

    ``read_header`` finds every mapped column (``BadLine("bad header")`` naming the
    missing ones); each data row becomes one call.
    """

    format = "mapped"
    has_header = True

    def __init__(self, tz: tzinfo, mapping: Mapping) -> None:
        super().__init__(tz)
        self.mapping = mapping
        self.columns = mapping.columns()
        self.index: dict[str, int] | None = None
        self.header: list[str] = []
        self._nulls = {
            column: {_key(v) for v in values} for column, values in mapping.null_values.items()
        }
        self._no_agent = {_key(v) for v in mapping.no_agent_values}
        self._answered_yes = {_key(v) for v in mapping.answered_values}
        self._answered_no = {_key(v) for v in mapping.unanswered_values}
        self._resolved_yes = {_key(v) for v in mapping.resolved_values}
        self._resolved_no = {_key(v) for v in mapping.unresolved_values}
        self._dispositions = {_key(k): v for k, v in mapping.disposition_values.items()}
        self._categories = {_key(k): v for k, v in mapping.category_values.items()}
        self._directions = {_key(k): v for k, v in mapping.direction_values.items()}

    # -- header ------------------------------------------------------------------------

    def read_header(self, line: str) -> None:
        """Take the header row; every column the mapping names must be in it."""
        try:
            cells = split_csv(line, self.mapping.delimiter)
        except IncompleteRecord:
            raise
        except BadLine as exc:
            raise BadLine("bad header", exc.detail) from None
        index: dict[str, int] = {}
        missing: list[str] = []
        for key, column in self.columns.items():
            found = find_column(cells, column)
            if found is None:
                missing.append(f"{column!r} (mapping.{key.split('.')[0]})")
            else:
                index[key] = found
        if missing:
            raise BadLine("bad header", "no column " + ", ".join(missing))
        self.index = index
        self.header = [cell.strip() for cell in cells]

    # -- rows --------------------------------------------------------------------------

    def parse_line(self, line: str, line_no: int) -> list[Record]:
        """One data row -> ``[CallUpdate]``; a repeated header row is taken as the header."""
        if self.index is None:
            raise BadLine("no header", "the header row was not read")
        cells = fit_row(split_csv(line, self.mapping.delimiter), len(self.header))
        if [cell.strip() for cell in cells] == self.header:
            self.read_header(line)
            return []
        row = _Row(self, cells)
        return [self._call(row, cells)]

    def _call(self, row: _Row, cells: list[str]) -> CallUpdate:
        m = self.mapping
        disposition = self._disposition(row)
        if m.queued and disposition != "answered":
            value = row.get("queued")
            if value is None or _is_zero(value):
                raise BadLine("not queued", f"{m.queued}={shown(row.raw('queued'))}")
        call_id = self._call_id(row, cells)
        started = self._start(row)

        answered = disposition == "answered"
        dropped = set() if disposition is None or answered else set(m.answered_only)

        def wanted(key: str) -> str | None:
            return None if key in dropped else row.get(key)

        fields: dict[str, Any] = {"started_at": started}
        if disposition is not None:
            fields["disposition"] = disposition
        for key, name in (("wait", "wait_seconds"), ("talk", "talk_seconds")):
            value = wanted(key)
            if value is not None:
                fields[name] = to_seconds(row.column(key), value)
        for key in ("answered_at", "ended_at"):
            value = wanted(key)
            if value is not None:
                fields[key] = self._time_of_call(row.column(key), value, started)
        agent = clean_text(wanted("agent"))
        if agent is not None and _key(agent) not in self._no_agent:
            fields["agent"] = agent
        category = clean_text(wanted("category"))
        if category is not None:
            fields["category"] = self._categories.get(_key(category), category)
        for key, name in _TEXT_KEYS.items():
            text = clean_text(wanted(key))
            if text is not None:
                fields[name] = text
        value = row.get("direction")
        if value is not None:
            if _key(value) not in self._directions:
                raise bad_value(row.column("direction"), value)
            fields["direction"] = self._directions[_key(value)]
        value = wanted("resolved")
        if value is not None:
            if _key(value) in self._resolved_yes:
                fields["resolved"] = True
            elif _key(value) in self._resolved_no:
                fields["resolved"] = False
            else:
                raise bad_value(row.column("resolved"), value)
        for key, (low, high) in SCORE_RANGES.items():
            value = wanted(key)
            if value is not None:
                fields[key] = to_score(row.column(key), value, low, high)

        if answered:
            # A finished, answered call: place it on the timeline from its durations
            # when the export has no answer / end times.
            if fields.get("answered_at") is None and "wait_seconds" in fields:
                fields["answered_at"] = started + fields["wait_seconds"]
            if (
                fields.get("ended_at") is None
                and fields.get("answered_at") is not None
                and "talk_seconds" in fields
            ):
                fields["ended_at"] = fields["answered_at"] + fields["talk_seconds"]
        return CallUpdate(call_id, derive(fields), creates=True)

    def _disposition(self, row: _Row) -> str | None:
        m = self.mapping
        if m.disposition:
            value = row.get("disposition")
            if value is None:
                return None
            result: str | None
            if self._dispositions:
                result = self._dispositions.get(_key(value))
            else:
                result = value.strip().lower()
                if result not in ("answered", "abandoned", "missed"):
                    result = None
            if result is None:
                raise bad_value(m.disposition, value)
            if result == "skip":
                raise BadLine(m.skip_reason, f"{m.disposition}={shown(value)}")
            return result
        if m.answered:
            value = row.get("answered")
            if value is None:
                return None
            if _key(value) in self._answered_yes:
                return "answered"
            if _key(value) in self._answered_no:
                return m.unanswered_disposition
            raise bad_value(m.answered, value)
        return None

    def _call_id(self, row: _Row, cells: list[str]) -> str:
        keys = [key for key in self.columns if key.split(".")[0] == "call_id"]
        if not keys:
            return row_hash(cells)
        parts: list[str] = []
        for key in keys:
            value = row.get(key)
            if value is None:
                raise BadLine("missing call id", f"{row.column(key)} is empty")
            parts.append(value.strip())
        return to_call_id(":".join(parts))

    def _start(self, row: _Row) -> float:
        m = self.mapping
        if m.started_at:
            value = row.get("started_at")
            if value is None:
                raise BadLine("bad timestamp", f"{m.started_at} is empty")
            return self._timestamp(m.started_at, value)
        day_text, clock_text = row.get("date"), row.get("time")
        if day_text is None:
            raise BadLine("bad timestamp", f"{m.date} is empty")
        if clock_text is None:
            raise BadLine("bad timestamp", f"{m.time} is empty")
        day = self._date(str(m.date), day_text)
        clock = self._clock(str(m.time), clock_text)
        if clock is None:
            raise BadLine("bad timestamp", f"{m.time}={shown(clock_text)}")
        return combine_local(day, clock, self.tz)

    def _date(self, column: str, value: str) -> date:
        text = value.strip()
        try:
            if self.mapping.date_format:
                return datetime.strptime(text, self.mapping.date_format).date()
            try:
                return date.fromisoformat(text)
            except ValueError:
                moment = datetime.fromisoformat(text)  # e.g. "2021-01-01 00:00:00"
                if moment.time() != time(0):
                    raise
                return moment.date()
        except ValueError:
            raise BadLine("bad timestamp", f"{column}={shown(value)}") from None

    def _clock(self, column: str, value: str) -> time | None:
        """A wall-clock time, or ``None`` when the value is not one."""
        text = value.strip()
        if self.mapping.time_format:
            try:
                return datetime.strptime(text, self.mapping.time_format).time()
            except ValueError:
                return None
        match = _CLOCK_RE.match(text)
        if not match:
            return None
        hour, minute, second, fraction = match.groups()
        if int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59:
            return None
        micro = int((fraction or "").ljust(6, "0")) if fraction else 0
        return time(int(hour), int(minute), int(second or 0), micro)

    def _timestamp(self, column: str, value: str) -> float:
        if self.mapping.datetime_format:
            try:
                moment = datetime.strptime(value.strip(), self.mapping.datetime_format)
            except ValueError:
                raise BadLine("bad timestamp", f"{column}={shown(value)}") from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=self.tz)
            return moment.timestamp()
        return to_epoch(column, value, self.tz)

    def _time_of_call(self, column: str, value: str, started: float) -> float:
        """A clock time on the call's local date (next day if before the start), or a timestamp."""
        clock = self._clock(column, value)
        if clock is None:
            return self._timestamp(column, value)
        try:
            day = datetime.fromtimestamp(started, self.tz).date()
            moment = combine_local(day, clock, self.tz)
            if moment < started:
                moment = combine_local(day + timedelta(days=1), clock, self.tz)
        except (OverflowError, ValueError, OSError):  # a start at the end of time
            raise BadLine("bad timestamp", f"{column}={shown(value)}") from None
        return moment


def _is_zero(value: str) -> bool:
    try:
        return to_seconds("queued", value) == 0
    except BadLine:
        return False


class _Row:
    """The cells of one row, looked up by mapping key, with the mapping's null values."""

    __slots__ = ("cells", "parser")

    def __init__(self, parser: MappedParser, cells: list[str]) -> None:
        self.parser = parser
        self.cells = cells

    def column(self, key: str) -> str:
        return self.parser.columns[key]

    def raw(self, key: str) -> str:
        assert self.parser.index is not None
        return self.cells[self.parser.index[key]]

    def get(self, key: str) -> str | None:
        """The stripped value of a mapped key; ``None`` when unmapped, empty or a null value."""
        if key not in self.parser.columns:
            return None
        value = self.raw(key).strip()
        if not value:
            return None
        nulls = self.parser._nulls.get(self.column(key))
        if nulls and _key(value) in nulls:
            return None
        return value
