"""The command line as a user meets it: help, exit codes, one-line errors, the main flows."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import carewatch.ingest.oneshot as oneshot
from carewatch.cli import build_parser, main
from carewatch.store import Store

SUBCOMMANDS = (
    "monitor",
    "demo",
    "ingest",
    "tag",
    "report",
    "callbacks",
    "simulate",
    "metrics",
    "config",
    "completion",
    "db",
    "serve",
)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carewatch", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert f"carewatch {command}" in out
    assert "--config" in out and "--db" in out


def test_top_level_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in SUBCOMMANDS:
        assert command in out


def test_bad_config_is_exit_2_one_line_no_traceback(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[targets]\nservice_level_seconds = 'soon'\n", encoding="utf-8")
    result = run("report", "--config", str(config), "--db", str(tmp_path / "cw.db"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(config) in lines[0] and "targets.service_level_seconds" in lines[0]
    assert "Traceback" not in result.stderr


def test_database_that_cannot_be_opened_is_exit_1(tmp_path: Path) -> None:
    result = run("ingest", str(tmp_path), "--db", str(tmp_path / "no" / "such" / "folder.db"))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "cannot open database" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["report", "callbacks"])
def test_reading_a_database_that_does_not_exist_creates_nothing(
    tmp_path: Path, command: str
) -> None:
    missing = tmp_path / "typo.db"
    result = run(command, "--db", str(missing))
    assert result.returncode == 1
    hint = "(give --db, or read call logs with carewatch ingest)"
    assert result.stderr == f"carewatch: database {missing} does not exist {hint}\n"
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []  # no file, no -wal, no -shm


def test_bad_usage_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["report", "--format", "pdf"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["report", "--date", "14/05/2024"])
    assert info.value.code == 2
    assert "--date: expected today, yesterday or YYYY-MM-DD" in capsys.readouterr().err
    for bad, message in [
        (["--week", "2024-W60"], "--week: expected YYYY-Www"),
        (["--month", "May"], "--month: expected YYYY-MM"),
        (["--from", "2024-05-03", "--to", "2024-05-01"], "--to 2024-05-01 is before --from"),
        (["--date", "today", "--month"], "give one of --date, --week, --month or --from/--to"),
    ]:
        with pytest.raises(SystemExit) as info:
            main(["report", *bad])
        assert info.value.code == 2, bad
        assert message in capsys.readouterr().err


def test_simulate_same_seed_same_bytes(tmp_path: Path) -> None:
    args = ["--days", "2", "--start", "2026-03-02", "--seed", "7", "--format", "queue_log"]
    assert main(["simulate", "--out", str(tmp_path / "a" / "queue_log"), *args]) == 0
    assert main(["simulate", "--out", str(tmp_path / "b" / "queue_log"), *args]) == 0
    a = (tmp_path / "a" / "queue_log").read_bytes()
    b = (tmp_path / "b" / "queue_log").read_bytes()
    assert a and hashlib.sha256(a).digest() == hashlib.sha256(b).digest()


def test_what_a_command_did_is_on_standard_output_the_rest_on_standard_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rule of the README ("Commands"): the summary line of what a command wrote goes on
    standard output, where a script captures it; messages about how it went go on standard
    error; the report's standard output is the report alone."""
    log, db = tmp_path / "queue_log", str(tmp_path / "cw.db")
    days = ["--days", "1", "--start", "2026-03-02", "--seed", "3"]
    assert main(["simulate", "--out", str(log), *days]) == 0
    assert capsys.readouterr() == ("752 calls over 1 day written to " + str(log) + "\n", "")
    assert main(["ingest", str(log), "--db", db]) == 0
    assert capsys.readouterr() == (
        "752 calls added, 0 updated, 195 agent events stored, 0 lines skipped\n",
        "",
    )
    with Store(db) as store:
        call_id = store.recent_calls(1)[0].call_id
    assert main(["tag", call_id, "--category", "order", "--db", db]) == 0
    assert capsys.readouterr() == (f"call {call_id}: 1 tag written, 0 unchanged\n", "")
    out = tmp_path / "report.txt"
    assert main(["report", "--db", db, "--date", "2026-03-02", "--output", str(out)]) == 0
    assert capsys.readouterr() == ("", f"report for 2026-03-02 written to {out}\n")


