"""PostgreSQL's planner statistics kept up with a bulk load: :func:`keep_statistics`.

PostgreSQL plans a query from statistics of each table that its autovacuum gathers a minute or
more after the table grew. A table filled by an ingest has none for that long: the planner then
takes ``source = ?`` for a selective condition and reads every call of the source to find a
batch's few hundred call ids, so each batch of a large ingest took longer than the one before
(0.3 s for the first 20,000 queue_log lines, 2.3 s for the fifth). A write transaction that
inserts :data:`MIN_ROWS` rows or more, and at least :data:`SHARE` of what the table held, runs
``ANALYZE`` on it before it commits (ANALYZE sees the transaction's own rows): a bulk load into
a young table is analyzed as it grows, and a busy but large table is left to autovacuum. SQLite
plans with its indexes alone and is left as it is.

ANALYZE takes a lock that only other maintenance (VACUUM, ANALYZE, CREATE INDEX) conflicts with:
readers and writers never wait for it, and an autovacuum that holds the table gives way after the
server's ``deadlock_timeout`` (a second). A database user that does not own the table gets a
warning from the server, not an error.
"""

from __future__ import annotations

from carewatch.store.database import Tx

#: Rows a transaction must insert into a table before it analyzes it.
MIN_ROWS = 1_000
#: ... and the share of the rows the table held (as PostgreSQL last counted them).
SHARE = 0.1


def keep_statistics(tx: Tx, table: str, inserted: int) -> bool:
    """ANALYZE ``table`` in ``tx`` when ``inserted`` rows are many for it (see the module);
    whether it did."""
    if tx.is_sqlite or inserted < MIN_ROWS:
        return False
    known = tx.scalar("SELECT reltuples FROM pg_class WHERE oid = to_regclass(?)", (table,))
    if known is not None and float(known) > 0 and inserted < SHARE * float(known):
        return False
    tx.execute(f"ANALYZE {table}")
    return True
