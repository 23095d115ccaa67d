"""Tags that nobody loses (issue 9, items 3 and 7): undo takes back only the operator's own
tag, and only while it is still the value; every change of a tagged field, by an operator
or by a log line, is a tag event with its origin."""

from __future__ import annotations

from pathlib import Path

import pytest

from carewatch.config import Config
from carewatch.ingest import ingest_paths
from carewatch.records import CallUpdate
from carewatch.store import Store

T0 = 1_700_000_000.0
CONFIG = Config(timezone="UTC")


@pytest.fixture
def store(database: str) -> Store:
    s = Store(database)
    yield s
    s.close()


def one_call(store: Store) -> int:
    store.ingest("log", [(1, CallUpdate("c1", {"started_at": T0}))])
    return store.find_calls("c1")[0].id


def test_undo_does_not_wipe_another_operators_later_tag(store: Store) -> None:
    pk = one_call(store)
    store.tag(pk, "category", "shipping", "alice", now=T0 + 1)
    store.tag(pk, "category", "complaint", "bob", now=T0 + 2)
    undo = store.undo_last_tag("alice", now=T0 + 3)
    assert (undo.done, undo.changed_by, undo.event["new_value"]) == (False, "bob", "shipping")
    assert store.get_call(pk).category == "complaint"  # bob's tag stays
    assert len(store.tag_events(pk)) == 2  # nothing written
    # pressed again: the same answer, still nothing changed
    assert store.undo_last_tag("alice", now=T0 + 4).changed_by == "bob"
    assert store.get_call(pk).category == "complaint"


def test_undo_walks_back_the_operators_own_tags(store: Store) -> None:
    pk = one_call(store)
    store.tag(pk, "resolved", True, "alice", now=T0 + 1)
    store.tag(pk, "resolved", False, "alice", now=T0 + 2)
    assert store.undo_last_tag("alice", now=T0 + 3).done
    assert store.get_call(pk).resolved is True
    assert store.undo_last_tag("alice", now=T0 + 4).done  # her own undo is no change by others
    assert store.get_call(pk).resolved is None
    assert store.undo_last_tag("alice") is None


def test_undo_refuses_a_value_another_program_changed(store: Store) -> None:
    pk = one_call(store)
    store.tag(pk, "note", "call back", "alice", now=T0 + 1)
    store.retrying(lambda tx: tx.execute("UPDATE cw_call SET note = 'edited' WHERE id = ?", (pk,)))
    undo = store.undo_last_tag("alice", now=T0 + 2)
    assert (undo.done, undo.changed_by) == (False, None)
    assert store.get_call(pk).note == "edited"


def test_a_log_line_changing_a_tagged_call_is_a_tag_event_of_the_log(
    store: Store, tmp_path: Path
) -> None:
    log = tmp_path / "calls.csv"
    log.write_text(
        "call_id,started_at,category,csat\n"
        "c1,2023-11-14T22:13:20Z,shipping,\n"
        "c2,2023-11-14T22:20:00Z,order,\n"
    )
    ingest_paths(store, CONFIG, [str(log)])
    c1 = store.find_calls("c1")[0].id
    store.tag(c1, "category", "complaint", "alice", now=T0 + 100)
    with log.open("a") as fh:  # the phone system's export corrects both calls
        fh.write("c1,,order,4\nc2,,billing,5\n")
    ingest_paths(store, CONFIG, [str(log)])
    events = [
        (e["field"], e["old_value"], e["new_value"], e["operator"], e["origin"])
        for e in store.tag_events(c1)
    ]
    assert events == [
        ("category", "shipping", "complaint", "alice", "operator"),
        ("category", "complaint", "order", "log:calls.csv", "log:calls.csv"),
        ("csat", None, "4", "log:calls.csv", "log:calls.csv"),
    ]
    # a call no operator tagged gets no event: the log is its only source
    c2 = store.find_calls("c2")[0]
    assert c2.category == "billing" and store.tag_events(c2.id) == []
    # alice's undo: the log changed it since
    undo = store.undo_last_tag("alice", now=T0 + 200)
    assert (undo.done, undo.changed_by) == (False, "log:calls.csv")
    assert store.get_call(c1).category == "order"
