"""What one summary holds: :class:`Report`, its :class:`OpenIssue` rows, the periods it is
compared with (:class:`Compared`), its trend, what callers wanted, what a cut would save, the
callers to call back, and the :class:`RenderOptions` a caller may give. Built by
:mod:`carewatch.report.build`, read by the formats; nothing here reads the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from carewatch.config import Privacy
from carewatch.kpi.callbacks import Callback
from carewatch.kpi.day_insights import DayFinding
from carewatch.kpi.stopped import Stopped
from carewatch.kpi.windows import Period
from carewatch.records import CallRow
from carewatch.timeutil import is_weekend


@dataclass(frozen=True)
class OpenIssue:
    """An issue open at the report time, with its age then (seconds)."""

    id: int
    title: str
    category: str | None
    opened_by: str
    opened_at: float
    age_seconds: float


@dataclass(frozen=True)
class Compared:
    """A period the report is compared with: its KPIs, read up to ``up_to`` (its end, or the
    same point as the report's period when that one is still in progress). ``covered`` is
    false when the calls logged begin after its first day: its figures are only a part of it,
    no basis for a comparison. ``closed``: every day of the part compared is one of the
    config's ``closed_days``, no basis for a comparison either (its calls, if any, were an
    exception). ``closed_days`` are the closed days of the part compared, ``open_days`` its
    other days; ``per_open_day``: the factor its sums are multiplied by to compare them per
    open day with the report's period (:func:`carewatch.kpi.open_days.per_open_day`), ``None``
    when they are compared as they are."""

    period: Period
    kpis: dict[str, Any]
    up_to: float
    end: float
    covered: bool = True
    closed: bool = False
    closed_days: tuple[date, ...] = ()
    open_days: int = 1
    per_open_day: float | None = None

    @property
    def complete(self) -> bool:
        return self.up_to >= self.end


@dataclass(frozen=True)
class TrendRow:
    """One period of the trend and its main KPIs (:data:`~carewatch.kpi.definitions.TREND_KEYS`);
    ``partial``: the report's own period, still in progress."""

    period: Period
    figures: dict[str, Any]
    partial: bool = False


@dataclass(frozen=True)
class DayRow:
    """One local day of a longer period and its figures (the keys of
    :data:`~carewatch.kpi.definitions.QUEUE_KPIS`, over the day's inbound calls); ``figures``
    is ``None`` for a day before the logs begin (nothing was logged to count), ``partial``
    marks the day in progress at the report time, ``closed`` a day of the config's
    ``closed_days`` (no call is expected on it; the calls logged on it count)."""

    day: date
    figures: dict[str, Any] | None
    partial: bool = False
    closed: bool = False

    @property
    def weekend(self) -> bool:
        """Saturday or Sunday (:func:`carewatch.timeutil.is_weekend`)."""
        return is_weekend(self.day)


@dataclass(frozen=True)
class Note:
    """A call of a category with its note (what the caller wanted, in the operator's words)."""

    call_id: str
    started_at: float
    agent: str | None
    subcategory: str | None
    outcome: str | None
    resolved: bool | None
    note: str
    #: The call's primary key (the report cache keeps it in place of the note).
    pk: int | None = None


@dataclass(frozen=True)
class Request:
    """One category of what callers wanted: its calls, share of tagged calls, whether it is a
    complaint, its sub-categories (name -> calls) and its calls with a note (at most
    :data:`~carewatch.report.sections.NOTES_PER_CATEGORY`, the latest; ``notes_total`` all)."""

    category: str
    count: int
    share: float | None
    complaint: bool
    subcategories: dict[str, int]
    notes: list[Note]
    notes_total: int


