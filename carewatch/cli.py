"""The command line: ``carewatch [monitor|demo|ingest|tag|report|simulate]``.

Exit status: 0 success, 2 bad usage or bad config, 1 a failure at run time. Errors are one
line on stderr, never a traceback (set ``CAREWATCH_DEBUG=1`` to see one).
"""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

from carewatch import __version__
from carewatch.config import FORMATS, Config, ConfigError, load_config
from carewatch.store import Store, StoreError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

DEMO_DIR = "carewatch-demo"


class UsageError(Exception):
    """Bad arguments found after parsing (exit 2)."""


class Failure(Exception):
    """A failure at run time (exit 1)."""


# -- shared plumbing --------------------------------------------------------------------------
def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="config file (default: $CAREWATCH_CONFIG, else the built-in config/carewatch.toml)",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="database: a file path or an SQLAlchemy URL "
        "(default: $CAREWATCH_DB, else the config's database, else ./carewatch.db)",
    )


def _config(args: argparse.Namespace) -> Config:
    return load_config(getattr(args, "config", None))


def _db(args: argparse.Namespace, config: Config) -> str:
    return (
        getattr(args, "db", None)
        or os.environ.get("CAREWATCH_DB")
        or config.database
        or "carewatch.db"
    )


def _open_store(args: argparse.Namespace, config: Config) -> Store:
    return Store(_db(args, config))


def _operator(args: argparse.Namespace) -> str:
    name = getattr(args, "operator", None)
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


def _watch_spec(value: str) -> tuple[str, str | None]:
    """``PATH`` or ``PATH:FORMAT`` -> (path, format or None)."""
    path, sep, fmt = value.rpartition(":")
    if sep and fmt in FORMATS:
        return path, fmt
    return value, None


