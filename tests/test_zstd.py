"""zstd-compressed rotations (``queue_log.1.zst``, ``Master.csv-20261101.zst``: logrotate with
``compresscmd /usr/bin/zstd``) are read like ``.gz`` ones: whole, exactly once, by a one-shot
``carewatch ingest`` of the file or of its folder. Without the ``zstandard`` package (the
``zstd`` extra) a ``.zst`` file is a file that could not be read, with one line naming the fix;
a cut-short or damaged one is a damaged archive, as a ``.gz`` is.

The archives are made here, with zstandard's own compressor.
"""

from __future__ import annotations

import gzip
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import zstandard

from carewatch.cli import main
from carewatch.config import Config
from carewatch.ingest import Follower, ingest_paths
from carewatch.kpi.engine import compute_kpis
from carewatch.kpi.windows import Window
from carewatch.simulate import simulate_history
from carewatch.sources.archive import ArchiveError, decompress
from carewatch.store import Store
from tests.test_ingest import T0, call

CONFIG = Config(timezone="UTC")
DAY = date(2024, 5, 6)
NEEDS_EXTRA = "zstd archives need the zstd extra: pip install 'carewatch[zstd]'"


def zst(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


def _day_lines() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "queue_log"
        simulate_history(path, "queue_log", 1, 11, CONFIG, start=DAY)
        return path.read_text().splitlines(keepends=True)


def figures(store: Store) -> tuple[dict[str, Any], dict[tuple[str, str], tuple]]:
    """The day's KPIs, and every stored call without the store's own id and write time."""
    start = datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC).timestamp()
    day = Window(start, start + 86_400, "6 May 2024")
    kpis = compute_kpis(store.calls_between(day.start, day.end), CONFIG, window=day, now=0)
    calls = {
        (c.call_id, c.leg): c._replace(id=0, updated_at=0.0)
        for c in store.recent_calls(limit=100_000)
    }
    return kpis, calls


def test_a_zst_rotation_and_the_live_file_give_the_figures_of_the_same_lines_uncompressed(
    tmp_path: Path,
) -> None:
    lines = _day_lines()
    half = len(lines) // 2  # calls that started before the rotation end after it
    older, newer = "".join(lines[:half]).encode(), "".join(lines[half:]).encode()
    found = {}
    for kind in ("plain", "zst"):
        logs = tmp_path / kind
        logs.mkdir()
        if kind == "plain":
            (logs / "queue_log.1").write_bytes(older)
        else:
            (logs / "queue_log.1.zst").write_bytes(zst(older))
        (logs / "queue_log").write_bytes(newer)
        with Store(str(tmp_path / f"{kind}.db")) as store:
            summary = ingest_paths(store, CONFIG, [str(logs)])
            assert summary.files_not_read == [] and summary.skipped == 0
            assert summary.lines_read == len(lines)
            again = ingest_paths(store, CONFIG, [str(logs)])
            assert (again.added, again.updated, again.lines_read) == (0, 0, 0)
            found[kind] = figures(store)
    kpis = found["zst"][0]
    assert kpis["offered"] > 100 and kpis["answered"] and kpis["abandoned"]
    assert found["zst"] == found["plain"]


def test_carewatch_ingest_of_one_zst_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "queue_log.1.zst"
    # the last line without its newline: an archive is complete, its last line is read
    archive.write_bytes(zst((call(1) + call(2)).rstrip("\n").encode()))
    db = str(tmp_path / "cw.db")
    assert main(["ingest", str(archive), "--db", db]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("2 calls added, 0 updated, 0 lines skipped")
    assert captured.err == ""
    with Store(db) as store:
        assert {(c.call_id, c.talk_seconds, c.source) for c in store.recent_calls()} == {
            ("call-1", 60.0, "queue_log"),
            ("call-2", 60.0, "queue_log"),
        }
    assert main(["ingest", str(archive), "--db", db]) == 0
    assert capsys.readouterr().out.startswith("0 calls added, 0 updated, 0 lines skipped")


def _logs(tmp_path: Path, archive: bytes) -> Path:
    """A folder of rotations: ``queue_log.2.zst`` (call 1), ``queue_log.1`` (call 2) and
    ``queue_log`` (call 3)."""
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "queue_log.2.zst").write_bytes(archive)
    (logs / "queue_log.1").write_text(call(2))
    (logs / "queue_log").write_text(call(3))
    return logs


