"""The store: merging records into calls, tagging with undo, issues, versions, concurrency."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from carewatch.records import AgentEvent, CallUpdate
from carewatch.store import Store, StoreError

T0 = 1_700_000_000.0


@pytest.fixture
def store(database: str) -> Store:
    s = Store(database)
    yield s
    s.close()


def start(call_id: str, at: float = T0, **fields: object) -> CallUpdate:
    return CallUpdate(call_id, {"started_at": at, **fields})


def test_later_values_replace_earlier_and_empty_leaves_them(store: Store) -> None:
    r = store.ingest(
        "log",
        [
            (1, start("c1", queue="sales", caller="555")),
            (2, CallUpdate("c1", {"answered_at": T0 + 12, "agent": "ana"}, creates=False)),
            (3, CallUpdate("c1", {"ended_at": T0 + 100, "queue": None}, creates=False)),
        ],
    )
    assert (r.added, r.updated, r.skipped) == (1, 0, [])
    (call,) = store.calls_between(T0 - 1, T0 + 1)
    assert call.queue == "sales"  # None in a later record leaves the value
    assert call.wait_seconds == 12  # derived: answered - started
    assert call.talk_seconds == 88  # derived: ended - answered
    assert call.disposition == "answered"


def test_reapplying_the_same_records_changes_nothing(store: Store) -> None:
    records = [(1, start("c1", queue="sales")), (2, AgentEvent(T0, "ana", "PAUSE", reason="lunch"))]
    first = store.ingest("log", records)
    again = store.ingest("log", records)
    assert (first.added, first.agent_events) == (1, 1)
    assert (again.added, again.updated, again.agent_events) == (0, 0, 0)
    assert store.count_calls() == 1
    assert len(store.agent_events_between(T0 - 1, T0 + 1)) == 1


def test_an_update_for_a_call_not_started_waits_for_its_start(store: Store) -> None:
    r = store.ingest("log", [(7, CallUpdate("ghost", {"agent": "ana"}, creates=False))])
    assert (r.skipped, r.waiting_added, r.waiting) == ([], 1, 1)
    assert store.count_calls() == 0
    later = store.ingest("log", [(1, start("ghost", queue="sales"))])
    assert (later.added, later.waiting_applied, later.waiting) == (1, 1, 0)
    (call,) = store.find_calls("ghost")
    assert (call.agent, call.queue) == ("ana", "sales")


def test_same_call_id_in_two_sources_is_two_calls(store: Store) -> None:
    store.ingest("a", [(1, start("c1"))])
    store.ingest("b", [(1, start("c1"))])
    assert len(store.find_calls("c1")) == 2


def test_tag_and_undo_write_events_and_restore(store: Store) -> None:
    store.ingest("log", [(1, start("c1"))])
    (call,) = store.find_calls("c1")
    assert store.tag(call.id, "category", "shipping", "ana", now=T0 + 1) is not None
    assert store.tag(call.id, "category", "shipping", "ana", now=T0 + 2) is None  # unchanged
    store.tag(call.id, "resolved", True, "ana", now=T0 + 3)
    store.tag(call.id, "category", "order", "bo", now=T0 + 4)
    undone = store.undo_last_tag("ana", now=T0 + 5)
    assert undone.done and undone.event["field"] == "resolved"
    after = store.get_call(call.id)
    assert after.resolved is None and after.category == "order"
    events = store.tag_events(call.id)
    assert [(e["field"], e["old_value"], e["new_value"], e["operator"]) for e in events] == [
        ("category", None, "shipping", "ana"),
        ("resolved", None, "true", "ana"),
        ("category", "shipping", "order", "bo"),
        ("resolved", "true", None, "ana"),
    ]
    # ana's category tag is no longer the value: bo changed it since; nothing changes
    refused = store.undo_last_tag("ana", now=T0 + 6)
    assert (refused.done, refused.changed_by, refused.event["new_value"]) == (
        False,
        "bo",
        "shipping",
    )
    assert store.get_call(call.id).category == "order"
    assert len(store.tag_events(call.id)) == 4
    # bo's own undo puts ana's value back; ana's tag stays hers to keep
    assert store.undo_last_tag("bo", now=T0 + 7).done
    assert store.get_call(call.id).category == "shipping"
    assert store.undo_last_tag("bo") is None


def test_tag_rejects_fields_that_are_not_tags(store: Store) -> None:
    store.ingest("log", [(1, start("c1"))])
    with pytest.raises(ValueError, match="cannot tag"):
        store.tag(1, "agent", "x", "ana")


def test_issues_open_and_resolve(store: Store) -> None:
    pk = store.open_issue("refund not received", "ana", now=T0)
    assert [i.title for i in store.open_issues()] == ["refund not received"]
    assert store.resolve_issue(pk, "bo", now=T0 + 60)
    assert not store.resolve_issue(pk, "bo", now=T0 + 61)
    assert store.open_issues() == []
    (issue,) = store.issues_relevant(T0, T0 + 3600)
    assert issue.resolved_by == "bo" and issue.resolved_at == T0 + 60


def test_callers_and_notes_are_read_back_by_primary_key_past_one_statements_list(
    store: Store,
) -> None:
    """What a kept report section reads back (more primary keys than one IN list holds: on
    PostgreSQL one array): each call still stored, those not stored left out."""
    store.ingest(
        "log",
        [
            (n, start(f"c{n}", T0 + n, caller=f"+39{n:04d}", note=None if n % 3 else f"n{n}"))
            for n in range(1, 1_201)
        ],
    )
    calls = {c.call_id: c.id for c in store.calls_between(T0, T0 + 2_000)}
    pks = [calls[f"c{n}"] for n in range(1, 1_201)]
    gone = max(pks) + 1  # no such call
    found = store.callers_and_notes([*reversed(pks), gone, pks[0]])
    assert len(found) == 1_200
    assert found[calls["c7"]] == ("+390007", None)
    assert found[calls["c1200"]] == ("+391200", "n1200")
    assert gone not in found


def test_other_version_gets_a_clear_message(tmp_path: Path) -> None:
    db = tmp_path / "cw.db"
    Store(str(db)).close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE cw_alembic_version SET version_num = '0099'")
    with pytest.raises(StoreError, match="schema version 0099; this carewatch uses version 3"):
        Store(str(db))


def test_database_of_another_program_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreError, match="not written by carewatch"):
        Store(str(db))


def test_unopenable_database_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store(str(tmp_path / "missing" / "cw.db"))
    bad = tmp_path / "garbage.db"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open database") as info:
        Store(str(bad))
    assert "\n" not in str(info.value)


def test_a_failed_statement_is_one_line_without_its_data(store: Store) -> None:
    store.ingest("log", [(1, start("c1", caller="+39 555 0100"))])
    duplicate = (
        "INSERT INTO cw_call (source, call_id, started_at, caller, direction, transferred, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    with pytest.raises(StoreError) as info:
        store.retrying(
            lambda tx: tx.execute(duplicate, ("log", "c1", T0, "+39 555 0100", "in", False, T0))
        )
    message = str(info.value)
    assert "\n" not in message and "555" not in message and "INSERT" not in message
    assert message.startswith(f"database {store.display_name}: ")
    assert store.count_calls() == 1  # rolled back, and the store still works


def test_new_database_file_is_readable_by_owner_and_group_only(tmp_path: Path) -> None:
    db = tmp_path / "cw.db"
    with Store(str(db)) as store:
        store.ingest("log", [(1, start("c1"))])
        modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert modes == {"cw.db": 0o640, "cw.db-wal": 0o640, "cw.db-shm": 0o640}


def test_data_version_moves_when_another_process_commits(database: str) -> None:
    watcher = Store(database)
    before = watcher.data_version()
    assert watcher.data_version() == before  # nothing happened: stable
    other = Store(database)
    other.ingest("log", [(1, start("c1"))])
    other.close()
    assert watcher.data_version() != before
    watcher.close()


def _tagger(db: str, operator: str, pks: list[int]) -> None:
    store = Store(db)
    for pk in pks:
        store.tag(pk, "note", f"{operator} was here", operator)
        store.tag(pk, "category", operator, operator)
    store.close()


def test_two_processes_tagging_at_once_lose_nothing(database: str) -> None:
    db = database
    store = Store(db)
    store.ingest("log", [(i, start(f"c{i}", T0 + i)) for i in range(1, 61)])
    pks = [c.id for c in store.calls_between(T0, T0 + 100)]
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_tagger, args=(db, name, pks)) for name in ("ana", "bo")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    events = store.tag_events()
    assert len([e for e in events if e["operator"] == "ana"]) == 120
    assert len([e for e in events if e["operator"] == "bo"]) == 120
    # every call ends with the value of whoever tagged it last, and the events say who
    for call in store.calls_between(T0, T0 + 100):
        mine = [e for e in events if e["call_pk"] == call.id and e["field"] == "category"]
        last = max(mine, key=lambda e: e["id"])  # ids follow commit order
        assert call.category == last["new_value"]
    store.close()


def test_a_postgresql_error_is_one_line_without_libpq_severity() -> None:
    """ "FATAL:  " before the server's words says nothing a user needs, on a line that is
    long already."""
    from carewatch.store.backends import PostgresBackend

    backend = PostgresBackend.__new__(PostgresBackend)  # no server: only the wording
    error = Exception(
        'connection to server at "db.example", port 5432 failed: FATAL:  password '
        'authentication failed for user "carewatch"\nmore detail'
    )
    assert backend.short_error(error) == (
        'password authentication failed for user "carewatch" (server db.example, port 5432)'
    )
