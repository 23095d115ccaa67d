"""Ingest of a large queue_log against the plain-Python floor (not collected by pytest).

    python tests/bench/bench_ingest_floor.py [--days 420] [--seed 7] [--runs 3] [--quick]

Writes, in a temporary folder, ``--days`` days of simulated history as an Asterisk queue_log
(``simulate_history``, fixed seed; 420 days: about 700,000 lines, 220,000 calls; ``--quick``:
60 days) and times, in turn (median of ``--runs``, after a warm-up run of each):

* ``ours``: ``ingest_paths`` of the file into a fresh database, as ``carewatch ingest FILE
  --format queue_log`` does it (open the store, read, parse, merge, commit, positions), in a
  child process, whose peak RSS it reads from ``/proc/self/status`` (``VmHWM``) as it ends,
  and that of the process it forks to read and parse (``getrusage``, ``RUSAGE_CHILDREN``);
* ``follow``: ``carewatch ingest FILE --follow`` started behind the whole file, its
  follower (``service_follower``, as the command makes it) reading it in one poll, in a child
  process too;
* ``floor``: the plain-Python program the issue defines, in a child process too: read the file,
  split each line on ``|``, fold the events into one row per call in a dict keyed by call id
  (queue, start, answer, end, agent, wait, talk, disposition), and insert the rows with
  ``sqlite3`` ``executemany`` into a table of ``cw_call``'s schema (its ``CREATE TABLE`` and
  indexes, copied from a database carewatch made) in WAL mode, ``synchronous=NORMAL``, one
  transaction.

Each child times its own work, from after its imports (not the interpreter's start). Prints
both, their ratio (the median of each run's ratio), lines/s and the peak RSS of ours. The
floor stores the calls only; ours also stores the agent events and read positions and keeps
every rule of reading order (events before their call's start, late events, legs per queue).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_ingest import START, bench_config, call_schema, remove_db  # noqa: E402

#: Days of history: about 700,000 queue_log lines (the issue's file), and ``--quick``'s.
FULL_DAYS = 420
QUICK_DAYS = 60

_OURS = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
from tests.bench.bench_ingest import bench_config
from carewatch.ingest import ingest_paths
from carewatch.store import Store
t = time.perf_counter()
store = Store(sys.argv[2])
try:
    summary = ingest_paths(store, bench_config(), [sys.argv[1]], "queue_log")
finally:
    store.close()
took = time.perf_counter() - t
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
import resource
reading = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"took": took, "calls": summary.added, "events": summary.agent_events,
                  "skipped": summary.skipped, "rss": int(status["VmHWM"].split()[0]) / 1024,
                  "reading_rss": reading}))
"""

#: ``carewatch ingest FILE --follow`` started behind the whole file: its follower
#: (``service_follower``) catching up in one poll.
_FOLLOW = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
from tests.bench.bench_ingest import bench_config
from carewatch.ingest.follower import service_follower
from carewatch.store import Store
t = time.perf_counter()
store = Store(sys.argv[2])
follower = service_follower(store, bench_config(), [(sys.argv[1], "queue_log")])
try:
    summary = follower.poll_once()
finally:
    follower.close()
    store.close()
print(json.dumps({"took": time.perf_counter() - t, "calls": summary.added}))
"""

#: The floor: a plain-Python program, no carewatch code in it.
_FLOOR = """
import json, sqlite3, sys, time
t = time.perf_counter()
path, db, schema = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
ENDS = {"COMPLETEAGENT", "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"}
MISSED = {"EXITWITHTIMEOUT", "EXITWITHKEY", "EXITEMPTY", "LEAVEEMPTY"}
calls = {}  # callid -> [queue, start, answer, end, agent, wait, talk, disposition]
with open(path, encoding="utf-8") as fh:
    for line in fh:
        f = line.rstrip("\\n").split("|")
        if len(f) < 5:
            continue
        when, callid, queue, agent, event = f[0], f[1], f[2], f[3], f[4]
        if event == "ENTERQUEUE":
            calls[callid] = [queue, float(when), None, None, None, None, None, None]
            continue
        row = calls.get(callid)
        if row is None:
            continue
        if event == "CONNECT":
            row[2], row[4], row[5], row[7] = float(when), agent, float(f[5]), "answered"
        elif event in ENDS:
            hold = 2 if event != "COMPLETEAGENT" and event != "COMPLETECALLER" else 0
            row[3], row[4] = float(when), agent
            row[5], row[6] = float(f[5 + hold]), float(f[6 + hold])
        elif event == "ABANDON":
            row[3], row[5], row[7] = float(when), float(f[7]), "abandoned"
        elif event in MISSED:
            row[3], row[7] = float(when), "missed"
