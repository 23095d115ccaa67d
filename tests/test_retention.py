"""``carewatch db purge`` and ``carewatch db forget`` (carewatch/store/retention.py), on SQLite
and PostgreSQL: a dry run changes nothing; ``--yes`` removes exactly the rows it should and
nothing else; a report afterwards, even one kept in the report cache, shows nothing of what
was removed.

Two days of calls: the 13th (to purge) and the 14th, in Europe/Rome; the clock of the reports
is fixed the morning after.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from carewatch.cli import main
from carewatch.config import Config, parse_config
from carewatch.kpicache import KpiCache
from carewatch.records import AgentEvent, CallUpdate
from carewatch.report import build_report, render
from carewatch.store import Store
from carewatch.store.schema import DATA_TABLES
from carewatch.timeutil import get_timezone

TZ = get_timezone("Europe/Rome")
OLD = date(2024, 5, 13)
DAY = date(2024, 5, 14)
NOW = datetime(2024, 5, 15, 8, 0, tzinfo=TZ).timestamp()
NUMBER = "+39 333 1234567"  # as the DPO types it; the logs have two other spellings
OTHER = "+390000002"


def at(day: date, hh: int, mm: int = 0) -> float:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ).timestamp()


def call(call_id: str, start: float, caller: str, **fields: object) -> CallUpdate:
    return CallUpdate(
        call_id,
        {
            "started_at": start,
            "answered_at": start + 10,
            "ended_at": start + 100,
            "agent": "desk-1",
            "queue": "support",
            "caller": caller,
            **fields,
        },
    )


def lost(call_id: str, start: float, caller: str) -> CallUpdate:
    return CallUpdate(
        call_id,
        {"started_at": start, "disposition": "abandoned", "wait_seconds": 40, "caller": caller},
    )


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "carewatch.toml"
    path.write_text('timezone = "Europe/Rome"\n', encoding="utf-8")
    return path


@pytest.fixture
def config() -> Config:
    return parse_config({"timezone": "Europe/Rome"})


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    s = Store(database)
    s.ingest(
        "log",
        [
            (1, call("o1", at(OLD, 9), "+393331234567", note="o1 private words")),
            (2, call("o2", at(OLD, 10), OTHER, note="o2 words")),
            (3, AgentEvent(at(OLD, 9, 30), "desk-1", "RINGNOANSWER", ring_ms=15000)),
            (4, call("d1", at(DAY, 9), OTHER, note="d1 words")),
            (5, lost("d2", at(DAY, 10), "0039 333 1234567")),
            (6, AgentEvent(at(DAY, 9, 30), "desk-1", "RINGNOANSWER", ring_ms=15000)),
        ],
    )
    pk = {c.call_id: c.id for c in s.calls_between(at(OLD, 0), at(DAY, 23))}
    s.tag(pk["o1"], "note", "o1 private words, and more", "desk-1", now=at(OLD, 11))
    s.tag(pk["o1"], "category", "shipping", "desk-1", now=at(OLD, 11))
    s.tag(pk["o2"], "category", "order", "desk-1", now=at(OLD, 11))
    s.tag(pk["d1"], "note", "d1 other words", "desk-1", now=at(DAY, 11))
    s.open_issue("o1 private words", "desk-1", call_pk=pk["o1"], now=at(OLD, 12))
    s.open_issue("Courier skips zone 4", "desk-1", now=at(OLD, 12))
    yield s
    s.close()


def tables(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    def read(tx: Any) -> dict[str, list[tuple[Any, ...]]]:
        return {t: tx.rows(f"SELECT * FROM {t} ORDER BY id") for t in DATA_TABLES}

    return store.retrying(read)


def run(store: Store, config_file: Path, *args: str) -> int:
    """The exit status of ``carewatch db ARGS`` on the store's database."""
    try:
        return main(["db", *args, "--db", store.url, "--config", str(config_file)])
    except SystemExit as exc:
        return int(exc.code or 0)


