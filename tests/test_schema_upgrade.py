"""Schema versions: a version-1 database (as carewatch 0.1 wrote it) upgraded to the current
schema keeps every call, tag, issue, position and agent event, on SQLite and PostgreSQL;
``db status`` tells where a database is; other commands refuse an out-of-date one."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import SQLModel

from carewatch.cli import main
from carewatch.records import CallUpdate
from carewatch.store import Store, database_url
from carewatch.store.create import SQLITE_DDL, create_schema
from carewatch.store.database import Database
from carewatch.store.migrate import alembic_config, sqlalchemy_engine
from carewatch.store.model_ddl import create_ddl
from carewatch.store.schema import HEAD_REVISION, REVISIONS

DATA = Path(__file__).resolve().parent / "data"
T0 = 1_700_000_000.0

V1_CALLS = [
    # id, source, call_id, started_at, answered_at, ended_at, wait, talk, queue, agent, caller,
    # direction, disposition, transferred, category, outcome, resolved, csat, nps, note, updated
    (1, "pbx", "c1", T0, T0 + 12, T0 + 100, 12.0, 88.0, "sales", "ana", "+39 555 0101",
     "in", "answered", False, "order", "sale", True, 5, 9, "left a [b]note[/b]", T0 + 200),
    (2, "pbx", "c2", T0 + 60, None, T0 + 90, None, None, "support", None, "+39 555 0102",
     "in", "abandoned", True, None, None, None, None, None, None, T0 + 90),
    (3, "crm", "c1", T0 + 120, T0 + 130, None, 10.0, None, "sales", "bo", None,
     "out", "answered", False, None, None, False, None, None, None, T0 + 130),
]  # fmt: skip
V1_TAGS = [
    # id, call_pk, field, old, new, operator, at, undo_of, undone
    (1, 1, "category", None, "shipping", "ana", T0 + 150, None, True),
    (2, 1, "category", "shipping", "order", "bo", T0 + 160, None, False),
    (3, 1, "category", "shipping", None, "ana", T0 + 170, 1, False),
]
V1_ISSUES = [
    (1, 1, "refund not received", "order", "ana", T0 + 180, T0 + 400, "bo"),
    (2, None, "line noise on queue sales", None, "bo", T0 + 190, None, None),
]
V1_POSITION = {
    "id": 1, "source": "pbx", "path": "/var/log/asterisk/queue_log", "format": "queue_log",
    "device": 2049, "inode": 123456789012, "fingerprint": "ab" * 20, "fingerprint_len": 1024,
    "offset": 987654321, "line_no": 4321, "lines_read": 4321, "bad_lines": 2,
    "last_bad_line": 17, "last_bad_reason": "bad time", "bad_by_reason": '{"bad time": 2}',
    "updated_at": T0 + 500, "last_line_at": T0 + 499, "finished": False,
}  # fmt: skip
V1_AGENT_EVENT = {
    "id": 1, "source": "pbx", "at": T0 + 5, "agent": "ana", "event": "PAUSE", "queue": "sales",
    "reason": "lunch", "call_id": None, "ring_ms": None, "dedupe_key": "f" * 40,
}  # fmt: skip

CALL_COLUMNS = (
    "id, source, call_id, started_at, answered_at, ended_at, wait_seconds, talk_seconds, queue, "
    "agent, caller, direction, disposition, transferred, category, outcome, resolved, csat, nps, "
    "note, updated_at"
)


def _insert(conn: Any, table: str, names: list[str], rows: list[tuple[Any, ...]]) -> None:
    quoted = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join(f":p{i}" for i in range(len(names)))
    conn.execute(
        text(f"INSERT INTO {table} ({quoted}) VALUES ({marks})"),
        [{f"p{i}": v for i, v in enumerate(row)} for row in rows],
    )


def build_v1(db: str) -> None:
    """A database exactly as carewatch 0.1 left it: the baseline tables, ``cw_meta`` at
    version 1, no version table, and some of everything."""
    engine = sqlalchemy_engine(database_url(db))
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0001")
            conn.exec_driver_sql("DROP TABLE cw_alembic_version")
            _insert(conn, "cw_call", CALL_COLUMNS.split(", "), V1_CALLS)
            _insert(
                conn,
                "cw_tag_event",
                [
                    "id",
                    "call_pk",
                    "field",
                    "old_value",
                    "new_value",
                    "operator",
                    "at",
                    "undo_of",
                    "undone",
                ],
                V1_TAGS,
            )
            _insert(
                conn,
                "cw_issue",
                [
                    "id",
                    "call_pk",
                    "title",
                    "category",
                    "opened_by",
                    "opened_at",
                    "resolved_at",
                    "resolved_by",
                ],
                V1_ISSUES,
            )
            _insert(conn, "cw_source_position", list(V1_POSITION), [tuple(V1_POSITION.values())])
            _insert(conn, "cw_agent_event", list(V1_AGENT_EVENT), [tuple(V1_AGENT_EVENT.values())])
            if conn.dialect.name == "postgresql":  # the ids were given: move the sequences on
                for table in ("cw_call", "cw_tag_event", "cw_issue", "cw_source_position",
                              "cw_agent_event"):  # fmt: skip
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
    finally:
        engine.dispose()


def _normalised(sql: str) -> list[str]:
    statements = [re.sub(r"\s+", " ", s).strip() for s in sql.split(";")]
    return sorted(s for s in statements if s)


def test_the_baseline_revision_is_the_schema_version_1_databases_have(tmp_path: Path) -> None:
    db = tmp_path / "v1.db"
    build_v1(str(db))
    with sqlite3.connect(db) as conn:
        found = ";".join(
            s for (s,) in conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")
        )
        assert conn.execute("SELECT value FROM cw_meta").fetchall() == [("1",)]
    # written by carewatch 0.1 itself (sqlite_master of a new database)
    expected = (DATA / "schema_v1_sqlite.sql").read_text(encoding="utf-8")
    assert _normalised(found) == _normalised(expected)


def test_the_revisions_are_the_ones_the_store_knows() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_current_head() == HEAD_REVISION
    assert [r.revision for r in reversed(list(script.walk_revisions()))] == list(REVISIONS)


def test_version_1_database_upgraded_keeps_everything(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    build_v1(database)
    # every other command refuses it, in one line, and says what to do
    with pytest.raises(SystemExit) as info:
        main(["report", "--db", database, "--date", "2023-11-14"])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "back it up, then run 'carewatch db upgrade'" in err
    assert main(["db", "status", "--db", database]) == 1
    assert "schema version 1 (revision 0001), out of date" in capsys.readouterr().out

    assert main(["db", "upgrade", "--db", database]) == 0
    assert "upgraded from schema version 1 to 3" in capsys.readouterr().out
    assert main(["db", "status", "--db", database]) == 0
    assert "schema version 3 (revision 0003), current" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", database]) == 0
    assert "already current" in capsys.readouterr().out

    with Store(database) as store:
        calls = store.calls_between(0, T0 + 10_000)
        # every call of version 1 is the one entry (leg '') of its call
        assert [tuple(c) for c in calls] == [
            # every column as it was, no leg ("": one row per call) and no sub-category
            (*row[:13], bool(row[13]), *row[14:16], row[16], *row[17:], "", None)
            for row in V1_CALLS
        ]
        events = store.tag_events()
        assert [
            (e["id"], e["call_pk"], e["field"], e["old_value"], e["new_value"], e["operator"],
             e["at"], e["undo_of"], e["undone"], e["origin"])
            for e in events
        ] == [(*t, "operator") for t in V1_TAGS]  # fmt: skip
        assert [tuple(i) for i in store.issues_relevant(0, T0 + 10_000)] == V1_ISSUES
        (position,) = store.positions()
        expected = {k: v for k, v in V1_POSITION.items() if k != "offset"}
        assert position == {**expected, "byte_offset": V1_POSITION["offset"]}
        (event,) = store.agent_events_between(0, T0 + 10_000)
        assert event == V1_AGENT_EVENT
        legs = store.retrying(lambda tx: tx.rows("SELECT DISTINCT leg FROM cw_call"))
        assert legs == [("",)]
        # and it takes new data: the same call id in a new source, a tag, an issue
        store.ingest("new", [(1, CallUpdate("c1", {"started_at": T0 + 900}))])
        assert len(store.find_calls("c1")) == 3
        assert store.tag(2, "category", "admin", "cy") is not None
        assert store.open_issue("new one", "cy") == 3


def test_upgraded_schema_equals_a_new_one(database: str) -> None:
    build_v1(database)
    assert main(["db", "upgrade", "--db", database]) == 0
    engine = sqlalchemy_engine(database_url(database))
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    finally:
        engine.dispose()
    # the version table and PostgreSQL's change counter are not model tables
    assert [d for d in diff if d[0] != "remove_table"] == []
    assert {d[1].name for d in diff} <= {"cw_alembic_version", "cw_change"}


def _schema_of(db: Path) -> dict[str, Any]:
    """Everything SQLite knows of a database's schema, and the rows that stamp its version."""
    with sqlite3.connect(db) as conn:
        master = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
        tables = [name for kind, name, _, _ in master if kind == "table"]
        indexes = [name for kind, name, _, _ in master if kind == "index"]
        return {
            "master": sorted((k, n, t, " ".join((sql or "").split())) for k, n, t, sql in master),
            "columns": {t: conn.execute(f"PRAGMA table_info({t})").fetchall() for t in tables},
            "indexes": {  # by name, not in the order they were made
                t: sorted(r[1:] for r in conn.execute(f"PRAGMA index_list({t})")) for t in tables
            },
            "keys": {  # each index's columns by name (not by position in the table)
                i: [r[:1] + r[2:] for r in conn.execute(f"PRAGMA index_xinfo({i})")]
                for i in indexes
            },
            "version": conn.execute("SELECT version_num FROM cw_alembic_version").fetchall(),
            "meta": conn.execute("SELECT * FROM cw_meta").fetchall(),
            "seq": conn.execute("SELECT * FROM cw_change_seq").fetchall(),
        }


