"""``carewatch metrics``: today's KPIs and the live state in the Prometheus text format, read
back with prometheus_client's own parser and checked against calls computed by hand."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from carewatch.cli import main
from carewatch.cli.common import UsageError
from carewatch.cli.metrics import parse_listen
from carewatch.config import parse_config
from carewatch.kpi.definitions import label
from carewatch.metrics import CarewatchCollector, metrics_text, serve
from carewatch.records import AgentEvent, CallUpdate
from carewatch.store import Store

CONFIG = parse_config({"timezone": "UTC"})


def at(hh: int, mm: int = 0, ss: int = 0, day: int = 10) -> float:
    return datetime(2026, 3, day, hh, mm, ss, tzinfo=UTC).timestamp()


NOW = at(12)


def answered(
    call_id: str, queue: str, start: float, wait: float, talk: float, agent: str
) -> CallUpdate:
    fields = {"started_at": start, "answered_at": start + wait, "queue": queue, "agent": agent}
    fields["ended_at"] = start + wait + talk
    return CallUpdate(call_id, fields)


def fill(store: Store) -> None:
    records = [
        answered("s1", "sales", at(9), 10, 100, "a1"),
        answered("s2", "sales", at(9, 10), 30, 200, "a2"),
        CallUpdate(
            "s3",
            {
                "started_at": at(9, 20),
                "queue": "sales",
                "disposition": "abandoned",
                "wait_seconds": 40,
            },
        ),
        CallUpdate("s4", {"started_at": at(11, 59, 30), "queue": "sales"}),  # waiting 30 s
        answered("u1", "support", at(10), 5, 60, "a1"),
        CallUpdate("u2", {"started_at": at(11, 58), "queue": "support"}),  # waiting 120 s
        CallUpdate(  # being talked by a3 since 11:51
            "u3",
            {
                "started_at": at(11, 50),
                "answered_at": at(11, 51),
                "queue": "support",
                "agent": "a3",
            },
        ),
        answered("y1", "sales", at(9, day=9), 10, 100, "a1"),  # the day before: not counted
        AgentEvent(at(8), "a4", "ADDMEMBER", queue="sales"),
        AgentEvent(at(10), "a4", "AGENTLOGOFF"),
        AgentEvent(at(11), "a2", "PAUSE", reason="lunch"),
    ]
    store.ingest("test", list(enumerate(records, start=1)))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[str]:
    path = str(tmp_path / "cw.db")
    with Store(path) as store:
        fill(store)
    yield path


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample by (name, labels), parsed by prometheus_client."""
    out = {}
    for family in text_string_to_metric_families(text):
        assert family.type == "gauge", family.name
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(found: dict, name: str, **labels: str) -> float:
    return found[(f"carewatch_{name}", tuple(sorted(labels.items())))]


def collector_for(db: str) -> CarewatchCollector:
    return CarewatchCollector(lambda: Store(db, create=False), CONFIG, clock=lambda: NOW)


def test_the_day_and_the_live_state_per_queue_and_in_total(db: str) -> None:
    found = samples(metrics_text(collector_for(db)))
    assert value(found, "database_up") == 1
    # offered: s1–s4 and u1–u3; answered: s1, s2, u1 and u3 (being talked)
    for labels, offered, answered_, abandoned in (
        ({}, 7, 4, 1),
        ({"queue": "sales"}, 4, 2, 1),
        ({"queue": "support"}, 3, 2, 0),
    ):
        assert value(found, "calls_offered", **labels) == offered
        assert value(found, "calls_answered", **labels) == answered_
        assert value(found, "calls_abandoned", **labels) == abandoned
        assert value(found, "calls_missed", **labels) == 0
    assert value(found, "abandon_ratio") == pytest.approx(1 / 7)
    assert value(found, "abandon_ratio", queue="sales") == pytest.approx(1 / 4)
    assert value(found, "abandon_ratio", queue="support") == 0
    # within 20 s: s1 (10 s) and u1 (5 s); over: s2 (30 s), u3 (60 s); s3 abandoned
    assert value(found, "service_level_ratio") == pytest.approx(2 / 5)
    assert value(found, "service_level_ratio", queue="sales") == pytest.approx(1 / 3)
    assert value(found, "service_level_ratio", queue="support") == pytest.approx(1 / 2)
    assert value(found, "talk_seconds") == 360
    assert value(found, "talk_seconds", queue="sales") == 300
    assert value(found, "average_talk_seconds") == 120
    assert value(found, "average_wait_seconds") == pytest.approx((10 + 30 + 5 + 60) / 4)
    # now: s4 waits 30 s, u2 120 s; u3 is being talked
    assert value(found, "calls_waiting") == 2
    assert value(found, "calls_waiting", queue="sales") == 1
    assert value(found, "longest_wait_seconds") == 120
    assert value(found, "longest_wait_seconds", queue="sales") == 30
    assert value(found, "longest_wait_seconds", queue="support") == 120
    assert value(found, "calls_talking", queue="support") == 1
    assert value(found, "calls_talking", queue="sales") == 0
    assert {
        s: value(found, "operators", state=s) for s in ("talking", "paused", "idle", "logged_off")
    } == {
        "talking": 1,
        "paused": 1,
        "idle": 1,
        "logged_off": 1,
    }
    # open issues belong to no queue; a rate with nothing to divide by has no sample
    assert value(found, "open_issues") == 0
    assert ("carewatch_open_issues", (("queue", "sales"),)) not in found
    assert not [k for k in found if k[0] == "carewatch_first_contact_resolution_ratio"]


