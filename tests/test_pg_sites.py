"""Several sites on one PostgreSQL server, when the server runs short of connection slots: the
screens' change listeners and the queue_log tables wait for a slot as carewatch's own
connections do, without asking the server again at every poll."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

import carewatch.cli.common as common
import carewatch.cli.ingest as ingest_cli
import carewatch.ingest.stall as stall
import carewatch.store.changes as changes
import carewatch.store.slots as slots
import carewatch.store.waits as waits
from carewatch.cli import main
from carewatch.store import Store, StoreError
from carewatch.store.database import display_name
from tests.pgserver import PostgresServer
from tests.test_follow_problems import Following, enter, wait_for

#: The longest any wait of these tests may take on a busy machine.
DEADLINE = 60.0


def new_role(url: str, name: str, grants: list[str], limit: int = -1) -> str:
    """A login role of its own (at most ``limit`` connections; -1: no limit), with USAGE on the
    schema of ``url`` and the ``grants`` (``{schema}`` in them is that schema); the URL that
    connects as that role."""
    role = f"{name}{time.monotonic_ns()}"
    schema = url.rsplit("%3D", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT {limit}")
        conn.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        for grant in grants:
            conn.execute(f"GRANT {grant.format(schema=schema)} TO {role}")
    return url.replace("postgresql://carewatch@", f"postgresql://{role}@")


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


QUEUE_LOG = """CREATE TABLE queue_log (
    id BIGSERIAL PRIMARY KEY, time TIMESTAMP, callid TEXT, queuename TEXT, agent TEXT,
    event TEXT, data1 TEXT, data2 TEXT, data3 TEXT, data4 TEXT, data5 TEXT)"""


def table_config(tmp_path: Path, url: str) -> Path:
    """A config whose one source is the queue_log table of ``url``, named ``rome-pbx``."""
    config = tmp_path / "cw.toml"
    config.write_text(
        f'timezone = "UTC"\n\n[[sources]]\nkind = "table"\nurl = "{url}"\n'
        'table = "queue_log"\nname = "rome-pbx"\n'
    )
    return config


def stderr_lines(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The lines a command run in this process says on standard error, from now on (what it
    says on standard output is printed)."""
    said: list[str] = []
    real_say = common.say

    def say(text: str, out: bool = False) -> None:
        if out:
            real_say(text, out=True)
        else:
            said.append(text)

    monkeypatch.setattr(common, "say", say)
    monkeypatch.setattr(ingest_cli, "say", say)
    return said


def in_thread(argv: list[str]) -> tuple[threading.Thread, list[int]]:
    """``carewatch ARGV`` running in a thread, and the list its exit status is put in."""
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(main(argv)))
    thread.start()
    return thread, result


