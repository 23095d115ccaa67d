"""carewatch on logs real phone systems wrote (tests/data/real/README.md says where from).

The expected figures were worked out by hand and with the ``csv`` module alone (README);
the arithmetic is in the comments.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from carewatch.config import Config
from carewatch.ingest import ingest_paths
from carewatch.kpi.engine import compute_kpis
from carewatch.kpi.windows import Window
from carewatch.records import AgentEvent, CdrLeg
from carewatch.sources.cdr import CdrParser
from carewatch.sources.cdr_call import call_from_legs
from carewatch.sources.queue_entries import fold_entries
from carewatch.sources.queue_log import QueueLogParser
from carewatch.store import Store

REAL = Path(__file__).parent / "data" / "real"
MASTER = REAL / "freepbx-ringgroup-Master.csv"
WAZO_TRANSFER = REAL / "wazo-transfer-to-second-queue.queue_log"
UTC_CONFIG = Config(timezone="UTC")


def legs_of(path: Path) -> list[CdrLeg]:
    parser = CdrParser(UTC)
    raw = path.read_bytes().decode("latin-1").splitlines()
    return [leg for n, line in enumerate(raw, 1) for leg in parser.parse_line(line, n)]


def calls_of(legs: list[CdrLeg]) -> dict[str, dict]:
    by_call: dict[str, list[CdrLeg]] = {}
    for leg in legs:
        by_call.setdefault(leg.call_key, []).append(leg)
    return {key: call_from_legs(group) for key, group in by_call.items()}


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


# -- CDR: one call = all the rows of one linkedid ---------------------------------------------


def test_real_master_csv_gives_one_call_per_linkedid_with_the_operator_who_answered() -> None:
    legs = legs_of(MASTER)
    assert len(legs) == 42
    calls = calls_of(legs)
    # 42 rows, 14 distinct linkedids
    assert len(calls) == 14
    dispositions = Counter(call.get("disposition") for call in calls.values())
    # 5 answered by an operator, 3 abandoned, 6 answered by the dialplan only (no
    # dstchannel: the Hangup rows), 0 missed: 5 + 3 + 0 + 6 = 14 = offered
    assert dispositions == {"answered": 5, "abandoned": 3, None: 6}
    answered = {key: call for key, call in calls.items() if call.get("disposition") == "answered"}
    # the ring group through Local/ch1@TimeDelay: the ;2 half says ANSWERED with 0 s, the
    # outer leg to SIP/301 holds the talk: 02:04:29 - 02:04:12 = 17 s, wait 02:04:12 - 02:04:06
    ring_group = answered["1706407446.50"]
    assert ring_group["agent"] == "SIP/301"
    assert ring_group["started_at"] == utc(2024, 1, 28, 2, 4, 6)
    assert (ring_group["wait_seconds"], ring_group["talk_seconds"]) == (6.0, 17.0)
    # talk 17 + 23 + 79 + 43 + 30 = 192 s over 5 calls; waits 6 + 5 + 4 + 5 + 6 = 26 s
    assert sorted(call["talk_seconds"] for call in answered.values()) == [17, 23, 30, 43, 79]
    assert sum(call["wait_seconds"] for call in answered.values()) == 26.0
    # Local/ channels are never operators
    assert all(not call.get("agent", "").startswith("Local/") for call in calls.values())
    # NO ANSWER legs, then a Hangup row ANSWERED without dstchannel: not answered
    assert calls["1706369600.6"]["disposition"] == "abandoned"


@settings(max_examples=50, deadline=None)
@given(st.randoms(use_true_random=False))
def test_legs_in_any_order_give_the_same_calls(rnd: random.Random) -> None:
    legs = legs_of(MASTER)
    expected = calls_of(legs)
    shuffled = list(legs)
    rnd.shuffle(shuffled)
    assert calls_of(shuffled) == expected


def test_ingest_of_the_real_master_csv_gives_the_true_abandon_rate(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "cw.db"))
    log = tmp_path / "Master.csv"
    log.write_bytes(MASTER.read_bytes())
    summary = ingest_paths(store, UTC_CONFIG, [str(log)], batch_lines=5)
    # calls split over batches of 5 rows are still whole
    assert summary.added == 14
    # two caller names hold the byte 0xA5, not UTF-8: replaced, counted, the calls kept
    assert summary.repaired_by_reason == {"invalid UTF-8": 2}
    assert summary.skipped == 0
    day = Window(utc(2024, 1, 27), utc(2024, 1, 29), "27-28 January 2024")
    kpis = compute_kpis(store.calls_between(day.start, day.end), UTC_CONFIG, window=day, now=0)
    # 3 abandoned of 14 offered (one row per call would say 9 of 23)
    assert (kpis["offered"], kpis["answered"], kpis["abandoned"]) == (14, 5, 3)
    assert kpis["abandon_rate"] == pytest.approx(3 / 14)
    assert kpis["avg_talk_seconds"] == pytest.approx(192 / 5)
    assert kpis["avg_wait_seconds"] == pytest.approx(26 / 5)
    store.close()


def test_the_real_file_read_as_latin_1_needs_no_repair(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "cw.db"))
    log = tmp_path / "Master.csv"
    log.write_bytes(MASTER.read_bytes())
    summary = ingest_paths(store, UTC_CONFIG, [str(log)], encoding="latin-1")
    assert (summary.added, summary.repaired) == (14, 0)
    store.close()


@pytest.mark.parametrize(
    ("suffix", "codec"),
    [(".gz", gzip), (".bz2", bz2), (".xz", lzma), (".zst", zstandard.ZstdCompressor())],
)
def test_a_compressed_rotation_is_read_whole_and_once(
    tmp_path: Path, suffix: str, codec: object
) -> None:
    store = Store(str(tmp_path / "cw.db"))
    logs = tmp_path / "cdr"
    logs.mkdir()
    # made here from the real file, its last newline taken off
    data = MASTER.read_bytes().rstrip(b"\n")
    (logs / f"Master.csv-20240128{suffix}").write_bytes(codec.compress(data))  # type: ignore[attr-defined]
    summary = ingest_paths(store, UTC_CONFIG, [str(logs)])
    assert (summary.added, summary.skipped, summary.files_not_read) == (14, 0, [])
    assert {c.source for c in store.recent_calls()} == {"Master.csv"}
    again = ingest_paths(store, UTC_CONFIG, [str(logs)])
    assert (again.added, again.updated, again.lines_read) == (0, 0, 0)
    store.close()


def test_a_compressed_copy_of_a_file_read_before_adds_nothing(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "cw.db"))
    logs = tmp_path / "cdr"
    logs.mkdir()
    plain = logs / "Master.csv.1"
    plain.write_bytes(MASTER.read_bytes())
    old = os.stat(plain).st_mtime - 60
    os.utime(plain, (old, old))
    assert ingest_paths(store, UTC_CONFIG, [str(plain)]).added == 14
    # logrotate compresses it: the same text, found by its content
    (logs / "Master.csv.2.gz").write_bytes(gzip.compress(plain.read_bytes()))
    plain.unlink()
    again = ingest_paths(store, UTC_CONFIG, [str(logs)])
    assert (again.added, again.updated, again.lines_read) == (0, 0, 0)
    store.close()


# -- queue_log: figures per queue entry ---------------------------------------------------------


def records_of(path: Path, tz: Config = UTC_CONFIG) -> list:
    parser = QueueLogParser(tz.tz)
    lines = path.read_text(encoding="utf-8").splitlines()
    return [record for n, line in enumerate(lines, 1) for record in parser.parse_line(line, n)]


def test_wazo_transfer_into_a_second_queue_counts_each_queue_entry() -> None:
    records = records_of(WAZO_TRANSFER)
    entries = fold_entries(records)
    assert set(entries) == {("1430927991.36", "queue2"), ("1430927991.36", "queue1")}
    first = entries[("1430927991.36", "queue2")]
    # answered in queue2 by Agent/1002: holdtime 10 s, calltime 8 s
    assert first["disposition"] == "answered" and first["agent"] == "Agent/1002"
    assert (first["wait_seconds"], first["talk_seconds"]) == (10.0, 8.0)
    second = entries[("1430927991.36", "queue1")]
    # then abandoned in queue1 after 19 s; counted at its entry time, 12:00:10 (Wazo: the
    # abandon belongs to the 12:00 hour, none to 11:00)
    assert second["disposition"] == "abandoned" and second["wait_seconds"] == 19.0
    assert datetime.fromtimestamp(second["started_at"], UTC).hour == 12
    assert datetime.fromtimestamp(first["started_at"], UTC).hour == 11
    # totals and per-queue figures add up: 2 entries = 1 answered + 1 abandoned
    per_queue = Counter((leg, row["disposition"]) for (_, leg), row in entries.items())
    assert per_queue == {("queue2", "answered"): 1, ("queue1", "abandoned"): 1}
    # the ring Agent/1001 let go (15 s) is a missed ring of queue1, not an unreachable one
    (ring,) = [r for r in records if isinstance(r, AgentEvent)]
    assert (ring.event, ring.agent, ring.queue, ring.ring_ms) == (
        "RINGNOANSWER",
        "Agent/1001",
        "queue1",
        15000,
    )


def test_wazo_abandon_without_enterqueue_is_not_a_queue_entry() -> None:
    # xivo-dao test_get_queue_abandoned_call_no_enterqueue: of two ABANDONs, the one whose
    # call never entered the queue is not counted (has_length(1))
    lines = [
        "2015-05-06 12:00:10|1|queue1|NONE|ENTERQUEUE||0612345678|1||",
        "2015-05-06 12:00:11|1|queue1|NONE|ABANDON|1|1|19||",
        "2015-05-06 12:00:12|2|queue1|NONE|ABANDON|1|1|30||",
    ]
    parser = QueueLogParser(UTC)
    entries = fold_entries(r for line in lines for r in parser.parse_line(line, 1))
    assert list(entries) == [("1", "queue1")]
    assert entries[("1", "queue1")]["disposition"] == "abandoned"


def test_the_report_of_the_real_master_csv_adds_up_to_the_calls_offered(tmp_path: Path) -> None:
    """Calls the dialplan alone answered (a Hangup or Playback with no operator leg and no
    queue) are offered but have no outcome: the report's rows say how many reached no
    operator, so they add up. The count is checked against the file itself, read here with
    the csv module: one call per linkedid (column 20), an operator leg being a dstchannel
    (column 7) that is not empty and not Local/, a queue being a lastapp (column 8) Queue."""
    import csv

    from carewatch.report import build_report, render
    from carewatch.report.values import no_operator_calls

    legs: dict[str, list[list[str]]] = {}
    with MASTER.open(encoding="latin-1", newline="") as handle:
        for row in csv.reader(handle):
            legs.setdefault(row[19], []).append(row)
    by_day: Counter[str] = Counter()
    for rows in legs.values():
        operator = any(r[6] and not r[6].startswith("Local/") for r in rows)
        queued = any(r[7] == "Queue" for r in rows)
        if not operator and not queued:
            by_day[min(r[9] for r in rows)[:10]] += 1
    assert by_day == {"2024-01-27": 3, "2024-01-28": 3}

    store = Store(str(tmp_path / "cw.db"))
    ingest_paths(store, UTC_CONFIG, [str(MASTER)])
    for day, expected in by_day.items():
        when = datetime.fromisoformat(day).date()
        report = build_report(store, UTC_CONFIG, when, now=utc(2024, 2, 1))
        k = report.kpis
        assert no_operator_calls(k) == expected
        assert (
            k["offered"]
            == sum(k[key] for key in ("answered", "abandoned", "missed", "waiting")) + expected
        )
        text = render(report, "text")
        line = next(x for x in text.splitlines() if "Reached no operator" in x)
        assert line.split()[3] == str(expected)
    store.close()


# -- the same figures through the command line, against the raw files read apart ---------------

PJSIP_CDR_CUSTOM = REAL / "pjsip-cdr_custom-Master.csv"
RESTART_QUEUE_LOG = REAL / "asterisk-restart-while-queued.queue_log"


def cli_day_kpis(tmp_path: Path, log: Path, day: str, capsys: pytest.CaptureFixture[str]) -> dict:
    """``carewatch ingest LOG`` then ``carewatch report --date DAY --format json``, in UTC."""
    import json

    from carewatch.cli import main

    config = tmp_path / "carewatch.toml"
    config.write_text('timezone = "UTC"\n', encoding="utf-8")
    db = str(tmp_path / "cw.db")
    assert main(["ingest", str(log), "--db", db, "--config", str(config)]) == 0
    capsys.readouterr()
    args = ["report", "--date", day, "--format", "json", "--db", db, "--config", str(config)]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["date"] == day
    kpis: dict = report["kpis"]
    return kpis


def test_real_cdr_custom_file_gives_the_figures_its_rows_hold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The cdr_custom layout (clid first), read here with the csv module alone: column 5 is
    dstchannel, 8-10 start/answer/end, 12 billsec, 13 disposition, 16 uniqueid."""
    import csv

    with PJSIP_CDR_CUSTOM.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 10 and {len(row) for row in rows} == {19}
    # one row per call here: 10 distinct uniqueids
    assert len({row[16] for row in rows}) == 10
    answered = [row for row in rows if row[13] == "ANSWERED"]
    no_answer = [row for row in rows if row[13] == "NO ANSWER"]
    assert (len(answered), len(no_answer)) == (7, 3)

    def seconds(start: str, end: str) -> float:
        return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()

    talks = [int(row[12]) for row in answered]
    waits = [seconds(row[8], row[9]) for row in answered]
    # 13 + 13 + 18 + 8 + 8 + 7 + 3 = 70 s of talk; 18 + 4 + 7 + 3 + 5 + 5 + 6 = 48 s of wait
    assert (sum(talks), sum(waits)) == (70, 48.0)
    # the operator is the phone dialled: dstchannel without its -0000000n suffix
    per_phone: Counter[str] = Counter()
    talk_per_phone: Counter[str] = Counter()
    for row in answered:
        phone = row[5].rsplit("-", 1)[0]
        per_phone[phone] += 1
        talk_per_phone[phone] += int(row[12])
    assert per_phone == {"PJSIP/client2": 6, "PJSIP/client1": 1}

    k = cli_day_kpis(tmp_path, PJSIP_CDR_CUSTOM, "2023-07-26", capsys)
    assert k["offered"] == len(rows)
    assert (k["answered"], k["abandoned"], k["missed"], k["waiting"]) == (7, 3, 0, 0)
    assert k["abandon_rate"] == pytest.approx(3 / 10)
    assert k["avg_talk_seconds"] == pytest.approx(sum(talks) / len(talks))
    assert k["avg_wait_seconds"] == pytest.approx(sum(waits) / len(waits))
    # every wait is within 20 s: 7 answered in time of 10 with an outcome
    assert all(wait <= 20 for wait in waits)
    assert k["service_level"] == pytest.approx(7 / 10)
    assert k["over_target_share"] == 0.0
    assert {agent: row["answered"] for agent, row in k["by_agent"].items()} == per_phone
    assert {
        agent: row["total_talk_seconds"] for agent, row in k["by_agent"].items()
    } == talk_per_phone
    # no Queue rows: no per-queue figures
    assert k["by_queue"] == {}


