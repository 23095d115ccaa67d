"""How carewatch counts (docs/counting.md): CDR traps, queue entries, turned-away calls,
unreachable rings, records that span lines, encodings and delimiters, rotations.

The logs here are built by hand (no public log with these cases was found); each says
what it stands for.
"""

from __future__ import annotations

import gzip
import os
from datetime import UTC
from pathlib import Path

from carewatch.config import Config, Source
from carewatch.ingest import ingest_paths
from carewatch.records import UNREACHABLE_RING, AgentEvent, CdrLeg
from carewatch.sources.cdr import CdrParser
from carewatch.sources.cdr_call import call_from_legs
from carewatch.sources.queue_entries import fold_entries
from carewatch.sources.queue_log import QueueLogParser
from carewatch.store import Store

T0 = 1_700_000_000


def cdr_leg(dst: str, app: str, disposition: str, *, answer: str = "", billsec: int = 0) -> str:
    return (
        f'"","0612345678","500","from-trunk","","SIP/trunk-01","{dst}","{app}","support",'
        f'"2024-03-05 09:00:00","{answer}","2024-03-05 09:01:00",60,{billsec},'
        f'"{disposition}","DOCUMENTATION","1709629200.{len(dst) + len(app)}","","",'
        f'"1709629200.1",{len(dst)}'
    )


def call_of(*rows: str) -> dict:
    legs = [leg for row in rows for leg in CdrParser(UTC).parse_line(row, 1)]
    assert all(isinstance(leg, CdrLeg) and leg.call_key == "1709629200.1" for leg in legs)
    return call_from_legs(legs)  # type: ignore[arg-type]


def test_a_queue_row_answered_without_dstchannel_is_not_an_answer() -> None:
    # the Queue application answers the caller itself; the member's leg rang unanswered
    call = call_of(
        cdr_leg("", "Queue", "ANSWERED", answer="2024-03-05 09:00:00", billsec=60),
        cdr_leg("SIP/1001-02", "Queue", "NO ANSWER"),
    )
    assert call["disposition"] == "abandoned" and "agent" not in call


def test_a_busy_leg_then_a_congestion_row_answered_is_missed() -> None:
    call = call_of(
        cdr_leg("SIP/1001-02", "Dial", "BUSY"),
        cdr_leg("", "Congestion", "ANSWERED", answer="2024-03-05 09:00:05", billsec=55),
    )
    assert call["disposition"] == "missed"


def test_a_local_follow_me_leg_answered_with_0_s_is_not_a_second_answer() -> None:
    call = call_of(
        cdr_leg("Local/3001@followme-01;1", "Dial", "ANSWERED", answer="2024-03-05 09:00:20"),
        cdr_leg("SIP/1001-02", "Dial", "ANSWERED", answer="2024-03-05 09:00:08", billsec=52),
    )
    # answered by SIP/1001 after 8 s, talk 52 s; the Local leg is not an operator
    assert (call["agent"], call["wait_seconds"], call["talk_seconds"]) == ("SIP/1001", 8.0, 52.0)


def test_a_call_only_the_dialplan_answered_has_no_disposition() -> None:
    call = call_of(cdr_leg("", "Playback", "ANSWERED", answer="2024-03-05 09:00:00", billsec=60))
    assert "disposition" not in call  # offered, in none of answered/abandoned/missed


def qlog(*lines: str) -> list:
    parser = QueueLogParser(UTC)
    return [record for n, line in enumerate(lines, 1) for record in parser.parse_line(line, n)]


def test_an_attended_transfer_logged_under_the_consult_id_ends_the_call() -> None:
    # Asterisk may log the end of a call transferred with consultation under the consult
    # call's uniqueid (c-consult), never seen in the queue; its operator is on c1
    records = qlog(
        f"{T0}|c1|support|NONE|ENTERQUEUE||0612345678|1",
        f"{T0 + 5}|c1|support|SIP/1001|CONNECT|5|c1b|3",
        f"{T0 + 95}|c-consult|support|SIP/1001|ATTENDEDTRANSFER|BRIDGE|b1|5|90|1",
    )
    entries = fold_entries(records)
    assert list(entries) == [("c1", "support")]
    call = entries[("c1", "support")]
    assert call["transferred"] is True and call["talk_seconds"] == 90.0
    assert call["ended_at"] == T0 + 95


def test_an_end_for_an_unknown_call_of_an_idle_operator_stays_unknown() -> None:
    records = qlog(f"{T0 + 95}|c9|support|SIP/1001|COMPLETEAGENT|5|90|1")
    assert fold_entries(records) == {}
    assert records[0].call_id == "c9"


def test_events_before_their_start_are_applied_when_it_arrives() -> None:
    lines = [
        f"{T0}|c1|support|NONE|ENTERQUEUE||0612345678|1",
        f"{T0 + 5}|c1|support|SIP/1001|CONNECT|5|c1b|3",
        f"{T0 + 65}|c1|support|SIP/1001|COMPLETECALLER|5|60|1",
    ]
    in_order = fold_entries(qlog(*lines))
    assert fold_entries(qlog(*reversed(lines))) == in_order
    assert in_order[("c1", "support")]["talk_seconds"] == 60.0


