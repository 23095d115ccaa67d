"""A read-only store (a report, the call-backs, a kept day: one command's reads) reads with a
larger page cache than SQLite's default; a store that writes (the live screen, the ingester,
running for weeks) keeps the default, so its memory does not grow with the pages it reads."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from carewatch.store import Store
from carewatch.store.backends import SQLITE_READ_CACHE_KIB, SqliteBackend


def test_only_read_only_connections_have_the_larger_page_cache(tmp_path: Path) -> None:
    path = str(tmp_path / "cw.db")
    Store(path).close()
    default = sqlite3.connect(path).execute("PRAGMA cache_size").fetchone()[0]
    reader = SqliteBackend(path, read_only=True).connect()
    writer = SqliteBackend(path, read_only=False).connect()
    try:
        assert reader.execute("PRAGMA cache_size").fetchone()[0] == -SQLITE_READ_CACHE_KIB
        assert writer.execute("PRAGMA cache_size").fetchone()[0] == default
    finally:
        reader.close()
        writer.close()
