"""Calls come out the same whatever order the files are read in (issue 9, item 2; issue 8's
attended transfers): events before their call's start wait for it and are applied in time
order; an end logged under a consult call's id ends the call it fits, across files and runs.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carewatch.config import Config
from carewatch.ingest import Follower, ingest_paths
from carewatch.simulate import simulate_history
from carewatch.sources.queue_entries import fold_entries
from carewatch.sources.queue_log import QueueLogParser
from carewatch.store import Store

CONFIG = Config(timezone="UTC")
T0 = 1_700_000_000


def calls_of(store: Store) -> dict[tuple[str, str], tuple]:
    """Every stored call by (call id, leg), without the store's own id and write time."""
    return {
        (c.call_id, c.leg): c._replace(id=0, updated_at=0.0)
        for c in store.recent_calls(limit=100_000)
    }


def write_rotations(folder: Path, parts: list[str]) -> list[Path]:
    """``parts`` oldest first as ``queue_log.N`` … ``queue_log.1``, ``queue_log``."""
    names = [f"queue_log.{i}" for i in range(len(parts) - 1, 0, -1)] + ["queue_log"]
    paths = []
    for name, text in zip(names, parts, strict=True):
        path = folder / name
        path.write_text(text)
        paths.append(path)
    return paths


# -- events of one call in several files --------------------------------------------------------

#: c1's start, answer and end are in three files; c2 enters the queue twice (missed, then
#: answered): both visits are one entry, whose later visit wins in a reading in order.
PARTS = [
    f"{T0}|c1|support|NONE|ENTERQUEUE||0612345678|1\n"
    f"{T0 + 10}|c2|support|NONE|ENTERQUEUE||0698765432|1\n"
    f"{T0 + 40}|c2|support|NONE|EXITWITHTIMEOUT|1|1|30\n",
    f"{T0 + 5}|c1|support|SIP/1001|CONNECT|5|b|2\n"
    f"{T0 + 50}|c2|support|NONE|ENTERQUEUE||0698765432|1\n"
    f"{T0 + 55}|c2|support|SIP/1002|CONNECT|5|b|2\n",
    f"{T0 + 65}|c1|support|SIP/1001|COMPLETECALLER|5|60|1\n"
    f"{T0 + 115}|c2|support|SIP/1002|COMPLETEAGENT|5|60|1\n",
]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_a_call_split_over_three_files_is_the_same_in_any_order(
    database: str, tmp_path: Path, order: tuple[int, ...]
) -> None:
    paths = write_rotations(tmp_path, PARTS)
    with Store(str(tmp_path / "in-order.db")) as reference, Store(database) as store:
        ingest_paths(reference, CONFIG, [str(p) for p in paths])
        for i in order:  # one run per file
            ingest_paths(store, CONFIG, [str(paths[i])])
        assert calls_of(store) == calls_of(reference)
        c1, c2 = (store.find_calls(c)[0] for c in ("c1", "c2"))
        assert (c1.answered_at, c1.ended_at, c1.talk_seconds) == (T0 + 5, T0 + 65, 60.0)
        assert (c2.started_at, c2.disposition, c2.talk_seconds) == (T0 + 50, "answered", 60.0)
    # the pure statement of the rule gives the same calls from the lines in any order
    parser = QueueLogParser(CONFIG.tz)
    records = [
        r for i in order for line in PARTS[i].splitlines() for r in parser.parse_line(line, 1)
    ]
    folded = fold_entries(records)
    assert folded[("c2", "support")]["started_at"] == T0 + 50
    assert folded[("c1", "support")]["talk_seconds"] == 60.0


