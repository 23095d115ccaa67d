"""A log written in arbitrary byte chunks, read after each chunk, gives what one read gives.

Whatever way a writer's bytes arrive (a line cut anywhere, even inside a UTF-8 character or
between ``\\r`` and ``\\n``), the calls, agent events and counts in the database are the same
as when the finished file is read in one go.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carewatch.config import parse_config
from carewatch.ingest import Follower, ingest_paths
from carewatch.store import Store

CONFIG = parse_config({"timezone": "UTC"})
T0 = 1_700_000_000

CSV_HEADER = "call_id,started_at,answered_at,ended_at,queue,agent,caller,disposition\n"


@st.composite
def queue_log_lines(draw: st.DrawFn) -> list[str]:
    """Lines of one call (in a random shape), or of an operator, or a bad or blank line."""
    kind = draw(
        st.sampled_from(["answered", "abandoned", "waiting", "pause", "bad", "blank", "again"])
    )
    i = draw(st.integers(0, 30))
    t = T0 + 60 * i
    agent = draw(st.sampled_from(["Agent/1", "Agent/2", "Ägent/3"]))
    enter = f"{t}|c{i}|support|NONE|ENTERQUEUE||+39 0{i}|1"
    if kind == "answered":
        return [
            enter,
            f"{t + 4}|c{i}|support|{agent}|CONNECT|4|x|2",
            f"{t + 64}|c{i}|support|{agent}|COMPLETECALLER|4|60|1",
        ]
    if kind == "abandoned":
        return [enter, f"{t + 30}|c{i}|support|NONE|ABANDON|1|1|30"]
    if kind == "waiting":
        return [enter]
    if kind == "pause":
        return [f"{t}|NONE|support|{agent}|PAUSE|pausa caffè"]
    if kind == "bad":
        return [draw(st.sampled_from(["garbage", "1|2|3", "x\x00y", f"{t}|c{i}|q|NONE|WHAT"]))]
    if kind == "again":  # an end for a call that may not have started
        return [f"{t + 70}|c{i}|support|{agent}|COMPLETEAGENT|4|66|1"]
    return [""]


@st.composite
def csv_lines(draw: st.DrawFn) -> list[str]:
    """CSV rows: a call's start, a later row updating it, or a bad or blank row."""
    kind = draw(st.sampled_from(["start", "end", "bad", "blank"]))
    i = draw(st.integers(0, 30))
    if kind == "start":
        caller = draw(st.sampled_from(["+39 01", '"ACME, Inc."', "Café Nord"]))
        return [f"c{i},{T0 + 60 * i},,,sales,,{caller},"]
    if kind == "end":
        return [f"c{i},,{T0 + 60 * i + 5},{T0 + 60 * i + 99},,Agent/1,,answered"]
    if kind == "bad":
        return [draw(st.sampled_from(['c1,"unclosed', ",,,,", "c2,not-a-time"]))]
    return [""]


@st.composite
def logs(draw: st.DrawFn) -> tuple[str, bytes, list[int]]:
    """A format, the bytes of a log in it, and where the writer's chunks end."""
    fmt = draw(st.sampled_from(["queue_log", "csv"]))
    blocks = draw(st.lists(queue_log_lines() if fmt == "queue_log" else csv_lines(), max_size=40))
    lines = [line for block in blocks for line in block]
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    text = (CSV_HEADER if fmt == "csv" else "") + "".join(line + ending for line in lines)
    data = text.encode("utf-8")
    cuts = draw(st.lists(st.integers(0, len(data)), max_size=25))
    return fmt, data, sorted(set(cuts) | {len(data)})


def snapshot(store: Store) -> tuple:
    """Everything ingest writes, minus the times of writing."""
    calls = sorted(row._replace(updated_at=0.0) for row in store.recent_calls(limit=10_000))
    events = sorted(
        tuple(v for k, v in ev.items() if k != "id") for ev in store.agent_events_between(0, 2e9)
    )
    positions = [
        (
            p["byte_offset"],
            p["line_no"],
            p["lines_read"],
            p["bad_lines"],
            p["last_bad_line"],
            p["last_bad_reason"],
            json.loads(p["bad_by_reason"]),
            p["fingerprint"],
            p["fingerprint_len"],
        )
        for p in store.positions()
    ]
    return calls, events, positions


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(logs())
def test_chunked_writes_read_as_one(case: tuple[str, bytes, list[int]]) -> None:
    fmt, data, cuts = case
    with tempfile.TemporaryDirectory() as tmp:
        whole = Path(tmp, "whole", "calls.log")
        chunked = Path(tmp, "chunked", "calls.log")
        whole.parent.mkdir()
        chunked.parent.mkdir()
        whole.write_bytes(data)
        chunked.touch()
        with Store(str(Path(tmp, "one.db"))) as one, Store(str(Path(tmp, "many.db"))) as many:
            ingest_paths(one, CONFIG, [str(whole)], fmt)
            follower = Follower(many, CONFIG, [(str(chunked), fmt)])
            try:
                start = 0
                for end in cuts:
                    with chunked.open("ab") as fh:
                        fh.write(data[start:end])
                    start = end
                    follower.poll_once()
            finally:
                follower.close()
            assert chunked.read_bytes() == data
            assert snapshot(many) == snapshot(one)
