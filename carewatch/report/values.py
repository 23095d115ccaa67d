"""A KPI's value on the report day and how it moved against the two compared days.

:func:`key_figures` gives the rows of the "Key figures" table once, for every format that
prints it; :func:`change` and :func:`verdict` say how one value moved and whether that is
good news (:mod:`carewatch.kpi.definitions` knows which way is better).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from carewatch.i18n import N_, _
from carewatch.kpi.definitions import (
    definition,
    higher_is_better,
    kind,
    report_groups,
    target_keys,
)
from carewatch.kpi.open_days import scaled
from carewatch.present import (
    age,
    duration,
    kpi_label,
    kpi_value,
    localised,
    money,
    money_places,
)
from carewatch.report.model import Compared, Report


def scalar_value(kpis: Mapping[str, Any], key: str) -> Any:
    """The scalar value of ``key`` (``talk_cost`` is its total)."""
    value = kpis.get(key)
    if key == "talk_cost" and isinstance(value, Mapping):
        return value.get("total")
    return value


def had_calls(kpis: Mapping[str, Any]) -> bool:
    """Whether a day had any call: a day without one (before the centre's data starts, a
    closed day) is no basis for a comparison, so its changes print as "–"."""
    return bool(kpis.get("offered") or kpis.get("outbound"))


def comparable(other: Compared) -> bool:
    """Whether a compared period is a basis for a comparison: it had calls, the logs reach
    back to its first day (a month the logs begin in the middle of is only a part), and it is
    not a closed day (``closed_days``: the calls of an emergency line are no basis)."""
    return other.covered and not other.closed and had_calls(other.kpis)


def compared_basis(other: Compared) -> dict[str, Any] | None:
    """What the report compares its figures with: the compared period's KPIs, its sums per
    open day when the two periods have a different number of open days
    (:func:`carewatch.kpi.open_days.scaled`); ``None`` when it is no basis
    (:func:`comparable`)."""
    if not comparable(other):
        return None
    return scaled(other.kpis, other.per_open_day)


def scalar_keys(kpis: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """The groups of scalar KPIs to print (:func:`carewatch.kpi.definitions.report_groups`),
    then every other scalar key of the snapshot (a key the engine adds later) under "Other".
    Targets are left out."""
    printed = report_groups()
    known = {k for _, keys in printed for k in keys} | set(target_keys())
    groups = [(title, [k for k in keys if k in kpis]) for title, keys in printed]
    other = [
        k
        for k, v in kpis.items()
        if k not in known
        and (v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)))
    ]
    if other:
        groups.append((N_("Other"), other))
    return [(title, keys) for title, keys in groups if keys]


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and not (isinstance(value, float) and not math.isfinite(value))
    )


def change(key: str, now: Any, before: Any, currency: str | None = None) -> tuple[str, int | None]:
    """The change of a KPI from ``before`` to ``now`` as text, and its direction.

    "▲ 12" for counts, "▼ 3.1 pp" for rates (percentage points), "▲ 14 s" for seconds,
    "▲ 0.25" for scores, "▲ € 12" for money; "=" when it did not change (at the shown
    precision); "–" when either side is null (direction ``None``).
    """
    if not (_is_number(now) and _is_number(before)):
        return "–", None
    found = kind(key)
    diff = now - before
    if found == "rate":
        size = round(abs(diff) * 100, 1)
        text = _("{size} pp").format(size=localised(f"{size:.1f}"))
    elif found == "seconds":
        size = round(abs(diff))
        defined = definition(key)
        text = age(size) if defined is not None and defined.age else duration(size)
    elif found == "money":  # at the precision the amounts themselves are shown
        size = round(abs(diff), money_places())
        text = money(size, currency or None)
    elif found == "score":
        decimals = 0 if isinstance(now, int) and isinstance(before, int) else 2
        size = round(abs(diff), decimals)
        text = localised(f"{size:,.{decimals}f}")
    else:
        if isinstance(diff, float) and not diff.is_integer():
            size = round(abs(diff), 2)
            text = localised(f"{size:,.2f}")
        else:
            size = round(abs(diff))
            text = localised(f"{size:,}")
    if size == 0:
        return "=", 0
    return (f"▲ {text}", 1) if diff > 0 else (f"▼ {text}", -1)


def verdict(key: str, direction: int | None) -> str | None:
    """ "better" / "worse" for a change of ``key`` in ``direction``, ``None`` when neutral
    (English words, also CSS classes: translate them with ``_`` where they are shown)."""
    better = higher_is_better(key)
    if better is None or not direction:
        return None
    return N_("better") if (direction > 0) == better else N_("worse")


@dataclass(frozen=True)
class Figure:
    """One row of the key figures: a KPI's label and value on the report day, and its change
    against the day before and the same weekday last week, each as (text, tone) where the
    tone is "better", "worse" or ``None`` (:func:`verdict`)."""

    key: str
    label: str
    value: str
    changes: tuple[tuple[str, str | None], ...]


#: The row of the calls that reached no operator (docs/counting.md, "other"): not a key of
#: the snapshot, the rest of the offered calls once those with an outcome and those waiting
#: are counted, printed after "waiting" when a day has any.
NO_OPERATOR = "no_operator"
_SPLIT = ("answered", "abandoned", "missed", "waiting")


def no_operator_calls(kpis: Mapping[str, Any]) -> int | None:
    """The offered calls that ended without reaching an operator (an announcement, a voicemail,
    an IVR the caller hung up in): offered − answered − abandoned − missed − waiting."""
    values = [kpis.get(key) for key in ("offered", *_SPLIT)]
    counts = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    if len(counts) != len(values):
        return None
    return max(0, counts[0] - sum(counts[1:]))


#: The figures of calls that reached no operator: an operator's report (``--agent``) leaves
#: them out when none of its periods has any (its "Answer rate 100%" would say nothing).
NOT_AN_OPERATORS = frozenset(
    {"abandoned", "missed", "waiting", "abandon_rate", "answer_rate", NO_OPERATOR}
)


def left_out(report: Report) -> frozenset[str]:
    """The key figures an operator's report leaves out (:data:`NOT_AN_OPERATORS`, when neither
    its period nor a compared one has an abandoned, missed or waiting call of theirs); none
    for any other report."""
    if report.agent is None:
        return frozenset()
    periods = (report.kpis, report.previous.kpis, report.earlier.kpis)
    if any(p.get(key) for p in periods for key in ("abandoned", "missed", "waiting")):
        return frozenset()
    return NOT_AN_OPERATORS


def key_figures(report: Report) -> list[tuple[str, list[Figure]]]:
    """The key figures in their groups (:func:`scalar_keys`), each KPI compared with the two
    days (:func:`comparable`: a day without calls, or one the logs do not reach back to the
    start of, gives "–"; a period with other open days than the report's compares its sums per
    open day: :func:`compared_basis`). Where calls reached no operator
    (:func:`no_operator_calls`), a row says how many after "waiting", so the calls' rows add up
    to the calls offered. An operator's report leaves out what reached no operator
    (:func:`left_out`)."""
    k, cur = report.kpis, report.currency
    others: list[Mapping[str, Any]] = [
        compared_basis(c) or {} for c in (report.previous, report.earlier)
    ]
    groups = []
    hidden = left_out(report)
    for group, keys in scalar_keys(k):
        figures = []
        for key in keys:
            if key in hidden:
                continue
            value = scalar_value(k, key)
            changes = []
            for other in others:
                text, direction = change(key, value, scalar_value(other, key), cur)
                changes.append((text, verdict(key, direction)))
            figures.append(
                Figure(key, kpi_label(key), kpi_value(key, value, currency=cur), tuple(changes))
            )
            if key == "waiting" and no_operator_calls(k) and NO_OPERATOR not in hidden:
                figures.append(_no_operator_figure(k, others))
        groups.append((_(group), figures))
    return groups


def _no_operator_figure(kpis: Mapping[str, Any], others: list[Mapping[str, Any]]) -> Figure:
    value = no_operator_calls(kpis)
    changes = []
    for other in others:
        text, _direction = change(NO_OPERATOR, value, no_operator_calls(other))
        changes.append((text, None))
    label = _("Reached no operator")
    return Figure(NO_OPERATOR, label, kpi_value("offered", value), tuple(changes))