def test_calls_the_queue_turned_away_are_offered_and_missed() -> None:
    entries = fold_entries(
        qlog(
            f"{T0}|c1|support|NONE|FULL|",
            f"{T0 + 1}|c2|support|NONE|JOINEMPTY|",
            f"{T0 + 2}|c3|support|NONE|JOINUNAVAIL|",
        )
    )
    assert {key: row["disposition"] for key, row in entries.items()} == {
        ("c1", "support"): "missed",
        ("c2", "support"): "missed",
        ("c3", "support"): "missed",
    }
    assert all(row["wait_seconds"] == 0.0 for row in entries.values())


def test_a_ring_of_0_ms_is_unreachable_not_missed() -> None:
    busy, ignored = qlog(
        f"{T0}|c1|support|SIP/1001|RINGNOANSWER|0",
        f"{T0 + 20}|c1|support|SIP/1002|RINGNOANSWER|15000",
    )
    assert isinstance(busy, AgentEvent) and busy.event == UNREACHABLE_RING
    assert isinstance(ignored, AgentEvent) and ignored.event == "RINGNOANSWER"


def test_a_ring_of_1000_ms_is_unreachable_and_one_of_2000_ms_is_missed() -> None:
    # Asterisk counts a failed ring in whole seconds of its clock: a channel that failed at
    # once is 0 or 1000 ms; 2000 ms is a ring of more than a second
    at_once, longer = qlog(
        f"{T0}|c1|support|SIP/1001|RINGNOANSWER|1000",
        f"{T0 + 5}|c1|support|SIP/1002|RINGNOANSWER|2000",
    )
    assert isinstance(at_once, AgentEvent) and at_once.event == UNREACHABLE_RING
    assert at_once.ring_ms == 1000
    assert isinstance(longer, AgentEvent) and longer.event == "RINGNOANSWER"


def test_unreachable_rings_reach_the_operators_figures(tmp_path: Path) -> None:
    from carewatch.figures import window_kpis
    from carewatch.kpi.windows import Window

    log = tmp_path / "queue_log"
    log.write_text(
        f"{T0}|c1|support|NONE|ENTERQUEUE||0612345678|1\n"
        f"{T0 + 1}|c1|support|SIP/1001|RINGNOANSWER|0\n"
        f"{T0 + 2}|c1|support|SIP/1001|RINGNOANSWER|0\n"
        f"{T0 + 20}|c1|support|SIP/1001|RINGNOANSWER|15000\n"
    )
    store = Store(str(tmp_path / "cw.db"))
    config = Config(timezone="UTC")
    ingest_paths(store, config, [str(log)])
    kpis = window_kpis(store, config, Window(T0 - 60, T0 + 60, "test"), now=T0 + 60)
    operator = kpis["by_agent"]["SIP/1001"]
    assert (operator["missed_rings"], operator["unreachable_rings"]) == (1, 2)
    store.close()


# -- CSV: records that span lines, encodings, delimiters ---------------------------------------


def test_a_note_with_a_newline_keeps_its_call_across_batches(tmp_path: Path) -> None:
    log = tmp_path / "calls.csv"
    log.write_text(
        "call_id,started_at,talk_seconds,note\n"
        'a,2024-03-05T09:00:00+00:00,60,"first line\nsecond line\n\nfourth"\n'
        "b,2024-03-05T09:05:00+00:00,30,plain\n"
    )
    store = Store(str(tmp_path / "cw.db"))
    summary = ingest_paths(store, Config(timezone="UTC"), [str(log)], batch_lines=1)
    assert (summary.added, summary.skipped) == (2, 0)
    (a,) = store.find_calls("a")
    # the line breaks become spaces: text from logs is shown on one line
    assert a.note == "first line second line fourth"
    store.close()


def test_a_half_written_quoted_field_waits_for_the_rest(tmp_path: Path) -> None:
    log = tmp_path / "calls.csv"
    log.write_text('call_id,started_at,note\na,2024-03-05T09:00:00+00:00,"to be\n')
    store = Store(str(tmp_path / "cw.db"))
    config = Config(timezone="UTC")
    assert ingest_paths(store, config, [str(log)]).added == 0
    with log.open("a") as fh:
        fh.write('continued"\n')
    assert ingest_paths(store, config, [str(log)]).added == 1
    assert store.find_calls("a")[0].note == "to be continued"
    store.close()


def test_encoding_and_delimiter_per_source(tmp_path: Path) -> None:
    log = tmp_path / "export.csv"
    log.write_bytes(
        "call_id;started_at;caller;note\n"
        "a;2024-03-05T09:00:00+00:00;0612345678;Société générale\n".encode("latin-1")
    )
    config = Config(
        timezone="UTC",
        sources=[Source(path=str(log), format="csv", encoding="latin-1", delimiter=";")],
    )
    store = Store(str(tmp_path / "cw.db"))
    summary = ingest_paths(store, config, [str(log)])
    assert (summary.added, summary.repaired, summary.skipped) == (1, 0, 0)
    assert store.find_calls("a")[0].note == "Société générale"
    store.close()


