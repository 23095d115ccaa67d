"""``carewatch db``: the database's schema version (``status``) and its upgrade (``upgrade``)."""

from __future__ import annotations

import argparse

from carewatch.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    Command,
    add_common_options,
    config_of,
    database_of,
    say,
    waiting_for_slot,
)
from carewatch.i18n import N_, _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    for name, text in (
        ("status", _("which schema version the database has, and whether it is current")),
        (
            "upgrade",
            _("move the database to the current schema, keeping all its data (back it up first)"),
        ),
    ):
        add_common_options(sub.add_parser(name, help=text, description=text))


def run(args: argparse.Namespace) -> int:
    from carewatch.store import database_url
    from carewatch.store.database import display_name

    url = database_url(database_of(args, config_of(args)))
    name = display_name(url)
    if args.db_command == "upgrade":
        from carewatch.store.migrate import upgrade

        done = upgrade(url, name)
        if done.before is None:
            text = _("database {name}: created at schema version {after}")
        elif done.changed:
            text = _("database {name}: upgraded from schema version {before} to {after}")
        else:
            text = _("database {name}: schema version {after}, already current")
        say(text.format(name=name, before=done.before, after=done.after), out=True)
        return EXIT_OK
    from carewatch.store.status import schema_status

    line, current = schema_status(url, name, waiting=waiting_for_slot)
    say(line, out=True)
    return EXIT_OK if current else EXIT_FAILURE


COMMAND = Command(
    name="db",
    help=N_("the database's schema version: status, upgrade"),
    add_arguments=add_arguments,
    run=run,
    description=N_(
        "Show the schema version of the database (status) or move it to the one this "
        "carewatch uses (upgrade). Back the database up before an upgrade."
    ),
)
