"""``carewatch serve``: the live screen in a browser, through textual-serve (the ``web`` extra).

Each browser tab runs its own ``carewatch monitor`` (with the same ``--config``, ``--db``,
``--operator`` and ``--watch``) and sees it through a websocket. The server binds to
127.0.0.1 unless ``--host`` says otherwise, and the page asks nothing of the internet:
textual-serve's own page loads a web font from a font CDN, so carewatch serves its own copy
of the page (``carewatch/web/app_index.html``) with the font textual-serve ships. To reach it
from other machines, put it behind a reverse proxy with authentication (README, "In a
browser") and give the address people use with ``--public-url``.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from carewatch.cli.common import EXIT_OK, Command, Failure, UsageError
from carewatch.i18n import N_, _

#: Where carewatch's copy of textual-serve's page lives.
TEMPLATES = Path(__file__).resolve().parent.parent / "web"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help=_("address to listen on (default: 127.0.0.1, this machine only)"),
    )
    parser.add_argument(
        "--port", type=int, default=8000, help=_("port (default: {port})").format(port=8000)
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help=_(
            "the address browsers use, when a reverse proxy serves it "
            "(e.g. https://wall.example.org/carewatch); default http://HOST:PORT"
        ),
    )
    parser.add_argument(
        "--operator", metavar="NAME", help=_("who tags on the served screen (default: login name)")
    )
    parser.add_argument(
        "--watch",
        action="append",
        metavar="PATH[:FORMAT]",
        help=_("a call-log file or folder the served screen follows (repeatable)"),
    )
    parser.add_argument("--wall", action="store_true", help=_("serve the wallboard"))


def monitor_command(args: argparse.Namespace) -> str:
    """The command each browser tab runs: this Python, ``-m carewatch monitor``, the options
    (``--lang`` too, so the served screens speak the language ``serve`` was given)."""
    words = [sys.executable, "-m", "carewatch"]
    for option in ("config", "db"):
        value = getattr(args, option, None)
        if value:
            words += [f"--{option}", str(Path(value).resolve()) if option == "config" else value]
    language = getattr(args, "lang", None)  # given only when --lang was
    if language:
        words += ["--lang", language]
    words.append("monitor")
    if args.operator:
        words += ["--operator", args.operator]
    for spec in args.watch or []:
        words += ["--watch", spec]
    if args.wall:
        words.append("--wall")
    return shlex.join(words)


def run(args: argparse.Namespace) -> int:
    from carewatch.cli.common import config_of, database_of
    from carewatch.store import Store

    if not 0 < args.port < 65536:
        raise UsageError(_("--port: expected 1-65535, not {port}").format(port=args.port))
    config = config_of(args)  # a bad config fails here, with one line
    Store(database_of(args, config)).close()  # so does a database that cannot be opened
    try:
        from textual_serve.server import Server
    except ImportError:
        raise Failure(
            _(
                "serve needs textual-serve: pip install 'carewatch[web]' "
                "(or pip install textual-serve)"
            )
        ) from None
    server = Server(
        monitor_command(args),
        host=args.host,
        port=args.port,
        title="carewatch",
        public_url=args.public_url,
        templates_path=TEMPLATES,
    )
    try:
        server.serve()
    except OSError as exc:
        cannot = _("serve: cannot listen on {host}:{port}: {reason}")
        raise Failure(cannot.format(host=args.host, port=args.port, reason=exc.strerror)) from None
    return EXIT_OK


COMMAND = Command(
    name="serve",
    help=N_("the live screen in a browser (textual-serve), on 127.0.0.1 unless --host says"),
    description=N_(
        "Serves the live screen over HTTP with textual-serve: open "
        "http://127.0.0.1:8000 in a browser. Each tab runs its own screen. Listens on this "
        "machine only unless --host is given; for other machines use a reverse proxy with "
        "authentication (README). Needs the web extra: pip install 'carewatch[web]'."
    ),
    add_arguments=add_arguments,
    run=run,
)