# -- rotations ---------------------------------------------------------------------------------


def enter(i: int) -> str:
    return f"{T0 + i}|c{i}|support|NONE|ENTERQUEUE||06{i:08d}|1\n"


def test_a_folder_of_rotations_is_read_oldest_first(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    # c1 enters in the oldest (compressed) file, is answered in .1, ends in the live one
    (logs / "queue_log.2.gz").write_bytes(gzip.compress(enter(1).encode()))
    (logs / "queue_log.1").write_text(f"{T0 + 5}|c1|support|SIP/1001|CONNECT|5|x|1\n")
    (logs / "queue_log").write_text(f"{T0 + 65}|c1|support|SIP/1001|COMPLETEAGENT|5|60|1\n")
    store = Store(str(tmp_path / "cw.db"))
    summary = ingest_paths(store, Config(timezone="UTC"), [str(logs)])
    assert (summary.added, summary.skipped) == (1, 0)
    (call,) = store.find_calls("c1")
    assert (call.agent, call.talk_seconds, call.disposition) == ("SIP/1001", 60.0, "answered")
    store.close()


def test_files_given_newest_first_are_read_oldest_first(tmp_path: Path) -> None:
    newest = tmp_path / "queue_log"
    older = tmp_path / "queue_log.1"
    older.write_text(enter(1))
    newest.write_text(f"{T0 + 9}|c1|support|NONE|ABANDON|1|1|9\n")
    store = Store(str(tmp_path / "cw.db"))
    summary = ingest_paths(store, Config(timezone="UTC"), [str(newest), str(older)])
    assert (summary.added, summary.skipped) == (1, 0)
    assert store.find_calls("c1")[0].disposition == "abandoned"
    store.close()


def test_the_last_line_of_a_rotation_is_read_without_its_newline(tmp_path: Path) -> None:
    rotated = tmp_path / "queue_log.1"
    rotated.write_text(enter(1) + enter(2).rstrip("\n"))
    old = os.stat(rotated).st_mtime - 60
    os.utime(rotated, (old, old))
    store = Store(str(tmp_path / "cw.db"))
    summary = ingest_paths(store, Config(timezone="UTC"), [str(rotated)])
    assert (summary.added, summary.incomplete) == (2, 0)
    store.close()


def test_an_unknown_encoding_is_a_clear_config_error() -> None:
    from carewatch.config import ConfigError, parse_config

    try:
        parse_config({"sources": [{"path": "/x", "encoding": "klingon"}]}, "cw.toml")
    except ConfigError as exc:
        assert str(exc) == (
            "cw.toml: sources[0].encoding: a text encoding such as 'utf-8', 'latin-1' "
            "or 'cp1252', not 'klingon'"
        )
    else:
        raise AssertionError("an unknown encoding was accepted")


def test_missed_and_unreachable_rings_are_one_store_read_per_queue(
    database: str, tmp_path: Path, monkeypatch
) -> None:
    from carewatch.figures import window_kpis_by_queue
    from carewatch.kpi.windows import Window

    log = tmp_path / "queue_log"
    log.write_text(
        f"{T0}|c1|support|SIP/1001|RINGNOANSWER|0\n"
        f"{T0 + 1}|c1|support|SIP/1001|RINGNOANSWER|15000\n"
        f"{T0 + 2}|c2|sales|SIP/1001|RINGNOANSWER|0\n"
        f"{T0 + 3}|c2|sales|SIP/1002|RINGNOANSWER|9000\n"
        f"{T0 + 4}|c3|sales|NONE|ENTERQUEUE||0612345678|1\n"
        f"{T0 + 3600}|c2|sales|SIP/1002|RINGNOANSWER|0\n"  # outside the window
    )
    with Store(database) as store:
        ingest_paths(store, Config(timezone="UTC"), [str(log)])
        rings = store.rings_between(T0, T0 + 60)
        assert rings.missed == {"SIP/1001": 1, "SIP/1002": 1}
        assert rings.unreachable == {"SIP/1001": 2}
        assert store.rings_between(T0, T0 + 60, queue="sales").unreachable == {"SIP/1001": 1}

        def no_scan(*_: object) -> None:
            raise AssertionError("the figures scanned every agent event")

        monkeypatch.setattr(store, "agent_events_between", no_scan)
        total, by_queue = window_kpis_by_queue(
            store, Config(timezone="UTC"), Window(T0, T0 + 60, "test"), now=T0 + 60
        )
        assert total["by_agent"]["SIP/1001"]["unreachable_rings"] == 2
        assert by_queue["sales"]["by_agent"]["SIP/1001"]["unreachable_rings"] == 1
        assert by_queue["sales"]["by_agent"]["SIP/1002"]["missed_rings"] == 1
