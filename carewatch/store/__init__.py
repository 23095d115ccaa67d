"""The database: engine and pragmas, schema and its version, write paths, reads, change detection.

Callers use one object, :class:`Store` (``from carewatch.store import Store, StoreError``).
Nothing in the schema or the queries is SQLite-only: the same code runs on PostgreSQL through
a URL. The KPI engine (:mod:`carewatch.kpi`) reads calls from here; the KPI snapshot contract
it must return (the exact keys) is in docs/kpis.md.

The modules:

- ``database``: the URL, the engine and SQLite's pragmas, transactions, retry while locked,
  :class:`StoreError` and its one-line messages;
- ``schema``: the Core tables, the schema version check and creation;
- ``apply``: applying parsed records (calls merged, agent events stored once);
- ``reads``: calls, agent events and issues in a time range;
- ``tags``, ``issues``, ``positions``: tagging with undo, issues, file read positions;
- ``changes``: the data version a screen polls;
- ``facade``: the :class:`Store`.

How :class:`Store` is composed: every module but ``facade`` holds plain functions that take
a SQLAlchemy ``Connection`` (or an ``Engine``) and know nothing of :class:`Store`; the
:class:`Store` methods are thin: each picks the transaction (a read snapshot, a retried
write, or the caller's own connection), calls one function, and counts its own writes for
:meth:`Store.data_version`. So the state lives in one place (the engine and the change
counter), a module's dependencies are visible in its signatures, and several functions can
share one transaction (ingest applies records and saves the file position together). Mixins
were the alternative: they would split one object's state across modules, and each would
need to declare what it expects of ``self``.
"""

from carewatch.store.apply import ApplyResult
from carewatch.store.database import StoreError, database_url
from carewatch.store.facade import Store

__all__ = ["ApplyResult", "Store", "StoreError", "database_url"]
