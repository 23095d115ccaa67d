"""PostgreSQL's change counter: a one-row table that triggers on carewatch's tables bump, and
a NOTIFY on :data:`~carewatch.store.backends.CHANGE_CHANNEL` from the same triggers.

Any program's write to those tables moves the counter (a CRM's ``UPDATE`` too), inside the
writing transaction, so a reader sees the new number exactly when it can see the new rows;
no writer's clock is involved. The trigger function runs with its owner's rights (``SECURITY
DEFINER``, with the ``search_path`` it was created with), so a program that may only update
``cw_call`` needs no right on the counter. The counter moves at most once per transaction (the row
remembers the last transaction that moved it), and PostgreSQL delivers one notification per
transaction on commit. A screen waits on LISTEN and polls the counter as the fallback (a
connection pooler in transaction mode drops LISTEN).
"""

from __future__ import annotations

from carewatch.store.backends import CHANGE_CHANNEL

COUNTER_TABLE = "cw_change"
_FUNCTION = "cw_bump_change"

#: The counter's table and function (revision 0002; a later change needs a new revision).
COUNTER_DDL = (
    f"CREATE TABLE {COUNTER_TABLE} ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " version BIGINT NOT NULL,"
    " last_xact BIGINT)",
    f"INSERT INTO {COUNTER_TABLE} (id, version) VALUES (1, 0)",
    f"""CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE {COUNTER_TABLE} SET version = version + 1, last_xact = txid_current()
        WHERE id = 1 AND last_xact IS DISTINCT FROM txid_current();
    PERFORM pg_notify('{CHANGE_CHANNEL}', '');
    RETURN NULL;
END
$$""",
)


def trigger_ddl(table: str) -> list[str]:
    """The statement trigger that bumps the counter on any change of ``table``."""
    name = f"{table}_change"
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}()",
    ]


def change_counter_ddl(tables: tuple[str, ...]) -> list[str]:
    """Every statement that installs the counter and its triggers on ``tables``."""
    return [*COUNTER_DDL, *(sql for table in tables for sql in trigger_ddl(table))]


#: The counter's value (read by ``Store.data_version``).
READ_COUNTER = f"SELECT version FROM {COUNTER_TABLE} WHERE id = 1"
