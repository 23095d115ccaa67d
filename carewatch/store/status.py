"""``carewatch db status``: which schema a database has, read without writing anything."""

from __future__ import annotations

from carewatch.i18n import _
from carewatch.store.database import Database, Waiting
from carewatch.store.schema import HEAD_REVISION, SCHEMA_VERSION, schema_problem, schema_state


def schema_status(url: str, name: str, waiting: Waiting | None = None) -> tuple[str, bool]:
    """One line about the database's schema, and whether it is current (``waiting``: see
    :class:`~carewatch.store.database.Database`).

    Raises :class:`~carewatch.store.StoreError` when the database cannot be read.
    """
    db = Database(url, name=name, read_only=True, waiting=waiting)
    try:
        state = db.run(schema_state, write=False)
    finally:
        db.close()
    if state.current:
        current = _("database {name}: schema version {version} (revision {revision}), current")
        return current.format(name=name, version=SCHEMA_VERSION, revision=HEAD_REVISION), True
    if state.kind == "empty":
        empty = _("database {name}: empty (carewatch creates its tables on first use)")
        return empty.format(name=name), False
    if state.outdated:
        outdated = _(
            "database {name}: schema version {found} (revision {revision}), "
            "out of date: this carewatch uses version {version}; back it up, then run "
            "'carewatch db upgrade'"
        )
        found, revision = state.version, state.revision
        return outdated.format(
            name=name, found=found, revision=revision, version=SCHEMA_VERSION
        ), False
    unknown = _("database {name}: unknown schema").format(name=name)
    return schema_problem(state, name) or unknown, False
