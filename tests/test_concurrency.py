"""Eight operators tagging overlapping calls while a follower ingests (issue 9): no tag is
lost, each call's value is its last event's, and nobody is shown "database is locked" — on
SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
import signal
import subprocess
import sys
import time
from pathlib import Path

from carewatch.config import Config
from carewatch.ingest import ingest_paths
from carewatch.store import Store, StoreError

T0 = 1_700_000_000
CALLS = 24
OPERATORS = 8
ROUNDS = 6
DEADLINE = 120.0
HEADER = "call_id,started_at,category,note\n"


def row(i: int) -> str:
    return f"c{i},{T0 + 60 * i},,\n"


def correction(i: int, category: str, note: str) -> str:
    """A later row of the export that changes a call's category and note."""
    return f"c{i},,{category},{note}\n"


def tagger(db: str, operator: str, pks: list[int], results: multiprocessing.Queue) -> None:
    """Tag every call a few times (category and note, and an undo now and then); report how
    many tags and undos were written, and every error."""
    written = undone = 0
    errors: list[str] = []
    try:
        with Store(db) as store:
            for n in range(ROUNDS):
                for pk in pks:
                    try:
                        if store.tag(pk, "category", f"{operator}-{n}", operator) is not None:
                            written += 1
                        if store.tag(pk, "note", f"{operator} round {n}", operator) is not None:
                            written += 1
                        if (pk + n) % 5 == 0:
                            undo = store.undo_last_tag(operator)
                            undone += bool(undo and undo.done)
                    except StoreError as exc:
                        errors.append(str(exc))
    except StoreError as exc:
        errors.append(str(exc))
    results.put((operator, written, undone, errors))


def test_eight_operators_and_a_follower_lose_no_tag(database: str, tmp_path: Path) -> None:
    log = tmp_path / "calls.csv"
    log.write_text(HEADER + "".join(row(i) for i in range(CALLS)))
    with Store(database) as store:
        ingest_paths(store, Config(timezone="UTC"), [str(log)])
        pks = [c.id for c in store.recent_calls(CALLS)]
        for pk in pks:  # tagged calls: a log line that changes one is a tag event too
            store.tag(pk, "category", "first look", "supervisor")
    follower = subprocess.Popen(
        [sys.executable, "-m", "carewatch", "ingest", str(log), "--follow", "--db", database],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ctx = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue = ctx.Queue()
    procs = [
        ctx.Process(target=tagger, args=(database, f"op{k}", pks, results))
        for k in range(OPERATORS)
    ]
    try:
        for p in procs:
            p.start()
        # the phone system's export goes on: new calls, and corrections of tagged ones
        for i in range(CALLS, CALLS + 30):
            with log.open("a") as fh:
                fh.write(row(i) + correction(i % CALLS, "from-the-log", f"log {i}"))
            time.sleep(0.02)
        outcomes = [results.get(timeout=DEADLINE) for _ in procs]
        for p in procs:
            p.join(DEADLINE)
            assert p.exitcode == 0
        with Store(database) as store:
            deadline = time.monotonic() + DEADLINE
            while store.count_calls() < CALLS + 30 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert store.count_calls() == CALLS + 30
    finally:
        follower.send_signal(signal.SIGINT)
        _, err = follower.communicate(timeout=DEADLINE)
    assert follower.returncode == 0
    assert "locked" not in err and "problem:" not in err and "Traceback" not in err, err
    assert all(errors == [] for _, _, _, errors in outcomes), outcomes
    with Store(database) as store:
        events = store.tag_events()
        # no tag lost: every write a tagger was told of is an event
        for operator, written, undone, _ in outcomes:
            mine = [e for e in events if e["operator"] == operator]
            assert len([e for e in mine if e["undo_of"] is None]) == written
            assert len([e for e in mine if e["undo_of"] is not None]) == undone
        # each call's value is the one its last event set, whoever wrote it
        for call in store.recent_calls(1000):
            for field in ("category", "note"):
                mine = [e for e in events if e["call_pk"] == call.id and e["field"] == field]
                if mine:
                    last = max(mine, key=lambda e: e["id"])
                    assert getattr(call, field) == last["new_value"], (call.call_id, field)
        assert any(e["origin"] == "log:calls.csv" for e in events)
        # an undo never took back a value someone else had written since
        by_id = {e["id"]: e for e in events}
        for undo in (e for e in events if e["undo_of"] is not None):
            undone = by_id[undo["undo_of"]]
            between = [
                e
                for e in events
                if e["call_pk"] == undo["call_pk"]
                and e["field"] == undo["field"]
                and undone["id"] < e["id"] < undo["id"]
            ]
            assert all(e["operator"] == undo["operator"] for e in between), (undone, between)
