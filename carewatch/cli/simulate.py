"""``carewatch simulate``: write realistic call logs (a history, or live appends)."""

from __future__ import annotations

import argparse
import os
import threading
from datetime import date, datetime
from pathlib import Path

from carewatch.cli.common import (
    EXIT_OK,
    Command,
    Failure,
    UsageError,
    config_of,
    faster,
    install_stop_signals,
    parse_date,
    say,
    whole_days,
)
from carewatch.i18n import N_, _, ngettext
from carewatch.present import count

#: The file a log of each format is written to when ``--out`` names a folder (the names the
#: README's examples and the phone systems use).
FILE_NAMES = {"csv": "calls.csv", "jsonl": "calls.jsonl", "queue_log": "queue_log"}


def out_file(out: str, fmt: str) -> Path:
    """The file ``--out`` names: itself, or in a folder (one that exists, or a path ending in
    a separator) the format's usual name (:data:`FILE_NAMES`)."""
    path = Path(out)
    if out.endswith(("/", os.sep)) or path.is_dir():
        return path / FILE_NAMES[fmt]
    return path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help=_(
            "the log file to write; a folder (one that exists, or a path ending in /) gets "
            "the format's usual name inside it: queue_log, calls.csv or calls.jsonl"
        ),
    )
    parser.add_argument(
        "--format",
        choices=FILE_NAMES,
        default="queue_log",
        help=_("the log's format (default: {format})").format(format="queue_log"),
    )
    parser.add_argument(
        "--days",
        type=whole_days,
        default=8,
        help=_("days of history, ending today (default: {days})").format(days=8),
    )
    parser.add_argument(
        "--start",
        metavar="DATE",
        help=_("first day: YYYY-MM-DD, today or yesterday (default: today − days + 1)"),
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=1,
        help=_(
            "the simulator's seed: the same seed and start give the same log (default: {seed})"
        ).format(seed=1),
    )
    parser.add_argument(
        "--live", action="store_true", help=_("append calls in real time until Ctrl-C")
    )
    parser.add_argument(
        "--speed",
        type=faster,
        default=1.0,
        help=_(
            "time compression with --live: calls come SPEED times faster and the times "
            "written run ahead of the clock by as much (carewatch demo shows a screen on that "
            "simulated time)"
        ),
    )


def run(args: argparse.Namespace) -> int:
    from carewatch.simulate import run_live, simulate_history

    config = config_of(args)
    out = out_file(args.out, args.format)
    today = datetime.now(config.tz).date()
    start = parse_date(args.start, today, "--start") if args.start else None
    if not args.live:
        _check_span(start, args.days, today)
    try:
        if args.live:
            stop = threading.Event()
            install_stop_signals(stop)
            appending = _("appending live calls to {path} (Ctrl-C to stop)").format(path=out)
            say(appending)
            n = run_live(out, args.format, args.seed, config, speed=args.speed, stop=stop)
            stopped = ngettext("stopped after {count} call", "stopped after {count} calls", n)
            say(stopped.format(count=count(n)))
        else:
            n = simulate_history(out, args.format, args.days, args.seed, config, start=start)
            written = ngettext(
                "{count} call over {span} written to {path}",
                "{count} calls over {span} written to {path}",
                n,
            )
            span = ngettext("{days} day", "{days} days", args.days).format(days=count(args.days))
            # the summary of what it wrote, as ingest's and tag's: on standard output
            say(written.format(count=count(n), span=span, path=out), out=True)
    except OSError as exc:
        reason = exc.strerror or exc
        raise Failure(_("cannot write {path}: {reason}").format(path=out, reason=reason)) from None
    return EXIT_OK


def _check_span(start: date | None, days: int, today: date) -> None:
    """A history whose days all lie in the days carewatch knows, or :class:`UsageError`."""
    from carewatch.bounds import EARLIEST_DAY, LATEST_DAY

    if start is None and days - 1 > (today - EARLIEST_DAY).days:
        text = _(
            "--days: {days} days up to today start before {first}, the first day carewatch knows"
        )
        raise UsageError(text.format(days=count(days), first=EARLIEST_DAY.isoformat()))
    if start is not None and days - 1 > (LATEST_DAY - start).days:
        text = _("--days: {days} days from {start} end after {last}, the last day carewatch knows")
        raise UsageError(
            text.format(days=count(days), start=start.isoformat(), last=LATEST_DAY.isoformat())
        )


COMMAND = Command(
    name="simulate",
    help=N_("write realistic call logs"),
    description=N_(
        "Write a realistic call history (or live appends) for demos, tests and "
        "benchmarks. The same seed and start give the same bytes."
    ),
    add_arguments=add_arguments,
    run=run,
)