def test_waiting_events_survive_restarts_and_show_in_the_summary(
    database: str, tmp_path: Path
) -> None:
    older, newer = write_rotations(tmp_path, [PARTS[0], PARTS[1] + PARTS[2]])
    with Store(database) as store:
        # a follower started after a rotation reads the new file first, then stops
        follower = Follower(store, CONFIG, [(str(newer), None)])
        try:
            first = follower.poll_once()
        finally:
            follower.close()
        # c2's second visit starts there; c1's answer and end wait for c1's start
        assert (first.added, first.skipped, first.waiting) == (1, 0, 2)
        assert "2 events wait for their call's start" in first.summary_line()
        assert [c.call_id for c in store.recent_calls()] == ["c2"]
        # a copy of the same file (restored from a backup; shorter than the KiB a copy is told
        # by, so read again under its name) adds no call and no waiting event twice
        copy = tmp_path / "restored" / "queue_log"
        copy.parent.mkdir()
        copy.write_bytes(newer.read_bytes())
        again = ingest_paths(store, CONFIG, [str(copy)])
        assert (again.added, again.waiting) == (0, 2)
        # the same lines in another file (after a line of its own) add no waiting event twice
        merged = tmp_path / "merged" / "queue_log"
        merged.parent.mkdir()
        merged.write_bytes(f"{T0 - 60}|NONE|NONE|NONE|QUEUESTART|\n".encode() + newer.read_bytes())
        again = ingest_paths(store, CONFIG, [str(merged)])
        assert (again.added, again.waiting) == (0, 2)
        # another process reads the rotation: the calls are complete
        later = ingest_paths(store, CONFIG, [str(older)])
        assert (later.added, later.waiting) == (1, 0)
        assert "wait" not in later.summary_line()
        (c1,) = store.find_calls("c1")
        assert (c1.disposition, c1.agent, c1.talk_seconds) == ("answered", "SIP/1001", 60.0)


# -- attended transfers logged under the consult call's id --------------------------------------

CALL = (
    f"{T0}|c1|support|NONE|ENTERQUEUE||0612345678|1\n{T0 + 5}|c1|support|SIP/1001|CONNECT|5|c1b|3\n"
)
#: The end of c1 (answered at T0 + 5 after 5 s, talked 90 s) logged under the consult id.
CONSULT_END = f"{T0 + 95}|c-consult|support|SIP/1001|ATTENDEDTRANSFER|BRIDGE|b1|5|90|1\n"


def assert_c1_ended_by_the_transfer(store: Store) -> None:
    (c1,) = store.find_calls("c1")
    assert (c1.ended_at, c1.talk_seconds, c1.transferred) == (T0 + 95, 90.0, True)
    assert store.find_calls("c-consult") == []


@pytest.mark.parametrize("consult_first", [False, True])
def test_a_consult_end_ends_its_call_whichever_file_comes_first(
    database: str, tmp_path: Path, consult_first: bool
) -> None:
    older, newer = write_rotations(tmp_path, [CALL, CONSULT_END])
    with Store(database) as store:
        for path in (newer, older) if consult_first else (older, newer):
            ingest_paths(store, CONFIG, [str(path)])
        assert_c1_ended_by_the_transfer(store)
        assert ingest_paths(store, CONFIG, [str(older)]).waiting == 0


def test_a_consult_end_in_one_file_with_its_call(database: str, tmp_path: Path) -> None:
    (log,) = write_rotations(tmp_path, [CALL + CONSULT_END])
    with Store(database) as store:
        summary = ingest_paths(store, CONFIG, [str(log)])
        assert (summary.added, summary.waiting) == (1, 0)
        assert_c1_ended_by_the_transfer(store)


def test_an_end_that_does_not_fit_the_operators_call_waits_for_its_own_start(
    database: str, tmp_path: Path
) -> None:
    # c9's end: answered 200 s before it, not when c1 was; SIP/1001 is on c1 meanwhile
    c9_end = f"{T0 + 100}|c9|support|SIP/1001|COMPLETECALLER|3|200|1\n"
    c9_start = (
        f"{T0 - 110}|c9|support|NONE|ENTERQUEUE||0611111111|1\n"
        f"{T0 - 100}|c9|support|SIP/1001|CONNECT|3|c9b|3\n"
    )
    older, newer = write_rotations(tmp_path, [c9_start, CALL + c9_end])
    with Store(database) as store:
        first = ingest_paths(store, CONFIG, [str(newer)])
        assert (first.added, first.waiting) == (1, 1)
        (c1,) = store.find_calls("c1")
        assert c1.ended_at is None  # still talking: the end was not its
        ingest_paths(store, CONFIG, [str(older)])
        (c9,) = store.find_calls("c9")
        assert (c9.ended_at, c9.talk_seconds) == (T0 + 100, 200.0)


