"""The day's report kept before anyone asks for it: :class:`DayKeeper`.

The first report of a day that is over reads and sums all its calls (about 0.55 s for 50,000
on the project's machine, six times what pandas takes); every report of that day after it finds
the figures kept (:mod:`carewatch.kpicache`) and takes about 50 ms. The site's ingester,
``carewatch ingest --follow``, runs through the night, so it builds the day's report once the
day is over and the manager's first report in the morning is one of the fast ones.

Decisions
    * When: :data:`KEEP_AFTER` (a quarter of an hour) after local midnight, so the calls being
      talked at midnight have ended; and a minute after the ingester's start (once it has
      caught up with its logs), for the day before, when that is later. A call of the day
      written after that (a late line, a tag in the morning) only makes the next report sum
      the day again: the cache checks the day's calls.
    * What: the report of the whole centre (no ``--queue`` or ``--agent``), as
      ``carewatch report --date DAY`` builds it, in the ingester's config. A report finds it
      when it runs with the same config and carewatch version and the same cache folder
      (``$CAREWATCH_CACHE``; set it to one folder for the ingester's user and the managers').
    * How: in a thread of the ingester with a read-only connection of its own, so following
      goes on meanwhile. A day that cannot be kept (the database gone for a while) is tried
      again after :data:`RETRY_SECONDS`; the ingester says so once on standard error and goes on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from carewatch.config import Config

#: How long after local midnight the day before is kept (seconds).
KEEP_AFTER = 15 * 60
#: How often the keeper looks at the clock (seconds).
CHECK_SECONDS = 60.0
#: How long after a failed keep it tries again (seconds).
RETRY_SECONDS = 600.0


def wall_clock() -> float:
    """The time now (the keeper's clock unless it is given one)."""
    return time.time()


class DayKeeper:
    """Builds the report of each day that is over into the report cache (``cache_folder``,
    default :func:`carewatch.kpicache.cache_folder`), once."""

    def __init__(
        self,
        db: str,
        config: Config,
        *,
        clock: Callable[[], float] | None = None,
        tell: Callable[[str], None] | None = None,
        cache_folder: Path | None = None,
    ) -> None:
        self.db = db
        self.cache_folder = cache_folder
        self.config = config
        self.clock = clock if clock is not None else wall_clock
        self.tell = tell
        #: The last day kept (or found kept).
        self.kept: date | None = None
        self._retry_at = 0.0

    def due(self, now: float) -> date | None:
        """The day to keep at ``now``: the day before, once :data:`KEEP_AFTER` has passed
        since midnight, unless it is kept already or a failed keep waits for its retry."""
        local = datetime.fromtimestamp(now, self.config.tz)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if (local - midnight).total_seconds() < KEEP_AFTER or now < self._retry_at:
            return None
        day = local.date() - timedelta(days=1)
        return None if day == self.kept else day

    def keep(self, day: date, now: float | None = None) -> float:
        """Build the report of ``day`` at ``now`` (default: the clock) into the cache; the
        seconds it took. Raises what the store or the report raises."""
        from carewatch.kpicache import KpiCache
        from carewatch.report.build import build_report
        from carewatch.store import Store

        started = time.perf_counter()
        with Store(self.db, read_only=True) as store:
            build_report(
                store,
                self.config,
                day,
                now=self.clock() if now is None else now,
                cache=KpiCache(store, self.config, self.cache_folder),
            )
        self.kept = day
        return time.perf_counter() - started

    def step(self) -> date | None:
        """Keep the day that is due, if any; the day kept."""
        from carewatch.i18n import _
        from carewatch.present import date_text, number

        day = self.due(self.clock())
        if day is None:
            return None
        try:
            took = self.keep(day)
        except Exception as exc:  # the ingester goes on; the morning report sums the day itself
            self._retry_at = self.clock() + RETRY_SECONDS
            self._say(
                _("could not keep the report of {day}: {error}; trying again in 10 minutes").format(
                    day=date_text(day), error=exc
                )
            )
            return None
        self._say(
            _("report of {day} kept for the morning ({seconds} s)").format(
                day=date_text(day), seconds=number(took, 1)
            )
        )
        return day

    def run(self, stop: threading.Event) -> None:
        """Keep each day as it is due until ``stop`` is set. The first look is
        :data:`CHECK_SECONDS` after the start: an ingester started behind its logs catches up
        first."""
        while not stop.wait(CHECK_SECONDS):
            self.step()

    def _say(self, text: str) -> None:
        if self.tell is not None:
            self.tell(text)
