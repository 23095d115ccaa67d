"""``carewatch report``: the end-of-day summary of one day, in a chosen format."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from carewatch.cli.common import EXIT_OK, Command, Failure, config_of, open_store, parse_date


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from carewatch.report import FORMATS as REPORT_FORMATS

    parser.add_argument("--date", metavar="YYYY-MM-DD", help="the day (default: today)")
    parser.add_argument("--format", choices=REPORT_FORMATS, default="text")
    parser.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    parser.add_argument("--calls", action="store_true", help="add one line per call")


def run(args: argparse.Namespace) -> int:
    from carewatch.report import build_report, render

    config = config_of(args)
    day = parse_date(args.date) if args.date else datetime.now(config.tz).date()
    with open_store(args, config, read_only=True) as store:
        report = build_report(store, config, day, with_calls=args.calls)
    color = args.output is None and args.format == "text" and sys.stdout.isatty()
    text = render(report, args.format, color=color)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise Failure(f"cannot write {args.output}: {exc.strerror or exc}") from None
        print(f"report for {day.isoformat()} written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK


COMMAND = Command(
    name="report", help="the end-of-day summary", add_arguments=add_arguments, run=run
)
