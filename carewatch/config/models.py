"""The config's models: targets, categories, outcomes, privacy, shifts, sources, and
:class:`Config` itself (the ``[mapping]`` section is in :mod:`carewatch.config.mapping`).

The file's shape is documented in ``config/carewatch.toml``.
"""

from __future__ import annotations

import codecs
import re
from datetime import date, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator, model_validator

from carewatch.config.base import StrictModel
from carewatch.config.closed import check_closed_days
from carewatch.config.mapping import Mapping
from carewatch.config.screen import OperatorsMap, QueueTargets, Ui, check_operators
from carewatch.i18n import N_, _
from carewatch.records import LOG_FORMATS, TEXT_MAX, UNTAGGED
from carewatch.timeutil import get_timezone

#: The formats a source can have; ``auto`` in a config means "detect one of these".
FORMATS = LOG_FORMATS


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
    #: The report's "What stands out" says a rate (the abandon rate, the service level, the
    #: share over the talk target, a move against a compared period) only when it is drawn
    #: from at least this many calls: one call lost at 08:01 is an abandon rate of 100%.
    news_min_calls: int = Field(default=20, ge=1)
    #: A caller waiting longer than this raises an alert on the live screen.
    long_wait_alert_seconds: float = Field(default=60, gt=0)
    #: A followed source with no new line for this long (in working hours) is "stale".
    stale_source_seconds: float = Field(default=900, gt=0)
    #: The report's "what it would save": a category over its alert share cut by this share.
    savings_cut: float = Field(default=0.70, gt=0, le=1)

    @model_validator(mode="after")
    def _amber_after_target(self) -> Targets:
        if self.talk_amber_seconds < self.talk_seconds:
            raise ValueError(
                _(
                    "talk_amber_seconds ({amber:g}) is below talk_seconds ({target:g}): the "
                    "amber band runs from the talk target up to talk_amber_seconds, so it "
                    "cannot end before the target"
                ).format(amber=self.talk_amber_seconds, target=self.talk_seconds)
            )
        return self


#: Key names and characters that can never tag a call: the screen (or the terminal) keeps
#: them, whatever the config says. Values: what they do there.
UNTAGGABLE_KEYS: dict[str, str] = {
    "tab": N_("moving between panels"),
    "shift+tab": N_("moving between panels"),
    "enter": N_("choosing in a panel"),
    "return": N_("choosing in a panel"),
    "escape": N_("closing a window"),
    "esc": N_("closing a window"),
    "space": N_("choosing in a panel"),
    "backspace": N_("editing"),
    "delete": N_("editing"),
    "\t": N_("moving between panels"),
    "\n": N_("choosing in a panel"),
    "\r": N_("choosing in a panel"),
    "\x1b": N_("closing a window"),
    " ": N_("choosing in a panel"),
}


def _check_tagging_key(value: object) -> object:
    """A tagging key is one printable character the screen does not keep for itself."""
    if not isinstance(value, str):
        return value
    kept = UNTAGGABLE_KEYS.get(value if len(value) == 1 else value.strip().lower())
    if kept is not None:
        raise ValueError(
            _(
                "{value!r} can never tag: the screen keeps it for {kept}; a tagging key is one "
                "printable character such as '1' or 's'"
            ).format(value=value, kept=_(kept))
        )
    if value in RESERVED_KEYS:
        raise ValueError(
            _("{value!r} is reserved for {use} on the screen").format(
                value=value, use=_(RESERVED_KEYS[value])
            )
        )
    if len(value) != 1 or not value.isprintable():
        raise ValueError(
            _("a tagging key is one printable character such as '1' or 's', not {value!r}").format(
                value=value
            )
        )
    return value


class Category(StrictModel):
    name: str = Field(min_length=1)
    key: str | None = Field(default=None, min_length=1, max_length=1)
    colour: str = "white"
    complaint: bool = False
    #: Per-category alert share; falls back to ``targets.category_alert_share``.
    alert_share: float | None = Field(default=None, gt=0, le=1)
    #: Optional request types within the category ("tracking", "late delivery"…).
    subcategories: list[str] = []

    _key_tags = field_validator("key", mode="before")(_check_tagging_key)


class Outcome(StrictModel):
    name: str = Field(min_length=1)
    key: str | None = Field(default=None, min_length=1, max_length=1)
    conversion: bool = False

    _key_tags = field_validator("key", mode="before")(_check_tagging_key)