def test_without_the_zstd_extra_a_zst_file_is_not_read_and_the_line_says_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = _logs(tmp_path, zst(call(1).encode()))
    db = str(tmp_path / "cw.db")
    with monkeypatch.context() as without:
        without.setitem(sys.modules, "zstandard", None)  # ``import zstandard`` fails
        # in a folder: the other files are read, the archive fails the run (exit 1)
        assert main(["ingest", str(logs), "--db", db]) == 1
        captured = capsys.readouterr()
        assert captured.out.startswith("2 calls added, 0 updated, 0 lines skipped, 1 file not")
        assert f"queue_log.2.zst: {NEEDS_EXTRA}" in captured.out
        assert captured.err == f"error: queue_log.2.zst: {NEEDS_EXTRA}\n"
        # given alone: the same line, exit 1
        assert main(["ingest", str(logs / "queue_log.2.zst"), "--db", db]) == 1
        assert capsys.readouterr().err == f"error: queue_log.2.zst: {NEEDS_EXTRA}\n"
    # once installed, the next run reads it, and it alone
    assert main(["ingest", str(logs), "--db", db]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("1 call added, 0 updated, 0 lines skipped")
    assert captured.err == ""
    with Store(db) as store:
        assert store.count_calls() == 3


@pytest.mark.parametrize(
    "damage",
    [
        lambda whole: whole[: len(whole) // 2],  # logrotate still writing it, a copy cut short
        lambda whole: whole[:4] + b"binary",  # zstd's magic number, then no zstd
    ],
    ids=["cut short", "damaged"],
)
def test_a_cut_short_or_damaged_zst_file_fails_the_ingest_as_a_damaged_gz_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: Callable[[bytes], bytes]
) -> None:
    text = "".join(call(i).replace("call-", "old-") for i in range(40)).encode()
    whole = zst(text)
    logs = _logs(tmp_path, damage(whole))
    older = "".join(call(i).replace("call-", "gz-") for i in range(40)).encode()
    (logs / "queue_log.3.gz").write_bytes(gzip.compress(older)[:30])  # the same with a .gz
    db = str(tmp_path / "cw.db")
    assert main(["ingest", str(logs), "--db", db]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("2 calls added, 0 updated, 0 lines skipped, 2 files not read")
    err = captured.err.splitlines()
    assert len(err) == 2
    assert err[0].startswith("error: queue_log.3.gz: damaged or incomplete archive (")
    assert err[1].startswith("error: queue_log.2.zst: damaged or incomplete archive (")
    with Store(db) as store:  # nothing of the damaged archives was read
        assert store.count_calls() == 2
    # logrotate has finished writing them: the next run reads them whole, once
    (logs / "queue_log.2.zst").write_bytes(whole)
    (logs / "queue_log.3.gz").write_bytes(gzip.compress(older))
    assert main(["ingest", str(logs), "--db", db]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("80 calls added, 0 updated, 0 lines skipped")
    assert main(["ingest", str(logs), "--db", db]) == 0
    assert capsys.readouterr().out.startswith("0 calls added, 0 updated, 0 lines skipped")
    with Store(db) as store:
        assert store.count_calls() == 82


def test_concatenated_zst_frames_are_one_archive(tmp_path: Path) -> None:
    archive = tmp_path / "queue_log.1.zst"
    archive.write_bytes(zst(call(1).encode()) + zst(call(2).encode()))  # cat a.zst b.zst
    fd = decompress(str(archive))
    try:
        assert os.pread(fd, 1 << 16, 0) == (call(1) + call(2)).encode()
    finally:
        os.close(fd)
    archive.write_bytes(zst(call(1).encode()) + zst(call(2).encode())[:-3])
    with pytest.raises(ArchiveError, match="damaged or incomplete archive"):
        decompress(str(archive))


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_a_followed_log_compressed_after_its_rotation_is_read_once(
    database: str, tmp_path: Path, suffix: str
) -> None:
    """The screen follows ``queue_log``; logrotate renames it to ``queue_log.1`` and then
    compresses that (``queue_log.1.zst``, the plain file removed). The follower read the text
    before it was compressed and leaves the archive alone; an ``ingest`` of the folder after
    it finds the archive's text read already and adds nothing."""
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "queue_log"
    log.write_text("".join(call(i) for i in range(5)))
    compress = zst if suffix == ".zst" else gzip.compress
    with Store(database) as store:
        follower = Follower(store, CONFIG, [(str(log), None)], rotate_wait=0.0)
        try:
            assert follower.poll_once().added == 5
            with log.open("a") as fh:
                fh.write(call(5) + call(6, end=False))
            rotated = logs / "queue_log.1"
            os.rename(log, rotated)
            # call 6 ends in the new file
            log.write_text(f"{T0 + 665}|call-6|support|Agent/0|COMPLETECALLER|5|60|1\n" + call(7))
            follower.poll_once()
            follower.poll_once()  # quiet for rotate_wait (0 s): the old file is finished
            (logs / f"queue_log.1{suffix}").write_bytes(compress(rotated.read_bytes()))
            rotated.unlink()
            later = follower.poll_once()
            assert (later.added, later.updated, later.lines_read) == (0, 0, 0)
            assert follower.problems() == {}
        finally:
            follower.close()
        summary = ingest_paths(store, CONFIG, [str(logs)])
        assert summary.files_not_read == []
        assert (summary.added, summary.updated, summary.lines_read) == (0, 0, 0)
        ended = {c.call_id for c in store.recent_calls() if c.talk_seconds == 60.0}
        assert ended == {f"call-{i}" for i in range(8)}
        assert sum(p["lines_read"] for p in store.positions()) == 8 * 3
