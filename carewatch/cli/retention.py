"""``carewatch db purge`` and ``carewatch db forget``: a retention period and one caller's
erasure (what each deletes or blanks: :mod:`carewatch.store.retention`); ``carewatch db
compact``: no old copy of changed rows left in the database's files.

Purge and forget print what they would do and change nothing unless ``--yes`` is given; the
counting and the change are one transaction. After it, the old copies of what was erased are
cleared from the database's files (:mod:`carewatch.store.compact`), and the command says what
may stay, and why, rather than claim it gone: exit status 1 when an SQLite file still holds
some (a reader held on to older pages, no room to rebuild the file).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from carewatch.cli.common import EXIT_OK, Failure, config_of, open_store, parse_date, say
from carewatch.i18n import _, ngettext
from carewatch.present import count

if TYPE_CHECKING:
    from carewatch.store import Store
    from carewatch.store.compact import Compaction


def add_purge_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--before",
        metavar="D",
        required=True,
        help=_("delete the calls that started before this local day (YYYY-MM-DD, today)"),
    )
    _add_yes(parser)


def add_forget_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--caller",
        metavar="NUMBER",
        required=True,
        help=_("the caller's number as the logs write it (other spellings of it match too)"),
    )
    _add_yes(parser)


def _add_yes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--yes",
        action="store_true",
        help=_("do it (without --yes: only say what would be done)"),
    )


def _when(epoch: float | None, tz: tzinfo) -> str:
    return "" if epoch is None else datetime.fromtimestamp(epoch, tz).strftime("%Y-%m-%d %H:%M")


def run_purge(args: argparse.Namespace) -> int:
    from carewatch.store.retention import PURGED, purge
    from carewatch.timeutil import day_bounds

    config = config_of(args)
    tz = config.tz
    today = datetime.now(tz).date()
    day = parse_date(args.before, today, "--before")
    if day > today:
        raise Failure(
            _("--before {day} is after today: a purge keeps today's calls").format(
                day=day.isoformat()
            )
        )
    cutoff = day_bounds(day, tz)[0]
    with open_store(args, config, create=False) as store:
        done = store.retrying(lambda tx: purge(tx, cutoff, apply=args.yes))
        name = store.display_name
        left = _cleared(store, PURGED) if args.yes else None
    values = {
        "name": name,
        "day": day.isoformat(),
        "calls": _counted(ngettext("{count} call", "{count} calls", done.calls), done.calls),
        "first": _when(done.first, tz),
        "last": _when(done.last, tz),
        "tags": _counted(
            ngettext("{count} tag event", "{count} tag events", done.tag_events), done.tag_events
        ),
        "events": _counted(
            ngettext("{count} agent event", "{count} agent events", done.agent_events),
            done.agent_events,
        ),
        "issues": _counted(ngettext("{count} issue", "{count} issues", done.issues), done.issues),
        "resolved": _counted(
            ngettext(
                "{count} issue resolved before that day",
                "{count} issues resolved before that day",
                done.issues_deleted,
            ),
            done.issues_deleted,
        ),
    }
    if args.yes:
        text = _(
            "database {name}: deleted {calls} started before {day} ({first} to {last}) "
            "with their {tags}, {events} and {resolved}; {issues} open on that day kept, "
            "unlinked from those calls"
        )
    else:
        text = _(
            "database {name}: would delete {calls} started before {day} ({first} to {last}) "
            "with their {tags}, {events} and {resolved}; {issues} open on that day would be "
            "kept, unlinked from those calls"
        )
    if not done.calls:
        text = (
            _("database {name}: no call started before {day}; deleted {events} and {resolved}")
            if args.yes
            else _(
                "database {name}: no call started before {day}; would delete {events} and "
                "{resolved}"
            )
        )
    say(text.format(**values), out=True)
    if not args.yes:
        say(_("nothing changed: run again with --yes to do it"))
    return _told(left, name)


def caller_matcher(number: str) -> Callable[[str], bool]:
    """Whether a caller text is ``number``: the same text, or the same digits, or one ending
    with the other's (at least 6) digits, as callers are compared for the call-backs
    (:func:`carewatch.kpi.callbacks.same_number`). :class:`Failure` for a withheld or empty
    number, which names nobody."""
    from carewatch.kpi.callbacks import number_key, same_number

    key = number_key(number)
    if key is None:
        raise Failure(
            _("--caller {number}: not a caller's number (withheld or empty)").format(number=number)
        )

    def is_caller(text: str) -> bool:
        if text == number:
            return True
        other = number_key(text)
        return other is not None and same_number(key, other)

    return is_caller


def run_forget(args: argparse.Namespace) -> int:
    from carewatch.store.retention import FORGOTTEN, forget

    config = config_of(args)
    is_caller = caller_matcher(args.caller)
    with open_store(args, config, create=False) as store:
        done = store.retrying(lambda tx: forget(tx, is_caller, apply=args.yes))
        name = store.display_name
        left = _cleared(store, FORGOTTEN) if args.yes and done.calls else None
    values = {
        "name": name,
        "calls": _counted(ngettext("{count} call", "{count} calls", done.calls), done.calls),
        "first": _when(done.first, config.tz),
        "last": _when(done.last, config.tz),
        "forms": ", ".join(done.forms),
        "notes": _counted(
            ngettext("{count} note change", "{count} note changes", done.tag_events),
            done.tag_events,
        ),
        "issues": _counted(
            ngettext("{count} issue title", "{count} issue titles", done.issues), done.issues
        ),
    }
    if not done.calls:
        text = _("database {name}: no call of this caller; nothing to erase")
    elif args.yes:
        text = _(
            "database {name}: erased the number and the notes of {calls} ({first} to {last}; "
            "written {forms}), {notes} and {issues}; the calls stay in the figures"
        )
    else:
        text = _(
            "database {name}: would erase the number and the notes of {calls} ({first} to "
            "{last}; written {forms}), {notes} and {issues}; the calls would stay in the figures"
        )
    say(text.format(**values), out=True)
    if done.calls and not args.yes:
        say(_("nothing changed: run again with --yes to do it"))
    return _told(left, name)


def run_compact(args: argparse.Namespace) -> int:
    """``carewatch db compact``: the old copies of changed and deleted rows out of the
    database's files (SQLite: ``VACUUM`` and the write-ahead log emptied; PostgreSQL:
    ``VACUUM FULL`` of carewatch's tables)."""
    config = config_of(args)
    with open_store(args, config, create=False) as store:
        name = store.display_name
        done = store.compact()
        sqlite = store.is_sqlite
    if done.complete:
        text = (
            _(
                "database {name}: file rebuilt (VACUUM) and its write-ahead log emptied: no "
                "old copy of a changed or deleted row is left in them"
            )
            if sqlite
            else _(
                "database {name}: carewatch's tables written anew (VACUUM FULL): no old "
                "version of a changed or deleted row is left in them"
            )
        )
        say(text.format(name=name), out=True)
        return EXIT_OK
    raise Failure(_still_there(done, name, sqlite=sqlite))


