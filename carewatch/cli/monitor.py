"""``carewatch monitor`` (the live screen, the default command) and ``carewatch demo``
(the live screen on simulated calls)."""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path

from carewatch.cli.common import (
    EXIT_OK,
    Command,
    Failure,
    UsageError,
    config_of,
    database_of,
    operator_of,
    say,
    whole_days,
)
from carewatch.i18n import N_, _
from carewatch.records import LOG_FORMATS as FORMATS

DEMO_DIR = "carewatch-demo"


def watch_spec(value: str) -> tuple[str, str | None]:
    """``PATH`` or ``PATH:FORMAT`` -> (path, format or None)."""
    path, sep, fmt = value.rpartition(":")
    if sep and fmt in FORMATS:
        return path, fmt
    return value, None


def _add_operator(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--operator", metavar="NAME", help=_("who tags on this screen (default: login name)")
    )


def _add_wall(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wall",
        action="store_true",
        help=_("start on the wallboard: big figures for a TV, rotating through the queues"),
    )


def add_monitor_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--watch",
        action="append",
        metavar="PATH[:FORMAT]",
        help=_("a call-log file or folder to follow (repeatable); format detected unless given"),
    )
    _add_operator(parser)
    _add_wall(parser)


def run_monitor(args: argparse.Namespace) -> int:
    config = config_of(args)
    db = database_of(args, config)
    watch = [watch_spec(w) for w in (args.watch or [])]
    watch += config.source_specs
    from carewatch.store import Store

    Store(db).close()  # a database that cannot be opened fails here, with one line
    from carewatch.tui.app import create_app
    from carewatch.tui.state import default_state_path

    app = create_app(
        config,
        db,
        watch=watch,
        operator=operator_of(args),
        wall=args.wall,
        state_path=default_state_path(),
    )
    app.run()
    return EXIT_OK


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    _add_operator(parser)
    _add_wall(parser)
    parser.add_argument(
        "--dir",
        default=DEMO_DIR,
        metavar="DIR",
        help=_("where the demo keeps its files (default: {dir})").format(dir=DEMO_DIR),
    )
    parser.add_argument(
        "--seed", type=int, default=7, help=_("simulator seed (default: {seed})").format(seed=7)
    )
    parser.add_argument(
        "--days",
        type=whole_days,
        default=8,
        help=_("days of history, today included (default: {days})").format(days=8),
    )
    parser.add_argument(
        "--speed", type=float, default=1.0, help=_("time compression of the live calls")
    )


def run_demo(args: argparse.Namespace) -> int:
    from carewatch.config.screen import operator_agents
    from carewatch.demo import (
        DEMO_WARMUP,
        DemoError,
        demo_clock,
        demo_config,
        demo_start,
        prepare_demo,
        start_live_feed,
    )
    from carewatch.tui.app import DemoFeed, create_app
    from carewatch.tui.state import default_state_path

    if args.speed <= 0:
        raise UsageError(_("--speed: expected a positive number"))
    if getattr(args, "db", None):
        # the demo starts its database afresh: it never takes a --db that may be the site's
        raise UsageError(
            _(
                "demo: --db is not used: the demo keeps its own database in {db} (--dir moves it)"
            ).format(db=f"{args.dir}/demo.db")
        )
    operator = operator_of(args)
    config = demo_config(config_of(args), operator)
    real_start = time.time()
    start = demo_start(real_start, config.tz)
    clock = demo_clock(start, args.speed)
    folder = Path(args.dir)
    try:
        setup = prepare_demo(
            folder, config, seed=args.seed, days=args.days, now=start, warmup=DEMO_WARMUP
        )
    except (DemoError, OSError) as exc:
        raise Failure(_("demo: {error}").format(error=exc)) from None
    skip = operator_agents(config.operators, operator)

    def live_feed(stop: threading.Event) -> None:
        start_live_feed(setup, config, stop, clock=clock, skip=skip)

    label = _("DEMO") if abs(start - real_start) < 1 else _("DEMO · simulated time")
    app = create_app(
        config,
        setup.db,
        watch=[(str(setup.live_log), "queue_log")],
        operator=operator,
        clock=clock,
        demo=DemoFeed(run=live_feed, label=label),
        wall=args.wall,
        state_path=default_state_path(),
    )
    app.run()
    say(
        _(
            "demo data kept in {folder}/ (database {db}); run 'carewatch demo' to start afresh"
        ).format(folder=folder, db=setup.db),
        out=True,
    )
    return EXIT_OK


COMMANDS = (
    Command(
        name="monitor",
        help=N_("the live screen (the default command)"),
        add_arguments=add_monitor_arguments,
        run=run_monitor,
    ),
    Command(
        name="demo",
        help=N_("the live screen on simulated calls arriving in real time (start here)"),
        description=N_(
            "Writes a week of simulated history and live calls into ./carewatch-demo/ "
            "(a SQLite database and the call logs) and opens the live screen on them. "
            "Each run starts afresh. Outside a weekday's working hours the demo runs on "
            "simulated time (10:30 of a working day), so it always shows a working day; you "
            "play the operator Hugo unless the config maps your login in [operators]."
        ),
        add_arguments=add_demo_arguments,
        run=run_demo,
    ),
)
