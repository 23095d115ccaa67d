"""The demo's operators who took calls today (in its history) were at work before the live
feed began: the feed logs them in a few minutes before their first call of the day, so the
screen's "In" (time logged in) and the report's operators' time are not 0 for operators with
a morning of calls behind them. The others log in as the feed begins."""

from __future__ import annotations

from pathlib import Path

from carewatch.config import Config, default_config
from carewatch.simulate import run_live
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