def _cleared(store: Store, tables: tuple[str, ...]) -> tuple[Compaction, bool]:
    """The old copies of what an erasure changed in ``tables`` out of the database's files
    (:meth:`carewatch.store.Store.compact`), and whether the database is SQLite."""
    return store.compact(erased=tables), store.is_sqlite


def _told(left: tuple[Compaction, bool] | None, name: str) -> int:
    """What stays of an erasure in the database's files, said: status 0 when nothing is left
    there (or on PostgreSQL, whose files are the server's: said once on standard error),
    else :class:`Failure` with why and what to do."""
    if left is None:
        return EXIT_OK
    done, sqlite = left
    if sqlite and done.complete:
        say(
            _(
                "database {name}: file rebuilt and its write-ahead log emptied: no copy of "
                "what was erased is left in them"
            ).format(name=name)
        )
        return EXIT_OK
    if sqlite or done.error is not None:
        raise Failure(_still_there(done, name, sqlite=sqlite))
    say(
        _(
            "database {name}: PostgreSQL vacuumed the old versions of the rows erased, but "
            "their bytes may stay in the tables' files until carewatch db compact (VACUUM "
            "FULL, which locks each table while it runs), and in the server's write-ahead "
            "log and backups until they are recycled"
        ).format(name=name)
    )
    return EXIT_OK


def _still_there(done: Compaction, name: str, *, sqlite: bool) -> str:
    """The line of a compaction that left old copies: where, why, and what to do."""
    if not sqlite:
        return _(
            "database {name}: VACUUM failed ({error}): old versions of changed or deleted "
            "rows may stay in the tables' files; run carewatch db compact as the tables' owner"
        ).format(name=name, error=done.error)
    if done.error is not None:
        return _(
            "database {name}: the file could not be rebuilt ({error}): old copies of changed "
            "or deleted rows may stay in its free pages; make room (VACUUM needs about twice "
            "the file's size) and run carewatch db compact"
        ).format(name=name, error=done.error)
    return ngettext(
        "database {name}: another program (a live screen, an ingest --follow, a report) was "
        "reading older pages, so {count} page of the write-ahead log, which may hold copies "
        "of what was changed or deleted, stays in {name}-wal until it closes: close or "
        "restart it, then run carewatch db compact",
        "database {name}: another program (a live screen, an ingest --follow, a report) was "
        "reading older pages, so {count} pages of the write-ahead log, which may hold copies "
        "of what was changed or deleted, stay in {name}-wal until it closes: close or "
        "restart it, then run carewatch db compact",
        done.wal_pages,
    ).format(name=name, count=count(done.wal_pages))


def _counted(text: str, n: int) -> str:
    """``text`` (the singular or plural :func:`ngettext` chose for ``n``) with ``n`` in it."""
    return text.format(count=count(n))
