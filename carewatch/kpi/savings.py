"""What a cut in a category over its alert share would save (the report's "What it would save").

Pure. For each category in ``category_alerts`` (over its alert share, once enough calls are
tagged): the talk time of the period, cut by ``targets.savings_cut`` (70% by default, the
example of a category an automatic message could mostly answer), scaled from the days the
period covers to an average month (365.25 / 12 days), in operator hours and money at
``agent_cost_per_hour``. Talk time only: wrap-up and waiting are not in the logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from carewatch.config import Config

#: The days of an average month.
DAYS_PER_MONTH = 365.25 / 12


def savings(kpis: Mapping[str, Any], config: Config, days: int) -> list[dict[str, Any]]:
    """One row per category over its alert share: ``category``, ``share``, ``threshold``,
    ``count``, ``talk_seconds`` (in the period), ``cut``, ``hours_per_month`` and
    ``money_per_month`` (what the cut would free in an average month at the period's rate);
    ``days`` is how many local days the figures cover (at least 1)."""
    cut = config.targets.savings_cut
    talk_by_category = kpis.get("talk_seconds_by_category") or {}
    per_month = DAYS_PER_MONTH / max(1, days)
    out = []
    for alert in kpis.get("category_alerts") or ():
        name = alert["category"]
        talk = float(talk_by_category.get(name) or 0.0)
        hours = talk * cut * per_month / 3600
        out.append(
            {
                "category": name,
                "share": alert["share"],
                "threshold": alert["threshold"],
                "count": alert["count"],
                "talk_seconds": talk,
                "cut": cut,
                "hours_per_month": hours,
                "money_per_month": hours * config.agent_cost_per_hour,
            }
        )
    return out
