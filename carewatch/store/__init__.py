"""The database: connections and transactions, schema and its version, write paths, reads,
change detection.

Callers use one object, :class:`Store` (``from carewatch.store import Store, StoreError``).
The same SQL runs on SQLite (``sqlite3``) and PostgreSQL (psycopg 3), chosen by the URL. The
KPI engine (:mod:`carewatch.kpi`) reads calls from here; the KPI snapshot contract it must
return (the exact keys) is in docs/kpis.md.

The modules:

- ``database``: URLs, the connection pool, transactions (:class:`Tx`), retries, and
  :class:`StoreError`'s one-line messages; ``backends``: what differs between SQLite and
  PostgreSQL (connecting, ``BEGIN``, the writers' lock, reading driver errors);
- ``schema``: the schema version of a database, checked with plain SQL; ``migrate``:
  creating a database and ``carewatch db upgrade`` (SQLModel tables of
  :mod:`carewatch.model`, alembic revisions in ``migrations/``), imported only for those;
- ``apply``: applying parsed records (calls merged by (source, call id, leg), agent events
  stored once); ``pending`` (events waiting for their call's start), ``consult`` (the
  consult-id rule), ``cdr_legs`` (CDR rows kept, calls derived from all their legs) and
  ``callrows`` (call rows as the write paths hold them) serve it;
- ``reads``: calls, agent events and issues in a time range;
- ``tags``, ``issues``, ``positions``: tagging with undo, issues, file read positions;
- ``retention`` (``db purge``, ``db forget``) and ``compact``: the old copies of what they
  changed out of the database's files (``VACUUM``, the write-ahead log emptied);
- ``changes`` and ``pgchanges``: the data version a screen polls, PostgreSQL's change
  counter and LISTEN;
- ``facade``: the :class:`Store`; ``operator_work``: its tagging and issue methods (a class
  it inherits, to keep the facade one screenful of modules' entry points).

How :class:`Store` is composed: every module but ``facade`` (and ``operator_work``) holds
plain functions that take
a :class:`~carewatch.store.database.Tx` (one transaction) and know nothing of :class:`Store`;
the :class:`Store` methods are thin: each picks the transaction (a read snapshot, a retried
write, or the caller's own transaction), calls one function, and counts its own writes for
:meth:`Store.data_version`. So the state lives in one place (the database's connections and
the change counter), a module's dependencies are visible in its signatures, and several
functions can share one transaction (ingest applies records and saves the file position
together). No SQLAlchemy on these paths: its import alone cost a command ~150 ms and its
per-row parameter handling dominated ingest.
"""

from typing import TYPE_CHECKING, Any

from carewatch.store.database import Tx, database_url
from carewatch.store.errors import StoreError
from carewatch.store.facade import Store

if TYPE_CHECKING:
    from carewatch.store.apply import ApplyResult


def __getattr__(name: str) -> Any:
    """:class:`ApplyResult` on first use: the ingest machinery is not imported by commands
    that only read or tag."""
    if name == "ApplyResult":
        from carewatch.store.apply import ApplyResult

        return ApplyResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ApplyResult", "Store", "StoreError", "Tx", "database_url"]
