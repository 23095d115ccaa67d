"""``carewatch callbacks``: the callers of a day whose call was not answered and who have not
been reached since (docs/reports.md, "Callers to call back")."""

from __future__ import annotations

import argparse
import time
from datetime import datetime

from carewatch.cli.common import EXIT_OK, Command, UsageError, config_of, open_store
from carewatch.i18n import N_, _, ngettext


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--date",
        metavar="D",
        help=_("the day of the unanswered calls: today (default), yesterday or YYYY-MM-DD"),
    )
    parser.add_argument("--queue", metavar="Q", help=_("only the calls of this queue"))
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--full-numbers",
        action="store_true",
        help=_("show whole numbers even when the config's [privacy] masks them"),
    )


def run(args: argparse.Namespace) -> int:
    from carewatch.figures import callbacks_for
    from carewatch.kpi.windows import Period, Window, parse_period
    from carewatch.present import clean_text
    from carewatch.present import count as count_text
    from carewatch.report.analysis_rows import CALLBACK_HEADINGS, CALLBACK_NOTE, callback_rows
    from carewatch.report.json_format import callback_record
    from carewatch.report.layout import column_widths, fit, wrap
    from carewatch.report.rows import period_title

    config = config_of(args)
    try:
        period = parse_period(datetime.now(config.tz).date(), day=args.date)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    privacy = config.privacy
    if args.full_numbers:
        privacy = privacy.model_copy(update={"mask_callers": False})
    now = time.time()
    full = Period.day(period.first).window(config.tz)
    window = Window(full.start, max(full.start, min(now, full.end)), full.label)
    with open_store(args, config, read_only=True) as store:
        # "--queue Sales" is the sales queue
        queue = None if args.queue is None else store.spelled_as("queue", args.queue)
        found = callbacks_for(store, window, now, queue=queue)
        # nobody to call back because nobody called, or because everyone was reached
        nobody_called = not found and store.count_calls(window.start, window.end) == 0
    if args.format == "json":
        records = [callback_record(c, config.tz, privacy) for c in found]
        from carewatch.report.json_format import json_text

        print(json_text(records, indent=2))
        return EXIT_OK
    rows = callback_rows(found, config.tz, privacy, "%H:%M")
    title = (
        _("Callers to call back of queue {queue}").format(queue=clean_text(queue))
        if queue is not None
        else _("Callers to call back")
    )
    print(f"{title} — {period_title(period)} · {config.timezone_name}")
    if not rows:
        if nobody_called:
            print(_("Nobody: there were no calls that day."))
        else:
            print(_("Nobody: every caller who was not answered has been reached since."))
        return EXIT_OK
    table = [tuple(_(h) for h in CALLBACK_HEADINGS), *rows]
    table = [tuple(clean_text(c) for c in cells) for cells in table]
    # the right-aligned wait and count columns are followed by a space; then the call id, whole
    widths = column_widths(table, (10, 20, 12, 10, 10, 6), (1, 1, 1, 1, 0, 0))
    for cells in table:
        line = "".join(
            fit(c, w, ">" if i in (4, 5) else "<") + (" " if i in (4, 5) else "")
            for i, (c, w) in enumerate(zip(cells[:6], widths, strict=True))
        )
        print(line + cells[6])
    count = len(rows)
    print(
        ngettext("{count} caller to call back.", "{count} callers to call back.", count).format(
            count=count_text(count)
        )
    )
    print("\n".join(wrap(_(CALLBACK_NOTE), 80)))
    return EXIT_OK


COMMAND = Command(
    name="callbacks",
    help=N_("callers who were not answered and have not been reached since"),
    add_arguments=add_arguments,
    run=run,
)