def _install_stop_signals(stop: threading.Event) -> None:
    def handler(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


# -- commands ---------------------------------------------------------------------------------
def cmd_monitor(args: argparse.Namespace) -> int:
    config = _config(args)
    db = _db(args, config)
    watch = [_watch_spec(w) for w in (args.watch or [])]
    watch += config.source_specs
    Store(db).close()  # a database that cannot be opened fails here, with one line
    from carewatch.tui.app import create_app

    app = create_app(config, db, watch=watch, operator=_operator(args))
    app.run()
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from carewatch.demo import DemoError, prepare_demo, start_live_feed
    from carewatch.tui.app import create_app

    config = _config(args)
    folder = Path(args.dir)
    try:
        setup = prepare_demo(folder, config, seed=args.seed, days=args.days)
    except (DemoError, OSError) as exc:
        raise Failure(f"demo: {exc}") from None
    if args.speed <= 0:
        raise UsageError("--speed: expected a positive number")
    t0 = time.time()
    speed = args.speed

    def demo_clock() -> float:
        # the simulator's time: at --speed N it runs N times faster than the wall clock
        return t0 + (time.time() - t0) * speed

    app = create_app(
        config,
        setup.db,
        watch=[(str(setup.live_log), "queue_log")],
        operator=_operator(args),
        clock=demo_clock,
        on_start=lambda stop: start_live_feed(setup, config, stop, speed=speed),
    )
    app.run()
    print(
        f"demo data kept in {folder}/ (database {setup.db}); run 'carewatch demo' to start afresh"
    )
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    from carewatch.ingest import Follower, IngestError, ingest_paths

    config = _config(args)
    paths: list[tuple[str, str | None]]
    if args.paths:
        paths = [(p, args.format) for p in args.paths]
    else:
        paths = config.source_specs
        if not paths:
            raise UsageError("no PATH given and the config lists no [[sources]]")
    store = _open_store(args, config)
    try:
        if args.follow:
            stop = threading.Event()
            _install_stop_signals(stop)
            follower = Follower(store, config, paths)
            total = {"added": 0, "updated": 0}

            def on_batch(summary: Any) -> None:
                total["added"] += summary.added
                total["updated"] += summary.updated
                if summary.added or summary.updated or summary.skipped_by_reason:
                    print(summary.summary_line(), flush=True)

            print(
                f"following {', '.join(p for p, _ in paths)} into {store.display_name} "
                "(Ctrl-C to stop)",
                file=sys.stderr,
                flush=True,
            )
            follower.run(stop, on_batch=on_batch)
            print(
                f"stopped: {total['added']:,} calls added, {total['updated']:,} updated",
                file=sys.stderr,
            )
            return EXIT_OK
        try:
            summary = _ingest_with_progress(store, config, paths, ingest_paths)
        except IngestError as exc:
            raise Failure(str(exc)) from None
        print(summary.summary_line())
        if summary.files_not_read and len(summary.files_not_read) >= summary.files:
            # nothing given could be read at all (unknown format, compressed): a failure
            return EXIT_FAILURE
        return EXIT_OK
    finally:
        store.close()


def _ingest_with_progress(
    store: Store, config: Config, paths: list[tuple[str, str | None]], ingest_paths: Any
) -> Any:
    fmt = paths[0][1]
    names = [p for p, _ in paths]
    if not sys.stderr.isatty():
        return ingest_paths(store, config, names, fmt)
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("ingesting"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        transient=True,
        console=None,
    ) as progress:
        task = progress.add_task("ingest", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return ingest_paths(store, config, names, fmt, progress=on_progress)


def _parse_yes_no(value: str) -> bool:
    text = value.strip().lower()
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    raise UsageError(f"--resolved: expected yes or no, not {value!r}")


def _check_choice(kind: str, value: str, valid: list[str]) -> None:
    if value not in valid:
        listed = ", ".join(valid) or "(none in the config)"
        raise UsageError(f"unknown {kind} {value!r}; valid: {listed}")


def cmd_tag(args: argparse.Namespace) -> int:
    config = _config(args)
    changes: list[tuple[str, Any]] = []
    if args.category is not None:
        _check_choice("category", args.category, [c.name for c in config.categories])
        changes.append(("category", args.category))
    if args.outcome is not None:
        _check_choice("outcome", args.outcome, [o.name for o in config.outcomes])
        changes.append(("outcome", args.outcome))
    if args.resolved is not None:
        changes.append(("resolved", _parse_yes_no(args.resolved)))
    if args.note is not None:
        changes.append(("note", args.note))
    if not changes:
        raise UsageError("nothing to tag: give --category, --outcome, --resolved or --note")
    with _open_store(args, config) as store:
        calls = store.find_calls(args.call_id)
        if args.source:
            calls = [c for c in calls if c.source == args.source]
        if not calls:
            raise Failure(f"no call with id {args.call_id!r} in {store.display_name}")
        if len(calls) > 1:
            sources = ", ".join(sorted(c.source for c in calls))
            raise UsageError(
                f"call id {args.call_id!r} is in several sources ({sources}); add --source"
            )
        call = calls[0]
        operator = _operator(args)
        written = 0
        for field_name, value in changes:
            if store.tag(call.id, field_name, value, operator) is not None:
                written += 1
    print(f"call {args.call_id}: {written} tag(s) written, {len(changes) - written} unchanged")
    return EXIT_OK


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--date: expected YYYY-MM-DD, not {value!r}") from None


def cmd_report(args: argparse.Namespace) -> int:
    from carewatch.report import build_report, render

    config = _config(args)
    day = _parse_date(args.date) if args.date else datetime.now(config.tz).date()
    with _open_store(args, config) as store:
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


def cmd_simulate(args: argparse.Namespace) -> int:
    from carewatch.simulate import run_live, simulate_history

    config = _config(args)
    out = Path(args.out)
    start = _parse_date(args.start) if args.start else None
    try:
        if args.live:
            stop = threading.Event()
            _install_stop_signals(stop)
            print(f"appending live calls to {out} (Ctrl-C to stop)", file=sys.stderr, flush=True)
            n = run_live(out, args.format, args.seed, config, speed=args.speed, stop=stop)
            print(f"stopped after {n:,} calls", file=sys.stderr)
        else:
            n = simulate_history(out, args.format, args.days, args.seed, config, start=start)
            print(f"{n:,} calls over {args.days} days written to {out}", file=sys.stderr)
    except OSError as exc:
        raise Failure(f"cannot write {out}: {exc.strerror or exc}") from None
    return EXIT_OK


# -- parser -----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="carewatch",
        description="Live customer-care KPIs from a phone system's call logs. "
        "Without a command, opens the live screen (monitor).",
    )
    parser.add_argument("--version", action="version", version=f"carewatch {__version__}")
    _common(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("monitor", help="the live screen (the default command)")
    _common(p)
    p.add_argument(
        "--watch",
        action="append",
        metavar="PATH[:FORMAT]",
        help="a call-log file or folder to follow (repeatable); format detected unless given",
    )
    p.add_argument(
        "--operator", metavar="NAME", help="who tags on this screen (default: login name)"
    )
    p.set_defaults(func=cmd_monitor)

    p = sub.add_parser(
        "demo",
        help="the live screen on simulated calls arriving in real time (start here)",
        description="Writes a week of simulated history and live calls into ./carewatch-demo/ "
        "(a SQLite database and the call logs) and opens the live screen on them. "
        "Each run starts afresh.",
    )
    _common(p)
    p.add_argument(
        "--operator", metavar="NAME", help="who tags on this screen (default: login name)"
    )
    p.add_argument(
        "--dir", default=DEMO_DIR, help=f"where the demo keeps its files (default: {DEMO_DIR})"
    )
    p.add_argument("--seed", type=int, default=7, help="simulator seed (default: 7)")
    p.add_argument(
        "--days", type=int, default=8, help="days of history, today included (default: 8)"
    )
    p.add_argument("--speed", type=float, default=1.0, help="time compression of the live calls")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "ingest",
        help="read call logs into the database",
        description="Read call-log files (or folders) into the database, from the last committed "
        "position: running it again adds nothing. Formats: " + ", ".join(FORMATS) + ".",
    )
    _common(p)
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or folders (default: config sources)"
    )
    p.add_argument("--format", choices=FORMATS, help="log format (default: detected from content)")
    p.add_argument(
        "--follow", action="store_true", help="keep reading as the files grow (Ctrl-C stops)"
    )
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("tag", help="tag one call from a script")
    _common(p)
    p.add_argument("call_id", metavar="CALL_ID")
    p.add_argument("--category")
    p.add_argument("--outcome")
    p.add_argument("--resolved", metavar="yes/no")
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--operator", metavar="NAME", help="who tags (default: login name)")
    p.add_argument("--source", metavar="NAME", help="the source, when the id is in several")
    p.set_defaults(func=cmd_tag)

    from carewatch.report import FORMATS as REPORT_FORMATS

    p = sub.add_parser("report", help="the end-of-day summary")
    _common(p)
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the day (default: today)")
    p.add_argument("--format", choices=REPORT_FORMATS, default="text")
    p.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--calls", action="store_true", help="add one line per call")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "simulate",
        help="write realistic call logs",
        description="Write a realistic call history (or live appends) for demos, tests and "
        "benchmarks. The same seed and start give the same bytes.",
    )
    _common(p)
    p.add_argument("--out", required=True, metavar="PATH")
    p.add_argument("--format", choices=("csv", "jsonl", "queue_log"), default="queue_log")
    p.add_argument("--days", type=int, default=8, help="days of history, ending today (default: 8)")
    p.add_argument("--start", metavar="YYYY-MM-DD", help="first day (default: today − days + 1)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--live", action="store_true", help="append calls in real time until Ctrl-C")
    p.add_argument("--speed", type=float, default=1.0, help="time compression with --live")
    p.set_defaults(func=cmd_simulate)
    return parser


def _fail(message: str, status: int) -> NoReturn:
    print(f"carewatch: {message}", file=sys.stderr)
    raise SystemExit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``carewatch`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        args = parser.parse_args([*(argv if argv is not None else sys.argv[1:]), "monitor"])
    try:
        return int(args.func(args))
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
    except UsageError as exc:
        _fail(str(exc), EXIT_USAGE)
    except (Failure, StoreError) as exc:
        _fail(str(exc), EXIT_FAILURE)
    except KeyboardInterrupt:
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("CAREWATCH_DEBUG"):
            raise
        _fail(f"unexpected error: {type(exc).__name__}: {exc}", EXIT_FAILURE)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
