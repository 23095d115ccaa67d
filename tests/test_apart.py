"""Work done in a child process while this one goes on (carewatch/apart.py), and the report that
sums the periods it compares with that way: the answer is the one this process would give, a
child that fails leaves the work to this process, no child is left behind, and nothing is
forked where it would not be safe (more than one thread; not Linux)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

import carewatch.apart as apart
import carewatch.figures as figures
from carewatch.apart import start_apart
from carewatch.config import Config, parse_config
from carewatch.kpicache import KpiCache
from carewatch.report import build_report, render
from carewatch.store import Store
from tests.conftest import Children
from tests.test_kpicache import store as the_report_calls  # noqa: F401 - a fixture
from tests.test_report import DAY, NOW

pytestmark = pytest.mark.skipif(not apart.FORKS, reason="children are forked on Linux only")


def test_the_child_gives_its_result_and_is_reaped(children: Children) -> None:
    started = start_apart(lambda: "here", lambda: {"pid": os.getpid(), "x": [1.5, None, "é"]})
    got = started.result()
    assert started.from_child and len(children) == 1 and children.all_ended()
    assert got["pid"] == children[0] and got["x"] == [1.5, None, "é"]
    started.close()  # after the result: nothing left to end


@pytest.mark.parametrize(
    "child_work",
    [lambda: 1 / 0, lambda: object(), lambda: os._exit(3)],
    ids=["raises", "not-marshallable", "dies"],
)
def test_a_child_that_fails_leaves_the_work_to_this_process(
    children: Children, child_work: Any
) -> None:
    started = start_apart(lambda: "here", child_work)
    assert started.result() == "here" and not started.from_child
    assert len(children) == 1 and children.all_ended()


def test_close_ends_a_child_whose_result_is_not_wanted(children: Children) -> None:
    never_written, keep_open = os.pipe()
    try:
        started = start_apart(lambda: "here", lambda: os.read(never_written, 1))
        started.close()  # as when the report failed meanwhile: the child is killed and reaped
        assert len(children) == 1 and children.all_ended()
    finally:
        os.close(never_written)
        os.close(keep_open)


def test_nothing_is_forked_while_another_thread_runs(children: Children) -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        started = start_apart(lambda: os.getpid(), lambda: -1)
        assert started.result() == os.getpid() and not started.from_child
    finally:
        stop.set()
        other.join()
    assert not children


def test_nothing_is_forked_off_linux(children: Children, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apart, "FORKS", False)
    started = start_apart(lambda: "here", lambda: "child")
    assert started.result() == "here" and not children


@pytest.fixture
def config() -> Config:
    return parse_config({"timezone": "Europe/Rome"})


@pytest.fixture
def report_calls(the_report_calls: Store) -> Store:  # noqa: F811 - the imported fixture
    """The report tests' calls (test_kpicache's store), in an SQLite file and in PostgreSQL: a
    child opens either."""
    return the_report_calls


def test_a_report_sums_the_periods_it_compares_with_apart_and_reads_the_same(
    report_calls: Store,
    config: Config,
    tmp_path: Path,
    children: Children,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The day before and the same day a week before, each summed by a child of its own (as for
    two 50,000-call days; here the threshold is lowered to the test's few calls), give the
    report read in one process, and are kept in the cache as they would be."""
    one_process = [
        render(build_report(report_calls, config, DAY, now=NOW), f) for f in ("text", "json")
    ]
    assert not children
    monkeypatch.setattr(figures, "APART_CALLS", 1)
    cache = KpiCache(report_calls, config, tmp_path / "cache")
    report = build_report(report_calls, config, DAY, now=NOW, cache=cache)
    assert len(children) == 2 and children.all_ended()
    assert [render(report, f) for f in ("text", "json")] == one_process
    children.clear()
    again = build_report(
        report_calls, config, DAY, now=NOW, cache=cache
    )  # both days kept: no child
    assert not children
    assert [render(again, f) for f in ("text", "json")] == one_process


def test_a_report_whose_child_fails_reads_the_same(
    report_calls: Store,
    config: Config,
    children: Children,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one_process = render(build_report(report_calls, config, DAY, now=NOW), "json")
    monkeypatch.setattr(figures, "APART_CALLS", 1)
    real, parent = Store.__init__, os.getpid()

    def no_database_in_the_child(self: Store, *args: Any, **kwargs: Any) -> None:
        if os.getpid() != parent:
            raise OSError("the child cannot open the database")
        real(self, *args, **kwargs)

    monkeypatch.setattr(Store, "__init__", no_database_in_the_child)
    assert render(build_report(report_calls, config, DAY, now=NOW), "json") == one_process
    assert len(children) == 2 and children.all_ended()
