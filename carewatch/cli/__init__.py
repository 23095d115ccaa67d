"""The command line: ``carewatch [monitor|demo|ingest|tag|report|callbacks|simulate|serve|db|…]``.

Exit status: 0 success, 2 bad usage or bad config, 1 a failure at run time. Errors are one
line on stderr, never a traceback (set ``CAREWATCH_DEBUG=1`` to see one).

Each command lives in a module of its own (``monitor`` holds monitor and demo) and describes
itself with a :class:`~carewatch.cli.common.Command`: name, help, the options it adds, the
function it runs. :data:`COMMANDS` registers them by name, in the order ``--help`` lists
them; :func:`build_parser` and :func:`main` know nothing of any one command.
"""

from __future__ import annotations

import argparse
import errno
import io
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

import carewatch.cli.callbacks as callbacks
import carewatch.cli.completion as completion
import carewatch.cli.config as config_command
import carewatch.cli.db as db
import carewatch.cli.ingest as ingest
import carewatch.cli.metrics as metrics
import carewatch.cli.monitor as monitor
import carewatch.cli.report as report
import carewatch.cli.serve as serve
import carewatch.cli.simulate as simulate
import carewatch.cli.tag as tag
from carewatch import __version__
from carewatch.cli.common import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    Command,
    Failure,
    UsageError,
    add_common_options,
    say,
)
from carewatch.i18n import _

#: Every command by name, in the order the help lists them.
COMMANDS: dict[str, Command] = {
    command.name: command
    for command in (
        *monitor.COMMANDS,
        ingest.COMMAND,
        tag.COMMAND,
        report.COMMAND,
        callbacks.COMMAND,
        simulate.COMMAND,
        metrics.COMMAND,
        config_command.COMMAND,
        completion.command(lambda: build_parser()),
        db.COMMAND,
        serve.COMMAND,
    )
}

#: The command run when none is given.
DEFAULT_COMMAND = "monitor"


def build_parser() -> argparse.ArgumentParser:
    """The ``carewatch`` argument parser, with a subparser per registered command."""
    parser = argparse.ArgumentParser(
        prog="carewatch",
        description=_(
            "Live customer-care KPIs from a phone system's call logs. "
            "Without a command, opens the live screen (monitor)."
        ),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"carewatch {__version__}",
        help=_("show program's version number and exit"),
    )
    add_common_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS.values():
        description = _(command.description) if command.description else None
        p = sub.add_parser(command.name, help=_(command.help), description=description)
        add_common_options(p)
        command.add_arguments(p)
    return parser


def _fail(message: str, status: int) -> NoReturn:
    say(f"carewatch: {message}")
    raise SystemExit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``carewatch`` command."""
    from carewatch.charset import fit_streams
    from carewatch.cli.language import BadLanguage, choose_from_argv

    fit_streams()  # LANG=C, PYTHONIOENCODING=ascii: plain characters, never an encoding error
    given = list(argv if argv is not None else sys.argv[1:])
    try:
        choose_from_argv(given)  # before the parser: --help speaks the language
    except BadLanguage as exc:
        _fail(str(exc), EXIT_USAGE)
    parser = build_parser()
    args = parser.parse_args(given)
    if not getattr(args, "command", None):
        args = parser.parse_args([*given, DEFAULT_COMMAND])
    # Imported once a command runs, not for --help: the config's models load pydantic.
    from carewatch.config import ConfigError
    from carewatch.store import StoreError

    if sys.stdout is None:  # started with standard output closed (``>&-``)
        sys.stdout = _ClosedOutput()
    try:
        return int(COMMANDS[args.command].run(args))
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
    except UsageError as exc:
        _fail(str(exc), EXIT_USAGE)
    except (Failure, StoreError) as exc:
        _fail(str(exc), EXIT_FAILURE)
    except KeyboardInterrupt:
        # stopped before it was done (a command whose normal end is Ctrl-C handles it itself)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (``carewatch report | head``): stop quietly, as other tools do
        _stdout_to_devnull()
        return EXIT_FAILURE
    except OSError as exc:
        if os.environ.get("CAREWATCH_DEBUG"):
            raise
        # a file or the output that could not be written or read (a full disk, an I/O
        # error): what and why, as other tools say it
        reason = exc.strerror or str(exc)
        if exc.filename is None:
            _quiet_output()  # it may be the output that failed
        text = reason if exc.filename is None else f"{exc.filename}: {reason}"
        _fail(_("cannot go on: {error}").format(error=text), EXIT_FAILURE)
    except Exception as exc:
        if os.environ.get("CAREWATCH_DEBUG"):
            raise
        _fail(
            _("unexpected error: {error}").format(error=f"{type(exc).__name__}: {exc}"),
            EXIT_FAILURE,
        )


class _ClosedOutput(io.TextIOBase):
    """Standard output when carewatch was started with it closed (Python then has none):
    what a command writes there fails as a write to a closed descriptor does, so the command
    ends with one line and exit status 1, instead of an "unexpected error" or a success whose
    output went nowhere."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, _("standard output is closed"))


def _quiet_output() -> None:
    """Standard output pointed at /dev/null when it can no longer be written."""
    try:
        sys.stdout.flush()
    except OSError:
        _stdout_to_devnull()


def _stdout_to_devnull() -> None:
    """Standard output pointed at /dev/null, so that the interpreter's final flush cannot
    fail again after the message."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


__all__ = ["COMMANDS", "Command", "build_parser", "main"]
