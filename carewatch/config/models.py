"""The config's models: targets, categories, outcomes, privacy, shifts, sources, and
:class:`Config` itself (the ``[mapping]`` section is in :mod:`carewatch.config.mapping`).

The file's shape is documented in ``config/carewatch.toml``.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from carewatch.config.base import StrictModel
from carewatch.config.mapping import Mapping
from carewatch.timeutil import get_timezone

#: The formats a source can have; ``auto`` in a config means "detect one of these".
FORMATS = ("csv", "jsonl", "queue_log", "cdr", "mapped")


class Targets(StrictModel):
    talk_seconds: float = Field(default=120, gt=0)
    #: Average talk up to ``talk_seconds`` is green, up to this is amber, above is red.
    talk_amber_seconds: float = Field(default=150, gt=0)
    service_level_seconds: float = Field(default=20, ge=0)
    #: Share of calls answered within ``service_level_seconds`` that the centre aims for.
    service_level_goal: float = Field(default=0.80, ge=0, le=1)
    abandon_rate_max: float = Field(default=0.05, ge=0, le=1)
    category_alert_share: float = Field(default=0.40, gt=0, le=1)
    category_alert_min_calls: int = Field(default=20, ge=1)
    #: A caller waiting longer than this raises an alert on the live screen.
    long_wait_alert_seconds: float = Field(default=60, gt=0)
    #: A followed source with no new line for this long (in working hours) is "stale".
    stale_source_seconds: float = Field(default=900, gt=0)
    #: The report's "what it would save": a category over its alert share cut by this share.
    savings_cut: float = Field(default=0.70, gt=0, le=1)


class Category(StrictModel):
    name: str = Field(min_length=1)
    key: str | None = Field(default=None, min_length=1, max_length=1)
    colour: str = "white"
    complaint: bool = False
    #: Per-category alert share; falls back to ``targets.category_alert_share``.
    alert_share: float | None = Field(default=None, gt=0, le=1)
    #: Optional request types within the category ("tracking", "late delivery"…).
    subcategories: list[str] = []


class Outcome(StrictModel):
    name: str = Field(min_length=1)
    key: str | None = Field(default=None, min_length=1, max_length=1)
    conversion: bool = False


class Privacy(StrictModel):
    #: Show callers as ``+39 *** *** 4567``: only the last four digits.
    mask_callers: bool = True
    visible_digits: int = Field(default=4, ge=0, le=20)


class Shift(StrictModel):
    name: str
    start: str = Field(pattern=r"^\d{1,2}:\d{2}$")
    end: str = Field(pattern=r"^\d{1,2}:\d{2}$")


class Source(StrictModel):
    path: str = Field(min_length=1)
    format: Literal["auto", "csv", "jsonl", "queue_log", "cdr", "mapped"] = "auto"
    #: Name the calls of this source are stored under (default: the file's name).
    name: str | None = None


class Mail(StrictModel):
    """The SMTP server ``carewatch report --mail-to`` sends through."""

    host: str = "localhost"
    port: int = Field(default=25, ge=1, le=65535)
    sender: str = "carewatch@localhost"
    #: ``starttls`` upgrades a plain connection; ``ssl`` connects with TLS from the start.
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    #: The password is never in the file: the environment variable named here holds it.
    password_env: str = "CAREWATCH_SMTP_PASSWORD"
    timeout_seconds: float = Field(default=30, gt=0)


class Config(StrictModel):
    timezone: str | None = None
    database: str | None = None
    agent_cost_per_hour: float = Field(default=30.0, ge=0)
    currency: str = "€"
    targets: Targets = Targets()
    categories: list[Category] = []
    outcomes: list[Outcome] = []
    privacy: Privacy = Privacy()
    shifts: list[Shift] = []
    sources: list[Source] = []
    mapping: Mapping | None = None
    mail: Mail = Mail()
    #: Where the file came from, for messages (not a key of the file).
    path: str | None = Field(default=None, exclude=True)

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
