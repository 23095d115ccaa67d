"""Benchmark of the command line's start (not collected by pytest).

    python tests/bench/bench_startup.py [--runs 10]

Times, as a user runs them (``python -m carewatch``, each in a new process; the ``carewatch``
script of an installation starts the same way), median of ``--runs`` rounds in which every
command runs once in turn:

* ``carewatch --help``;
* ``carewatch --db X tag CALL --category C`` on a small database (the category alternates,
  so every run writes a tag), with the shipped config;
* the same with a config of a centre's own (``--config``, the telecom example: its own
  categories and outcomes), a cache folder of the run's own: the first run validates the
  config with the models and keeps what tag reads of it, and is reported apart; the median
  is of the runs after it, which read the kept file;
* the baseline, in the same rounds: ``python -c pass`` (the interpreter's own start).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from carewatch.records import CallUpdate
from carewatch.store import Store

ROOT = Path(__file__).resolve().parents[2]
#: A config of a centre's own for the second tag figure.
OWN_CONFIG = ROOT / "config" / "examples" / "telecom-call-centre.toml"


@dataclass(frozen=True)
class Startup:
    """Medians in seconds."""

    python: float
    help: float
    tag: float
    #: With a config of its own: the runs that read the kept file; the first run (validating).
    tag_own: float
    tag_own_first: float


def measure(runs: int) -> Startup:
    """Time the commands in a temporary folder with a database of one call."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory(prefix="cw-start-") as tmp:
        env["XDG_CONFIG_HOME"] = str(Path(tmp) / "xdg")  # the default config only
        env["CAREWATCH_SYSTEM_CONFIG_DIR"] = str(Path(tmp) / "etc")
        env["CAREWATCH_CACHE"] = str(Path(tmp) / "cache")  # empty: the first run validates
        db = str(Path(tmp) / "cw.db")
        with Store(db) as store:
            update = CallUpdate(
                "C1", {"started_at": 1_715_670_000.0, "answered_at": 1_715_670_010.0}
            )
            store.ingest("bench", [(1, update)])
        python = [sys.executable]
        categories = iter(("shipping", "order") * runs * 2)
        own = iter(("Streaming", "Admin Support") * runs * 2)
        commands = {
            "python": lambda: [*python, "-c", "pass"],
            "help": lambda: [*python, "-m", "carewatch", "--help"],
            "tag": lambda: [
                *python,
                "-m",
                "carewatch",
                "--db",
                db,
                "tag",
                "C1",
                "--category",
                next(categories),
            ],
            "tag_own": lambda: [
                *python,
                "-m",
                "carewatch",
                "--config",
                str(OWN_CONFIG),
                "--db",
                db,
                "tag",
                "C1",
                "--category",
                next(own),
            ],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        first: dict[str, float] = {}
        for n in range(runs + 1):
            for name, command in commands.items():
                argv = command()
                t = time.perf_counter()
                subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
                if n:  # the first round warms the file cache
                    times[name].append(time.perf_counter() - t)
                else:
                    first[name] = time.perf_counter() - t
    med = {name: statistics.median(ts) for name, ts in times.items()}
    return Startup(med["python"], med["help"], med["tag"], med["tag_own"], first["tag_own"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    got = measure(args.runs)
    print(f"carewatch start — median of {args.runs} rounds, Python {sys.version.split()[0]}")
    print(f"  baseline: python -c pass          {got.python * 1000:5.0f} ms")
    for name, t in (
        ("carewatch --help", got.help),
        ("carewatch tag (one call)", got.tag),
        ("carewatch tag, own config", got.tag_own),
    ):
        print(
            f"  {name:32} {t * 1000:5.0f} ms = {t / got.python:4.1f}x python's start "
            f"(≤ 150 ms: {'yes' if t <= 0.150 else 'NO'})"
        )
    print(
        f"  {'(its first run: validates, keeps)':32} {got.tag_own_first * 1000:5.0f} ms "
        "(one run, the round that warms the file cache; not in the median)"
    )


if __name__ == "__main__":
    main()