now = time.time()
rows = [
    ("queue_log", callid, r[1], r[2], r[3], r[5], r[6], r[0], r[4], "in", r[7], False, now,
     r[0], 1)
    for callid, r in calls.items()
]
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("PRAGMA synchronous=NORMAL")
for sql in schema:
    conn.execute(sql)
conn.execute("BEGIN")
conn.executemany(
    "INSERT INTO cw_call (source, call_id, started_at, answered_at, ended_at, wait_seconds, "
    "talk_seconds, queue, agent, direction, disposition, transferred, updated_at, leg, "
    "change_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    rows,
)
conn.execute("COMMIT")
conn.close()
print(json.dumps({"took": time.perf_counter() - t, "calls": len(rows)}))
"""


def _run(script: str, *args: str) -> dict[str, float]:
    """Run ``script`` in a new interpreter; what it printed last, as JSON."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout.splitlines()[-1]))


def measure(days: int, seed: int, runs: int) -> dict[str, float]:
    """Generate the file and time ours and the floor in turn; medians, and ours's peak RSS."""
    from carewatch.simulate import simulate_history

    config = bench_config()
    with tempfile.TemporaryDirectory(prefix="cw-bench-floor-") as tmp:
        folder = Path(tmp)
        path = folder / "logs" / "queue_log"
        simulate_history(path, "queue_log", days, seed, config, start=START)
        with path.open("rb") as fh:
            lines = sum(1 for line in fh if line.strip())
        ours_db, floor_db = folder / "ours.db", folder / "floor.db"
        schema: list[str] = []
        samples: dict[str, list[float]] = {"ours": [], "floor": [], "ratio": [], "rss": []}
        samples["reading_rss"] = []
        samples["follow"], samples["follow_ratio"] = [], []
        calls = events = 0
        for run in range(runs + 1):  # run 0 warms the page cache and the interpreters up
            remove_db(ours_db)
            remove_db(floor_db)
            ours = _run(_OURS, str(path), str(ours_db), str(ROOT))
            if not schema:
                schema = call_schema(ours_db)
            remove_db(ours_db)
            follow = _run(_FOLLOW, str(path), str(ours_db), str(ROOT))
            assert follow["calls"] == ours["calls"], (follow, ours)
            floor = _run(_FLOOR, str(path), str(floor_db), json.dumps(schema))
            calls, events = int(ours["calls"]), int(ours["events"])
            if run:
                samples["ours"].append(ours["took"])
                samples["floor"].append(floor["took"])
                samples["ratio"].append(ours["took"] / floor["took"])
                samples["rss"].append(ours["rss"])
                samples["reading_rss"].append(ours["reading_rss"])
                samples["follow"].append(follow["took"])
                samples["follow_ratio"].append(follow["took"] / floor["took"])
        remove_db(ours_db)
        remove_db(floor_db)
    out = {key: statistics.median(values) for key, values in samples.items()}
    out.update(lines=lines, calls=calls, events=events, floor_calls=floor["calls"])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--days", type=int, default=None, help=f"days of history ({FULL_DAYS})")
    ap.add_argument("--seed", type=int, default=7, help="simulator seed (7)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs, median taken (3)")
    ap.add_argument("--quick", action="store_true", help=f"{QUICK_DAYS} days, 2 runs")
    args = ap.parse_args(argv)
    days = args.days or (QUICK_DAYS if args.quick else FULL_DAYS)
    runs = 2 if args.quick and args.runs == 3 else args.runs
    load = os.getloadavg()
    print(
        f"load average at start: {load[0]:.2f} ({os.cpu_count()} CPUs); "
        f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}"
    )
    t = time.perf_counter()
    got = measure(days, args.seed, runs)
    print(f"median of {runs} runs, seed {args.seed}, {days} days ({time.perf_counter() - t:.0f} s)")
    print(f"lines                    {got['lines']:>12,.0f}")
    print(f"calls (ours / floor)     {got['calls']:>12,.0f} / {got['floor_calls']:,.0f}")
    print(f"agent events (ours only) {got['events']:>12,.0f}")
    for label, key in (("ours: ingest_paths", "ours"), ("floor: plain Python", "floor")):
        print(f"{label:25}{got[key]:>12.2f} s   {got['lines'] / got[key]:,.0f} lines/s")
    print(f"ours / floor             {got['ratio']:>12.2f}x  (goal <= 2.0x)")
    print(
        f"ingest --follow catch-up {got['follow']:>12.2f} s   = {got['follow_ratio']:.2f}x floor, "
        f"{got['follow'] / got['ours']:.2f}x the one-shot"
    )
    print(f"peak RSS of ours         {got['rss']:>12.0f} MB  (goal <= 300 MB)")
    print(f"  of its reading process {got['reading_rss']:>12.0f} MB  (0: none)")
    load = os.getloadavg()
    print(f"load average at end: {load[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
