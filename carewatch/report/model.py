"""What one end-of-day summary holds: :class:`Report`, its :class:`OpenIssue` rows and the
:class:`RenderOptions` a caller may give. Built by :mod:`carewatch.report.build`, read by
the formats; nothing here reads the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from typing import Any

from carewatch.records import CallRow


@dataclass(frozen=True)
class OpenIssue:
    """An issue open at the report time, with its age then (seconds)."""

    id: int
    title: str
    category: str | None
    opened_by: str
    opened_at: float
    age_seconds: float


@dataclass
class Report:
    """Everything one end-of-day summary shows; rendering needs nothing else.

    ``kpis``, ``previous_day`` and ``same_day_last_week`` are the KPI engine's snapshots
    (:func:`carewatch.kpi.kpis_for_window`, keys of docs/kpis.md). ``as_of`` is the report
    time: the end of the day, or now for a day not over yet (open issues and their ages are
    taken then).
    """

    day: date
    timezone: str
    tz: tzinfo
    kpis: dict[str, Any]
    previous_day: dict[str, Any]
    same_day_last_week: dict[str, Any]
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
    #: Alert share of every category of the day's mix (its own, else the default).
    category_alert_shares: dict[str, float] = field(default_factory=dict)
    #: Colour names from the config (for the HTML and the coloured terminal).
    category_colours: dict[str, str] = field(default_factory=dict)

    @property
    def previous_date(self) -> date:
        """The day before."""
        return self.day - timedelta(days=1)

    @property
    def last_week_date(self) -> date:
        """The same weekday one week earlier."""
        return self.day - timedelta(days=7)


@dataclass(frozen=True)
class RenderOptions:
    """How the caller wants a report laid out. Only the text format reads them: ``color``
    adds terminal colour codes, ``width`` is its width in columns (80 at the least)."""

    color: bool = False
    width: int = 80
