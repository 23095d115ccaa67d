"""A log read again under another name: through a symlink, a hard link, or a copy.

A file is identified by device, inode and the fingerprint of its first KiB, not by the name
it is given: the same file under another name (same device and inode), or a copy of it (the
same first bytes, at least as long as what was read), is read as the source it was read as
before, from where that reading stopped. A source name the user gave that differs is not
merged silently: the file is not read, and the problem names the source it was read as.
"""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest

from carewatch.cli import main
from carewatch.config import parse_config
from carewatch.ingest import Follower, ingest_paths
from carewatch.store import Store
from tests.test_tail import call

CONFIG = parse_config({"timezone": "UTC"})


def calls(first: int, last: int) -> str:
    return "".join(call(i) for i in range(first, last))


def append(path: Path, text: str) -> None:
    with path.open("a") as fh:
        fh.write(text)


def sources(store: Store) -> dict[str, str]:
    """The source of every call, by call id."""
    return {c.call_id: c.source for c in store.recent_calls(limit=100_000)}


def lines_counted(store: Store) -> int:
    return sum(p["lines_read"] for p in store.positions())


@pytest.fixture
def store(database: str) -> Store:
    s = Store(database)
    yield s
    s.close()


@pytest.fixture
def log(tmp_path: Path) -> Path:
    """``logs/queue_log`` with ten calls, read once."""
    path = tmp_path / "logs" / "queue_log"
    path.parent.mkdir()
    path.write_text(calls(0, 10))
    return path


def other_name(tmp_path: Path, log: Path, how: str) -> Path:
    """``log`` under another name in another folder: a symlink, a hard link or a copy."""
    other = tmp_path / "elsewhere" / "other_name"
    other.parent.mkdir(exist_ok=True)
    if how == "symlink":
        other.symlink_to(log)
    elif how == "hard link":
        os.link(log, other)
    else:
        shutil.copyfile(log, other)
    return other


HOW = ["symlink", "hard link", "copy"]


# -- one-shot ingest ----------------------------------------------------------------------------


@pytest.mark.parametrize("how", HOW)
def test_a_file_read_before_under_another_name_adds_nothing(
    store: Store, tmp_path: Path, log: Path, how: str
) -> None:
    assert ingest_paths(store, CONFIG, [str(log)]).added == 10
    other = other_name(tmp_path, log, how)
    summary = ingest_paths(store, CONFIG, [str(other)])
    assert (summary.added, summary.updated, summary.lines_read) == (0, 0, 0)
    assert summary.files_not_read == []
    assert store.count_calls() == 10 and set(sources(store).values()) == {"queue_log"}
    assert lines_counted(store) == 30
    assert {p["source"] for p in store.positions()} == {"queue_log"}


@pytest.mark.parametrize("how", HOW)
def test_lines_added_under_another_name_are_read_once_as_the_first_source(
    store: Store, tmp_path: Path, log: Path, how: str
) -> None:
    ingest_paths(store, CONFIG, [str(log)])
    other = other_name(tmp_path, log, how)
    append(other, call(10))  # through the link, the file itself grows; a copy grows alone
    summary = ingest_paths(store, CONFIG, [str(other)])
    assert (summary.added, summary.lines_read) == (1, 3)
    assert sources(store)["call-10"] == "queue_log"
    assert ingest_paths(store, CONFIG, [str(other)]).lines_read == 0
    # the original read again: what it holds was read (through the link), or is its own
    assert ingest_paths(store, CONFIG, [str(log)]).added == 0
    assert store.count_calls() == 11 and set(sources(store).values()) == {"queue_log"}


def test_the_original_read_after_its_link_continues_where_the_link_stopped(
    store: Store, tmp_path: Path, log: Path
) -> None:
    other = other_name(tmp_path, log, "symlink")
    assert ingest_paths(store, CONFIG, [str(other)]).added == 10
    append(log, call(10))
    summary = ingest_paths(store, CONFIG, [str(log)])
    assert (summary.added, summary.lines_read) == (1, 3)
    # the calls keep the source they were first stored under
    assert set(sources(store).values()) == {"other_name"}
    assert lines_counted(store) == 33


def test_a_folder_holding_links_and_copies_of_a_log_read_before_adds_nothing(
    store: Store, tmp_path: Path, log: Path
) -> None:
    ingest_paths(store, CONFIG, [str(log)])
    other_name(tmp_path, log, "symlink")
    elsewhere = tmp_path / "elsewhere"
    os.link(log, elsewhere / "hard_link")
    shutil.copyfile(log, elsewhere / "copy_of_queue_log")
    shutil.copyfile(log, elsewhere / "queue_log")  # a copy under the same name
    summary = ingest_paths(store, CONFIG, [str(elsewhere)])
    assert (summary.added, summary.updated, summary.lines_read) == (0, 0, 0)
    assert summary.files == 4 and summary.files_not_read == []
    assert store.count_calls() == 10 and lines_counted(store) == 30


