"""Reads the manager's analysis needs beyond :class:`~carewatch.store.Store`'s own methods.

Every function takes a :class:`Store` and reads through :meth:`Store.read` (one read-only
snapshot each). The queries that are new to the store are listed here so a store that
changes its engine ports exactly these:

* :func:`call_span` — the first and last call start the database holds (``MIN``/``MAX`` of
  ``cw_call.started_at``), for "no calls between … and …; the database holds calls from …";
* :func:`trend_totals` — per window, the sums behind the trend's KPIs, aggregated by the
  database (one index range scan per window, no row fetched into Python), so twelve months of
  history cost twelve aggregates;
* :func:`subcategories_between` and :func:`tag_subcategory` — the seam for a call's
  sub-category: the store must add the column ``cw_call.subcategory`` (text, nullable, like
  ``category``) and ``"subcategory"`` to its tag fields. Until it does,
  :func:`supports_subcategories` is ``False``, the report shows no sub-categories and tagging
  one is a one-line error.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from carewatch.kpi.windows import Window
from carewatch.records import DISPOSITIONS
from carewatch.store.database import StoreError
from carewatch.store.facade import Store
from carewatch.store.schema import CALLS

#: The column and tag field a call's sub-category is stored in (see the module docstring).
SUBCATEGORY = "subcategory"


def _filters(queue: str | None, agent: str | None) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if queue is not None:
        out.append(CALLS.c.queue == queue)
    if agent is not None:
        out.append(CALLS.c.agent == agent)
    return out


def call_span(
    store: Store, *, queue: str | None = None, agent: str | None = None
) -> tuple[float, float] | None:
    """The start of the first and of the last call the database holds (of ``queue`` /
    ``agent`` when given), ``None`` when it holds none."""
    stmt = select(func.min(CALLS.c.started_at), func.max(CALLS.c.started_at))
    for condition in _filters(queue, agent):
        stmt = stmt.where(condition)
    with store.read() as conn:
        first, last = conn.execute(stmt).one()
    return None if first is None else (float(first), float(last))


def _count(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def trend_totals(
    store: Store,
    windows: Sequence[Window],
    *,
    service_level_seconds: float,
    conversion_outcomes: Collection[str],
    queue: str | None = None,
    agent: str | None = None,
) -> list[dict[str, float]]:
    """For each window, the sums the trend's KPIs are computed from
    (:func:`carewatch.kpi.trend.trend_figures`), by the rules of
    :mod:`carewatch.callstate` and :mod:`carewatch.kpi.engine` written in SQL: a call's state
    is its stored disposition, else answered when an answer or talk time is known; inbound is
    every direction but ``out``."""
    c = CALLS.c
    state = case(
        (c.disposition.in_(DISPOSITIONS), c.disposition),
        (or_(c.answered_at.is_not(None), c.talk_seconds.is_not(None)), "answered"),
        else_=None,
    )
    inbound = func.coalesce(c.direction, "in") != "out"
    answered = and_(inbound, state == "answered")
    columns = {
        "offered": _count(inbound),
        "answered": _count(answered),
        "abandoned": _count(and_(inbound, state == "abandoned")),
        "missed": _count(and_(inbound, state == "missed")),
        "in_time": _count(and_(answered, c.wait_seconds <= service_level_seconds)),
        "wait_sum": func.sum(case((answered, c.wait_seconds), else_=None)),
        "wait_n": _count(and_(answered, c.wait_seconds.is_not(None))),
        "talk_sum": func.sum(case((answered, c.talk_seconds), else_=None)),
        "talk_n": _count(and_(answered, c.talk_seconds.is_not(None))),
        "conversions": _count(and_(answered, c.outcome.in_(sorted(conversion_outcomes)))),
        "outcomes_known": _count(and_(answered, c.outcome.is_not(None))),
        "resolved_yes": _count(c.resolved.is_(True)),
        "resolved_known": _count(c.resolved.is_not(None)),
        "csat_good": _count(c.csat.between(4, 5)),
        "csat_n": _count(c.csat.between(1, 5)),
    }
    base = select(*(col.label(name) for name, col in columns.items()))
    for condition in _filters(queue, agent):
        base = base.where(condition)
    out = []
    with store.read() as conn:
        for window in windows:
            stmt = base.where(c.started_at >= window.start, c.started_at < window.end)
            row = conn.execute(stmt).one()._mapping
            out.append({name: float(row[name] or 0) for name in columns})
    return out


def supports_subcategories(store: Store) -> bool:
    """Whether the database has a call's sub-category (the column the store must add)."""
    return SUBCATEGORY in CALLS.c


def subcategories_between(
    store: Store, window: Window, *, queue: str | None = None, agent: str | None = None
) -> dict[int, str]:
    """Call id (primary key) -> its sub-category, for the calls that started in ``window``
    and have one; empty while the store has no sub-category column."""
    if not supports_subcategories(store):
        return {}
    column = CALLS.c[SUBCATEGORY]
    stmt = select(CALLS.c.id, column).where(
        CALLS.c.started_at >= window.start,
        CALLS.c.started_at < window.end,
        column.is_not(None),
        *_filters(queue, agent),
    )
    with store.read() as conn:
        return {int(pk): str(value) for pk, value in conn.execute(stmt)}


def tag_subcategory(
    store: Store, call_pk: int, value: str | None, operator: str, *, now: float | None = None
) -> int | None:
    """Set a call's sub-category (a tag event, like a category). Raises :class:`StoreError`
    while the database has no sub-category column."""
    require_subcategories(store)
    return store.tag(call_pk, SUBCATEGORY, value, operator, now=now)


def require_subcategories(store: Store) -> None:
    """Raise :class:`StoreError` (one line) unless the database can hold sub-categories."""
    if not supports_subcategories(store):
        raise StoreError(
            f"database {store.display_name} cannot hold sub-categories yet "
            "(its calls have no sub-category column)"
        )
