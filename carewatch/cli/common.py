"""What every command shares: the command registry's entry, errors and exit codes, the
``--config``/``--db`` options, and helpers (operator name, database, dates, stop signals)."""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from carewatch.config import Config, load_config
from carewatch.store import Store, database_url

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


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
    """``--config`` and ``--db``, accepted before and after the command's name."""
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


def config_of(args: argparse.Namespace) -> Config:
    """The config named by ``--config`` (else ``CAREWATCH_CONFIG``, else the default)."""
    return load_config(getattr(args, "config", None))


def database_of(args: argparse.Namespace, config: Config) -> str:
    """``--db``, else ``CAREWATCH_DB``, else the config's database, else ``carewatch.db``."""
    return (
        getattr(args, "db", None)
        or os.environ.get("CAREWATCH_DB")
        or config.database
        or "carewatch.db"
    )


def open_store(args: argparse.Namespace, config: Config) -> Store:
    """The store of :func:`database_of`."""
    return Store(database_of(args, config))


def open_existing_store(args: argparse.Namespace, config: Config) -> Store:
    """The store of :func:`database_of`, which must exist already: a command that only reads
    (``report``, ``callbacks``) never creates a database. A file that does not exist is a
    :class:`Failure` (one line, exit 1) and nothing is created.

    Until the store opens read-only itself, the file is checked here before the store opens
    it; then this becomes ``Store(url, read_only=True)``.
    """
    url = database_url(database_of(args, config))
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None
    if path and path != ":memory:" and not Path(path).exists():
        raise Failure(f"no database at {path} (give --db, or read call logs with carewatch ingest)")
    return Store(url, create=False)


def operator_of(args: argparse.Namespace) -> str:
    """``--operator``, else the login name, else ``operator``."""
    name = getattr(args, "operator", None)
    if name:
        return str(name)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


def parse_date(value: str) -> date:
    """A ``--date``/``--start`` value (``YYYY-MM-DD``), or :class:`UsageError`."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--date: expected YYYY-MM-DD, not {value!r}") from None


def install_stop_signals(stop: threading.Event) -> None:
    """Ctrl-C (SIGINT) and SIGTERM set ``stop`` instead of raising."""

    def handler(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