def test_a_compressed_copy_under_another_name_adds_nothing(
    store: Store, tmp_path: Path, log: Path
) -> None:
    ingest_paths(store, CONFIG, [str(log)])
    archive = tmp_path / "backup.gz"
    archive.write_bytes(gzip.compress(log.read_bytes() + call(10).encode()))
    summary = ingest_paths(store, CONFIG, [str(archive)])
    assert (summary.added, summary.lines_read) == (1, 3)
    assert set(sources(store).values()) == {"queue_log"}


def test_a_file_never_read_keeps_the_name_it_is_given(store: Store, tmp_path: Path) -> None:
    one, two = tmp_path / "one_log", tmp_path / "two_log"
    one.write_text(calls(0, 2))
    two.write_text(calls(2, 4))
    assert ingest_paths(store, CONFIG, [str(one), str(two)]).added == 4
    assert set(sources(store).values()) == {"one_log", "two_log"}


# -- a name the user gave ---------------------------------------------------------------------


def named(path: Path, name: str) -> object:
    return parse_config({"timezone": "UTC", "sources": [{"path": str(path), "name": name}]})


@pytest.mark.parametrize("how", HOW)
def test_a_configured_name_other_than_the_one_read_as_is_refused(
    store: Store, tmp_path: Path, log: Path, how: str
) -> None:
    ingest_paths(store, CONFIG, [str(log)])
    other = other_name(tmp_path, log, how)
    append(log if how != "copy" else other, call(10))
    summary = ingest_paths(store, named(other, "rome"), [str(other)])
    assert (summary.added, summary.lines_read) == (0, 0)
    assert summary.files_not_read == [(str(other), "already read as source queue_log, not rome")]
    assert store.count_calls() == 10 and store.positions("rome") == []
    # the name it was read as is fine, and continues
    summary = ingest_paths(store, named(other, "queue_log"), [str(other)])
    assert (summary.added, summary.files_not_read) == (1, [])


def test_the_same_configured_name_is_not_a_conflict(
    store: Store, tmp_path: Path, log: Path
) -> None:
    config = named(log.parent, "rome")  # the folder's files are "rome"
    assert ingest_paths(store, config, [str(log)]).added == 10
    other = other_name(tmp_path, log, "copy")
    summary = ingest_paths(store, named(other.parent, "rome"), [str(other)])
    assert (summary.added, summary.lines_read, summary.files_not_read) == (0, 0, [])


def test_cli_ingest_under_another_name_adds_nothing_and_a_conflict_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The exploratory test's steps: a simulated log, then a symlink and a copy of it."""
    log = tmp_path / "logs" / "queue_log"
    db = str(tmp_path / "cw.db")
    args = ["--days", "2", "--start", "2026-11-13", "--seed", "7"]
    assert main(["simulate", "--out", str(log), "--format", "queue_log", *args]) == 0
    assert main(["ingest", str(log), "--db", db]) == 0
    first = capsys.readouterr().out
    assert " calls added" in first and not first.startswith("0 ")
    link = tmp_path / "link_log"
    link.symlink_to(log)
    copy = tmp_path / "other_name_copy"
    shutil.copyfile(log, copy)
    for path in (link, copy, tmp_path):
        assert main(["ingest", str(path), "--db", db]) == 0
        assert capsys.readouterr().out.startswith("0 calls added, 0 updated"), path
    config = tmp_path / "carewatch.toml"
    config.write_text(f'timezone = "UTC"\n[[sources]]\npath = "{copy}"\nname = "rome"\n')
    assert main(["--config", str(config), "ingest", str(copy), "--db", db]) == 1
    out = capsys.readouterr().out
    assert "1 file not read (other_name_copy: already read as source queue_log, not rome)" in out
    with Store(db) as store:
        assert {p["source"] for p in store.positions()} == {"queue_log"}


# -- following --------------------------------------------------------------------------------


