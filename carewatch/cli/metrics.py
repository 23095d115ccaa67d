"""``carewatch metrics [--listen HOST:PORT]``: the day's KPIs and the live state in the
Prometheus text format, printed once or served at ``/metrics`` (the ``metrics`` extra)."""

from __future__ import annotations

import argparse
import sys
import threading

from carewatch.cli.common import (
    EXIT_OK,
    Command,
    Failure,
    UsageError,
    config_of,
    database_of,
    install_stop_signals,
    say,
    waiting_for_slot,
)
from carewatch.i18n import N_, _

HELP = N_("the day's KPIs and the live state for Prometheus (printed, or served at /metrics)")
DESCRIPTION = N_(
    "Prints today's KPIs and the live state (waiting, longest wait, operators by state) in the "
    "Prometheus text format, per queue and in total; with --listen, serves them at /metrics "
    "for a scraper, reading the database on every scrape. Needs the metrics extra: "
    "pip install 'carewatch[metrics]'."
)
LISTEN_HELP = N_(
    "serve /metrics at HOST:PORT, e.g. 127.0.0.1:9464 (this machine only) or 0.0.0.0:9464 "
    "(every interface); a bare PORT means 127.0.0.1"
)
NEEDS_EXTRA = N_("carewatch metrics needs prometheus_client: pip install 'carewatch[metrics]'")
BAD_LISTEN = N_("--listen: expected HOST:PORT such as 127.0.0.1:9464, not {value!r}")
CANNOT_LISTEN = N_("cannot listen on {host}:{port}: {reason}")
SERVING = N_("serving metrics at http://{where}/metrics (Ctrl-C to stop)")
LOOPBACK = "127.0.0.1"
#: Seconds a scrape waits for a PostgreSQL connection slot: half Prometheus's default scrape
#: timeout (10 s), so the scrape still answers, with carewatch_database_up 0.
SCRAPE_CONNECT_WAIT = 5.0


def parse_listen(value: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[IPv6]:PORT`` or ``PORT`` (on 127.0.0.1) -> (host, port)."""
    host, sep, port_text = value.strip().rpartition(":")
    if not sep:
        host, port_text = LOOPBACK, value.strip()
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise UsageError(_(BAD_LISTEN).format(value=value))
    return host, int(port_text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--listen", metavar="HOST:PORT", help=_(LISTEN_HELP))


def run(args: argparse.Namespace) -> int:
    listen = parse_listen(args.listen) if args.listen else None
    try:
        from carewatch.metrics import CarewatchCollector, metrics_text, serve
    except ImportError:
        raise Failure(_(NEEDS_EXTRA)) from None
    from carewatch.store import Store

    config = config_of(args)
    db = database_of(args, config)
    if listen is None:
        collector = CarewatchCollector(
            lambda: Store(db, create=False, waiting=waiting_for_slot), config, tell=_said_once
        )
        sys.stdout.write(metrics_text(collector))
        return EXIT_OK
    # a scrape answers "down" before Prometheus gives up on it (10 s by default), rather than
    # wait the 30 s a one-shot command waits for a PostgreSQL connection slot
    collector = CarewatchCollector(
        lambda: Store(db, create=False, connect_wait=SCRAPE_CONNECT_WAIT),
        config,
        tell=_said_serving,
    )
    host, port = listen
    try:
        server, _thread = serve(collector, host, port)
    except OSError as exc:
        reason = exc.strerror or exc
        raise Failure(_(CANNOT_LISTEN).format(host=host, port=port, reason=reason)) from None
    stop = threading.Event()
    install_stop_signals(stop)
    shown = f"[{host}]" if ":" in host else host
    say(_(SERVING).format(where=f"{shown}:{server.server_port}"))
    try:
        stop.wait()
    finally:
        server.shutdown()
        server.server_close()
    return EXIT_OK


def _said_once(problem: str | None) -> None:
    """Why the metrics printed say the database is down (exit status 0: the metrics are
    printed all the same, ``carewatch_database_up 0``)."""
    if problem is not None:
        say(
            _("carewatch: cannot read the database: {error} (carewatch_database_up 0)").format(
                error=problem
            )
        )


def _said_serving(problem: str | None) -> None:
    """The server's log: a scrape that could not read the database, and the first that
    could again."""
    if problem is None:
        say(_("recovered: the database can be read again (carewatch_database_up 1)"))
    else:
        say(
            _("problem: {error}; carewatch_database_up is 0 until it can be read").format(
                error=problem
            )
        )


COMMAND = Command(
    name="metrics", help=HELP, description=DESCRIPTION, add_arguments=add_arguments, run=run
)
