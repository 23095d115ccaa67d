"""``carewatch completion SHELL``: a shell completion script, generated from the parser.

shtab writes it from the argparse parser itself, so every command, option and choice the
parser knows completes, and nothing has to be kept in step by hand; the script is static
(completing never starts Python). Options and arguments whose metavar names a file or a
folder complete paths.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from carewatch.cli.common import EXIT_OK, Command
from carewatch.i18n import N_, _

SHELLS = ("bash", "zsh", "fish")
HELP = N_("a shell completion script (bash, zsh or fish)")
DESCRIPTION = N_(
    "Prints a completion script for SHELL. bash: add 'source <(carewatch completion bash)' "
    "to ~/.bashrc. zsh: 'carewatch completion zsh > ~/.zfunc/_carewatch' with ~/.zfunc in "
    "fpath before compinit. fish: 'carewatch completion fish > "
    "~/.config/fish/completions/carewatch.fish'."
)
#: Metavars of arguments that name a file (complete paths) or a folder (complete folders).
FILE_METAVARS = frozenset({"FILE", "PATH", "PATH[:FORMAT]"})
FOLDER_METAVARS = frozenset({"DIR"})


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, metavar="SHELL", help=_("bash, zsh or fish"))


def _mark_paths(parser: argparse.ArgumentParser) -> None:
    """Tell shtab which arguments take a path, in ``parser`` and its subcommands."""
    import shtab

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in set(action.choices.values()):
                _mark_paths(sub)
        elif action.metavar in FILE_METAVARS:
            action.complete = shtab.FILE  # type: ignore[attr-defined]
        elif action.metavar in FOLDER_METAVARS:
            action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script of ``parser`` (the ``carewatch`` parser) for ``shell``."""
    import shtab

    _mark_paths(parser)
    return str(shtab.complete(parser, shell=shell))


def command(build_parser: Callable[[], argparse.ArgumentParser]) -> Command:
    """The ``completion`` command, writing the script of the parser ``build_parser`` makes
    (given by the command table, which owns the parser)."""

    def run(args: argparse.Namespace) -> int:
        sys.stdout.write(completion_script(build_parser(), args.shell))
        return EXIT_OK

    return Command(
        name="completion",
        help=HELP,
        description=DESCRIPTION,
        add_arguments=add_arguments,
        run=run,
    )
