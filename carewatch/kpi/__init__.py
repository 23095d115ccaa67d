"""The KPI engine and what it knows about KPIs, in modules with one job each.

* :mod:`carewatch.kpi.definitions` — the one table of KPIs: key, label, kind, which way is
  better, where the report prints it, when a move is news.
* :mod:`carewatch.kpi.windows` — windows of time (a local day, the last hour, a shift).
* :mod:`carewatch.kpi.engine` — calls + config -> a KPI snapshot (pure: the caller reads).
* :mod:`carewatch.kpi.now` — the centre now: waiting, talking, each operator's state.
* :mod:`carewatch.kpi.insights` — what stands out, in sentences.

Import from the module that holds a name; this package module imports nothing, so that any
of them can be imported alone.
"""
