"""``carewatch simulate``: write realistic call logs (a history, or live appends)."""

from __future__ import annotations

import argparse
import sys
import threading
from datetime import datetime
from pathlib import Path

from carewatch.cli.common import (
    EXIT_OK,
    Command,
    Failure,
    config_of,
    install_stop_signals,
    parse_date,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="PATH")
    parser.add_argument("--format", choices=("csv", "jsonl", "queue_log"), default="queue_log")
    parser.add_argument(
        "--days", type=int, default=8, help="days of history, ending today (default: 8)"
    )
    parser.add_argument(
        "--start",
        metavar="DATE",
        help="first day: YYYY-MM-DD, today or yesterday (default: today − days + 1)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--live", action="store_true", help="append calls in real time until Ctrl-C"
    )
    parser.add_argument("--speed", type=float, default=1.0, help="time compression with --live")


def run(args: argparse.Namespace) -> int:
    from carewatch.simulate import run_live, simulate_history

    config = config_of(args)
    out = Path(args.out)
    today = datetime.now(config.tz).date()
    start = parse_date(args.start, today, "--start") if args.start else None
    try:
        if args.live:
            stop = threading.Event()
            install_stop_signals(stop)
            print(f"appending live calls to {out} (Ctrl-C to stop)", file=sys.stderr, flush=True)
            n = run_live(out, args.format, args.seed, config, speed=args.speed, stop=stop)
            print(f"stopped after {n:,} calls", file=sys.stderr)
        else:
            n = simulate_history(out, args.format, args.days, args.seed, config, start=start)
            print(f"{n:,} calls over {args.days} days written to {out}", file=sys.stderr)
    except OSError as exc:
        raise Failure(f"cannot write {out}: {exc.strerror or exc}") from None
    return EXIT_OK


COMMAND = Command(
    name="simulate",
    help="write realistic call logs",
    description="Write a realistic call history (or live appends) for demos, tests and "
    "benchmarks. The same seed and start give the same bytes.",
    add_arguments=add_arguments,
    run=run,
)
