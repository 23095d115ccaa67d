"""One call, several entries or rows (issue 8, the store's side): a queue_log call is stored
once per queue it entered, keyed by (source, call id, leg); a CDR call is derived again from
every leg stored for it, whatever file, run or order the legs came in; `carewatch tag CALL_ID`
picks the entry of a call that entered several queues."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from carewatch.cli import main
from carewatch.config import Config
from carewatch.figures import window_kpis
from carewatch.ingest import ingest_paths
from carewatch.kpi.windows import day_window
from carewatch.sources.cdr import CdrParser
from carewatch.sources.cdr_call import call_from_legs
from carewatch.store import Store
from carewatch.store.cdr_legs import DERIVED

REAL = Path(__file__).parent / "data" / "real"
WAZO_TRANSFER = REAL / "wazo-transfer-to-second-queue.queue_log"
MASTER = REAL / "freepbx-ringgroup-Master.csv"
UTC_CONFIG = Config(timezone="UTC")


def derived(store: Store) -> dict[str, tuple]:
    return {
        c.call_id: tuple(getattr(c, name) for name in DERIVED) for c in store.recent_calls(1000)
    }


# -- queue_log: one row per queue entry -------------------------------------------------------


def test_a_transfer_into_a_second_queue_is_two_entries_of_one_call(
    database: str, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    shutil.copy(WAZO_TRANSFER, log)
    with Store(database) as store:
        summary = ingest_paths(store, UTC_CONFIG, [str(log)])
        assert (summary.added, summary.skipped, summary.waiting) == (2, 0, 0)
        first, second = store.find_calls("1430927991.36")
        assert (first.leg, first.queue, first.disposition, first.agent) == (
            "queue2",
            "queue2",
            "answered",
            "Agent/1002",
        )
        assert (first.wait_seconds, first.talk_seconds) == (10.0, 8.0)
        assert (second.leg, second.disposition, second.wait_seconds) == (
            "queue1",
            "abandoned",
            19.0,
        )
        # the day's totals and the per-queue figures add up: 2 entries, 1 answered + 1 abandoned
        window = day_window(datetime(2015, 5, 6).date(), UTC)
        kpis = window_kpis(store, UTC_CONFIG, window, now=window.end)
        assert (kpis["offered"], kpis["answered"], kpis["abandoned"]) == (2, 1, 1)
        per_queue = {
            q: window_kpis(store, UTC_CONFIG, window, queue=q, now=window.end)["answered"]
            for q in ("queue1", "queue2")
        }
        assert per_queue == {"queue1": 0, "queue2": 1}
        # read again: nothing added, nothing changed
        again = ingest_paths(store, UTC_CONFIG, [str(log)])
        assert (again.added, again.updated) == (0, 0)


def two_entry_call(tmp_path: Path, database: str) -> None:
    log = tmp_path / "queue_log"
    t = 1_700_000_000
    log.write_text(
        f"{t}|c1|sales|NONE|ENTERQUEUE||0612345678|1\n"
        f"{t + 5}|c1|sales|SIP/1001|CONNECT|5|b|2\n"
        f"{t + 65}|c1|sales|SIP/1001|BLINDTRANSFER|600|support|5|60|1\n"
        f"{t + 66}|c1|support|NONE|ENTERQUEUE||0612345678|1\n"
        f"{t + 70}|c1|support|SIP/2002|CONNECT|4|b|2\n"
        f"{t + 190}|c1|support|SIP/2002|COMPLETECALLER|4|120|1\n"
        f"{t + 300}|c2|sales|NONE|ENTERQUEUE||0698765432|1\n"
        f"{t + 320}|c2|sales|NONE|ABANDON|1|1|20\n"
        f"{t + 330}|c2|support|NONE|ENTERQUEUE||0698765432|1\n"
        f"{t + 350}|c2|support|NONE|ABANDON|1|1|20\n"
    )
    with Store(database) as store:
        ingest_paths(store, UTC_CONFIG, [str(log)])


def test_tag_by_call_id_goes_to_the_entry_an_operator_answered_last(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    two_entry_call(tmp_path, database)
    assert main(["tag", "c1", "--db", database, "--category", "shipping", "--operator", "ana"]) == 0
    assert "call c1 (queue support): 1 tag written" in capsys.readouterr().out
    # --queue picks the other entry
    args = ["tag", "c1", "--db", database, "--queue", "sales", "--category", "order"]
    assert main([*args, "--operator", "ana"]) == 0
    # nobody answered c2: its latest entry
    assert main(["tag", "c2", "--db", database, "--note", "called twice", "--operator", "ana"]) == 0
    with Store(database) as store:
        tagged = {(c.call_id, c.leg): (c.category, c.note) for c in store.find_calls("c1")}
        assert tagged == {("c1", "sales"): ("order", None), ("c1", "support"): ("shipping", None)}
        assert [(c.leg, c.note) for c in store.find_calls("c2")] == [
            ("sales", None),
            ("support", "called twice"),
        ]


def test_tag_with_a_queue_the_call_never_entered_is_a_one_line_failure(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    two_entry_call(tmp_path, database)
    with pytest.raises(SystemExit) as info:
        main(["tag", "c1", "--db", database, "--queue", "billing", "--category", "order"])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("carewatch: no call with id 'c1' in queue 'billing'")
    assert err.count("\n") == 1


# -- CDR: the call derived again from every stored leg ----------------------------------------


def master_calls() -> dict[str, tuple]:
    """Each call of the real Master.csv as one read of all its rows derives it."""
    parser = CdrParser(UTC)
    lines = MASTER.read_bytes().decode("latin-1").splitlines()
    by_call: dict[str, list] = {}
    for n, line in enumerate(lines, 1):
        for leg in parser.parse_line(line, n):
            by_call.setdefault(leg.call_key, []).append(leg)
    return {
        key: tuple(call_from_legs(group).get(name) for name in DERIVED)
        for key, group in by_call.items()
    }


#: The rows of the real Master.csv dealt over three rotations in a fixed shuffled order, so
#: that the legs of one call are in different files.
DEALT = (
    (7, 3, 30, 12, 0, 41, 22, 9, 17, 35, 5, 26, 38, 1),
    (14, 33, 2, 19, 27, 40, 8, 11, 24, 31, 36, 4, 16, 21),
)


@pytest.mark.parametrize("order", [(2, 1, 0), (0, 1, 2), (1, 0, 2)])
def test_cdr_rows_split_across_files_and_runs_give_the_call_of_one_read(
    database: str, tmp_path: Path, order: tuple[int, ...]
) -> None:
    rows = MASTER.read_bytes().splitlines(keepends=True)
    first, second = ([rows[i] for i in part] for part in DEALT)
    rest = [row for i, row in enumerate(rows) if i not in DEALT[0] + DEALT[1]]
    names = ["Master.csv.2", "Master.csv.1", "Master.csv"]
    for name, part in zip(names, (first, second, rest), strict=True):
        (tmp_path / name).write_bytes(b"".join(part))
    with Store(database) as store:
        for i in order:  # one ingest run per file, in this order
            ingest_paths(store, UTC_CONFIG, [str(tmp_path / names[i])], "cdr")
        assert derived(store) == master_calls()
        dispositions = Counter(c.disposition for c in store.recent_calls(100))
        assert dispositions == {"answered": 5, "abandoned": 3, None: 6}
        # the same rows again (a copy of a rotation): stored once, nothing changes
        (tmp_path / "copy").mkdir()
        shutil.copy(tmp_path / names[0], tmp_path / "copy" / "Master.csv")
        again = ingest_paths(store, UTC_CONFIG, [str(tmp_path / "copy" / "Master.csv")], "cdr")
        assert (again.added, again.updated) == (0, 0)


def test_a_later_leg_replaces_what_the_earlier_ones_derived(database: str) -> None:
    """An answered operator leg arriving after the legs of an abandoned call makes it
    answered, and the fields the abandoned call had are replaced outright."""
    head = '"","0612345678","500","from-trunk","","SIP/trunk-01",'
    tail = ',"DOCUMENTATION","1709629200.{n}","","","1709629200.1",{n}'
    queue = (
        head
        + '"","Queue","support","2024-03-05 09:00:00","2024-03-05 09:00:00",'
        + ('"2024-03-05 09:01:00",60,60,"ANSWERED"' + tail.format(n=1))
    )
    missed = (
        head
        + '"SIP/1001-01","Queue","support","2024-03-05 09:00:01","",'
        + ('"2024-03-05 09:00:21",20,0,"NO ANSWER"' + tail.format(n=2))
    )
    answered = (
        head
        + '"SIP/1002-02","Queue","support","2024-03-05 09:00:21",'
        + ('"2024-03-05 09:00:25","2024-03-05 09:01:00",39,35,"ANSWERED"' + tail.format(n=3))
    )
    parser = CdrParser(UTC)
    with Store(database) as store:
        store.ingest("cdr", [(1, *parser.parse_line(queue, 1)), (2, *parser.parse_line(missed, 2))])
        (before,) = store.find_calls("1709629200.1")
        assert (before.disposition, before.agent, before.answered_at) == ("abandoned", None, None)
        result = store.ingest("cdr", [(3, *parser.parse_line(answered, 3))])
        assert (result.added, result.updated) == (0, 1)
        (after,) = store.find_calls("1709629200.1")
        assert (after.disposition, after.agent) == ("answered", "SIP/1002")
        assert (after.wait_seconds, after.talk_seconds) == (25.0, 35.0)


def test_tag_with_a_queue_the_call_never_entered_names_the_queues_it_did(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a script that guessed the queue learns which ones the call is in, not that it is not there
    two_entry_call(tmp_path, database)
    with pytest.raises(SystemExit) as info:
        main(["tag", "c1", "--db", database, "--queue", "billing", "--category", "order"])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.endswith("; its queues: sales, support\n") and err.count("\n") == 1


def test_tag_with_a_source_the_call_is_not_from_names_its_sources(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the source is the file's name, not the path given to ingest: a script passing the path
    # was told there was no call with that id at all
    two_entry_call(tmp_path, database)
    path = str(tmp_path / "queue_log")
    with pytest.raises(SystemExit) as info:
        main(["tag", "c1", "--db", database, "--source", path, "--category", "order"])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"carewatch: no call with id 'c1' from source {path!r} in ")
    assert err.endswith("; its sources: queue_log\n") and err.count("\n") == 1
