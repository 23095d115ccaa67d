"""``carewatch db status``: which schema a database has, read without writing anything."""

from __future__ import annotations

from carewatch.store.database import Database
from carewatch.store.schema import HEAD_REVISION, SCHEMA_VERSION, schema_problem, schema_state


def schema_status(url: str, name: str) -> tuple[str, bool]:
    """One line about the database's schema, and whether it is current.

    Raises :class:`~carewatch.store.StoreError` when the database cannot be read.
    """
    db = Database(url, name=name, read_only=True)
    try:
        state = db.run(schema_state, write=False)
    finally:
        db.close()
    if state.current:
        return (
            f"database {name}: schema version {SCHEMA_VERSION} (revision {HEAD_REVISION}), current",
            True,
        )
    if state.kind == "empty":
        return f"database {name}: empty (carewatch creates its tables on first use)", False
    if state.outdated:
        return (
            f"database {name}: schema version {state.version} (revision {state.revision}), "
            f"out of date: this carewatch uses version {SCHEMA_VERSION}; back it up, then run "
            "'carewatch db upgrade'",
            False,
        )
    return schema_problem(state, name) or f"database {name}: unknown schema", False
