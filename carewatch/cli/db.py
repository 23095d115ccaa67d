"""``carewatch db``: the database's schema version (``status``), its upgrade (``upgrade``), a
retention period (``purge``), one caller's erasure (``forget``) and the old copies of rows out
of its files (``compact``: :mod:`carewatch.cli.retention`)."""

from __future__ import annotations

import argparse

from carewatch.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    Command,
    add_common_options,
    config_of,
    database_of,
    patience,
    say,
    waiting_for_slot,
)
from carewatch.cli.retention import (
    add_forget_arguments,
    add_purge_arguments,
    run_compact,
    run_forget,
    run_purge,
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
        (
            "compact",
            _(
                "leave no old copy of changed or deleted rows in the database's files (SQLite: "
                "VACUUM, write-ahead log emptied; PostgreSQL: VACUUM FULL)"
            ),
        ),
    ):
        add_common_options(sub.add_parser(name, help=text, description=text))
    for name, text, add in (
        (
            "purge",
            _(
                "delete the calls that started before a day, their tag events, and the agent "
                "events and the issues resolved before it (open ones stay); without --yes, only "
                "say what it would delete"
            ),
            add_purge_arguments,
        ),
        (
            "forget",
            _(
                "erase one caller's number and notes from their calls, which stay in the "
                "figures; without --yes, only say what it would erase"
            ),
            add_forget_arguments,
        ),
    ):
        parser_of = sub.add_parser(name, help=text, description=text)
        add(parser_of)
        add_common_options(parser_of)


def run(args: argparse.Namespace) -> int:
    if args.db_command == "purge":
        return run_purge(args)
    if args.db_command == "forget":
        return run_forget(args)
    if args.db_command == "compact":
        return run_compact(args)
    from carewatch.store import database_url
    from carewatch.store.database import display_name

    url = database_url(database_of(args, config_of(args)))
    name = display_name(url)
    if args.db_command == "upgrade":
        from carewatch.store.migrate import upgrade

        done = upgrade(url, name, waiting=patience)
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
    help=N_("the database: schema version (status, upgrade), retention (purge, forget, compact)"),
    add_arguments=add_arguments,
    run=run,
    description=N_(
        "Show the schema version of the database (status) or move it to the one this "
        "carewatch uses (upgrade). Back the database up before an upgrade. Delete the calls "
        "older than a day (purge --before D) or erase one caller's number and notes (forget "
        "--caller NUMBER): both only say what they would do unless --yes is given, and "
        "leave no copy of what they erased in the database's files, or say what stays. "
        "Compact the files (compact) when a reader kept old copies in them."
    ),
)