def test_a_new_sqlite_database_has_the_schema_the_model_and_revisions_give(
    tmp_path: Path,
) -> None:
    # a store creates a new SQLite file from plain SQL: the model's statements, word for word
    assert [" ".join(s.split()) for s in SQLITE_DDL] == [
        " ".join(s.split()) for s in create_ddl(is_sqlite=True)
    ]
    Store(str(tmp_path / "plain.db")).close()
    db = Database(database_url(str(tmp_path / "model.db")), name="model.db")
    try:
        db.run(lambda tx: create_schema(tx, create_ddl(is_sqlite=True)))
    finally:
        db.close()
    plain = _schema_of(tmp_path / "plain.db")
    assert plain == _schema_of(tmp_path / "model.db")
    assert plain["version"] == [(HEAD_REVISION,)]
    assert {name for kind, name, _, _ in plain["master"] if kind == "trigger"} == {
        "cw_call_seq_insert",
        "cw_call_seq_update",
    }
    # and a version-1 database upgraded by the revisions has the same tables, columns (ALTER
    # TABLE adds them last: compared by name) and indexes
    build_v1(str(tmp_path / "v1.db"))
    assert main(["db", "upgrade", "--db", str(tmp_path / "v1.db")]) == 0
    upgraded = _schema_of(tmp_path / "v1.db")
    for part in ("indexes", "keys", "version", "meta", "seq"):
        assert upgraded[part] == plain[part], part

    def by_name(schema: dict[str, Any]) -> dict[str, set[tuple[Any, ...]]]:
        return {t: {c[1:] for c in cols} for t, cols in schema["columns"].items()}

    assert by_name(upgraded) == by_name(plain)