@pytest.fixture
def ingested(tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    log = tmp_path / "logs" / "calls.csv"
    db = database
    main(["simulate", "--out", str(log), "--format", "csv", "--days", "2", "--start", "2026-03-02"])
    capsys.readouterr()
    assert main(["ingest", str(log), "--db", db]) == 0
    first = capsys.readouterr().out
    assert "calls added" in first and not first.startswith("0 ")
    return log, db


def test_ingest_prints_a_summary_and_again_adds_nothing(
    ingested: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    log, db = ingested
    assert main(["ingest", str(log), "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.startswith("0 calls added"), out


def test_ctrl_c_during_an_ingest_says_so_and_the_same_command_continues(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while a one-shot ingest reads its second file: exit status 130 and a line on what
    is kept; the first file's calls are stored, and the same command again stores the rest
    once, as one whole ingest does."""
    logs = [tmp_path / "logs" / f"site-{n}.csv" for n in (1, 2)]
    for n, log in enumerate(logs):
        start = f"2026-03-0{2 + n}"
        sim = ["simulate", "--out", str(log), "--format", "csv", "--days", "1", "--start", start]
        assert main(sim) == 0
    capsys.readouterr()
    db, whole = str(tmp_path / "cw.db"), str(tmp_path / "whole.db")
    assert main(["ingest", *map(str, logs), "--db", whole]) == 0
    capsys.readouterr()
    files = {"n": 0}
    tail_for = oneshot.tail_for

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        files["n"] += 1
        if files["n"] == 2:  # Ctrl-C as the second file is opened
            raise KeyboardInterrupt
        return tail_for(*args, **kwargs)

    monkeypatch.setattr(oneshot, "tail_for", interrupted)
    assert main(["ingest", *map(str, logs), "--db", db]) == 130
    captured = capsys.readouterr()
    assert captured.err.startswith("interrupted: what was read up to the last commit is stored")
    assert "Traceback" not in captured.err and captured.out == ""
    with Store(db) as store:
        kept = store.count_calls()
    with Store(whole) as store:
        total = store.count_calls()
    assert 0 < kept < total
    monkeypatch.setattr(oneshot, "tail_for", tail_for)
    assert main(["ingest", *map(str, logs), "--db", db]) == 0
    assert capsys.readouterr().out.startswith(f"{total - kept:,} calls added")
    with Store(db) as store, Store(whole) as other:
        assert store.count_calls() == total
        assert [c._replace(id=0, updated_at=0) for c in store.calls_between(0, 2e9)] == [
            c._replace(id=0, updated_at=0) for c in other.calls_between(0, 2e9)
        ]


def test_ingest_of_a_missing_file_is_exit_1(tmp_path: Path) -> None:
    result = run("ingest", str(tmp_path / "nope.log"), "--db", str(tmp_path / "cw.db"))
    assert result.returncode == 1
    assert "nope.log" in result.stderr and "Traceback" not in result.stderr


def test_tag_unknown_category_lists_the_valid_ones(
    ingested: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, db = ingested
    with pytest.raises(SystemExit) as info:
        main(["tag", "whatever", "--category", "weather", "--db", db])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "unknown category 'weather'" in err
    assert "pre-sale, shipping, order, admin, complaint" in err


def test_tag_from_a_script_writes_events(
    ingested: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from carewatch.store import Store

    _, db = ingested
    with Store(db) as store:
        call = store.recent_calls(1)[0]
    code = main(
        [
            "tag",
            call.call_id,
            "--category",
            "complaint",
            "--outcome",
            "none",
            "--resolved",
            "no",
            "--note",
            "parcel [b]lost[/b]",
            "--operator",
            "desk-7",
            "--db",
            db,
        ]
    )
    assert code == 0
    with Store(db) as store:
        after = store.get_call(call.id)
        events = store.tag_events(call.id)
    assert (after.category, after.outcome, after.resolved, after.note) == (
        "complaint",
        "none",
        False,
        "parcel [b]lost[/b]",
    )
    assert {e["operator"] for e in events} == {"desk-7"}
    with pytest.raises(SystemExit) as info:
        main(["tag", call.call_id, "--resolved", "maybe", "--db", db])
    assert info.value.code == 2


def test_tag_of_an_unknown_call_is_exit_1(ingested: tuple[Path, str]) -> None:
    _, db = ingested
    with pytest.raises(SystemExit) as info:
        main(["tag", "no-such-call", "--category", "order", "--db", db])
    assert info.value.code == 1


def test_tag_on_a_mistyped_database_says_so_and_makes_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "cw-typo.db"
    with pytest.raises(SystemExit) as info:
        main(["tag", "1716000000.1", "--category", "order", "--db", str(typo)])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert f"database {typo} does not exist" in err and err.count("\n") == 1
    assert not typo.exists()


def test_report_json_for_a_day(
    ingested: tuple[Path, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, db = ingested
    out_file = tmp_path / "r.json"
    assert (
        main(
            [
                "report",
                "--db",
                db,
                "--date",
                "2026-03-03",
                "--format",
                "json",
                "--output",
                str(out_file),
            ]
        )
        == 0
    )
    data = json.loads(out_file.read_text(encoding="utf-8"))
    assert data["date"] == "2026-03-03"
    assert data["kpis"]["offered"] > 0
    assert "kpis" in data["previous_day"] and "kpis" in data["same_day_last_week"]


def test_report_text_is_plain_when_not_a_terminal(ingested: tuple[Path, str]) -> None:
    _, db = ingested
    result = run("report", "--db", db, "--date", "2026-03-03")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_parser_knows_every_spec_command() -> None:
    parser = build_parser()
    actions = [a for a in parser._actions if a.dest == "command"]
    assert set(SUBCOMMANDS) <= set(actions[0].choices)


def _wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.parametrize("stop_signal", ["SIGINT", "SIGTERM"])
def test_ingest_follow_reads_appended_lines_and_stops_cleanly(
    tmp_path: Path, stop_signal: str
) -> None:
    import signal

    from carewatch.store import Store

    log = tmp_path / "queue_log"
    db = str(tmp_path / "cw.db")
    log.write_text("1700000000|c1|sales|NONE|ENTERQUEUE||5551234|1\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "carewatch", "ingest", str(log), "--follow", "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def calls() -> int:
            if not Path(db).exists():
                return 0
            with Store(db) as store:
                return store.count_calls()

        assert _wait_for(lambda: calls() == 1)
        with log.open("a", encoding="utf-8") as fh:
            fh.write("1700000005|c2|sales|NONE|ENTERQUEUE||5559876|2\n")
            fh.write("1700000009|c2|sales|SIP/101|CONNECT|4|1700000005.1|2\n")
        assert _wait_for(lambda: calls() == 2)
        proc.send_signal(getattr(signal, stop_signal))
        _out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "stopped: 2 calls added" in err
    with Store(db) as store:
        (call,) = store.find_calls("c2")
        assert call.agent == "SIP/101" and call.wait_seconds == 4
        (position,) = store.positions()
        assert position["byte_offset"] == log.stat().st_size


def test_ingest_of_nothing_readable_is_exit_1_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("remember to call the supplier\n", encoding="utf-8")
    assert main(["ingest", str(notes), "--db", str(tmp_path / "cw.db")]) == 1
    assert "cannot tell the format" in capsys.readouterr().out
    # the same file with a format given is read, and every line skipped: nothing of it
    # could be used, a failure that says so
    assert (
        main(["ingest", str(notes), "--format", "queue_log", "--db", str(tmp_path / "cw.db")]) == 1
    )
    out, err = capsys.readouterr()
    assert "1 line skipped" in out
    assert err.strip() == (
        "error: notes.txt: its 1 line was skipped as queue_log; "
        "check that it is a call log in a format carewatch reads"
    )


def test_a_detected_file_whose_lines_are_all_skipped_gets_no_advice_to_pass_its_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read as queue_log without --format, every event unknown: the trouble is the lines, so
    the message does not tell the user to pass the format that was already used."""
    log = tmp_path / "unknown.queue_log"
    log.write_text(
        "1795161601|k2|sup|NONE|FOOBAR||+39555|1\n1795161602|k3|sup|NONE|FOOBAR||+39555|1\n",
        encoding="utf-8",
    )
    assert main(["ingest", str(log), "--db", str(tmp_path / "cw.db")]) == 1
    assert capsys.readouterr().err.strip() == (
        "error: unknown.queue_log: all 2 lines were skipped; "
        "check that it is a call log in a format carewatch reads"
    )


def test_a_log_whose_every_line_has_a_time_in_the_future_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A log written by a machine whose clock is years ahead: every line is a bad value, and
    the message says what to look at instead of doubting the format."""
    log = tmp_path / "queue_log"
    log.write_text(
        "4102444800|f1|sup|NONE|ENTERQUEUE||+39555|1\n4102444809|f1|sup|NONE|ABANDON|1|1|9\n",
        encoding="utf-8",
    )
    assert main(["ingest", str(log), "--db", str(tmp_path / "cw.db")]) == 1
    out, err = capsys.readouterr()
    assert "2 lines skipped (2 bad value" in out
    assert err.strip() == (
        "error: queue_log: all 2 lines were skipped; every line has a value outside physical "
        "sense (a time in the future or before 1990, a duration over a day): check the clock "
        "of the machine that wrote it and the config's timezone"
    )


def test_a_file_name_with_escape_sequences_is_written_out_not_obeyed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder may hold a file whose name retitles or recolours a terminal: every message
    that names it shows the escapes as text."""
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "evil\x1b]0;PWN\x07\x1b[31m.log").write_text("hello\n", encoding="utf-8")
    main(["ingest", str(folder), "--db", str(tmp_path / "cw.db")])
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "evil\\x1b]0;PWN\\x07\\x1b[31m.log" in out + err
    missing = tmp_path / "x\x1b[31m.db"
    with pytest.raises(SystemExit):
        main(["report", "--db", str(missing)])
    err = capsys.readouterr().err
    assert "\x1b" not in err and "x\\x1b[31m.db does not exist" in err


def test_ingest_with_a_wrong_format_is_exit_1_and_names_the_format_it_looks_like(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "queue_log"
    log.write_text(
        "1700000000|c1|support|NONE|ENTERQUEUE||0612345678|1\n"
        "1700000009|c1|support|NONE|ABANDON|1|1|9\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "cw.db")
    assert main(["ingest", str(log), "--format", "cdr", "--db", db]) == 1
    out, err = capsys.readouterr()
    assert "0 calls added" in out and "2 lines skipped" in out
    assert err.strip() == (
        "error: queue_log: all 2 lines were skipped as cdr; "
        "it looks like queue_log: pass --format queue_log, or leave --format out"
    )
    # read right, the same file gives its call
    assert main(["ingest", str(log), "--db", db]) == 0
    assert "1 call added" in capsys.readouterr().out


def test_date_words_are_days_before_the_local_today() -> None:
    from datetime import date

    from carewatch.cli.common import UsageError, parse_date

    today = date(2026, 3, 1)
    assert parse_date("today", today) == today
    assert parse_date("Yesterday", today) == date(2026, 2, 28)
    assert parse_date("2025-12-31", today) == date(2025, 12, 31)
    with pytest.raises(UsageError, match="--start: expected today, yesterday or YYYY-MM-DD"):
        parse_date("tomorrow", today, "--start")


def test_report_date_yesterday_is_the_local_day_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime, timedelta

    config = tmp_path / "c.toml"
    config.write_text('timezone = "Pacific/Auckland"\n', encoding="utf-8")

    def yesterday() -> str:
        return (datetime.now(ZoneInfo("Pacific/Auckland")).date() - timedelta(days=1)).isoformat()

    db = str(tmp_path / "cw.db")
    Store(db).close()  # a report opens an existing database only
    before = yesterday()
    args = ["report", "--date", "yesterday", "--format", "json", "--config", str(config)]
    assert main([*args, "--db", db]) == 0
    shown = json.loads(capsys.readouterr().out)["date"]
    assert shown in {before, yesterday()}


def test_a_subcategory_is_checked_against_the_config_and_tagged(
    ingested: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from carewatch.store import Store

    _, db = ingested
    config = tmp_path / "subs.toml"
    config.write_text(
        '[[categories]]\nname = "shipping"\nsubcategories = ["tracking", "late"]\n'
        '[[categories]]\nname = "order"\n',
        encoding="utf-8",
    )
    with Store(db) as store:
        call = store.recent_calls(1)[0]
    base = ["tag", call.call_id, "--db", db, "--config", str(config)]
    # not a request type of shipping: bad usage, with the valid ones
    with pytest.raises(SystemExit) as info:
        main([*base, "--category", "shipping", "--subcategory", "refund"])
    assert info.value.code == 2
    assert "unknown sub-category of shipping 'refund'; valid: tracking, late" in (
        capsys.readouterr().err
    )
    # a category without request types
    with pytest.raises(SystemExit) as info:
        main([*base, "--category", "order", "--subcategory", "tracking"])
    assert info.value.code == 2
    assert "the call's category 'order' has no sub-categories" in capsys.readouterr().err
    # a valid one is written as a tag event, like a category
    assert main([*base, "--category", "shipping", "--subcategory", "tracking"]) == 0
    with Store(db) as store:
        assert store.get_call(call.id).subcategory == "tracking"
        fields = [e["field"] for e in store.tag_events(call.id)]
    assert fields == ["category", "subcategory"]


def test_callbacks_lists_the_callers_not_reached(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from carewatch.records import CallUpdate
    from carewatch.store import Store

    def at(hh: int, mm: int = 0) -> float:
        return datetime(2024, 5, 14, hh, mm, tzinfo=ZoneInfo("Europe/Rome")).timestamp()

    db = str(tmp_path / "cw.db")
    config = tmp_path / "rome.toml"
    config.write_text('timezone = "Europe/Rome"\n', encoding="utf-8")
    with Store(db) as store:
        lost = {"disposition": "abandoned", "queue": "support"}
        store.ingest(
            "log",
            [
                (
                    1,
                    CallUpdate(
                        "a",
                        {
                            "started_at": at(10),
                            "caller": "+39 02 5550104",
                            "wait_seconds": 45.0,
                            **lost,
                        },
                    ),
                ),
                (
                    2,
                    CallUpdate(
                        "b",
                        {
                            "started_at": at(11),
                            "caller": "+39 02 5550105",
                            "wait_seconds": 20.0,
                            **lost,
                        },
                    ),
                ),
                # the second caller is called back at 11:30
                (
                    3,
                    CallUpdate(
                        "c",
                        {
                            "started_at": at(11, 30),
                            "caller": "+39 02 5550105",
                            "direction": "out",
                            "answered_at": at(11, 31),
                        },
                    ),
                ),
            ],
        )
    args = ["callbacks", "--date", "2024-05-14", "--db", db, "--config", str(config)]
    assert main([*args, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {
            "time": "2024-05-14T10:00:00+02:00",
            "caller": "+** ** ***0104",  # the config masks callers by default
            "call_id": "a",
            "queue": "support",
            "result": "abandoned",
            "last_wait_seconds": 45.0,
            "calls": 1,
        }
    ]
    assert main([*args, "--full-numbers"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Callers to call back — Tuesday 14 May 2024 · Europe/Rome"
    assert lines[2].split() == [
        "10:00",
        "+39",
        "02",
        "5550104",
        "support",
        "abandoned",
        "45",
        "s",
        "1",
        "a",
    ]
    assert lines[3] == "1 caller to call back."
    # the day after has no calls: nobody to call back because nobody called
    assert main(["callbacks", "--date", "2024-05-15", "--db", db, "--config", str(config)]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "Nobody: there were no calls that day."


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    # `carewatch report … | head`: the pipe closes under the report; no "unexpected error"
    log, db = tmp_path / "queue_log", str(tmp_path / "c.db")
    assert main(["simulate", "--out", str(log), "--days", "3", "--start", "2026-11-16"]) == 0
    assert main(["ingest", str(log), "--db", db]) == 0
    argv = ["--db", db, "report", "--from", "2026-11-16", "--to", "2026-11-18", "--calls"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "carewatch", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[1],
        # buffered, as a user's shell runs it (unbuffered, a write cut short is not an error)
        env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(100)  # the head of the report, then the reader goes away
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert err == ""
    assert proc.returncode == 1, (proc.returncode, err)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="Linux's /dev/full")
def test_an_output_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    """``carewatch report > file`` on a full disk: why, in one line, and exit status 1."""
    db = tmp_path / "cw.db"
    Store(str(db)).close()
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "carewatch", "report", "--db", str(db), "--date", "2024-05-14"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert done.stderr == "carewatch: cannot go on: No space left on device\n"


@pytest.mark.parametrize(
    "command",
    [
        ["report", "--date", "2024-05-14", "--format", "json"],
        ["metrics"],
        ["callbacks", "--date", "2024-05-14", "--format", "json"],
        ["db", "status"],
        ["config", "show"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_a_closed_standard_output_is_one_line_and_exit_1(
    tmp_path: Path, command: list[str]
) -> None:
    """``carewatch report >&-`` (a script or a service started with standard output closed):
    one line saying so and exit status 1, neither "unexpected error" nor a silent success whose
    output went nowhere."""
    db = tmp_path / "cw.db"
    Store(str(db)).close()
    done = subprocess.run(
        [sys.executable, "-m", "carewatch", *command, "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
        preexec_fn=lambda: os.close(1),  # started with standard output closed, as by `>&-`
    )
    assert (done.returncode, done.stderr) == (
        1,
        "carewatch: cannot go on: standard output is closed\n",
    )


def test_report_output_dash_is_standard_output(
    ingested: tuple[Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `--output -` as other tools read it: the report on standard output, no file named "-"
    _, db = ingested
    monkeypatch.chdir(tmp_path)
    argv = ["report", "--date", "2026-03-02", "--format", "json", "--db", db]
    assert main([*argv, "--output", "-"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["date"] == "2026-03-02"
    assert captured.err == ""
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(
    ("fmt", "name"), [("queue_log", "queue_log"), ("csv", "calls.csv"), ("jsonl", "calls.jsonl")]
)
def test_simulate_into_a_folder_writes_the_formats_usual_file_in_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, name: str
) -> None:
    """``--out logs/`` is a folder, as a shell user means it (a file named "logs" before); so is
    a folder that exists, written without the slash."""
    days = ["--days", "1", "--start", "2026-03-02", "--seed", "3", "--format", fmt]
    assert main(["simulate", "--out", str(tmp_path / "logs") + "/", *days]) == 0
    assert (tmp_path / "logs").is_dir() and (tmp_path / "logs" / name).stat().st_size > 0
    assert capsys.readouterr().out.endswith(f"written to {tmp_path / 'logs' / name}\n")
    (tmp_path / "there").mkdir()
    assert main(["simulate", "--out", str(tmp_path / "there"), *days]) == 0
    assert (tmp_path / "there" / name).read_bytes() == (tmp_path / "logs" / name).read_bytes()
