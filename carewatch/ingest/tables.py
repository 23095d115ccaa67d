"""Reading the config's queue_log tables (``[[sources]]`` of kind ``table``) once:
:func:`ingest_tables`; the :class:`~carewatch.ingest.follower.Follower` follows them live with
the same :class:`~carewatch.sources.table_tail.TableTail`."""

from __future__ import annotations

from collections.abc import Iterable

from carewatch.config import Config, Source
from carewatch.ingest.summary import IngestSummary
from carewatch.sources.table_tail import TableTail
from carewatch.store import Store


def ingest_tables(store: Store, config: Config, sources: Iterable[Source]) -> IngestSummary:
    """Read every row committed now in each table (from where it was last read) into the
    store. A table that cannot be read is listed as not read, with why."""
    summary = IngestSummary()
    for source in sources:
        tail = TableTail(store, config, source)
        try:
            for result in tail.poll(oneshot=True):
                summary.add_result(result)
        finally:
            tail.close()
        summary.files += 1
        if tail.problem is not None:
            summary.files_not_read.append((tail.path, tail.problem))
    return summary
