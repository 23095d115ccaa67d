"""The store's change sequence: which calls changed since a screen last looked, in commit order.

``cw_change_seq`` holds one number. Every carewatch write transaction that writes calls moves it
once (:meth:`carewatch.store.database.Tx.change_seq`) and stamps the rows it writes with the new
value (``cw_call.change_seq``). Writers take turns (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: the
writers' advisory lock), so a later commit always has a larger number: a reader that has seen
every row up to N asks for the rows above N and misses nothing, reads nothing twice, and trusts
no writer's clock.

A program that writes ``cw_call`` without carewatch's code (a CRM's ``UPDATE``) leaves the
column as it was: triggers then give the row a number of its own (on PostgreSQL after taking
the writers' lock, so that number too follows the commit order). carewatch's own writes set the
column, so the triggers' condition is false for them and they cost a comparison per row.
"""

from __future__ import annotations

from carewatch.store.backends import WRITE_LOCK

SEQ_TABLE = "cw_change_seq"

#: Move the sequence and return the new number (inside a write transaction).
NEXT_SEQ = f"UPDATE {SEQ_TABLE} SET value = value + 1 WHERE id = 1 RETURNING value"

_SQLITE_BUMP = f"""
    UPDATE {SEQ_TABLE} SET value = value + 1 WHERE id = 1;
    UPDATE cw_call SET change_seq = (SELECT value FROM {SEQ_TABLE} WHERE id = 1)
        WHERE id = NEW.id;"""

SQLITE_TRIGGERS = (
    "CREATE TRIGGER cw_call_seq_insert AFTER INSERT ON cw_call WHEN NEW.change_seq = 0"
    f" BEGIN{_SQLITE_BUMP}\nEND",
    "CREATE TRIGGER cw_call_seq_update AFTER UPDATE ON cw_call"
    f" WHEN NEW.change_seq = OLD.change_seq BEGIN{_SQLITE_BUMP}\nEND",
)

_PG_FUNCTION = "cw_call_next_seq"

POSTGRES_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({WRITE_LOCK});
    UPDATE {SEQ_TABLE} SET value = value + 1 WHERE id = 1 RETURNING value INTO NEW.change_seq;
    RETURN NEW;
END
$$""",
    f"CREATE TRIGGER cw_call_seq_insert BEFORE INSERT ON cw_call FOR EACH ROW"
    f" WHEN (NEW.change_seq = 0) EXECUTE FUNCTION {_PG_FUNCTION}()",
    f"CREATE TRIGGER cw_call_seq_update BEFORE UPDATE ON cw_call FOR EACH ROW"
    f" WHEN (NEW.change_seq = OLD.change_seq) EXECUTE FUNCTION {_PG_FUNCTION}()",
)


def change_seq_ddl(is_sqlite: bool) -> list[str]:
    """The sequence's first row and the triggers for writers other than carewatch (the table
    and the column come from :mod:`carewatch.model`)."""
    first = f"INSERT INTO {SEQ_TABLE} (id, value) VALUES (1, 0)"
    return [first, *(SQLITE_TRIGGERS if is_sqlite else POSTGRES_TRIGGERS)]
