"""The demo's operators who took calls today (in its history) were at work before the live
feed began: the feed logs them in a few minutes before their first call of the day, so the
screen's "In" (time logged in) and the report's operators' time are not 0 for operators with
a morning of calls behind them. The others log in as the feed begins."""

from __future__ import annotations

import threading
from pathlib import Path

from carewatch.config import Config, default_config
from carewatch.simulate import SimCall, run_live
from carewatch.simulate.plan import LIVE_OPERATORS, operators
from tests.test_simulate import FakeClock

START = 1_709_800_000.25


def test_operators_at_work_log_in_before_their_first_call_and_the_others_at_the_start(
    tmp_path: Path,
) -> None:
    config: Config = default_config()
    out = tmp_path / "queue_log"
    clock = FakeClock(out, START)
    names = [op.name for op in operators(LIVE_OPERATORS)]
    first_calls = {names[0]: START - 2 * 3600, names[1]: START - 600}
    run_live(
        out,
        "queue_log",
        3,
        config,
        clock=clock,
        sleep=clock.sleep,
        max_calls=5,
        at_work=first_calls,
    )
    fields = [line.split("|") for line in out.read_text(encoding="utf-8").splitlines()]
    logins = {f[3]: int(f[0]) for f in fields if f[4] == "AGENTLOGIN"}
    assert set(logins) == set(names)
    for name, at in logins.items():
        if name in first_calls:  # a few minutes (at most half an hour) before that call
            assert first_calls[name] - 1800 <= at < first_calls[name]
        else:
            assert START - 31 <= at < START
    epochs = [int(f[0]) for f in fields]
    assert epochs == sorted(epochs)  # the earlier logins come first in the log


def _talking_at(fields: list[list[str]], at: float) -> set[str]:
    """The operators talking at ``at`` by the queue_log's lines (CONNECT, not ended yet)."""
    talking: dict[str, str] = {}
    for f in fields:
        if int(f[0]) > at:
            break
        if f[4] == "CONNECT":
            talking[f[1]] = f[3]
        elif f[4] in {"COMPLETECALLER", "COMPLETEAGENT", "TRANSFER", "BLINDTRANSFER"}:
            talking.pop(f[1], None)
    return set(talking.values())


def test_a_feed_begun_earlier_writes_what_is_due_at_once_and_the_centre_is_at_work(
    tmp_path: Path,
) -> None:
    """The demo's feed begins a quarter of an hour before the demo's "now": the lines due
    by then are written before the first wait, and at "now" most operators are talking, as on
    a centre's screen mid-morning (not thirty operators idle while the first calls come)."""
    config: Config = default_config()
    out = tmp_path / "queue_log"
    clock = FakeClock(out, START)
    written_before_waiting: list[int] = []
    stop = threading.Event()

    def sleep(seconds: float) -> None:
        if not written_before_waiting:
            written_before_waiting.append(len(out.read_text(encoding="utf-8").splitlines()))
        clock.sleep(seconds)
        if clock() > START + 60:
            stop.set()

    run_live(out, "queue_log", 3, config, clock=clock, sleep=sleep, stop=stop, begin=START - 900)
    fields = [line.split("|") for line in out.read_text(encoding="utf-8").splitlines()]
    due = [f for f in fields if int(f[0]) <= START]
    assert int(fields[0][0]) < START - 870  # the logins, a few seconds before the feed began
    assert written_before_waiting == [len(due)] and len(due) > 300
    assert len(_talking_at(fields, START)) >= LIVE_OPERATORS // 2


def test_a_call_not_read_yet_is_asked_about_again_from_now_not_from_its_own_time(
    tmp_path: Path,
) -> None:
    """The tags of a call written at once (due before "now") are recorded once the screen's
    follower has read it: the feed asks again a few seconds from now, rather than five times
    at once in the past and giving up."""
    config: Config = default_config()
    out = tmp_path / "queue_log"
    clock = FakeClock(out, START)
    read_from = START + 5  # the follower reads the file five seconds after the feed began
    recorded: list[tuple[str, float]] = []

    def on_call(kind: str, call: SimCall, at: float) -> bool:
        if clock() < read_from:
            return False
        recorded.append((call.call_id, at))
        return True

    stop = threading.Event()

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        if clock() > START + 120:
            stop.set()

    run_live(
        out,
        "queue_log",
        3,
        config,
        clock=clock,
        sleep=sleep,
        stop=stop,
        on_call=on_call,
        begin=START - 900,
    )
    early = [at for _call, at in recorded if at < START + 60]
    assert len(early) > 20  # the calls of the quarter hour before "now" got their tags
    assert all(at >= read_from for _call, at in recorded)