class Privacy(StrictModel):
    #: Show callers as ``+39 *** *** 4567``: only the last four digits.
    mask_callers: bool = True
    visible_digits: int = Field(default=4, ge=0, le=20)


class Shift(StrictModel):
    name: str
    start: str = Field(pattern=r"^\d{1,2}:\d{2}$")
    end: str = Field(pattern=r"^\d{1,2}:\d{2}$")

    @field_validator("start", "end")
    @classmethod
    def _a_time_of_day(cls, value: str, info: ValidationInfo) -> str:
        hours, minutes = (int(part) for part in value.split(":"))
        midnight = info.field_name == "end" and (hours, minutes) == (24, 0)
        if not midnight and (hours > 23 or minutes > 59):
            raise ValueError(
                _("a time of day from 00:00 to 23:59 (an end may be 24:00), not {value!r}").format(
                    value=value
                )
            )
        return value


#: The columns of a queue_log table a ``[[sources]]`` entry of kind ``table`` may rename.
TableColumn = Literal[
    "id", "time", "callid", "queuename", "agent", "event",
    "data", "data1", "data2", "data3", "data4", "data5",
]  # fmt: skip
#: A table's name, optionally with its schema (``asterisk.queue_log``).
TABLE_NAME = r"^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$"
_PG_URL = ("postgresql://", "postgresql+psycopg://", "postgres://")


class Source(StrictModel):
    #: ``file``: a call-log file or folder (``path``); ``table``: a queue_log table that
    #: Asterisk writes in a PostgreSQL database (``url``, ``table``).
    kind: Literal["file", "table"] = "file"
    path: str | None = Field(default=None, min_length=1)
    format: Literal["auto", "csv", "jsonl", "queue_log", "cdr", "mapped"] = "auto"
    #: Name the calls of this source are stored under (default: the file's or table's name).
    name: str | None = Field(default=None, max_length=TEXT_MAX)  # what cw_call.source keeps
    #: The files' text encoding (``utf-8``, ``latin-1``, ``cp1252``, ``cp1251``...); bytes
    #: not valid in it are replaced and counted, never a reason to lose a call.
    encoding: str = "utf-8"
    #: The CSV delimiter of a ``csv`` or ``mapped`` source (default: ``,``, or the
    #: mapping's own).
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)

    #: A table source: the PostgreSQL database and the table (``schema.table`` or ``table``).
    url: str | None = None
    table: str | None = None
    #: A table source's columns named otherwise than Asterisk's: ``{ time = "logged_at" }``.
    columns: dict[TableColumn, str] | None = None
    #: The time zone of a table's times written without one (default: the config's).
    timezone: str | None = None

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        return check_encoding(value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return _zone_exists(value)

    @field_validator("table")
    @classmethod
    def _table_name(cls, value: str | None) -> str | None:
        if value is not None and not re.match(TABLE_NAME, value):
            raise ValueError(
                _(
                    "a table's name such as 'queue_log' or 'asterisk.queue_log', not {value!r}"
                ).format(value=value)
            )
        return value

    @model_validator(mode="after")
    def _what_the_kind_needs(self) -> Source:
        table_keys = [k for k in ("url", "table", "columns", "timezone") if getattr(self, k)]
        if self.kind == "file":
            if self.path is None:
                raise ValueError(_("a file source needs path = '/var/log/asterisk/queue_log'"))
            if table_keys:
                raise ValueError(
                    _("{key} is for a source of kind = 'table'").format(key=table_keys[0])
                )
            return self
        if self.path is not None or self.delimiter is not None:
            key = "path" if self.path is not None else "delimiter"
            raise ValueError(
                _("{key} is for a file; a table source has url and table").format(key=key)
            )
        if not self.url or not self.url.startswith(_PG_URL):
            raise ValueError(
                _("a table source reads a PostgreSQL table: url = 'postgresql://USER@HOST/DBNAME'")
            )
        if not self.table:
            raise ValueError(_("a table source needs table = 'queue_log'"))
        if self.format not in ("auto", "queue_log"):
            raise ValueError(_("a table source is read as queue_log: leave format out"))
        return self

    @property
    def label(self) -> str:
        """What the source is called in statuses: its path, or ``table NAME``."""
        return self.path if self.path is not None else f"table {self.table}"

    @field_validator("delimiter")
    @classmethod
    def _usable_delimiter(cls, value: str | None) -> str | None:
        if value is not None and value in ('"', "\n", "\r"):
            raise ValueError(_("one character other than a quote or a line break"))
        return value


def _zone_exists(value: str | None) -> str | None:
    if value:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                _("an IANA time zone such as 'Europe/Rome', not {value!r}").format(value=value)
            ) from None
    return value


