"""What every command shares: the command registry's entry, errors and exit codes, the
``--config``/``--db`` options, and helpers (operator name, database, dates, stop signals)."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from carewatch.i18n import LANGUAGES, _

if TYPE_CHECKING:
    from carewatch.config import Config
    from carewatch.store import Store

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
#: A command stopped by Ctrl-C before it was done (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


class NamesDatabase(Protocol):
    """A config, or the part of it a command reads, that may name the database."""

    @property
    def database(self) -> str | None: ...


class UsageError(Exception):
    """Bad arguments found after parsing (exit 2)."""


class Failure(Exception):
    """A failure at run time (exit 1)."""


@dataclass(frozen=True)
class Command:
    """One subcommand: its name and help, the options it adds, and the function it runs.

    ``run`` returns the exit status; it raises :class:`UsageError` or :class:`Failure`
    (or ``ConfigError``/``StoreError``) for the one-line errors. A command module keeps its
    heavy imports inside ``run``, so ``carewatch --help`` stays fast.
    """

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    description: str | None = None


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """``--config``, ``--db`` and ``--lang``, accepted before and after the command's name
    (``--lang`` is acted on before parsing, by :mod:`carewatch.cli.language`)."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help=_(
            "config file, on top of /etc/carewatch/carewatch.toml and "
            "~/.config/carewatch/carewatch.toml (default: $CAREWATCH_CONFIG)"
        ),
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help=_(
            "database: an SQLite file's path or a postgresql:// URL "
            "(default: $CAREWATCH_DB, else the config's database, else ./carewatch.db)"
        ),
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help=_(
            "language of the messages, the help, the report and the screen "
            "(default: the config's [ui] language, else $LC_ALL, $LC_MESSAGES, $LANG)"
        ),
    )


def config_of(args: argparse.Namespace) -> Config:
    """The effective config: the built-in default ← /etc ← the user's ← ``--config`` (else
    ``CAREWATCH_CONFIG``) ← ``CAREWATCH_DB`` ← ``--db``."""
    from carewatch.config import load_config

    config = load_config(getattr(args, "config", None), db=getattr(args, "db", None))
    if not config.timezone:
        _warn_tz_env(config.timezone_name)
    return config


_told_tz: list[str] = []


def _warn_tz_env(zone: str) -> None:
    """Say once that ``TZ`` names no zone and which one the times are in instead (the
    config's ``timezone`` was not set, so the machine's zone counts)."""
    from carewatch.timeutil import tz_env_problem

    value = tz_env_problem()
    if value is None or value in _told_tz:
        return
    _told_tz.append(value)
    say(
        _(
            "warning: TZ={value} names no time zone carewatch knows (a name such as "
            "Europe/Rome); times are in {zone}, the system's zone. Set timezone in the "
            "config, or correct TZ."
        ).format(value=value, zone=zone)
    )


def database_of(args: argparse.Namespace, config: NamesDatabase) -> str:
    """``--db``, else ``CAREWATCH_DB``, else the config's database, else ``carewatch.db``."""
    return (
        getattr(args, "db", None)
        or os.environ.get("CAREWATCH_DB")
        or config.database
        or "carewatch.db"
    )


def open_store(
    args: argparse.Namespace,
    config: NamesDatabase,
    *,
    read_only: bool = False,
    create: bool = True,
) -> Store:
    """The store of :func:`database_of` (``read_only``: for commands that never write;
    ``create=False``: for commands that write to a database that must exist already)."""
    from carewatch.store import Store

    return Store(
        database_of(args, config), read_only=read_only, create=create, waiting=waiting_for_slot
    )


def operator_of(args: argparse.Namespace) -> str:
    """``--operator``, else the login name, else ``operator``. A name longer than the
    database keeps is a usage error (PostgreSQL would refuse every tag and issue)."""
    from carewatch.records import TEXT_MAX  # what the database keeps of an operator's name

    name = getattr(args, "operator", None)
    if name:
        if len(name) > TEXT_MAX:
            raise UsageError(
                _("--operator: at most {limit} characters, not {length}").format(
                    limit=TEXT_MAX, length=len(name)
                )
            )
        return str(name)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


def say(text: str, *, out: bool = False) -> None:
    """One message of a command, on standard error (``out``: standard output, for the one
    summary line of what a command wrote; the rule is the README's, "Commands"), flushed,
    with every control character written out
    (:func:`carewatch.present.printable`): a file's or a database's name with an escape
    sequence in it reads as what it is."""
    from carewatch.present import printable

    print(printable(text), file=sys.stdout if out else sys.stderr, flush=True)


#: How long a command that writes waits in silence before saying it is waiting for the
#: database (another program's write lock, a slow server).
PATIENCE_SECONDS = 3.0


@contextlib.contextmanager
def patience(name: str, *, no_slot: bool = False) -> Iterator[None]:
    """Inside the block, say once on standard error that the command is still waiting for
    the database ``name`` when the block has taken :data:`PATIENCE_SECONDS` (it then goes on
    waiting: the database's own retries decide when to give up). ``no_slot``: it waits for
    its server to have a connection free, not for another program's write."""
    if no_slot:
        text = _(
            "waiting for the database {name} (its server has no connection free; Ctrl-C gives up)"
        )
    else:
        text = _(
            "waiting for the database {name} (another program may be writing to it; "
            "Ctrl-C gives up)"
        )
    timer = threading.Timer(PATIENCE_SECONDS, lambda: say(text.format(name=name)))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def waiting_for_slot(name: str) -> contextlib.AbstractContextManager[object]:
    """What a command does while its database's server has no connection free: it says so
    after :data:`PATIENCE_SECONDS` (the ``waiting`` of :class:`~carewatch.store.Store`)."""
    return patience(name, no_slot=True)


def whole_days(text: str) -> int:
    """An argparse ``type`` for a number of days: a whole number from 1 (a usage error, exit 2,
    otherwise)."""
    try:
        days = int(text)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(
            _("expected a whole number of days from 1, not {text!r}").format(text=text)
        )
    return days


def mail_address(text: str) -> str:
    """An argparse ``type`` for an e-mail address (``manager@example.com``, ``ops@mailhost``,
    or with a name, ``Ada <ada@example.com>``): a usage error before anything is read or
    sent otherwise."""
    from email.utils import parseaddr

    _name, address = parseaddr(text)
    local, at, domain = address.rpartition("@")
    whole = at and local and domain and "@" not in local and address.isprintable()
    if not whole or " " in address:
        raise argparse.ArgumentTypeError(
            _("expected an e-mail address such as manager@example.com, not {text!r}").format(
                text=text
            )
        )
    return text


def faster(text: str) -> float:
    """An argparse ``type`` for a time compression: a number above 0."""
    try:
        speed = float(text)
    except ValueError:
        speed = 0.0
    if not 0 < speed < float("inf"):
        raise argparse.ArgumentTypeError(
            _("expected a number above 0, not {text!r}").format(text=text)
        )
    return speed


def parse_date(value: str, today: date, option: str = "--date") -> date:
    """A ``--date``/``--start`` value: ``YYYY-MM-DD``, ``today`` or ``yesterday`` (the local
    ``today`` given), or :class:`UsageError`."""
    from carewatch.kpi.windows import parse_day

    try:
        return parse_day(option, value, today)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def install_stop_signals(stop: threading.Event) -> None:
    """Ctrl-C (SIGINT) and SIGTERM set ``stop`` instead of raising."""

    def handler(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