@dataclass
class Report:
    """Everything one summary shows; rendering needs nothing else.

    ``kpis`` and the compared periods' ``kpis`` are the KPI engine's snapshots (keys of
    docs/kpis.md). ``as_of`` is the report time: the end of the period, or now for a period
    not over yet (its figures, open issues and ages are taken then; the compared periods are
    cut at the same point).
    """

    period: Period
    timezone: str
    tz: tzinfo
    kpis: dict[str, Any]
    previous: Compared
    earlier: Compared
    insights: list[str]
    open_issues: list[OpenIssue]
    calls: list[CallRow] | None
    generated_at: float
    as_of: float
    currency: str
    agent_cost_per_hour: float
    talk_target_seconds: float
    service_level_seconds: float
    category_alert_min_calls: int
    #: Alert share of every category of the mix (its own, else the default).
    category_alert_shares: dict[str, float] = field(default_factory=dict)
    #: Colour names from the config (for the HTML and the coloured terminal).
    category_colours: dict[str, str] = field(default_factory=dict)
    #: ``--queue`` / ``--agent``: the whole report is of these calls only.
    queue: str | None = None
    agent: str | None = None
    trend: list[TrendRow] = field(default_factory=list)
    #: Each local day of a longer period begun by the report time (none for one day).
    days: list[DayRow] = field(default_factory=list)
    #: The days that stand out (the worst, the gaps), said in ``insights`` too.
    standout_days: list[DayFinding] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    savings: list[dict[str, Any]] = field(default_factory=list)
    savings_cut: float = 0.7
    callbacks: list[Callback] = field(default_factory=list)
    #: The categories the config marks as complaints.
    complaint_categories: list[str] = field(default_factory=list)
    #: How callers are shown (the config's privacy settings).
    privacy: Privacy = field(default_factory=Privacy)
    #: First and last call start in the database, looked up when the period has no call.
    data_span: tuple[float, float] | None = None
    #: The start of the first call the database holds (epoch seconds: where the logs begin).
    logged_at: float | None = None
    #: The calls logged stop well before the report's end or now (:mod:`carewatch.kpi.stopped`).
    stopped: Stopped | None = None
    #: The report's own period is one day the config lists in ``closed_days``.
    closed: bool = False
    #: The open days of the report's own period up to the report time, and its closed days
    #: then (:func:`carewatch.kpi.open_days.open_days`).
    open_days: int = 1
    closed_days: tuple[date, ...] = ()
    #: The calls begun in the period still in progress at the report's making
    #: (:func:`carewatch.kpi.now.in_progress`: waiting or being talked, not stale): a period
    #: just over still has figures to come.
    in_progress_calls: int = 0

    @property
    def logged_from(self) -> date | None:
        """The local day the logs begin (of :attr:`logged_at`)."""
        if self.logged_at is None:
            return None
        return datetime.fromtimestamp(self.logged_at, self.tz).date()

    # -- the one-day report's names ---------------------------------------------------------
    @property
    def is_day(self) -> bool:
        """A report of one day (the end-of-day summary and its JSON keys)."""
        return self.period.kind == "day"

    @property
    def day(self) -> date:
        """The (first) day of the report."""
        return self.period.first

    @property
    def previous_day(self) -> dict[str, Any]:
        """The previous period's KPIs (for one day: the day before)."""
        return self.previous.kpis

    @property
    def same_day_last_week(self) -> dict[str, Any]:
        """The same period earlier's KPIs (for one day: the same weekday a week before)."""
        return self.earlier.kpis

    @property
    def previous_date(self) -> date:
        return self.previous.period.first

    @property
    def last_week_date(self) -> date:
        return self.earlier.period.first

    @property
    def complete(self) -> bool:
        """Whether the period is over at the report time."""
        return self.as_of >= self.period.window(self.tz).end

    @property
    def not_started(self) -> bool:
        """Whether the period had not begun at the report time (a day still to come)."""
        return self.as_of <= self.period.window(self.tz).start


@dataclass(frozen=True)
class RenderOptions:
    """How the caller wants a report laid out. Only the text format reads them: ``color``
    adds terminal colour codes, ``width`` is its width in columns (80 at the least)."""

    color: bool = False
    width: int = 80