def check_encoding(value: str) -> str:
    """``value`` when Python knows it as a text encoding that writes line ends, digits and
    CSV punctuation as ASCII does (lines are split at the byte ``\n``), else ``ValueError``."""
    try:
        codec = codecs.lookup(value)
    except LookupError:
        raise ValueError(
            _("a text encoding such as 'utf-8', 'latin-1' or 'cp1252', not {value!r}").format(
                value=value
            )
        ) from None
    ascii_part = '\n\r|,;"0123456789:-'
    try:
        compatible = codec.decode(ascii_part.encode("ascii"))[0] == ascii_part
    except (ValueError, TypeError):  # a codec of bytes, such as 'base64'
        compatible = False
    if not compatible:
        raise ValueError(
            _(
                "an encoding that writes line ends as ASCII does, such as 'utf-8', 'latin-1' "
                "or 'cp1252', not {value!r} (convert a UTF-16 or UTF-32 file to UTF-8 first: "
                "iconv -f UTF-16 -t UTF-8)"
            ).format(value=value)
        )
    return value


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
    ui: Ui = Ui()
    #: Login name -> the agent ids the logs use for that person (see config/screen.py).
    operators: OperatorsMap = {}
    #: Targets of single queues (``[queues.NAME]``).
    queues: dict[str, QueueTargets] = {}
    mail: Mail = Mail()
    #: Days the centre is closed (public holidays): the report expects no call on them.
    closed_days: tuple[date, ...] = ()
    #: Where the file came from, for messages (not a key of the file).
    path: str | None = Field(default=None, exclude=True)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return _zone_exists(value)

    @field_validator("closed_days", mode="before")
    @classmethod
    def _closed_days(cls, value: object) -> object:
        return check_closed_days(value)

    @field_validator("operators", mode="before")
    @classmethod
    def _operators(cls, value: object) -> OperatorsMap:
        return check_operators(value)

    @field_validator("categories", "outcomes")
    @classmethod
    def _unique_names_and_keys(
        cls, items: list[Category] | list[Outcome], info: ValidationInfo
    ) -> list[Category] | list[Outcome]:
        names: set[str] = set()
        for item in items:
            if info.field_name == "categories" and item.name.strip().casefold() == UNTAGGED:
                # the figures keep the talk and the cost of the calls with no category there
                raise ValueError(
                    _(
                        "{name!r} is the name the figures give the calls without a category; "
                        "call the category something else"
                    ).format(name=item.name)
                )
            if item.name in names:
                raise ValueError(
                    _("{name!r} is listed twice; every name must be different").format(
                        name=item.name
                    )
                )
            names.add(item.name)
        # outcomes come after categories: a key must differ from every category's key too
        earlier = info.data.get("categories", []) if info.field_name == "outcomes" else []
        seen: dict[str, str] = {}
        for item in [*earlier, *items]:
            if item.key is None:
                continue
            if item.key in seen:
                raise ValueError(
                    _(
                        "key {key!r} of {name!r} is already used by {other!r}; every tagging "
                        "key must be different"
                    ).format(key=item.key, name=item.name, other=seen[item.key])
                )
            seen[item.key] = item.name
        return items

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
        """The configured file sources as ``(path, format)``; ``None`` for a detected format."""
        return [
            (s.path, None if s.format == "auto" else s.format)
            for s in self.sources
            if s.path is not None
        ]

    @property
    def table_sources(self) -> list[Source]:
        """The configured sources of kind ``table``."""
        return [s for s in self.sources if s.kind == "table"]

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
    "r": N_("resolved"),
    "n": N_("note"),
    "i": N_("open issue"),
    "u": N_("undo"),
    "q": N_("quit"),
    "w": N_("window"),
    "f": N_("queue filter"),
    "F": N_("queue filter"),
    "b": N_("wallboard"),
    "?": N_("help"),
}
