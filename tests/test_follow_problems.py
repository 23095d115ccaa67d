"""The follower shows its errors (issue 9, item 4): each new problem once as one line, reading
goes on trying, recovery is told; the screen's alerts line shows the same; nothing written
while the problem lasted is lost."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from carewatch.config import Config
from carewatch.ingest import Follower
from carewatch.store import Store, StoreError
from tests.conftest import postgres_server
from tests.pgserver import PostgresServer

CONFIG = Config(timezone="UTC")
T0 = 1_700_000_000
DEADLINE = 60.0


def enter(i: int) -> str:
    return f"{T0 + i}|c{i}|support|NONE|ENTERQUEUE||06{i:08d}|1\n"


def wait_for(predicate: Callable[[], bool], what: object) -> None:
    deadline = time.monotonic() + DEADLINE
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class Following:
    """A follower running in a thread, with what it told and how many polls it made."""

    def __init__(self, store: Store, path: Path) -> None:
        self.follower = Follower(store, CONFIG, [(str(path), None)], poll_interval=0.05)
        self.told: list[tuple[str, str]] = []
        self.polls = 0
        self.stop = threading.Event()
        poll_once = self.follower.poll_once

        def counted() -> object:
            try:
                return poll_once()
            finally:
                self.polls += 1

        self.follower.poll_once = counted  # type: ignore[method-assign,assignment]

        def on_problems(arose: list[str], gone: list[str]) -> None:
            self.told += [("recovered", t) for t in gone] + [("problem", t) for t in arose]

        self.thread = threading.Thread(
            target=self.follower.run, args=(self.stop, None, on_problems), daemon=True
        )

    def __enter__(self) -> Following:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=DEADLINE)

    def more_polls(self, n: int) -> None:
        """Wait until ``n`` more polls are done."""
        target = self.polls + n
        wait_for(lambda: self.polls >= target, f"{n} more polls")


def failing_while(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str, error: Exception
) -> threading.Event:
    """Make ``owner.name`` raise ``error`` while the returned event is set (it is, at first)."""
    real = getattr(owner, name)
    failing = threading.Event()
    failing.set()

    def wrapper(*args: object, **kwargs: object) -> object:
        if failing.is_set():
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return failing


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(str(tmp_path / "cw.db"))
    yield s
    s.close()


def test_a_full_disk_is_told_once_retried_and_its_end_told(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "queue_log"
    log.write_text(enter(1))
    full = failing_while(
        monkeypatch,
        store,
        "apply",
        StoreError(f"database {store.display_name}: database or disk is full"),
    )
    problem = f"database {store.display_name}: database or disk is full"
    with Following(store, log) as following:
        wait_for(lambda: following.told == [("problem", problem)], "the problem")
        with log.open("a") as fh:  # lines go on arriving meanwhile
            fh.write(enter(2))
        following.more_polls(3)  # they fail too: told once
        assert following.told == [("problem", problem)]
        assert following.follower.last_error == problem
        full.clear()
        wait_for(lambda: store.count_calls() == 2, "the calls, once the disk has room")
        wait_for(lambda: len(following.told) == 2, "the recovery")
        assert following.told[1] == ("recovered", problem)
        assert following.follower.last_error is None


def test_an_unreadable_file_is_told_and_read_when_it_can_be(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import carewatch.sources.tail as tail

    log = tmp_path / "queue_log"
    log.write_text(enter(1))
    denied = failing_while(monkeypatch, tail, "open_log", PermissionError(13, "Permission denied"))
    with Following(store, log) as following:
        expected = ("problem", "queue_log: cannot read it: Permission denied")
        wait_for(lambda: following.told == [expected], "the problem")
        # the screen's alerts line says it too
        from carewatch.tui.snapshot import source_alerts

        alerts = source_alerts(following.follower.status(), CONFIG, time.time())
        assert [a.text for a in alerts] == ["queue_log: cannot read it: Permission denied"]
        denied.clear()
        wait_for(lambda: store.count_calls() == 1, "the call")
        wait_for(lambda: len(following.told) == 2, "the recovery")
        assert following.told[1] == ("recovered", expected[1])


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[PostgresServer]:
    """A server of this module's own: the test stops and starts it."""
    yield from postgres_server()


def test_ingest_follow_tells_a_database_gone_and_back_and_loses_nothing(
    own_postgres: PostgresServer, tmp_path: Path
) -> None:
    url = own_postgres.new_schema()
    log = tmp_path / "queue_log"
    log.write_text(enter(1))
    proc = subprocess.Popen(
        [sys.executable, "-m", "carewatch", "ingest", str(log), "--follow", "--db", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)  # type: ignore[arg-type]
    reader.start()

    def calls() -> int:
        with Store(url) as store:
            return store.count_calls()

    try:
        wait_for(lambda: calls() == 1, "the first call")
        own_postgres.halt()
        with log.open("a") as fh:
            fh.write(enter(2))
        wait_for(lambda: any(line.startswith("problem: ") for line in lines), "the problem")
        time.sleep(1.0)  # the outage lasts a poll or two more (told once, checked below)
        own_postgres.start()
        wait_for(
            lambda: any(line.startswith("recovered: ") for line in lines),
            f"the recovery ({lines})",
        )
        wait_for(lambda: calls() == 2, "the call logged while the database was gone")
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
        reader.join(timeout=DEADLINE)
    assert proc.returncode == 0
    told = [line for line in lines if line.startswith(("problem: ", "recovered: "))]
    # each problem told once (the server's going may read as a closed connection first,
    # then as a socket that is not there), then its end, once
    *problems, recovered = told
    assert problems and len(set(problems)) == len(problems), lines
    assert all(
        line.startswith("problem: database postgresql://") and line.endswith("; still trying\n")
        for line in problems
    ), lines
    last = problems[-1].removeprefix("problem: ").removesuffix("; still trying\n")
    assert recovered == f"recovered: {last}\n", lines
    assert not any("Traceback" in line for line in lines)