def test_an_end_without_hold_and_talk_times_is_never_taken_for_a_consult_end(
    database: str, tmp_path: Path
) -> None:
    old_transfer = f"{T0 + 95}|c-consult|support|SIP/1001|TRANSFER|2001|from-internal\n"
    (log,) = write_rotations(tmp_path, [CALL + old_transfer])
    with Store(database) as store:
        assert ingest_paths(store, CONFIG, [str(log)]).waiting == 1
        (c1,) = store.find_calls("c1")
        assert c1.ended_at is None


# -- a generated day, split into rotations read in any order, with restarts ----------------------

DAY = date(2024, 5, 6)


def _day_lines() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "queue_log"
        simulate_history(path, "queue_log", 1, 11, CONFIG, start=DAY)
        return path.read_text().splitlines(keepends=True)


LINES = _day_lines()


@pytest.fixture(scope="module")
def in_order() -> dict[tuple[str, str], tuple]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "queue_log"
        path.write_text("".join(LINES))
        with Store(str(Path(tmp) / "cw.db")) as store:
            ingest_paths(store, CONFIG, [str(path)])
            return calls_of(store)


def test_one_reading_in_order_is_the_reference_fold(
    in_order: dict[tuple[str, str], tuple],
) -> None:
    parser = QueueLogParser(CONFIG.tz)
    records = [r for n, line in enumerate(LINES, 1) for r in parser.parse_line(line.rstrip(), n)]
    reference = fold_entries(records)
    assert set(reference) == set(in_order)
    for key, fields in reference.items():
        assert {name: getattr(in_order[key], name) for name in fields} == fields, key


@st.composite
def readings(draw: st.DrawFn) -> tuple[list[int], list[int], list[tuple[int, int, str]], int]:
    """Where the day is cut into rotations, the order they are read in, and for each read
    where it stops before a restart and what reads it (ingest or a follower); the lines of
    a batch."""
    n = len(LINES)
    cuts = sorted(draw(st.sets(st.integers(1, n - 1), min_size=1, max_size=4)))
    files = len(cuts) + 1
    order = draw(st.permutations(range(files)))
    reads = [
        (i, draw(st.integers(0, 100)), draw(st.sampled_from(["ingest", "follower"]))) for i in order
    ]
    batch = draw(st.sampled_from([7, 50, 500]))
    return cuts, list(order), reads, batch


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=readings())
def test_a_day_read_as_rotations_in_any_order_with_restarts_equals_one_read(
    in_order: dict[tuple[str, str], tuple],
    case: tuple[list[int], list[int], list[tuple[int, int, str]], int],
) -> None:
    cuts, _, reads, batch = case
    bounds = [0, *cuts, len(LINES)]
    parts = ["".join(LINES[a:b]) for a, b in itertools.pairwise(bounds)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        names = [p.name for p in write_rotations(folder, ["" for _ in parts])]
        with Store(str(folder / "cw.db")) as store:
            for i, percent, how in reads:
                path = folder / names[i]
                text = parts[i]
                cut = len(text.splitlines(keepends=True)) * percent // 100
                head = "".join(text.splitlines(keepends=True)[:cut])
                for piece in (head, text[len(head) :]):  # a restart between the pieces
                    with path.open("a") as fh:
                        fh.write(piece)
                    os.utime(path)  # just written: not taken for a finished rotation
                    if how == "ingest":
                        ingest_paths(store, CONFIG, [str(path)], batch_lines=batch)
                    else:
                        follower = Follower(store, CONFIG, [(str(path), None)], batch_lines=batch)
                        try:
                            follower.poll_once()
                        finally:
                            follower.close()
            assert calls_of(store) == in_order
