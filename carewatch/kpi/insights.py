"""What stands out in a snapshot, as plain sentences a manager reads first.

Pure: the snapshots to compare and the open issues are given, nothing is read. How far a KPI
must move to be news comes from its row in :mod:`carewatch.kpi.definitions`. A rate drawn from
fewer than ``targets.news_min_calls`` calls is no news (one call lost in the first minutes of
the day is "abandon rate 100%"): the targets' sentences and the move need that many calls.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from carewatch.config import Config
from carewatch.i18n import N_, _
from carewatch.kpi.definitions import KPIS, higher_is_better
from carewatch.present import age, clean_text, count, duration, kpi_label, kpi_value, percent
from carewatch.records import IssueRow


def _enough(kpis: Mapping[str, Any], fewest: int, key: str = "offered") -> bool:
    return (kpis.get(key) or 0) >= fewest


def biggest_move(kpis: Mapping[str, Any], before: Mapping[str, Any]) -> tuple[str, float] | None:
    """The KPI that moved most from ``before`` to ``kpis``, each change measured against a
    scale that makes it news (5 points for a rate, 20% for a volume or a time, 10 for NPS…),
    with the size of the move in those scales; KPIs with ``None`` on either side are skipped.
    ``None`` when nothing moved."""
    best: tuple[str, float] | None = None
    for kpi in KPIS:
        news = kpi.news
        if news is None:
            continue
        key = kpi.key
        new, old = kpis.get(key), before.get(key)
        if new is None or old is None:
            continue
        if news.scale == "points":
            size = abs(new - old) / news.size
        else:
            size = abs(new - old) / max(abs(old) * news.size, news.floor)
        if size > 0 and (best is None or size > best[1]):
            best = (key, size)
    return best


def _move_sentence(key: str, new: Any, old: Any, when: str) -> str:
    better = higher_is_better(key)
    rose = new > old
    if better is None:
        text = (
            _("{kpi} rose to {new} from {old} {when}.")
            if rose
            else _("{kpi} fell to {new} from {old} {when}.")
        )
    elif rose == better:
        text = (
            _("{kpi} rose to {new} from {old} {when} (better).")
            if rose
            else _("{kpi} fell to {new} from {old} {when} (better).")
        )
    else:
        text = (
            _("{kpi} rose to {new} from {old} {when} (worse).")
            if rose
            else _("{kpi} fell to {new} from {old} {when} (worse).")
        )
    return text.format(
        kpi=kpi_label(key), new=kpi_value(key, new), old=kpi_value(key, old), when=when
    )


#: How the insights name the periods compared with a day's: (the previous, the earlier).
DAY_COMPARISON = (N_("on the previous day"), N_("on the same weekday last week"))


def insights(
    kpis: dict,
    *,
    config: Config,
    previous_day: dict | None = None,
    last_week: dict | None = None,
    open_issues: Sequence[IssueRow] = (),
    now: float | None = None,
    previous_when: str | None = None,
    earlier_when: str | None = None,
    day_notes: Sequence[str] = (),
    previous_scaled: Collection[str] = (),
    earlier_scaled: Collection[str] = (),
) -> list[str]:
    """What stands out in a snapshot, as plain sentences, most important first.

    1. each category over its alert share: its share, talk time and what the talk cost;
    2. abandon rate over ``targets.abandon_rate_max``, service level under its goal (each
       from ``targets.news_min_calls`` calls offered or more);
    2b. ``day_notes``: what stands out in the days of a longer period
       (:func:`carewatch.kpi.day_insights.day_insights`);
    3. the share of answered calls over the talk target (as many answered);
    4. the KPI that moved most against the same weekday last week (or, without that
       snapshot, the previous day), when it moved at least one "news" scale (see
       :func:`biggest_move`) and both had as many calls offered;
       ``earlier_when`` and ``previous_when`` name those periods for a report of a week, a
       month or a range (default: a day's, translated);
    5. the oldest of ``open_issues``, its age at ``now`` (default: the clock) and title.

    ``previous_scaled``/``earlier_scaled``: the keys of ``previous_day``/``last_week`` put on
    the report's number of open days (:mod:`carewatch.kpi.open_days`); a move of one of them
    says so ("…, for as many open days"), as its figure is no figure that period had.
    """
    previous_when = _(DAY_COMPARISON[0]) if previous_when is None else previous_when
    earlier_when = _(DAY_COMPARISON[1]) if earlier_when is None else earlier_when
    out: list[str] = []
    talk_by_cat = kpis.get("talk_seconds_by_category") or {}
    cost_by_cat = (kpis.get("talk_cost") or {}).get("by_category") or {}
    for alert in kpis.get("category_alerts") or ():
        name = alert["category"]
        cost = kpi_value("talk_cost", cost_by_cat.get(name, 0.0), currency=config.currency)
        out.append(
            _("{category}: {share} of tagged calls, {talk} of talk, {cost}.").format(
                category=clean_text(name),
                share=percent(alert["share"], trim=True),
                talk=duration(talk_by_cat.get(name, 0.0)),
                cost=cost,
            )
        )

    targets = config.targets
    fewest = targets.news_min_calls
    enough = _enough(kpis, fewest)
    abandon_rate = kpis.get("abandon_rate")
    if enough and abandon_rate is not None and abandon_rate > targets.abandon_rate_max:
        out.append(
            _(
                "Abandon rate {rate} is over the {maximum} maximum ({abandoned} of {offered} "
                "calls)."
            ).format(
                rate=kpi_value("abandon_rate", abandon_rate),
                maximum=percent(targets.abandon_rate_max, trim=True),
                abandoned=count(kpis.get("abandoned", 0)),
                offered=count(kpis.get("offered", 0)),
            )
        )
    service_level = kpis.get("service_level")
    if enough and service_level is not None and service_level < targets.service_level_goal:
        threshold = kpis.get("service_level_seconds", targets.service_level_seconds)
        out.append(
            _(
                "Service level {level} is under the {goal} goal (answered within {threshold})."
            ).format(
                level=kpi_value("service_level", service_level),
                goal=percent(targets.service_level_goal, trim=True),
                threshold=duration(threshold),
            )
        )

    out.extend(day_notes)

    over = kpis.get("over_target_share")
    if over is not None and _enough(kpis, fewest, "answered"):
        target = kpis.get("talk_target_seconds", targets.talk_seconds)
        average = kpi_value("avg_talk_seconds", kpis.get("avg_talk_seconds"))
        out.append(
            _(
                "{share} of answered calls went over the {target} talk target (average talk "
                "{average})."
            ).format(share=percent(over, trim=True), target=duration(target), average=average)
        )

    before, when, scaled = (
        (last_week, earlier_when, earlier_scaled)
        if last_week is not None
        else (previous_day, previous_when, previous_scaled)
    )
    move = (
        biggest_move(kpis, before)
        if before is not None and enough and _enough(before, fewest)
        else None
    )
    if before is not None and move is not None and move[1] >= 1.0:
        if move[0] in scaled:
            when = _("{when}, for as many open days").format(when=when)
        out.append(_move_sentence(move[0], kpis[move[0]], before[move[0]], when))

    still_open = [i for i in open_issues if i.resolved_at is None]
    if still_open:
        oldest = min(still_open, key=lambda i: i.opened_at)
        opened_for = (time.time() if now is None else now) - oldest.opened_at
        n = len(still_open)
        # One issue names no number; two or more are plural in every language carewatch speaks.
        text = (
            _('Oldest open issue: "{title}", open {age}.')
            if n == 1
            else _('Oldest of {count} open issues: "{title}", open {age}.')
        )
        out.append(text.format(count=n, title=clean_text(oldest.title), age=age(opened_for)))
    return out
