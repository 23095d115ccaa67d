"""``carewatch report``: the summary of a day, a week, a month or a range of days, in a
chosen format; printed, written to a file, or sent by e-mail."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from carewatch.cli.common import (
    EXIT_OK,
    Command,
    Failure,
    UsageError,
    config_of,
    mail_address,
    open_store,
    say,
)
from carewatch.i18n import N_, _, ngettext
from carewatch.present import count

if TYPE_CHECKING:
    from carewatch.config import Config
    from carewatch.report import Report

#: The reproducible-builds variable: when set, the report says it was printed then.
PRINTED_AT_ENV = "SOURCE_DATE_EPOCH"
BAD_PRINTED_AT = N_("{variable}: expected whole seconds since 1970, not {value!r}")


def printed_at() -> float | None:
    """``SOURCE_DATE_EPOCH`` as the time the report is printed (docs and tests that compare
    a report with a stored one), ``None`` when unset."""
    value = os.environ.get(PRINTED_AT_ENV, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise UsageError(_(BAD_PRINTED_AT).format(variable=PRINTED_AT_ENV, value=value))
    return float(value)


#: The names of :data:`carewatch.report.FORMATS`, written out so ``--help`` imports no report
#: module (a test checks they agree).
REPORT_FORMATS: tuple[str, ...] = ("text", "markdown", "html", "csv", "json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    when = parser.add_argument_group(_("the period (one of; default: today)"))
    when.add_argument("--date", metavar="D", help=_("one day: today, yesterday or YYYY-MM-DD"))
    when.add_argument(
        "--week", metavar="YYYY-Www", nargs="?", const="", help=_("an ISO week (default: this one)")
    )
    when.add_argument(
        "--month", metavar="YYYY-MM", nargs="?", const="", help=_("a month (default: this one)")
    )
    when.add_argument("--from", dest="start", metavar="D", help=_("first day of a range"))
    when.add_argument(
        "--to", dest="end", metavar="D", help=_("last day of a range (default: today)")
    )
    parser.add_argument("--queue", metavar="Q", help=_("only the calls of this queue"))
    parser.add_argument(
        "--agent",
        metavar="A",
        help=_(
            "only the calls of this operator: an agent id, or a login of [operators] (all its "
            "agent ids)"
        ),
    )
    parser.add_argument("--format", choices=REPORT_FORMATS, default="text")
    parser.add_argument(
        "--output",
        metavar="FILE",
        help=_("write to FILE instead of standard output (-: standard output)"),
    )
    parser.add_argument("--calls", action="store_true", help=_("add one line per call"))
    parser.add_argument(
        "--mail-to",
        metavar="ADDR",
        action="append",
        type=mail_address,
        help=_(
            "send the report (HTML, with the text as alternative) to ADDR through the "
            "config's [mail] server; may be given more than once"
        ),
    )


def run(args: argparse.Namespace) -> int:
    from carewatch.kpi.windows import parse_period
    from carewatch.kpicache import KpiCache
    from carewatch.report import build_report, render
    from carewatch.terminal import wants_colour

    config = config_of(args)
    try:
        period = parse_period(
            datetime.now(config.tz).date(),
            day=args.date,
            week=args.week,
            month=args.month,
            start=args.start,
            end=args.end,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    stamp = printed_at()
    with open_store(args, config, read_only=True) as store:
        # "--agent hugo" is Hugo's report: names are matched as the calls spell them, and a
        # login of [operators] (or one of its agent ids) is that operator's report
        queue = None if args.queue is None else store.spelled_as("queue", args.queue)
        report = build_report(
            store,
            config,
            period,
            with_calls=args.calls,
            queue=queue,
            agent=args.agent,
            cache=KpiCache(store, config),
        )
        window = period.window(config.tz)
        ignored = store.implausible_calls(window.start, window.end)
    if ignored:
        note = ngettext(
            "note: {count} call of {period} holds a value out of physical sense "
            "(written by another program); it is read as unknown",
            "note: {count} calls of {period} hold a value out of physical sense "
            "(written by another program); they are read as unknown",
            ignored,
        )
        say(note.format(count=count(ignored), period=period.label))
    if stamp is not None:
        report = dataclasses.replace(report, generated_at=stamp)
    # a mail that could not go is said after the file asked for is written: a server down
    # loses no report
    unsent: Failure | None = None
    if args.mail_to:
        unsent = _mail(report, config, args.mail_to, period.label)
        if args.output is None:
            if unsent is not None:
                raise unsent
            return EXIT_OK
    # "-" is standard output, as for other tools (also with --mail-to: sent and printed)
    output = None if args.output == "-" else args.output
    color = output is None and args.format == "text" and wants_colour(sys.stdout)
    text = render(report, args.format, color=color)
    if output:
        from carewatch.outfile import write_whole

        try:
            # whole or not at all: a reader of the file never sees a part of a report, and
            # a failure leaves the previous report as it was
            write_whole(output, text)
        except OSError as exc:
            reason = exc.strerror or exc
            raise Failure(
                _("cannot write {path}: {reason}").format(path=output, reason=reason)
            ) from None
        written = _("report for {period} written to {path}")
        say(written.format(period=period.label, path=output))
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if unsent is not None:
        raise unsent
    return EXIT_OK


def _mail(report: Report, config: Config, addresses: list[str], label: str) -> Failure | None:
    """Send ``report`` to ``addresses``; what could not be sent as a :class:`Failure` to
    raise (``None`` when every address took it). Where the server refused only some, the
    others have it, and the messages say both."""
    from email.utils import parseaddr

    from carewatch.mail import MailError, PartlySent, report_message, send

    sent = _("report for {period} sent to {addresses}")
    try:
        send(report_message(report, config.mail.sender, addresses), config.mail)
    except PartlySent as exc:
        refused = {a.lower() for a in exc.refused}
        taken = [a for a in addresses if parseaddr(a)[1].lower() not in refused]
        if taken:
            say(sent.format(period=label, addresses=", ".join(taken)))
        missing = [a for a in addresses if a not in taken]
        return Failure(
            _("report not sent to {addresses}: {error}").format(
                addresses=", ".join(missing), error=exc
            )
        )
    except MailError as exc:
        return Failure(_("report not sent: {error}").format(error=exc))
    say(sent.format(period=label, addresses=", ".join(addresses)))
    return None


COMMAND = Command(
    name="report",
    help=N_("the summary of a day, a week, a month or a range of days"),
    add_arguments=add_arguments,
    run=run,
)
