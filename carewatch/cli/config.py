"""``carewatch config show | init | check FILE``: the effective config with where each value
came from, a commented starter for the user's own file, and checking a file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from carewatch.cli.common import EXIT_OK, Command, Failure, add_common_options, say
from carewatch.config.files import example_names
from carewatch.i18n import N_, _

HELP = N_("the effective config, a starter config file, checking a file")
DESCRIPTION = N_(
    "carewatch reads its config in layers, each on top of the one before: the built-in "
    "defaults, /etc/carewatch/carewatch.toml, ~/.config/carewatch/carewatch.toml "
    "($XDG_CONFIG_HOME), the file of --config or CAREWATCH_CONFIG, then CAREWATCH_DB and --db. "
    "A file sets only what it names."
)
SHOW_HELP = N_("print the effective config as TOML, with where each value came from")
INIT_HELP = N_("write a commented config of your own to ~/.config/carewatch/carewatch.toml")
CHECK_HELP = N_("check a config file on top of the built-in defaults (exit 0 or 2)")
EXAMPLE_HELP = N_("start from one of carewatch's example configs instead of the defaults")
FORCE_HELP = N_("replace the file if it exists")
EXISTS = N_("{path} exists; add --force to replace it")
CANNOT_WRITE = N_("cannot write {path}: {reason}")
WROTE = N_("wrote {path}; 'carewatch config show' prints the effective config")
VALID = N_("{path}: valid")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    show = actions.add_parser("show", help=_(SHOW_HELP), description=_(SHOW_HELP))
    init = actions.add_parser("init", help=_(INIT_HELP), description=_(INIT_HELP))
    init.add_argument("--example", choices=example_names(), help=_(EXAMPLE_HELP))
    init.add_argument("--force", action="store_true", help=_(FORCE_HELP))
    check = actions.add_parser("check", help=_(CHECK_HELP), description=_(CHECK_HELP))
    check.add_argument("file", metavar="FILE")
    for action in (show, init, check):
        add_common_options(action)


def run(args: argparse.Namespace) -> int:
    return {"show": _show, "init": _init, "check": _check}[args.config_action](args)


def _show(args: argparse.Namespace) -> int:
    from carewatch.config import load_layered
    from carewatch.config.show import show_text

    layered = load_layered(getattr(args, "config", None), db=getattr(args, "db", None))
    sys.stdout.write(show_text(layered))
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    from carewatch.config import user_config_path
    from carewatch.config.show import starter_text
    from carewatch.outfile import write_new, write_whole

    path = user_config_path()
    if path.exists() and not args.force:
        raise Failure(_(EXISTS).format(path=path))
    text = starter_text(str(path), args.example)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # whole or not at all (a config cut short would be a bad config for every command);
        # without --force never over a file, one another program wrote since the look above
        (write_whole if args.force else write_new)(path, text)
    except FileExistsError:
        raise Failure(_(EXISTS).format(path=path)) from None
    except OSError as exc:
        raise Failure(_(CANNOT_WRITE).format(path=path, reason=exc.strerror or exc)) from None
    say(_(WROTE).format(path=path), out=True)
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from carewatch.config.load import check_file

    check_file(Path(args.file))
    say(_(VALID).format(path=args.file), out=True)
    return EXIT_OK


COMMAND = Command(
    name="config", help=HELP, description=DESCRIPTION, add_arguments=add_arguments, run=run
)