def test_names_and_help_come_from_the_kpi_definitions(db: str) -> None:
    families = {f.name: f for f in text_string_to_metric_families(metrics_text(collector_for(db)))}
    assert families["carewatch_calls_offered"].documentation.startswith(label("offered"))
    assert families["carewatch_service_level_ratio"].documentation.startswith(
        label("service_level")
    )


def test_a_database_that_cannot_be_read_is_database_up_0(tmp_path: Path) -> None:
    collector = collector_for(str(tmp_path / "no" / "such" / "folder.db"))
    found = samples(metrics_text(collector))
    assert found == {("carewatch_database_up", ()): 0}


def test_a_mistyped_database_is_database_up_0_and_no_new_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scrape of a database that is not there makes none (the next report would otherwise
    say "no carewatch tables" instead of "does not exist")."""
    typo = tmp_path / "cw-typo.db"
    assert main(["metrics", "--db", str(typo)]) == 0
    captured = capsys.readouterr()
    assert samples(captured.out) == {("carewatch_database_up", ()): 0}
    assert not typo.exists()
    # and why, on standard error (the metrics are printed all the same: exit status 0)
    assert captured.err == (
        f"carewatch: cannot read the database: database {typo} does not exist (give --db, or "
        "read call logs with carewatch ingest) (carewatch_database_up 0)\n"
    )


def test_a_server_says_why_the_database_is_down_once_and_when_it_is_back(
    tmp_path: Path, db: str
) -> None:
    """Each new reason once, not every scrape, and the first scrape that reads again."""
    told: list[str | None] = []
    where = [str(tmp_path / "gone.db")]
    collector = CarewatchCollector(
        lambda: Store(where[0], create=False), CONFIG, clock=lambda: NOW, tell=told.append
    )
    for _ in range(3):
        metrics_text(collector)
    assert len(told) == 1 and told[0] is not None and "gone.db does not exist" in told[0]
    where[0] = db
    assert value(samples(metrics_text(collector)), "database_up") == 1
    metrics_text(collector)
    assert told[1:] == [None]


def test_a_served_endpoint_is_scraped_on_loopback(db: str) -> None:
    server, thread = serve(collector_for(db), "127.0.0.1", 0)
    try:
        url = f"http://127.0.0.1:{server.server_port}/metrics"
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
            text = response.read().decode("utf-8")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    found = samples(text)
    assert value(found, "calls_offered", queue="sales") == 4
    assert value(found, "calls_waiting") == 2


def test_the_command_prints_the_text_format(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metrics", "--db", db]) == 0
    found = samples(capsys.readouterr().out)
    assert value(found, "database_up") == 1
    assert ("carewatch_calls_offered", ()) in found  # today's total, whatever today holds


def test_the_command_serves_until_stopped(db: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "carewatch", "metrics", "--listen", "127.0.0.1:0", "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert line.startswith("serving metrics at http://127.0.0.1:"), line
        url = line.split()[3]
        with urllib.request.urlopen(url, timeout=30) as response:
            found = samples(response.read().decode("utf-8"))
        assert value(found, "database_up") == 1
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("127.0.0.1:9464", ("127.0.0.1", 9464)),
        ("9464", ("127.0.0.1", 9464)),
        ("0.0.0.0:80", ("0.0.0.0", 80)),
        ("[::1]:9464", ("::1", 9464)),
    ],
)
def test_listen_takes_host_and_port(given: str, expected: tuple[str, int]) -> None:
    assert parse_listen(given) == expected


@pytest.mark.parametrize("given", [":9464", "localhost:", "localhost:http", "127.0.0.1:70000"])
def test_a_bad_listen_is_a_usage_error(given: str) -> None:
    with pytest.raises(UsageError, match="--listen: expected HOST:PORT"):
        parse_listen(given)


def test_without_the_extra_the_command_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "prometheus_client", None)
    monkeypatch.delitem(sys.modules, "carewatch.metrics", raising=False)
    with pytest.raises(SystemExit) as info:
        main(["metrics"])
    assert info.value.code == 1
    assert "pip install 'carewatch[metrics]'" in capsys.readouterr().err


def test_a_queue_known_from_the_last_days_or_the_config_has_its_series_at_0(
    tmp_path: Path,
) -> None:
    """After midnight, a queue with no call yet today is "0 calls", not "no data", on a
    dashboard: the queues of the last seven days and of the config's [queues.NAME] have their
    series, counts 0 and rates absent, until their first call."""
    db = str(tmp_path / "cw.db")
    with Store(db) as store:
        store.ingest(
            "log",
            [
                (1, answered("y1", "support", at(15, day=9), 5, 60, "a1")),  # yesterday
                (2, answered("o1", "archive", at(15, day=1), 5, 60, "a1")),  # 9 days ago
                (3, answered("t1", "sales", at(9), 10, 100, "a2")),  # today
            ],
        )
    config = parse_config({"timezone": "UTC", "queues": {"vip": {"service_level_goal": 0.9}}})
    collector = CarewatchCollector(lambda: Store(db, create=False), config, clock=lambda: NOW)
    found = samples(metrics_text(collector))
    assert value(found, "calls_offered", queue="sales") == 1
    for queue in ("support", "vip"):
        assert value(found, "calls_offered", queue=queue) == 0
        assert value(found, "calls_waiting", queue=queue) == 0
        assert ("carewatch_abandon_ratio", (("queue", queue),)) not in found  # no rate yet
    assert ("carewatch_calls_offered", (("queue", "archive"),)) not in found  # too long ago
