"""A compressed rotation that cannot be read while a follower runs (permission denied that an
administrator puts right a minute later, no room to decompress it, logrotate still writing it)
is tried again while the follower runs, with a growing wait, told once when it fails and once
when it is read; nothing of it is lost and nothing is read twice."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

import carewatch.sources.archive as archive
from carewatch.ingest import ingest_paths
from carewatch.sources.tail import LogTail
from carewatch.store import Store
from tests.test_cli import _wait_for
from tests.test_db_faults import without_root_powers
from tests.test_rotation import CONFIG, append, call, calls, ended, follow, totals
from tests.test_rotation_compressed import compress

DEADLINE = 30.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(str(tmp_path / "cw.db")) as s:
        yield s


class Clock:
    """The tail's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class Faulty:
    """The ``.gz`` decompression, failing with ``error`` while it is set; counts its tries."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, error: OSError | None) -> None:
        self.error = error
        self.tries = 0
        self._real = archive._CODECS[".gz"]
        monkeypatch.setitem(archive._CODECS, ".gz", self)

    def __call__(self, path: str, out: IO[bytes]) -> None:
        self.tries += 1
        if self.error is not None:
            raise self.error
        self._real(path, out)


def rotated_while_stopped(store: Store, tmp_path: Path) -> tuple[Path, Path]:
    """calls 0-1 read by a follower since stopped; 2-3 written, then the log renamed and
    compressed (logrotate's ``compress``); call 4 in the new log. Returns (log, archive)."""
    log = tmp_path / "queue_log"
    log.write_text(calls(0, 2))
    first = follow(store, log)
    first.poll_once()
    first.close()
    append(log, calls(2, 4))
    os.rename(log, tmp_path / "queue_log.1")
    gz = compress(tmp_path / "queue_log.1")
    log.write_text(call(4))
    return log, gz


def test_an_archive_that_fails_with_an_io_error_is_tried_again_with_a_growing_wait(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log, _gz = rotated_while_stopped(store, tmp_path)
    faulty = Faulty(monkeypatch, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    clock = Clock()
    tail = LogTail(store, CONFIG, str(log), clock=clock)
    try:
        tail.poll()
        assert ended(store) == {"call-0", "call-1", "call-4"}
        assert tail.status().problem == (
            f"queue_log.1.gz: no room to decompress it in {tempfile.gettempdir()}: "
            f"{os.strerror(errno.ENOSPC)}"
        )
        # tried again after 1 s, then 2 s, then 4 s...: not at every poll
        for wait, tries in [(0.75, 1), (0.25, 2), (1.75, 2), (0.25, 3), (3.75, 3), (0.25, 4)]:
            clock.now += wait
            tail.poll()
            assert faulty.tries == tries, (wait, tries)
        faulty.error = None  # room made
        clock.now += 8.0
        tail.poll()
        assert ended(store) == {f"call-{i}" for i in range(5)}
        assert tail.status().problem is None
        clock.now += 120.0
        tail.poll()
        assert faulty.tries == 5  # read whole: never opened again
    finally:
        tail.close()
    assert totals(store) == (15, 0)
    assert ingest_paths(store, CONFIG, [str(tmp_path)]).lines_read == 0


def test_an_incomplete_archive_is_read_once_logrotate_has_finished_it(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log, gz = rotated_while_stopped(store, tmp_path)
    whole = gz.read_bytes()
    gz.write_bytes(whole[: len(whole) // 2])  # logrotate has not finished compressing
    faulty = Faulty(monkeypatch, None)
    clock = Clock()
    tail = LogTail(store, CONFIG, str(log), clock=clock)
    try:
        tail.poll()
        problem = tail.status().problem
        assert problem is not None and "queue_log.1.gz: damaged or incomplete archive" in problem
        clock.now += 300.0
        tail.poll()
        assert faulty.tries == 1  # unchanged: not decompressed again for nothing
        assert tail.status().problem == problem
        gz.write_bytes(whole)
        clock.now += 300.0
        tail.poll()
        assert faulty.tries == 2
        assert ended(store) == {f"call-{i}" for i in range(5)}
        assert tail.status().problem is None
    finally:
        tail.close()
    assert totals(store) == (15, 0)


def test_ingest_follow_reads_an_archive_once_its_permissions_are_put_right(
    tmp_path: Path,
) -> None:
    db = tmp_path / "cw.db"
    with Store(str(db)) as store:
        log, gz = rotated_while_stopped(store, tmp_path)
    gz.chmod(0o000)
    err = tmp_path / "err.txt"
    with err.open("w") as sink:
        proc = subprocess.Popen(
            [
                *without_root_powers(),
                sys.executable,
                "-m",
                "carewatch",
                "ingest",
                str(log),
                "--follow",
                "--db",
                str(db),
            ],
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    try:
        assert _wait_for(lambda: "problem: " in err.read_text(), DEADLINE), err.read_text()
        gz.chmod(0o644)  # the administrator puts it right
        assert _wait_for(lambda: "recovered: " in err.read_text(), DEADLINE), err.read_text()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
    lines = err.read_text().splitlines()
    told = "queue_log: queue_log.1.gz: cannot read it: Permission denied"
    assert [line for line in lines if line.startswith(("problem:", "recovered:"))] == [
        f"problem: {told}; still trying",
        f"recovered: {told}",
    ]
    assert proc.returncode == 0 and "Traceback" not in err.read_text()
    with Store(str(db)) as store:
        assert ended(store) == {f"call-{i}" for i in range(5)}
        assert totals(store) == (15, 0)
        assert ingest_paths(store, CONFIG, [str(tmp_path)]).lines_read == 0