@pytest.mark.parametrize("how", HOW)
def test_following_a_file_read_before_under_another_name(
    store: Store, tmp_path: Path, log: Path, how: str
) -> None:
    ingest_paths(store, CONFIG, [str(log)])
    other = other_name(tmp_path, log, how)
    follower = Follower(store, CONFIG, [(str(other), None)], rotate_wait=0)
    try:
        summary = follower.poll_once()
        assert (summary.added, summary.lines_read) == (0, 0)
        append(other, call(10))
        assert follower.poll_once().added == 1
        (status,) = follower.status()
        assert status.source == "queue_log" and status.problem is None
    finally:
        follower.close()
    assert sources(store)["call-10"] == "queue_log"
    assert ingest_paths(store, CONFIG, [str(log)]).added == 0
    assert store.count_calls() == 11 and lines_counted(store) == 33


def test_following_a_file_and_its_link_reads_each_line_once(
    store: Store, tmp_path: Path, log: Path
) -> None:
    link = other_name(tmp_path, log, "symlink")
    follower = Follower(store, CONFIG, [(str(log), None), (str(link), None)], rotate_wait=0)
    try:
        assert follower.poll_once().added == 10
        append(log, call(10))
        assert follower.poll_once().added == 1
    finally:
        follower.close()
    assert store.count_calls() == 11 and lines_counted(store) == 33


def test_following_a_folder_with_a_copy_of_a_log_read_before(
    store: Store, tmp_path: Path, log: Path
) -> None:
    ingest_paths(store, CONFIG, [str(log)])
    other = other_name(tmp_path, log, "copy")
    follower = Follower(store, CONFIG, [(str(other.parent), None)], rotate_wait=0)
    try:
        assert follower.poll_once().lines_read == 0
        append(other, call(10))
        assert follower.poll_once().added == 1
    finally:
        follower.close()
    assert set(sources(store).values()) == {"queue_log"}


def test_following_under_a_configured_name_other_than_the_one_read_as_is_a_problem(
    store: Store, tmp_path: Path, log: Path
) -> None:
    ingest_paths(store, CONFIG, [str(log)])
    other = other_name(tmp_path, log, "symlink")
    follower = Follower(store, named(other, "rome"), [(str(other), None)], rotate_wait=0)
    try:
        append(log, call(10))
        for _ in range(2):
            assert follower.poll_once().lines_read == 0
        (status,) = follower.status()
        assert status.problem == "already read as source queue_log, not rome"
        assert follower.problems() == {
            str(other): "other_name: already read as source queue_log, not rome"
        }
    finally:
        follower.close()
    assert store.count_calls() == 10


def test_a_log_read_through_its_link_still_rotates_once(
    store: Store, tmp_path: Path, log: Path
) -> None:
    """Read through a symlink, the file's position stays with its own path: a rotation of the
    log afterwards is found and read to its end, exactly once."""
    ingest_paths(store, CONFIG, [str(log)])
    link = other_name(tmp_path, log, "symlink")
    append(log, call(10))
    assert ingest_paths(store, CONFIG, [str(link)]).added == 1
    append(log, call(11))  # written, then rotated before anyone read it
    rotated = log.parent / "queue_log.1"
    os.rename(log, rotated)
    log.write_text(call(12))
    old = os.path.getmtime(rotated) - 60
    os.utime(rotated, (old, old))
    summary = ingest_paths(store, CONFIG, [str(log)])
    assert (summary.added, summary.lines_read) == (2, 6)
    assert ingest_paths(store, CONFIG, [str(log.parent), str(link)]).lines_read == 0
    assert store.count_calls() == 13 and set(sources(store).values()) == {"queue_log"}
    assert lines_counted(store) == 39


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_a_small_file_that_starts_like_another_sites_is_not_taken_for_its_copy(
    store: Store, tmp_path: Path, compressed: bool
) -> None:
    """Two sites' exports in the same CSV layout start with the same header. The first
    site's was read while it held the header alone (a fingerprint shorter than a KiB): the
    second site's file starts with the same bytes but is not a copy of it, and its calls keep
    their own source (the call ids of two sites may be the same)."""
    header = "call_id,started_at,answered_at,ended_at,queue,agent,caller,direction\n"
    rome = tmp_path / "rome" / "calls.csv"
    rome.parent.mkdir()
    rome.write_text(header)
    ingest_paths(store, CONFIG, [str(rome)])
    milan = tmp_path / "milan" / "export.csv"
    milan.parent.mkdir()
    milan.write_text(header + "c1,2023-11-14T22:13:20Z,,2023-11-14T22:14:00Z,sales,,+390001,in\n")
    if compressed:  # the archive of a day's export: read the same way
        packed = milan.with_name("export.csv.1.gz")
        packed.write_bytes(gzip.compress(milan.read_bytes()))
        milan.unlink()
        milan = packed
    summary = ingest_paths(store, CONFIG, [str(milan)])
    assert summary.added == 1
    assert sources(store) == {"c1": "export.csv"}