def test_a_first_ingest_into_a_new_sqlite_file_does_not_import_sqlalchemy(tmp_path: Path) -> None:
    # creating the schema from plain SQL spares a first ingest SQLAlchemy, SQLModel and alembic
    log = tmp_path / "queue_log"
    log.write_text(f"{T0:.0f}|c1|sales||ENTERQUEUE||555|1\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from carewatch.ingest import ingest_paths\n"
        "from carewatch.config import Config\n"
        "from carewatch.store import Store\n"
        f"with Store({str(tmp_path / 'new.db')!r}) as store:\n"
        f"    summary = ingest_paths(store, Config(), [{str(log)!r}], 'queue_log')\n"
        "heavy = ('sqlalchemy', 'sqlmodel', 'alembic')\n"
        "print(summary.added, sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "1 []"


def test_upgrade_of_a_missing_file_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["db", "upgrade", "--db", str(tmp_path / "nope.db")])
    assert info.value.code == 1
    assert "does not exist" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_upgrade_by_a_role_that_may_not_create_is_one_line_and_changes_nothing(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """README: upgrades are run as the owner. Run as the role of daily use (the documented
    grants, no CREATE), the upgrade fails in one line that says which role to use, without
    SQLAlchemy's dump of the SQL, and leaves the database at the version it had."""
    import psycopg

    build_v1(pg_url)
    schema = pg_url.rsplit("%3D", 1)[1]
    role = f"cw_daily_{schema}"
    grants = [
        f"DROP ROLE IF EXISTS {role}",
        f"CREATE ROLE {role} LOGIN",
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
    ]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for sql in grants:
            conn.execute(sql)
    daily = pg_url.replace("postgresql://carewatch@", f"postgresql://{role}@")
    try:
        with pytest.raises(SystemExit) as info:
            main(["db", "upgrade", "--db", daily])
        assert info.value.code == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert "permission denied" in err and "as the role that owns" in err, err
        assert "CREATE TABLE" not in err and "unexpected error" not in err, err
        assert main(["db", "status", "--db", pg_url]) == 1
        assert "schema version 1 (revision 0001), out of date" in capsys.readouterr().out
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")
