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
DEFAULT_DB = "carewatch.db"


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
    Alternatively talk may be derived from ``answered_at``/``ended_at`` columns (clock times
    on the call's date, or full timestamps), as may the wait from ``queue_start``/``answered_at``.
    """

    call_id: str | None = None
    started_at: str | None = None
    date: str | None = None
    time: str | None = None
    date_format: str | None = None  # strptime format when not ISO, e.g. "%d/%m/%Y"
    answered_at: str | None = None
    ended_at: str | None = None
    wait: str | None = None
    talk: str | None = None
    agent: str | None = None
    queue: str | None = None
    caller: str | None = None
    category: str | None = None
    outcome: str | None = None
    #: Column holding whether the call was answered, and which values mean yes / abandoned.
    answered: str | None = None
    answered_values: list[str] = ["Y", "YES", "TRUE", "1", "ANSWERED"]
    #: Alternatively a column whose value gives the disposition directly.
    disposition: str | None = None
    disposition_values: dict[str, Literal["answered", "abandoned", "missed", "skip"]] = {}
    resolved: str | None = None
    resolved_values: list[str] = ["Y", "YES", "TRUE", "1", "RESOLVED"]
    csat: str | None = None
    nps: str | None = None
    note: str | None = None
    #: Values that mean "no agent" (e.g. ``NO_SERVER``).
    no_agent_values: list[str] = []
    delimiter: str = ","

    @model_validator(mode="after")
    def _needs_a_start(self) -> Mapping:
        if not self.started_at and not self.date:
            raise ValueError(
                "needs 'started_at' or 'date' (+ 'time'): the column of the call's start"
            )
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