def queue_log_fields(path: Path) -> list[list[str]]:
    return [line.split("|") for line in path.read_text(encoding="utf-8").splitlines()]


def test_real_queue_log_with_a_restart_counts_the_abandon_in_its_queue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read apart with str.split: time|callid|queue|agent|event|data..."""
    lines = queue_log_fields(RESTART_QUEUE_LOG)
    entries = [f for f in lines if f[4] == "ENTERQUEUE"]
    abandons = [f for f in lines if f[4] == "ABANDON"]
    # 2 calls offered, one per queue, both on 2020-08-04 UTC
    assert sorted(f[2] for f in entries) == ["sales", "support"]
    assert {datetime.fromtimestamp(int(f[0]), UTC).date().isoformat() for f in entries} == {
        "2020-08-04"
    }
    # the support call abandoned after waittime (data3) 68 s = 1596513009 - 1596512941
    (abandon,) = abandons
    assert (abandon[2], abandon[7]) == ("support", "68")
    assert int(abandon[0]) - int(next(f for f in entries if f[1] == abandon[1])[0]) == 68

    k = cli_day_kpis(tmp_path, RESTART_QUEUE_LOG, "2020-08-04", capsys)
    # the sales call, lost when Asterisk started again, is missed (the next test)
    assert (k["offered"], k["answered"], k["abandoned"], k["missed"]) == (2, 0, 1, 1)
    assert {queue: row["offered"] for queue, row in k["by_queue"].items()} == {
        "sales": 1,
        "support": 1,
    }
    assert k["by_queue"]["support"]["abandoned"] == 1
    assert k["by_queue"]["support"]["abandon_rate"] == 1.0
    # one caller, 7000, called twice
    assert k["repeat_caller_share"] == 1.0


def test_a_call_still_queued_when_asterisk_starts_again_is_not_waiting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sales call (line 9) has no end: the next line, 574 s later, is a QUEUESTART,
    Asterisk started again, so the Asterisk it waited in had stopped. Six years on it cannot
    be waiting: it was lost with that system, a missed call."""
    lines = queue_log_fields(RESTART_QUEUE_LOG)
    sales = next(n for n, f in enumerate(lines) if f[4] == "ENTERQUEUE" and f[2] == "sales")
    assert [f[4] for f in lines[sales + 1 :]] == ["QUEUESTART"]
    k = cli_day_kpis(tmp_path, RESTART_QUEUE_LOG, "2020-08-04", capsys)
    assert k["waiting"] == 0
    # lost in sales when the system stopped: missed (no operator phone could take it)
    assert (k["offered"], k["answered"], k["abandoned"], k["missed"]) == (2, 0, 1, 1)
    assert k["by_queue"]["sales"]["offered"] == 1


