"""``carewatch report``: the end-of-day summary of one day, in a chosen format."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from datetime import datetime
from pathlib import Path

from carewatch.cli.common import (
    EXIT_OK,
    Command,
    Failure,
    UsageError,
    config_of,
    open_store,
    parse_date,
)

#: The reproducible-builds variable: when set, the report says it was printed then.
PRINTED_AT_ENV = "SOURCE_DATE_EPOCH"
BAD_PRINTED_AT = PRINTED_AT_ENV + ": expected whole seconds since 1970, not {value!r}"


def printed_at() -> float | None:
    """``SOURCE_DATE_EPOCH`` as the time the report is printed (docs and tests that compare
    a report with a stored one), ``None`` when unset."""
    value = os.environ.get(PRINTED_AT_ENV, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise UsageError(BAD_PRINTED_AT.format(value=value))
    return float(value)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from carewatch.report import FORMATS as REPORT_FORMATS

    parser.add_argument(
        "--date", metavar="DATE", help="the day: YYYY-MM-DD, today or yesterday (default: today)"
    )
    parser.add_argument("--format", choices=REPORT_FORMATS, default="text")
    parser.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    parser.add_argument("--calls", action="store_true", help="add one line per call")


def run(args: argparse.Namespace) -> int:
    from carewatch.kpi.windows import day_window
    from carewatch.report import build_report, render
    from carewatch.terminal import wants_colour

    config = config_of(args)
    today = datetime.now(config.tz).date()
    day = parse_date(args.date, today) if args.date else today
    stamp = printed_at()
    with open_store(args, config, read_only=True) as store:
        report = build_report(store, config, day, with_calls=args.calls)
        window = day_window(day, config.tz)
        ignored = store.implausible_calls(window.start, window.end)
    if ignored:
        print(
            f"note: {ignored:,} call(s) of {day.isoformat()} hold a value out of physical sense "
            "(written by another program); it is read as unknown",
            file=sys.stderr,
        )
    if stamp is not None:
        report = dataclasses.replace(report, generated_at=stamp)
    color = args.output is None and args.format == "text" and wants_colour(sys.stdout)
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
