"""Load and validate ``carewatch.toml``.

The file's shape is documented in ``config/carewatch.toml``. A bad file raises
:class:`ConfigError` with one line naming the file, the key and what is expected.
"""

from __future__ import annotations

import os
import tomllib
from datetime import tzinfo
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from carewatch.timeutil import get_timezone

FORMATS = ("csv", "jsonl", "queue_log", "cdr", "mapped")


class ConfigError(Exception):
    """A config file that cannot be used; ``str()`` is the one line a user sees."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Targets(_Model):
    talk_seconds: float = Field(120, gt=0)
    #: Average talk up to ``talk_seconds`` is green, up to this is amber, above is red.
    talk_amber_seconds: float = Field(150, gt=0)
    service_level_seconds: float = Field(20, ge=0)
    #: Share of calls answered within ``service_level_seconds`` that the centre aims for.
    service_level_goal: float = Field(0.80, ge=0, le=1)
    abandon_rate_max: float = Field(0.05, ge=0, le=1)
    category_alert_share: float = Field(0.40, gt=0, le=1)
    category_alert_min_calls: int = Field(20, ge=1)
    #: A caller waiting longer than this raises an alert on the live screen.
    long_wait_alert_seconds: float = Field(60, gt=0)
    #: A followed source with no new line for this long (in working hours) is "stale".
    stale_source_seconds: float = Field(900, gt=0)


class Category(_Model):
    name: str = Field(min_length=1)
    key: str | None = Field(None, min_length=1, max_length=1)
    colour: str = "white"
    complaint: bool = False
    #: Per-category alert share; falls back to ``targets.category_alert_share``.
    alert_share: float | None = Field(None, gt=0, le=1)


class Outcome(_Model):
    name: str = Field(min_length=1)
    key: str | None = Field(None, min_length=1, max_length=1)
    conversion: bool = False


class Privacy(_Model):
    #: Show callers as ``+39 *** *** 4567``: only the last four digits.
    mask_callers: bool = True
    visible_digits: int = Field(4, ge=0, le=20)


class Shift(_Model):
    name: str
    start: str = Field(pattern=r"^\d{1,2}:\d{2}$")
    end: str = Field(pattern=r"^\d{1,2}:\d{2}$")


class Mapping(_Model):
    """Which column of a centre's own CSV export holds which call field (format ``mapped``).

    Times: either ``started_at`` (one column with date and time, or epoch seconds), or
    ``date`` plus ``time``. Durations (``wait``, ``talk``) may be seconds or ``H:MM:SS``.
    ``answered_at``/``ended_at`` columns may hold clock times on the call's date (a clock
    time before the start is on the next day) or full timestamps. For an answered call
    without them, ``answered_at`` = start + wait and ``ended_at`` = answered_at + talk.

    Values (answered flags, dispositions, resolved flags, "no agent" values, null values,
    category codes) are compared ignoring case and surrounding blanks. Without an
    ``answered`` or ``disposition`` column, a call is answered when its talk time or
    answer time is known, and otherwise its disposition is left unknown.
    """

    #: Column of the call id, or several columns joined with ":" when only together they
    #: are unique. Without it the id is a stable hash of the row (identical rows are one call).
    call_id: str | list[str] | None = None
    started_at: str | None = None
    date: str | None = None
    time: str | None = None
    date_format: str | None = None  # strptime format when not ISO, e.g. "%d/%m/%Y"
    #: strptime format of ``time`` (and clock columns) when not ``H:MM`` / ``H:MM:SS``.
    time_format: str | None = None
    #: strptime format of full timestamps (``started_at`` ...) when not ISO or epoch.
    datetime_format: str | None = None
    answered_at: str | None = None
    ended_at: str | None = None
    wait: str | None = None
    talk: str | None = None
    agent: str | None = None
    queue: str | None = None
    caller: str | None = None
    #: Column of the call's direction, and which values mean inbound / outbound.
    direction: str | None = None
    direction_values: dict[str, Literal["in", "out"]] = {
        "in": "in",
        "inbound": "in",
        "out": "out",
        "outbound": "out",
    }
    category: str | None = None
    #: Rename category values, e.g. ``{ PS = "PS regular" }``; other values are kept as they are.
    category_values: dict[str, str] = {}
    outcome: str | None = None
    #: Column holding whether the call was answered, and which values mean yes / no.
    answered: str | None = None
    answered_values: list[str] = ["Y", "YES", "TRUE", "1", "ANSWERED"]
    unanswered_values: list[str] = ["N", "NO", "FALSE", "0", "UNANSWERED", "ABANDONED"]
    #: What a call that was not answered becomes.
    unanswered_disposition: Literal["abandoned", "missed"] = "abandoned"
    #: Alternatively a column whose value gives the disposition directly. Without
    #: ``disposition_values`` it must hold answered / abandoned / missed. A value mapped
    #: to "skip" (e.g. a ghost call) skips the row, counted under ``skip_reason``.
    disposition: str | None = None
    disposition_values: dict[str, Literal["answered", "abandoned", "missed", "skip"]] = {}
    skip_reason: str = Field("skipped call", min_length=1, max_length=40)
    #: Column whose empty or zero value means the call never reached the queue (it ended
    #: in a voice menu): such a call, unless answered, is skipped and counted as "not queued".
    queued: str | None = None
    resolved: str | None = None
    resolved_values: list[str] = ["Y", "YES", "TRUE", "1", "RESOLVED"]
    unresolved_values: list[str] = ["N", "NO", "FALSE", "0", "UNRESOLVED"]
    csat: str | None = None
    nps: str | None = None
    note: str | None = None
    #: Values that mean "no agent" (e.g. ``NO_SERVER``).
    no_agent_values: list[str] = []
    #: Per column, values that mean "empty", e.g. ``{ ser_start = ["0:00:00"] }``.
    null_values: dict[str, list[str]] = {}
    #: Fields recorded only for answered calls; dropped from other calls (e.g. "resolved":
    #: a call nobody answered cannot be resolved on first contact).
    answered_only: list[
        Literal[
            "answered_at",
            "ended_at",
            "wait",
            "talk",
            "agent",
            "queue",
            "caller",
            "category",
            "outcome",
            "resolved",
            "csat",
            "nps",
            "note",
        ]
    ] = []
    delimiter: str = Field(",", min_length=1, max_length=1)

    def columns(self) -> dict[str, str]:
        """The mapped columns by key (``call_id`` parts as ``call_id``, ``call_id.1``, ...)."""
        out: dict[str, str] = {}
        ids = [self.call_id] if isinstance(self.call_id, str) else list(self.call_id or [])
        for index, column in enumerate(ids):
            out["call_id" if index == 0 else f"call_id.{index}"] = column
        column_keys = (
            "started_at",
            "date",
            "time",
            "answered_at",
            "ended_at",
            "wait",
            "talk",
            "agent",
            "queue",
            "caller",
            "direction",
            "category",
            "outcome",
            "answered",
            "disposition",
            "queued",
            "resolved",
            "csat",
            "nps",
            "note",
        )
        for key in column_keys:
            column = getattr(self, key)
            if column is not None:
                out[key] = column
        return out

    @model_validator(mode="after")
    def _needs_a_start(self) -> Mapping:
        if not self.started_at and not self.date:
            raise ValueError(
                "needs 'started_at' or 'date' (+ 'time'): the column of the call's start"
            )
        if self.started_at and (self.date or self.time):
            raise ValueError("set either 'started_at' or 'date' + 'time', not both")
        if bool(self.date) != bool(self.time):
            raise ValueError(
                "'date' and 'time' go together: the columns of the start's day and time"
            )
        if self.answered and self.disposition:
            raise ValueError("set either 'answered' or 'disposition', not both")
        if isinstance(self.call_id, list) and not self.call_id:
            raise ValueError("call_id: a column name or a non-empty list of column names")
        for key, column in self.columns().items():
            if not column.strip():
                raise ValueError(f"{key}: a column name, not an empty string")
        for yes_key, no_key in (
            ("answered_values", "unanswered_values"),
            ("resolved_values", "unresolved_values"),
        ):
            yes = {v.strip().upper() for v in getattr(self, yes_key)}
            no = {v.strip().upper() for v in getattr(self, no_key)}
            both = sorted(yes & no)
            if both:
                raise ValueError(f"{both[0]!r} is in both {yes_key} and {no_key}")
        used = set(self.columns().values())
        for column in self.null_values:
            if column not in used:
                raise ValueError(f"null_values: {column!r} is not a column this mapping reads")
        if self.delimiter in ('"', "\n", "\r"):
            raise ValueError("delimiter: one character other than a quote or a line break")
        return self


class Source(_Model):
    path: str = Field(min_length=1)
    format: Literal["auto", "csv", "jsonl", "queue_log", "cdr", "mapped"] = "auto"
    #: Name the calls of this source are stored under (default: the file's name).
    name: str | None = None


class Config(_Model):
    timezone: str | None = None
    database: str | None = None
    agent_cost_per_hour: float = Field(30.0, ge=0)
    currency: str = "€"
    targets: Targets = Targets()
    categories: list[Category] = []
    outcomes: list[Outcome] = []
    privacy: Privacy = Privacy()
    shifts: list[Shift] = []
    sources: list[Source] = []
    mapping: Mapping | None = None
    #: Where the file came from, for messages (not a key of the file).
    path: str | None = Field(None, exclude=True)

    @field_validator("timezone")
    @classmethod
    def _zone_exists(cls, value: str | None) -> str | None:
        if value:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"an IANA time zone such as 'Europe/Rome', not {value!r}"
                ) from None
        return value

    @model_validator(mode="after")
    def _unique_keys(self) -> Config:
        seen: dict[str, str] = {}
        for kind, items in (("categories", self.categories), ("outcomes", self.outcomes)):
            for item in items:
                if item.key is None:
                    continue
                if item.key in seen:
                    raise ValueError(
                        f"{kind}: key {item.key!r} of {item.name!r} is already used by "
                        f"{seen[item.key]!r}; every tagging key must be different"
                    )
                if item.key in RESERVED_KEYS:
                    raise ValueError(
                        f"{kind}: key {item.key!r} of {item.name!r} is reserved for "
                        f"{RESERVED_KEYS[item.key]}"
                    )
                seen[item.key] = item.name
        return self

    # -- derived -------------------------------------------------------------------
    @property
    def tz(self) -> tzinfo:
        return get_timezone(self.timezone)

    @property
    def timezone_name(self) -> str:
        if self.timezone:
            return self.timezone
        return str(getattr(self.tz, "key", self.tz))

    @property
    def source_specs(self) -> list[tuple[str, str | None]]:
        """The configured sources as ``(path, format)``; ``None`` for a detected format."""
        return [(s.path, None if s.format == "auto" else s.format) for s in self.sources]

    @property
    def conversion_outcomes(self) -> frozenset[str]:
        return frozenset(o.name for o in self.outcomes if o.conversion)

    def category(self, name: str) -> Category | None:
        for cat in self.categories:
            if cat.name == name:
                return cat
        return None

    def alert_share(self, category: str) -> float:
        cat = self.category(category)
        if cat is not None and cat.alert_share is not None:
            return cat.alert_share
        return self.targets.category_alert_share


#: Keys the screen uses itself; a category or outcome cannot take them.
RESERVED_KEYS: dict[str, str] = {
    "r": "resolved",
    "n": "note",
    "i": "open issue",
    "u": "undo",
    "q": "quit",
    "w": "window",
    "f": "queue filter",
    "?": "help",
}


def _locate(loc: tuple[object, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
        else:
            parts.append(str(item))
    return ".".join(parts) or "(top level)"


def parse_config(data: dict, path: str | None = None) -> Config:
    """A parsed TOML document -> :class:`Config`, or :class:`ConfigError`."""
    where = path or "<config>"
    try:
        return Config.model_validate({**data, "path": path})
    except ValidationError as exc:
        err = exc.errors()[0]
        key = _locate(tuple(err["loc"]))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (see config/carewatch.toml for the keys)"
        raise ConfigError(f"{where}: {key}: {msg}") from None


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load a config file; without a path, ``CAREWATCH_CONFIG``, else the built-in default.

    The built-in default is the project's ``config/carewatch.toml`` (shipped in the wheel).
    """
    if path is None:
        path = os.environ.get("CAREWATCH_CONFIG") or None
    if path is None:
        return default_config()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read it ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML ({exc})") from None
    return parse_config(data, str(file))


def default_config_text() -> str:
    """The text of the documented default config."""
    shipped = Path(__file__).with_name("default_config.toml")
    if shipped.exists():
        return shipped.read_text(encoding="utf-8")
    source_tree = Path(__file__).resolve().parent.parent / "config" / "carewatch.toml"
    return source_tree.read_text(encoding="utf-8")


def default_config() -> Config:
    """The documented default (``config/carewatch.toml``)."""
    data = tomllib.loads(default_config_text())
    return parse_config(data, "config/carewatch.toml")
