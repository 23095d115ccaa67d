"""``carewatch ingest``: read call logs into the database, once or following them."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from typing import TYPE_CHECKING

from carewatch.cli.common import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    Command,
    Failure,
    UsageError,
    config_of,
    install_stop_signals,
    open_store,
    say,
)
from carewatch.i18n import N_, _, ngettext
from carewatch.present import count
from carewatch.records import LOG_FORMATS as FORMATS

if TYPE_CHECKING:
    from carewatch.config import Config, Source
    from carewatch.ingest import IngestSummary
    from carewatch.ingest.stall import StallWatch
    from carewatch.store import Store


#: How long a stopping ``ingest --follow`` waits for a report being kept (it takes a second or two).
KEEP_JOIN_SECONDS = 10.0

DESCRIPTION = N_(
    "Read call-log files (or folders) into the database, from the last committed "
    "position: running it again adds nothing. Formats: {formats}."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help=_("files or folders (default: config sources)")
    )
    parser.add_argument(
        "--format", choices=FORMATS, help=_("log format (default: detected from content)")
    )
    parser.add_argument(
        "--follow", action="store_true", help=_("keep reading as the files grow (Ctrl-C stops)")
    )
    parser.add_argument(
        "--encoding",
        metavar="NAME",
        help=_("text encoding of the files (default: the config's for each, else utf-8)"),
    )
    parser.description = _(DESCRIPTION).format(formats=", ".join(FORMATS))


def run(args: argparse.Namespace) -> int:
    from carewatch.config import check_encoding
    from carewatch.ingest import IngestError, IngestSummary, ingest_tables
    from carewatch.store import StoreError

    config = config_of(args)
    if args.encoding is not None:
        try:
            check_encoding(args.encoding)
        except ValueError as exc:
            raise UsageError(f"--encoding: {exc}") from None
    paths: list[tuple[str, str | None]]
    tables: list[Source] = []
    if args.paths:
        paths = [(p, args.format) for p in args.paths]
    else:
        paths, tables = config.source_specs, config.table_sources
        if not paths and not tables:
            raise UsageError(_("no PATH given and the config lists no [[sources]]"))
    store = open_store(args, config)
    watch: StallWatch | None = None
    try:
        if args.follow:
            # the follower tells a wait for a connection slot itself, once however many
            # connections it asks for meanwhile (the line of each wait would come again)
            store.waiting = None
            return _follow(store, config, paths, tables)
        summary = IngestSummary()
        watch = _stall_watch()
        try:
            if paths:
                summary = _ingest_paths(store, config, paths, args.encoding)
        except IngestError as exc:
            raise Failure(str(exc)) from None
        except StoreError as exc:
            # the database went away in the middle (a server stopped, a disk full): each
            # batch commits with its read position, so the rerun takes up from there
            raise Failure(
                _(
                    "{error}; what was read up to the last commit is stored: the same command "
                    "continues from there"
                ).format(error=exc)
            ) from None
        except KeyboardInterrupt:
            # each batch commits with its read position: nothing read is lost or counted twice
            say(
                _(
                    "interrupted: what was read up to the last commit is stored; the same "
                    "command continues from there"
                )
            )
            return EXIT_INTERRUPTED
        if tables:
            watch.busy()  # (a table read from another database is watched the same way)
            summary.merge(ingest_tables(store, config, tables))
        say(summary.summary_line(), out=True)
        if summary.files_all_skipped:
            _explain_all_skipped(config, summary, args.format)
            return EXIT_FAILURE
        if summary.files_failed:
            # a file that could not be read (permission, I/O error, damaged archive) is a
            # failure even when the others were read: a cron job's status must say so
            _explain_failed(summary)
            return EXIT_FAILURE
        if summary.files_not_read and len(summary.files_not_read) >= summary.files:
            # nothing given could be read at all (unknown format, compressed): a failure
            return EXIT_FAILURE
        return EXIT_OK
    finally:
        if watch is not None:
            watch.stop()
        store.close()


def _follow(
    store: Store, config: Config, paths: list[tuple[str, str | None]], tables: list[Source]
) -> int:
    from carewatch.ingest.follower import service_follower
    from carewatch.report.keep import DayKeeper
    from carewatch.store import StoreError

    stop = threading.Event()
    install_stop_signals(stop)
    follower = service_follower(store, config, paths, tables=tables)
    total = {"added": 0, "updated": 0}

    def on_batch(summary: IngestSummary) -> None:
        total["added"] += summary.added
        total["updated"] += summary.updated
        if summary.added or summary.updated or summary.skipped_by_reason:
            say(summary.summary_line(), out=True)

    names = [p for p, _ in paths] + [source.label for source in tables]

    def on_problems(arose: list[str], gone: list[str]) -> None:
        # each problem once, when it arises and when it is over; reading goes on meanwhile
        for text in gone:
            say(_("recovered: {problem}").format(problem=text))
        for text in arose:
            say(_("problem: {problem}; still trying").format(problem=text))

    say(
        _("following {sources} into {database} (Ctrl-C to stop)").format(
            sources=", ".join(names), database=store.display_name
        )
    )
    keeper = DayKeeper(store.url, config, tell=say)
    keeping = threading.Thread(target=keeper.run, args=(stop,), name="carewatch-keep", daemon=True)
    keeping.start()
    lasting: StoreError | None = None
    try:
        follower.run(stop, on_batch=on_batch, on_problems=on_problems)
    except StoreError as exc:
        if not exc.lasting:  # (the follower retries every other one itself)
            raise
        lasting = exc  # no use retrying (a database this user may not write): stop
        stop.set()
    keeping.join(timeout=KEEP_JOIN_SECONDS)
    added = ngettext(
        "stopped: {added} call added, {updated} updated",
        "stopped: {added} calls added, {updated} updated",
        total["added"],
    )
    say(added.format(added=count(total["added"]), updated=count(total["updated"])))
    if lasting is not None:
        # what was committed before stays, with its read positions: the same command,
        # once the fault is put right, goes on from there
        say(_("error: {error}").format(error=lasting))
        return EXIT_FAILURE
    return EXIT_OK


def _explain_failed(summary: IngestSummary) -> None:
    """One line on standard error per file that could not be read, with why."""
    failed = set(summary.files_failed)
    for path, why in summary.files_not_read:
        if path in failed:
            text = _("error: {name}: {reason}")
            say(text.format(name=os.path.basename(path), reason=why))


def _explain_all_skipped(config: Config, summary: IngestSummary, fmt: str | None) -> None:
    """One line per file of which every line was skipped, saying what it looks like."""
    from carewatch.ingest.files import looks_like

    for path, lines in summary.files_all_skipped:
        name = os.path.basename(path)
        found = looks_like(config, path)
        if fmt is not None and found is not None and found != fmt:
            hint = _("it looks like {found}: pass --format {found}, or leave --format out")
        elif set(summary.skipped_by_reason) == {"bad value"}:
            # read in its format, every line refused for its values: most often its times
            hint = _(
                "every line has a value outside physical sense (a time in the future or "
                "before 1990, a duration over a day): check the clock of the machine that "
                "wrote it and the config's timezone"
            )
        else:  # read as what it looks like (or as nothing known): the lines are the trouble
            hint = _("check that it is a call log in a format carewatch reads")
        if fmt:
            text = ngettext(
                "error: {name}: its {lines} line was skipped as {format}; {hint}",
                "error: {name}: all {lines} lines were skipped as {format}; {hint}",
                lines,
            )
        else:
            text = ngettext(
                "error: {name}: its {lines} line was skipped; {hint}",
                "error: {name}: all {lines} lines were skipped; {hint}",
                lines,
            )
        hint = hint.format(found=found)
        said = text.format(name=name, lines=count(lines), format=fmt, hint=hint)
        say(said)


def _stall_watch() -> StallWatch:
    """A watch, started and busy, that says once what an ingest has waited on for a while: a
    batch that cannot commit (another program's transaction holds a lock, the server does not
    answer), a table's server that does not answer; said as the follower says it
    (:mod:`carewatch.ingest.stall`)."""
    from carewatch.ingest.stall import StallWatch

    def stalled(_about: str, text: str) -> None:
        say(_("problem: {problem}; still trying").format(problem=text))

    watch = StallWatch(stalled, slots=False)  # (a slot is waited for with its own line)
    watch.start()
    watch.busy()
    return watch


def _ingest_paths(
    store: Store,
    config: Config,
    paths: list[tuple[str, str | None]],
    encoding: str | None,
) -> IngestSummary:
    from carewatch.ingest import ingest_paths
    from carewatch.terminal import console_for

    fmt = paths[0][1]
    names = [p for p, _ in paths]
    console = console_for(sys.stderr)
    if not console.is_terminal:
        return ingest_paths(store, config, names, fmt, encoding=encoding)
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn(_("ingesting")),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        transient=True,
        console=console,
    ) as progress:
        task = progress.add_task("ingest", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return ingest_paths(store, config, names, fmt, progress=on_progress, encoding=encoding)


COMMAND = Command(
    name="ingest",
    help=N_("read call logs into the database"),
    add_arguments=add_arguments,
    run=run,
)