# -- queue_log of a queue whose members are Local/ channels, most of them unreachable -----------

LOCAL_MEMBERS = REAL / "freepbx-local-members.queue_log"


def test_real_queue_log_with_local_members_gives_the_figures_its_lines_hold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read apart with str.split: time|callid|queue|agent|event|data1|data2|data3.
    CONNECT data1 is the wait; COMPLETEAGENT / COMPLETECALLER data2 the talk time; ABANDON
    data3 the wait (Asterisk's doc/queuelog.txt)."""
    lines = queue_log_fields(LOCAL_MEMBERS)
    assert len(lines) == 51
    entered = {f[1]: f for f in lines if f[4] == "ENTERQUEUE"}
    connects = {f[1]: f for f in lines if f[4] == "CONNECT"}
    ends = {f[1]: f for f in lines if f[4] in ("COMPLETEAGENT", "COMPLETECALLER")}
    abandons = {f[1]: f for f in lines if f[4] == "ABANDON"}
    # 4 calls, all in queue 9000, all on 2010-02-22 (UTC)
    assert len(entered) == 4 and {f[2] for f in entered.values()} == {"9000"}
    days = {datetime.fromtimestamp(int(f[0]), UTC).date() for f in entered.values()}
    assert [d.isoformat() for d in days] == ["2010-02-22"]
    # 3 answered, each ended (2 COMPLETEAGENT, 1 COMPLETECALLER); 1 abandoned
    assert set(connects) == set(ends) and len(connects) == 3 and len(abandons) == 1
    waits = [int(f[5]) for f in connects.values()]
    talks = [int(f[6]) for f in ends.values()]
    # waits 1 + 2 + 36 = 39 s, talk 3 + 4 + 8 = 15 s; the abandon after 13 s
    assert (sorted(waits), sorted(talks)) == ([1, 2, 36], [3, 4, 8])
    assert [int(f[7]) for f in abandons.values()] == [13]
    # every call answered by Local/2004@from-internal/n
    assert {f[3] for f in connects.values()} == {"Local/2004@from-internal/n"}

    k = cli_day_kpis(tmp_path, LOCAL_MEMBERS, "2010-02-22", capsys)
    assert (k["offered"], k["answered"], k["abandoned"], k["missed"], k["waiting"]) == (
        4,
        3,
        1,
        0,
        0,
    )
    assert k["abandon_rate"] == pytest.approx(1 / 4)
    assert k["avg_wait_seconds"] == pytest.approx(sum(waits) / 3)
    assert k["avg_talk_seconds"] == pytest.approx(sum(talks) / 3)
    assert k["talk_seconds_total"] == sum(talks)
    # answered within 20 s: 2 (waits 1 and 2) of the 4 calls with an outcome
    assert k["service_level"] == pytest.approx(2 / 4)
    operator = k["by_agent"]["Local/2004@from-internal/n"]
    assert (operator["answered"], operator["total_talk_seconds"]) == (3, sum(talks))
    queue = k["by_queue"]["9000"]
    assert (queue["offered"], queue["answered"], queue["abandoned"]) == (4, 3, 1)
    # the caller 01773597776 called three times of four
    callers = Counter(f[6] for f in entered.values())
    assert callers == {"01773597776": 3, "anonymous": 1}


def test_real_rings_that_ended_within_the_clock_second_are_unreachable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Asterisk writes a RINGNOANSWER's ring time as whole seconds of its clock times 1000:
    ``(time(NULL) - starttime) * 1000`` when the member's channel is busy, congested or hangs
    up, the ring timeout in ms when it rang out (apps/app_queue.c, wait_for_answer). A
    channel that failed at once is written 0 or 1000 ms, by whether the clock's second
    changed in between. In this log the same members fail at the same point of each call
    as 0 in one call and 1000 in another (Local/2008: 0 in the first call, 1000 in the
    second); the one ring that rang out is 15000 ms (the queue's 15 s timeout)."""
    rings = [f for f in queue_log_fields(LOCAL_MEMBERS) if f[4] == "RINGNOANSWER"]
    by_ms = Counter(int(f[5]) for f in rings)
    assert by_ms == {0: 6, 1000: 13, 2000: 8, 3000: 3, 4000: 5, 15000: 1}
    first_call, second_call = "1266833905.2", "1266833925.10"
    ring_of = {(f[1], f[3]): int(f[5]) for f in rings}
    assert ring_of[(first_call, "Local/2008@from-internal/n")] == 0
    assert ring_of[(second_call, "Local/2008@from-internal/n")] == 1000
    # 0 and 1000 ms: unreachable; 2000 ms and more: rings nobody took
    unreachable: Counter[str] = Counter(f[3] for f in rings if int(f[5]) <= 1000)
    missed: Counter[str] = Counter(f[3] for f in rings if int(f[5]) > 1000)
    assert (sum(unreachable.values()), sum(missed.values())) == (19, 17)

    k = cli_day_kpis(tmp_path, LOCAL_MEMBERS, "2010-02-22", capsys)
    by_agent = k["by_agent"]
    assert {
        a: row["unreachable_rings"] for a, row in by_agent.items() if row["unreachable_rings"]
    } == (unreachable)
    assert {a: row["missed_rings"] for a, row in by_agent.items() if row["missed_rings"]} == missed
