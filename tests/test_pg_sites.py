"""Several sites on one PostgreSQL server, when the server runs short of connection slots: the
screens' change listeners and the queue_log tables wait for a slot as carewatch's own
connections do, without asking the server again at every poll."""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest

import carewatch.store.changes as changes
from carewatch.store import Store

#: The longest any wait of these tests may take on a busy machine.
DEADLINE = 60.0


class FrozenClock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_screen_with_no_slot_for_its_listener_polls_and_listens_once_one_frees(
    clerk: tuple[str, list[psycopg.Connection[Any]]],
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, held = clerk
    held.pop().close()  # one slot for the screen's reads; none for its listener
    clock = FrozenClock()
    monkeypatch.setattr(changes, "_clock", clock, raising=False)
    owner = url.replace(url.split("@", 1)[0], "postgresql://carewatch")
    with Store(url, create=False, read_only=True) as screen:
        tries: list[int] = []
        listen = screen._db.backend.listen_connection

        def counted() -> Any:
            tries.append(1)
            return listen()

        monkeypatch.setattr(screen._db.backend, "listen_connection", counted)
        before = screen.data_version()
        for _ in range(20):  # two seconds of a screen's polls (0.1 s each), shortened
            assert screen.wait_for_change(0.01) is False
        assert len(tries) == 1  # asked once, not at every poll
        with psycopg.connect(owner, autocommit=True) as crm:
            crm.execute("UPDATE cw_call SET note = note")  # a CRM's write
        assert screen.data_version() != before  # the counter is polled meanwhile
        held.pop().close()  # a slot frees (once the server has ended that session)
        role = url.split("://", 1)[1].split("@", 1)[0]
        with psycopg.connect(owner, autocommit=True) as admin:
            count = "SELECT count(*) FROM pg_stat_activity WHERE usename = %s"
            deadline = time.monotonic() + DEADLINE
            while admin.execute(count, (role,)).fetchone() != (1,):
                assert time.monotonic() < deadline, "the session did not end"
                time.sleep(0.01)
        clock.now += changes.LISTEN_RETRY_SECONDS
        assert screen.wait_for_change(0.01) is False  # listening again
        assert len(tries) == 2
        with psycopg.connect(owner, autocommit=True) as crm:
            crm.execute("UPDATE cw_call SET note = note")  # a CRM's write
        deadline = time.monotonic() + DEADLINE
        while not screen.wait_for_change(0.5):
            assert time.monotonic() < deadline, "the change was not announced"