def test_ingest_of_a_table_waits_for_a_connection_slot_then_reads(
    postgres: PostgresServer,
    pg_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(QUEUE_LOG)
        conn.execute(
            "INSERT INTO queue_log (time, callid, queuename, agent, event, data2, data3) "
            "VALUES ('2024-03-06 10:00:00', 'c1', 'sales', 'NONE', 'ENTERQUEUE', '555', '1')"
        )
    reader = new_role(pg_url, "pbx", ["SELECT ON {schema}.queue_log"], limit=1)
    config = table_config(tmp_path, reader)
    monkeypatch.setattr(common, "PATIENCE_SECONDS", 0.1)
    monkeypatch.setattr(stall, "STALL_SECONDS", 0.05)  # (the slot's line is said once, not twice)
    said = stderr_lines(monkeypatch)
    held = psycopg.connect(reader, autocommit=True)  # the phone system's role has no slot free
    db = str(tmp_path / "cw.db")
    ingesting, result = in_thread(["ingest", "--config", str(config), "--db", db])
    try:
        deadline = time.monotonic() + DEADLINE
        while not any("waiting" in line for line in said) and ingesting.is_alive():
            assert time.monotonic() < deadline, said
            time.sleep(0.01)
    finally:
        held.close()  # a slot frees
        ingesting.join(timeout=DEADLINE)
    out = capsys.readouterr().out
    assert result == [0], out
    # the wait for a slot is said once, by its own line, not again by the stall watch; a
    # read slower than the watch's 0.05 s once the slot is free (a loaded machine) may be said
    assert [line for line in said if "no connection free" in line] == [
        f"waiting for the database {display_name(reader)} (its server has no connection free; "
        "Ctrl-C gives up)"
    ]
    assert all("no answer for" in line for line in said[1:]), said
    assert out.startswith("1 call added"), out
    with Store(db) as store:
        assert [call.source for call in store.find_calls("c1")] == ["rome-pbx"]


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A queue_log file holding one call, for a follower that tells a poll which has committed
    nothing for 0.3 s."""
    monkeypatch.setattr(stall, "STALL_SECONDS", 0.3)
    path = tmp_path / "queue_log"
    path.write_text(enter(1))
    return path


def test_a_follower_tells_a_lock_another_program_holds_and_its_end(pg_url: str, log: Path) -> None:
    with Store(pg_url) as store, Following(store, log) as following:
        wait_for(lambda: store.count_calls() == 1, "the first call")
        crm = psycopg.connect(pg_url)  # a CRM's session, its transaction left open
        try:
            crm.execute("UPDATE cw_call SET note = 'called back'")
            with log.open("a") as fh:
                fh.write(enter(2))
            wait_for(lambda: following.told, "the problem")
            assert following.told == [
                (
                    "problem",
                    f"database {store.display_name}: no answer for 0.3 s (another program's "
                    "transaction may hold a lock it needs, or its server is out of reach)",
                )
            ]
            assert following.follower.problems() == {"database": following.told[0][1]}
            assert store.count_calls() == 1  # (readers never wait)
        finally:
            crm.commit()
            crm.close()
        wait_for(lambda: store.count_calls() == 2, "the call logged while the lock was held")
        wait_for(lambda: len(following.told) == 2, "the end of the problem")
        assert following.told[1] == ("recovered", following.told[0][1])
        assert following.follower.problems() == {}


def test_a_forget_by_a_role_that_does_not_own_the_tables_says_vacuum_was_skipped(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from carewatch.records import CallUpdate

    with Store(pg_url) as store:
        store.ingest("rome", [(1, CallUpdate("c1", {"started_at": 1.7e9, "caller": "+3906555"}))])
    # a site's role: it writes, owns none of the tables
    site = new_role(
        pg_url, "site", ["SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema}"]
    )
    try:
        status = main(["db", "forget", "--caller", "+3906555", "--yes", "--db", site])
    except SystemExit as exc:
        status = exc.code
    err = capsys.readouterr().err
    assert status == 1, err
    # (the server's words: PostgreSQL 15 says "skipping "cw_call" --- only table or database
    # owner can vacuum it", 17 "permission denied to vacuum "cw_call", skipping it")
    (line,) = err.splitlines()
    assert line.startswith(f"carewatch: database {display_name(site)}: VACUUM failed ("), line
    assert '"cw_' in line
    assert line.endswith(
        "): old versions of changed or deleted rows may stay in the tables' files; run "
        "carewatch db compact as the tables' owner"
    ), line
    assert "vacuumed" not in err
    with Store(pg_url) as store:
        assert store.find_calls("c1")[0].caller is None  # the erasure itself is committed


@pytest.mark.parametrize(
    ("slot", "why"),
    [
        (False, "no answer from its server for 0.3 s"),
        # the server answers, with no connection slot free: that is what the screen says
        (True, "its server has no connection free (sorry, too many clients already)"),
    ],
)
async def test_a_screen_whose_read_has_no_answer_says_its_figures_are_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slot: bool, why: str
) -> None:
    import carewatch.tui.refresh as refresh
    from carewatch.tui.panels.alerts import AlertsLine
    from tests.test_tui import ME, NOW, answered_call, make, ready, seed
    from tests.test_tui import wait_for as wait_on_screen

    db = tmp_path / "cw.db"
    seed(db, [answered_call("c1", NOW - 300, ME)])
    monkeypatch.setattr(refresh, "READ_STALL_SECONDS", 0.3, raising=False)
    load = refresh.load_snapshot
    answer = threading.Event()
    answer.set()

    def load_snapshot(*args: Any, **kwargs: Any) -> Any:  # a server frozen, or cut off
        waiting = waits.waiting_on("slot", str(db), "sorry, too many clients already")
        with waiting if slot else contextlib.nullcontext():
            assert answer.wait(DEADLINE)
        return load(*args, **kwargs)

    monkeypatch.setattr(refresh, "load_snapshot", load_snapshot)
    app = make(db)
    async with app.run_test() as pilot:
        await ready(pilot)

        def alerts() -> list[str]:
            return [alert.text for alert in app.screen.query_one(AlertsLine).alerts or []]

        answer.clear()
        try:
            app.request_refresh(force=True)
            await wait_on_screen(pilot, lambda: app.read_failed is not None, "the alert", 10)
            await wait_on_screen(pilot, lambda: alerts(), "the alerts line", 10)
            first = alerts()[0]
            assert first.startswith("cannot read the database since "), first
            assert first.endswith(f": {why}"), first
        finally:
            answer.set()  # the server answers again
        await wait_on_screen(pilot, lambda: app.read_failed is None, "the end of the alert", 10)
        await wait_on_screen(pilot, lambda: not any("cannot read" in a for a in alerts()), "", 10)


def site_role(pg_url: str) -> str:
    """The URL of a site's role that writes carewatch's tables (made by the owner), with one
    connection slot."""
    Store(pg_url).close()  # the tables, made by the owner
    grants = ["SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA {schema}"]
    grants.append("USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema}")
    return new_role(pg_url, "ingester", grants, limit=1)


class SlotTaken:
    """The owner's view of a site's database, and the site role's one slot taken from its
    follower: its session ended (a DBA, a restart) and another client took the slot."""

    def __init__(self, pg_url: str, site: str) -> None:
        self.site = site
        self.admin = psycopg.connect(pg_url, autocommit=True)
        self.held: list[psycopg.Connection[Any]] = []

    def calls(self) -> int:  # (read by the owner: the site's role has one slot, the follower's)
        (count,) = self.admin.execute("SELECT count(*) FROM cw_call").fetchone() or (0,)
        return int(count)

    def take(self) -> None:
        role = self.site.split("://", 1)[1].split("@", 1)[0]
        self.admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,)
        )
        wait_for(lambda: _took_slot(self.site, self.held), "the role's slot")

    def free(self) -> None:
        self.held.pop().close()

    def close(self) -> None:
        for conn in self.held:
            conn.close()
        self.admin.close()


def test_a_follower_waiting_for_a_connection_slot_says_that_and_not_no_answer(
    pg_url: str, log: Path
) -> None:
    site = site_role(pg_url)
    slot = SlotTaken(pg_url, site)
    try:
        with Store(site, connect_wait=1.5) as store, Following(store, log) as following:
            wait_for(lambda: slot.calls() == 1, "the first call")
            slot.take()
            with log.open("a") as fh:
                fh.write(enter(2))
            wait_for(lambda: following.told, "the problem")
            ((kind, text),) = following.told
            assert kind == "problem"
            assert text.startswith(
                f"database {store.display_name}: its server has no connection free (too many "
                "connections for role"
            ), text
            slot.free()
            wait_for(lambda: slot.calls() == 2, "the call logged meanwhile")
            wait_for(lambda: len(following.told) == 2, "the end of the problem")
            assert following.told[1] == ("recovered", text)
            assert not any("no answer" in said for _kind, said in following.told)
    finally:
        slot.close()


def test_ingest_follow_says_a_wait_for_a_slot_once_however_many_times_it_asks(
    pg_url: str, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_role(pg_url)
    slot = SlotTaken(pg_url, site)
    monkeypatch.setattr(common, "PATIENCE_SECONDS", 0.05)
    said = stderr_lines(monkeypatch)
    monkeypatch.setattr(slots, "CONNECT_WAIT_SECONDS", 0.3)  # each connection gives up soon
    gave_up: list[str] = []
    connect = slots.connect

    def counted(*args: Any, **kwargs: Any) -> Any:
        try:
            return connect(*args, **kwargs)
        except StoreError as exc:  # (no slot freed within its wait)
            gave_up.append(str(exc))
            raise

    monkeypatch.setattr(slots, "connect", counted)
    stops: list[threading.Event] = []
    monkeypatch.setattr(ingest_cli, "install_stop_signals", stops.append)
    following, result = in_thread(["ingest", "--follow", "--db", site, str(log)])
    try:
        wait_for(lambda: slot.calls() == 1, "the first call")
        slot.take()
        with log.open("a") as fh:
            fh.write(enter(2))
        wait_for(lambda: len(gave_up) >= 3, "three connections that gave up")
        slot.free()
        wait_for(lambda: slot.calls() == 2, "the call logged meanwhile")
        wait_for(lambda: any(line.startswith("recovered:") for line in said), "the end")
    finally:
        wait_for(lambda: bool(stops), "the follower")
        stops[0].set()
        following.join(timeout=DEADLINE)
        slot.close()
    assert result == [0]
    name = display_name(site)
    told = [line for line in said if not line.startswith(("following ", "stopped: "))]
    assert len(told) == 2, told
    assert told[0].startswith(
        f"problem: database {name}: its server has no connection free (too many connections "
    ), told
    assert told[0].endswith("; still trying"), told
    assert told[1] == "recovered: " + told[0].removeprefix("problem: ").removesuffix(
        "; still trying"
    )


def _took_slot(url: str, held: list[psycopg.Connection[Any]]) -> bool:
    try:
        held.append(psycopg.connect(url, autocommit=True))
    except psycopg.OperationalError:
        return False  # the ended session still counts for a moment
    return True
