"""Reads of the manager's analysis, inside a given read transaction (plain SQL).

* :func:`call_span` — the first and last call start the database holds, for "no calls between
  … and …; the database holds calls from … to …";
* :func:`trend_totals` — per window, the sums behind the trend's KPIs, added up by the
  database (one index range scan per window, no row fetched into Python), so twelve months
  of history cost twelve aggregates.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from carewatch.records import DISPOSITIONS, AgentFilter
from carewatch.store.database import Tx
from carewatch.store.reads import SANE_START, narrowing

#: A call's state as :func:`carewatch.callstate.disposition` reads it, in SQL: its stored
#: disposition, else answered when an answer or a talk time is known.
_STATE = (
    "CASE WHEN disposition IN ({dispositions}) THEN disposition "
    "WHEN answered_at IS NOT NULL OR talk_seconds IS NOT NULL THEN 'answered' END"
).format(dispositions=", ".join(f"'{d}'" for d in DISPOSITIONS))
_INBOUND = "COALESCE(direction, 'in') <> 'out'"
_ANSWERED = f"({_INBOUND} AND {_STATE} = 'answered')"


def _count(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def call_span(
    tx: Tx, *, queue: str | None = None, agent: AgentFilter | None = None
) -> tuple[float, float] | None:
    """The start of the first and of the last call the database holds (of ``queue`` /
    ``agent`` when given), ``None`` when it holds none."""
    narrow, params = narrowing(queue, agent)
    # two subqueries, not MIN and MAX in one: each is then one step of the start index, where
    # the two together read every call (SQLite's min/max optimisation takes one aggregate)
    where = f"FROM cw_call WHERE {SANE_START}{narrow}"
    row = tx.first(
        f"SELECT (SELECT MIN(started_at) {where}), (SELECT MAX(started_at) {where})",
        [*params, *params],
    )
    if row is None or row[0] is None:
        return None
    return float(row[0]), float(row[1])


def spelled_as(tx: Tx, column: str, name: str) -> str:
    """``name`` as the calls spell it in ``column`` (``queue`` or ``agent``): itself when a
    call has it, else the one value that equals it but for case (``hugo`` -> ``Hugo``), else
    ``name`` as it is (two values that differ only in case are left to the user)."""
    if column not in ("queue", "agent"):
        raise ValueError(f"not a name column: {column}")
    if tx.first(f"SELECT 1 FROM cw_call WHERE {column} = ? LIMIT 1", (name,)) is not None:
        return name
    rows = tx.rows(
        f"SELECT DISTINCT {column} FROM cw_call WHERE lower({column}) = lower(?)", (name,)
    )
    return str(rows[0][0]) if len(rows) == 1 else name


def has_agent(tx: Tx, folded: Collection[str]) -> bool:
    """Whether any call, of any day, has an agent whose name folded (case and surrounding
    blanks ignored) is one of ``folded``. A full read of the calls' agents: ask once."""
    names = sorted(folded)
    if not names:
        return False
    marks = ", ".join("?" * len(names))
    found = tx.first(
        f"SELECT 1 FROM cw_call WHERE lower(trim(agent)) IN ({marks}) LIMIT 1", tuple(names)
    )
    return found is not None


#: The sums of :func:`trend_totals`, by name.
def _trend_columns(conversions: Collection[str]) -> dict[str, tuple[str, list[Any]]]:
    marks = ", ".join("?" * len(conversions)) or "NULL"
    return {
        "offered": (_count(_INBOUND), []),
        "answered": (_count(_ANSWERED), []),
        "abandoned": (_count(f"{_INBOUND} AND {_STATE} = 'abandoned'"), []),
        "missed": (_count(f"{_INBOUND} AND {_STATE} = 'missed'"), []),
        "in_time": (_count(f"{_ANSWERED} AND wait_seconds <= ?"), ["sl"]),
        "wait_sum": (f"SUM(CASE WHEN {_ANSWERED} THEN wait_seconds END)", []),
        "wait_n": (_count(f"{_ANSWERED} AND wait_seconds IS NOT NULL"), []),
        "talk_sum": (f"SUM(CASE WHEN {_ANSWERED} THEN talk_seconds END)", []),
        "talk_n": (_count(f"{_ANSWERED} AND talk_seconds IS NOT NULL"), []),
        "conversions": (_count(f"{_ANSWERED} AND outcome IN ({marks})"), list(conversions)),
        "outcomes_known": (_count(f"{_ANSWERED} AND outcome IS NOT NULL"), []),
        "resolved_yes": (_count("resolved = ?"), [True]),
        "resolved_known": (_count("resolved IS NOT NULL"), []),
        "csat_good": (_count("csat BETWEEN 4 AND 5"), []),
        "csat_n": (_count("csat BETWEEN 1 AND 5"), []),
    }


def trend_totals(
    tx: Tx,
    windows: Sequence[tuple[float, float]],
    *,
    service_level_seconds: float,
    conversion_outcomes: Collection[str],
    queue: str | None = None,
    agent: AgentFilter | None = None,
) -> list[dict[str, float]]:
    """For each window ``(start, end)``, the sums the trend's KPIs are computed from
    (:func:`carewatch.kpi.trend.trend_figures`), by the rules of :mod:`carewatch.callstate`
    and :mod:`carewatch.kpi.engine` written in SQL: a call's state is its stored disposition,
    else answered when an answer or talk time is known; inbound is every direction but
    ``out``."""
    columns = _trend_columns(sorted(conversion_outcomes))
    select: list[str] = []
    params: list[Any] = []
    for name, (sql, values) in columns.items():
        select.append(f"{sql} AS {name}")
        params += [service_level_seconds if v == "sl" else v for v in values]
    narrow, narrow_params = narrowing(queue, agent)
    sql = (
        f"SELECT {', '.join(select)} FROM cw_call WHERE started_at >= ? AND started_at < ?{narrow}"
    )
    out = []
    for start, end in windows:
        row = tx.first(sql, [*params, start, end, *narrow_params])
        got: Sequence[Any] = row if row is not None else (None,) * len(columns)
        out.append({name: float(v or 0) for name, v in zip(columns, got, strict=True)})
    return out