def calls(store: Store) -> dict[str, tuple[str | None, str | None]]:
    found = store.calls_between(at(OLD, 0), at(DAY, 23))
    return {c.call_id: (c.caller, c.note) for c in found}


# -- purge ---------------------------------------------------------------------------------------


def test_a_purge_without_yes_changes_nothing(
    store: Store, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tables(store)
    assert run(store, config_file, "purge", "--before", DAY.isoformat()) == 0
    out, err = capsys.readouterr()
    assert "would delete 2 calls started before 2024-05-14" in out
    assert "(2024-05-13 09:00 to 2024-05-13 10:00)" in out
    # one agent event: singular
    assert "3 tag events, 1 agent event and 0 issues resolved before that day;" in out
    assert "--yes" in err
    assert tables(store) == before


def test_a_purge_deletes_the_old_calls_and_what_is_theirs_only(
    store: Store, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tables(store)
    assert run(store, config_file, "purge", "--before", DAY.isoformat(), "--yes") == 0
    assert "deleted 2 calls" in capsys.readouterr().out
    after = tables(store)
    assert sorted(calls(store)) == ["d1", "d2"]
    kept = {row[0] for row in after["cw_call"]}
    assert kept == {row[0] for row in before["cw_call"] if row[3] >= at(DAY, 0)}
    # the kept calls' tag events, exactly
    assert after["cw_tag_event"] == [r for r in before["cw_tag_event"] if r[1] in kept]
    assert [r[2] for r in after["cw_agent_event"]] == [at(DAY, 9, 30)]
    # both issues stay; the one opened from a deleted call no longer points at it
    assert [(r[2], r[1]) for r in after["cw_issue"]] == [
        ("o1 private words", None),
        ("Courier skips zone 4", None),
    ]
    assert run(store, config_file, "purge", "--before", DAY.isoformat(), "--yes") == 0
    assert tables(store) == after


def test_a_kept_report_of_a_purged_day_is_not_served(
    store: Store, config: Config, config_file: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "cache"
    kept = build_report(store, config, OLD, now=NOW, cache=KpiCache(store, config, folder))
    assert kept.kpis["offered"] == 2 and list(folder.rglob("*.json"))
    assert run(store, config_file, "purge", "--before", DAY.isoformat(), "--yes") == 0
    again = build_report(store, config, OLD, now=NOW, cache=KpiCache(store, config, folder))
    fresh = build_report(store, config, OLD, now=NOW)
    assert again.kpis["offered"] == 0
    assert render(again, "json") == render(fresh, "json")


def test_a_purge_keeps_today(
    store: Store, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tables(store)
    assert run(store, config_file, "purge", "--before", "2999-01-01", "--yes") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "after today" in err and "Traceback" not in err
    assert tables(store) == before


# -- forget --------------------------------------------------------------------------------------


def test_a_forget_without_yes_changes_nothing(
    store: Store, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tables(store)
    assert run(store, config_file, "forget", "--caller", NUMBER) == 0
    out = capsys.readouterr().out
    assert "would erase the number and the notes of 2 calls" in out
    assert "(2024-05-13 09:00 to 2024-05-14 10:00; written +393331234567, 0039 333 1234567)" in (
        out
    )
    assert tables(store) == before


def test_a_forget_erases_the_number_and_the_notes_and_keeps_the_calls(
    store: Store, config_file: Path
) -> None:
    before = tables(store)
    assert run(store, config_file, "forget", "--caller", NUMBER, "--yes") == 0
    after = tables(store)
    assert calls(store) == {
        "o1": (None, None),
        "o2": (OTHER, "o2 words"),
        "d1": (OTHER, "d1 other words"),
        "d2": (None, None),
    }
    assert len(after["cw_call"]) == len(before["cw_call"])
    o1 = next(c.id for c in store.find_calls("o1"))
    events = [
        (e["call_pk"], e["field"], e["old_value"], e["new_value"]) for e in store.tag_events()
    ]
    assert (o1, "note", None, None) in events
    assert (o1, "category", None, "shipping") in events
    assert [e for e in events if e[0] != o1] == [
        (e["call_pk"], e["field"], e["old_value"], e["new_value"])
        for e in store.tag_events()
        if e["call_pk"] != o1
    ]
    assert not any("o1 private" in str(e) for e in events)
    assert [r[2] for r in after["cw_issue"]] == ["", "Courier skips zone 4"]
    text = repr(after)
    assert "1234567" not in text and "o1 private" not in text
    assert "d1 other words" in text and "o2 words" in text  # another caller's kept
    assert after["cw_agent_event"] == before["cw_agent_event"]


def test_a_forgotten_caller_is_off_the_call_backs_even_when_kept(
    store: Store, config: Config, config_file: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "cache"
    first = build_report(store, config, DAY, now=NOW, cache=KpiCache(store, config, folder))
    assert [c.caller for c in first.callbacks] == ["0039 333 1234567"]
    assert run(store, config_file, "forget", "--caller", NUMBER, "--yes") == 0
    again = build_report(store, config, DAY, now=NOW, cache=KpiCache(store, config, folder))
    assert again.callbacks == []
    assert "1234567" not in render(again, "json")
    assert again.kpis["offered"] == first.kpis["offered"]  # the figures stay


def test_a_withheld_number_is_refused(
    store: Store, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tables(store)
    assert run(store, config_file, "forget", "--caller", "anonymous", "--yes") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a caller's number" in err
    assert tables(store) == before


def test_a_purge_deletes_the_issues_resolved_before_the_day_and_no_figure_kept_moves(
    store: Store, config: Config, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An issue resolved before the day (its title may be a call's note) counts in no figure
    of a day kept: it is deleted. One open on that day (resolved later, or not yet) counts in
    the days kept and stays, title and all."""
    pk = {c.call_id: c.id for c in store.calls_between(at(OLD, 0), at(DAY, 23))}
    done = store.open_issue("o2 caller's words", "desk-1", call_pk=pk["o2"], now=at(OLD, 13))
    later = store.open_issue("Printer jam", "desk-1", now=at(OLD, 14))
    store.resolve_issue(done, "desk-1", now=at(OLD, 15))
    store.resolve_issue(later, "desk-1", now=at(DAY, 9))
    before = build_report(store, config, DAY, now=NOW).kpis
    assert before["open_issues"] == 2 and before["issues_resolved"] == 1
    assert run(store, config_file, "purge", "--before", DAY.isoformat()) == 0
    out = capsys.readouterr().out
    assert "and 1 issue resolved before that day; 1 issue open on that day would be kept" in out
    assert run(store, config_file, "purge", "--before", DAY.isoformat(), "--yes") == 0
    out = capsys.readouterr().out
    assert "and 1 issue resolved before that day; 1 issue open on that day kept" in out
    titles = [r[2] for r in tables(store)["cw_issue"]]
    assert titles == ["o1 private words", "Courier skips zone 4", "Printer jam"]
    after = build_report(store, config, DAY, now=NOW).kpis
    keys = ("open_issues", "oldest_open_issue_seconds", "issues_opened", "issues_resolved")
    assert {k: after[k] for k in (*keys, "avg_resolution_seconds")} == {
        k: before[k] for k in (*keys, "avg_resolution_seconds")
    }


def test_after_a_forget_the_command_says_what_may_stay(
    store: Store, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite: the file rebuilt and its write-ahead log emptied; PostgreSQL: the old row
    versions vacuumed, their bytes left to VACUUM FULL (carewatch db compact)."""
    assert run(store, config_file, "forget", "--caller", NUMBER, "--yes") == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    if store.is_sqlite:
        assert "file rebuilt and its write-ahead log emptied" in err
    else:
        assert "until carewatch db compact (VACUUM FULL" in err
    assert run(store, config_file, "compact") == 0
    out = capsys.readouterr().out
    assert ("(VACUUM)" if store.is_sqlite else "(VACUUM FULL)") in out
    assert calls(store)["o2"] == (OTHER, "o2 words")  # nothing else changed
