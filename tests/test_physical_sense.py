"""Values outside physical sense (issue 9, item 1): a log line holding one is skipped and
counted as a bad value with its line number, never stored, in every format; a report never
fails on what is stored, whoever wrote it; a report of any date answers or says why not."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from carewatch.bounds import EARLIEST, FUTURE_SLACK
from carewatch.cli import main
from carewatch.config import Config, Mapping, Source
from carewatch.ingest import ingest_paths
from carewatch.sources.lines import RawLine
from carewatch.sources.parse import BatchParser
from carewatch.sources.queue_log import QueueLogParser
from carewatch.store import Store

CONFIG = Config(timezone="UTC")
T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC
NINES = "9" * 400


def skipped(summary) -> list[tuple[int, str]]:
    return [(line_no, reason) for _, line_no, reason in summary.last_skipped]


def ql_call(cid: str, t: int, talk: str = "60", hold: str = "5") -> str:
    return (
        f"{t}|{cid}|support|NONE|ENTERQUEUE||0612345678|1\n"
        f"{t + 5}|{cid}|support|SIP/1001|CONNECT|{hold}|x|2\n"
        f"{t + 65}|{cid}|support|SIP/1001|COMPLETECALLER|{hold}|{talk}|1\n"
    )


def test_queue_log_absurd_numbers_are_bad_values_never_stored(
    database: str, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    log.write_text(
        ql_call("good", T0)
        + ql_call("nines", T0 + 100, talk=NINES)  # line 6: a talk time of 400 nines
        + ql_call("week", T0 + 200, talk=str(8 * 86_400))  # line 9: talk over a day
        + f"{T0 + 300}|ring|support|SIP/1001|RINGNOANSWER|{NINES}\n"  # line 10
        + "600000000|old|support|NONE|ENTERQUEUE||0612345678|1\n"  # line 11: 1989
    )
    with Store(database) as store:
        summary = ingest_paths(store, CONFIG, [str(log)])
        assert skipped(summary) == [(n, "bad value") for n in (6, 9, 10, 11)]
        talks = {c.call_id: c.talk_seconds for c in store.recent_calls(100)}
        # the lines before the absurd end are kept: the call is known, its end is not
        assert talks == {"good": 60.0, "nines": None, "week": None}
        assert store.agent_events_between(0, 4e9) == []


def test_overlong_names_never_break_ingest_on_any_database(database: str, tmp_path: Path) -> None:
    long = "x" * 300
    log = tmp_path / "queue_log"
    log.write_text(
        f"{T0}|{long}|support|NONE|ENTERQUEUE||0612345678|1\n"  # a call id is a key: skipped
        f"{T0 + 1}|NONE|{long}|{long}|PAUSE|{long}\n"  # names are cut to the columns' size
        + ql_call("good", T0 + 10)
    )
    with Store(database) as store:
        summary = ingest_paths(store, CONFIG, [str(log)])
        assert skipped(summary) == [(1, "bad value")]
        assert [c.call_id for c in store.recent_calls(10)] == ["good"]
        (pause,) = store.agent_events_between(T0, T0 + 2)
        assert (len(pause["agent"]), len(pause["queue"]), len(pause["reason"])) == (200, 200, 200)


def test_cdr_billsec_of_400_digits_is_a_bad_value(database: str, tmp_path: Path) -> None:
    row = (
        '"","0612345678","500","from-trunk","","SIP/trunk-01","SIP/1001-02","Dial","x",'
        '"2024-03-05 09:00:00","2024-03-05 09:00:05","2024-03-05 09:01:05",65,{billsec},'
        '"ANSWERED","DOCUMENTATION","{uid}"\n'
    )
    log = tmp_path / "Master.csv"
    log.write_text(
        row.format(billsec=60, uid="1709629200.1") + row.format(billsec=NINES, uid="1709629200.2")
    )
    with Store(database) as store:
        summary = ingest_paths(store, CONFIG, [str(log)], "cdr")
        assert skipped(summary) == [(2, "bad value")]
        assert [c.talk_seconds for c in store.recent_calls(10)] == [60.0]


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ('"talk_seconds": 1e308', "1e308"),
        ('"talk_seconds": -5', "negative"),
        ('"talk_seconds": ' + NINES, "an integer of 400 digits"),
        ('"wait_seconds": 90000', "a wait over a day"),
        ('"csat": 7', "a score out of range"),
        ('"started_at": "1970-01-02T00:00:00Z"', "before 1990"),
        ('"started_at": "9999-12-31T00:00:00Z"', "far future"),
        ('"ended_at": "2999-01-01T00:00:00Z"', "an end in the future"),
    ],
)
def test_jsonl_values_out_of_sense_are_bad_values(tmp_path: Path, value: str, why: str) -> None:
    log = tmp_path / "calls.jsonl"
    good = '{"call_id": "a", "started_at": "2024-03-05T09:00:00Z", "talk_seconds": 60}\n'
    start = "" if '"started_at"' in value else '"started_at": "2024-03-05T09:10:00Z", '
    log.write_text(good + '{"call_id": "b", ' + start + value + "}\n")
    with Store(str(tmp_path / "cw.db")) as store:
        summary = ingest_paths(store, CONFIG, [str(log)])
        assert skipped(summary) == [(2, "bad value")], why
        assert [c.call_id for c in store.recent_calls(10)] == ["a"], why


def test_csv_and_mapped_durations_over_a_day_are_bad_values(tmp_path: Path) -> None:
    csv_log = tmp_path / "calls.csv"
    csv_log.write_text(
        "call_id,started_at,talk_seconds\n"
        "a,2024-03-05T09:00:00Z,60\n"
        "b,2024-03-05T09:10:00Z,100000\n"
        f"c,2024-03-05T09:20:00Z,{NINES}\n"
    )
    export = tmp_path / "export.csv"
    export.write_text(
        "id,start,talk\n"
        "1,2024-03-05 09:00:00,60\n"
        "2,2024-03-05 09:05:00,-1\n"
        "3,1989-12-31 23:59:59,5\n"
    )
    mapping = Mapping(call_id="id", started_at="start", talk="talk")
    config = Config(
        timezone="UTC",
        mapping=mapping,
        sources=[Source(path=str(export), format="mapped")],
    )
    with Store(str(tmp_path / "cw.db")) as store:
        summary = ingest_paths(store, config, [str(csv_log), str(export)])
        by_file = sorted((Path(p).name, n, r) for p, n, r in summary.last_skipped)
        assert by_file == [
            ("calls.csv", 3, "bad value"),
            ("calls.csv", 4, "bad value"),
            ("export.csv", 3, "bad value"),
            ("export.csv", 4, "bad value"),
        ]
        assert sorted(c.call_id for c in store.recent_calls(10)) == ["1", "a"]


def test_a_time_more_than_a_day_after_the_reading_clock_is_a_bad_value() -> None:
    now = float(T0)
    batch = BatchParser(QueueLogParser(UTC), clock=lambda: now)
    soon = int(now + FUTURE_SLACK)
    later = soon + 1
    lines = [
        f"{soon}|c1|support|NONE|ENTERQUEUE||0612345678|1".encode(),
        f"{later}|c2|support|NONE|ENTERQUEUE||0612345678|1".encode(),
        f"{int(EARLIEST)}|c3|support|NONE|ENTERQUEUE||0612345678|1".encode(),
        f"{int(EARLIEST) - 1}|c4|support|NONE|ENTERQUEUE||0612345678|1".encode(),
    ]
    raw = [RawLine(n, data, len(data)) for n, data in enumerate(lines, 1)]
    parsed = batch.parse(raw, complete=True)
    assert [record.call_id for _, record in parsed.records] == ["c1", "c3"]
    assert parsed.skipped == [(2, "bad value"), (4, "bad value")]


# -- reports never fail on stored data -----------------------------------------------------


def absurd_rows(store: Store, day_start: float) -> None:
    """Rows another program wrote: infinities, NaN, negative and week-long durations, a
    score of 7, a start in year 0 and in 2.8e11 (year 10,000)."""

    def write(tx) -> None:
        rows = [
            ("inf-talk", day_start + 3600, day_start + 3605, float("inf"), 5.0, 3, 9),
            ("nan-wait", day_start + 7200, day_start + 7210, 60.0, float("nan"), 7, 11),
            ("neg", day_start + 9000, None, -40.0, 1e308, None, None),
            ("year0", -62_135_596_800.0, None, 60.0, 5.0, None, None),
            ("far", 2.8e11, None, 60.0, 5.0, None, None),
            ("fine", day_start + 10_000, day_start + 10_020, 120.0, 20.0, 5, 10),
        ]
        for call_id, started, answered, talk, wait, csat, nps in rows:
            tx.execute(
                "INSERT INTO cw_call (source, call_id, leg, started_at, answered_at, "
                "talk_seconds, wait_seconds, direction, disposition, transferred, csat, nps, "
                "updated_at) VALUES ('other', ?, '', ?, ?, ?, ?, 'in', 'answered', ?, ?, ?, 0)",
                (call_id, started, answered, talk, wait, False, csat, nps),
            )

    store.retrying(write)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "csv", "json"])
def test_a_report_never_fails_on_absurd_stored_values(
    database: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    day_start = datetime(2024, 3, 5, tzinfo=UTC).timestamp()
    with Store(database) as store:
        absurd_rows(store, day_start)
        assert store.implausible_calls(day_start, day_start + 86_400) == 3
    args = ["report", "--db", database, "--date", "2024-03-05", "--format", fmt, "--calls"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert "note: 3 calls of 2024-03-05 hold a value out of physical sense" in err
    if fmt == "json":
        kpis = json.loads(out)["kpis"]
        # the four calls of the day are offered; the sane talk times (60 s, 120 s) averaged
        assert (kpis["offered"], kpis["avg_talk_seconds"]) == (4, 90.0)
        assert (kpis["csat_responses"], kpis["nps_responses"]) == (2, 2)


def test_the_live_figures_count_calls_around_absurd_ones(database: str) -> None:
    from carewatch.figures import window_kpis
    from carewatch.kpi.windows import day_window

    day_start = datetime(2024, 3, 5, tzinfo=UTC).timestamp()
    with Store(database) as store:
        absurd_rows(store, day_start)
        window = day_window(datetime(2024, 3, 5).date(), UTC)
        kpis = window_kpis(store, CONFIG, window, now=day_start + 86_400)
        assert kpis["offered"] == 4
        # a screen's newest calls skip those whose start is out of sense
        assert {c.call_id for c in store.recent_calls(10)} == {
            "inf-talk",
            "nan-wait",
            "neg",
            "fine",
        }


@pytest.mark.parametrize(
    ("option", "date", "message"),
    [
        ("--date", "9999-12-31", "--date: 9999-12-31 is outside the days carewatch knows"),
        ("--date", "1989-12-31", "--date: 1989-12-31 is outside the days carewatch knows"),
        (
            "--date",
            "0000-01-01",
            "--date: expected today, yesterday or YYYY-MM-DD, not '0000-01-01'",
        ),
        ("--week", "0001-W01", "--week: 0001-W01 is outside the days carewatch knows"),
        ("--week", "9999-W52", "--week: 9999-W52 is outside the days carewatch knows"),
        ("--week", "1989-W52", "--week: 1989-W52 is outside the days carewatch knows"),
        ("--week", "2026-W54", "--week: expected YYYY-Www (e.g. 2024-W20), not '2026-W54'"),
        ("--month", "0001-01", "--month: 0001-01 is outside the days carewatch knows"),
        ("--month", "3000-01", "--month: 3000-01 is outside the days carewatch knows"),
        ("--month", "2026-13", "--month: expected YYYY-MM (e.g. 2024-05), not '2026-13'"),
    ],
)
def test_a_report_of_an_impossible_day_is_a_one_line_usage_error(
    tmp_path: Path, option: str, date: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cw.db")
    Store(db).close()
    with pytest.raises(SystemExit) as info:
        main(["report", "--db", db, option, date])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"carewatch: {message}") and err.count("\n") == 1


def test_a_report_of_the_last_day_it_knows_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cw.db")
    Store(db).close()
    assert main(["report", "--db", db, "--date", "2999-12-31", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["date"], report["kpis"]["offered"]) == ("2999-12-31", 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "0"], "argument --days: expected a whole number of days from 1, not '0'"),
        (["--days", "-3"], "argument --days: expected a whole number of days from 1, not '-3'"),
        (["--days", "3", "--live", "--speed", "0"], "argument --speed: expected a number above 0"),
        (["--days", "3", "--live", "--speed", "nan"], "argument --speed: expected a number above"),
        (["--days", "20000"], "--days: 20,000 days up to today start before 1990-01-01"),
        (["--days", "400000", "--start", "2026-01-01"], "--days: 400,000 days from 2026-01-01 end"),
    ],
)
def test_a_simulation_of_no_days_or_too_many_is_a_usage_error(
    tmp_path: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "queue_log"
    with pytest.raises(SystemExit) as info:
        main(["simulate", "--out", str(out), *args])
    assert info.value.code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_a_report_of_a_day_still_to_come_says_it_has_not_started(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not "no calls between 25 Dec and 25 Dec 00:00 (now)" nor "day not over: figures up to
    00:00": the day has not begun."""
    db = str(tmp_path / "cw.db")
    Store(db).close()
    assert main(["report", "--db", db, "--date", "2999-12-31"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "No calls yet; the database holds none." in text
    assert "Day not started yet: it begins on 31 Dec 2999" in text
    assert "No calls between" not in text and "Day not over" not in text
