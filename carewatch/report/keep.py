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
      (``$CAREWATCH_CACHE``), as the same user, or as a user of the group of a folder shared
      with its set-group-ID bit (:func:`carewatch.cachedir.shared`: its files are 0640 there,
      else their user's only); another user's report sums the day itself.
    * Who: whatever follows the call logs through the night: ``carewatch ingest --follow``,
      and the live screen when it follows logs itself (``--watch``, the config's
      ``[[sources]]``, the demo). A screen that only shows a database another process fills
      keeps nothing: the ingester does.
    * How: a thread that waits for the time, and a child process
      (:mod:`carewatch.report.keep_child`) that builds the report with its own read-only
      connection. The sums are Python's work: in a thread they would take the interpreter
      from the follower, and from the screen's keys, for the half second they last; in a child
      they take the second core. A day that cannot be kept (the database gone for a while) is
      tried again after :data:`RETRY_SECONDS`; the keeper says so once and goes on. When the
      keeper is stopped during a keep, the child is ended and nothing is said.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
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
#: The longest a keep may take before its child is ended and the keep counts as failed.
KEEP_TIMEOUT_SECONDS = 600.0
#: How often a keep in progress looks whether the keeper was stopped (seconds).
STOP_POLL_SECONDS = 0.25
#: The child that builds the report (:mod:`carewatch.report.keep_child`).
CHILD = (sys.executable, "-m", "carewatch.report.keep_child")


class KeepFailed(Exception):
    """The child could not build the report (its reason), or took too long."""


class KeepStopped(Exception):
    """The keeper was stopped while a keep was in progress (the child was ended)."""


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
        warn: Callable[[str], None] | None = None,
        cache_folder: Path | None = None,
    ) -> None:
        self.db = db
        self.cache_folder = cache_folder
        self.config = config
        self.clock = clock if clock is not None else wall_clock
        #: Where the day kept is told (``None``: nowhere), and why a day could not be kept
        #: (default: the same as ``tell``).
        self.tell = tell
        self.warn = warn if warn is not None else tell
        #: The last day kept (or found kept).
        self.kept: date | None = None
        self._retry_at = 0.0
        self._stop = threading.Event()

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
        """Build the report of ``day`` at ``now`` (default: the clock) into the cache, in a
        child process; the seconds it took. Raises :class:`KeepFailed` with the child's reason,
        :class:`KeepStopped` when the keeper was stopped meanwhile."""
        started = time.perf_counter()
        request = pickle.dumps(
            (self.db, self.config, day, self.clock() if now is None else now, self.cache_folder)
        )
        child = subprocess.Popen(
            CHILD, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        pending: bytes | None = request
        while True:
            try:
                _, err = child.communicate(pending, timeout=STOP_POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                pending = None  # sent: a second communicate() sends nothing
                stopped = self._stop.is_set()
                if stopped or time.perf_counter() - started > KEEP_TIMEOUT_SECONDS:
                    child.kill()
                    child.communicate()
                    if stopped:
                        raise KeepStopped() from None
                    raise KeepFailed(_took_too_long()) from None
        if child.returncode != 0:
            lines = err.decode("utf-8", "replace").strip().splitlines()
            raise KeepFailed(lines[-1] if lines else f"exit status {child.returncode}")
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
        except KeepStopped:
            return None
        except Exception as exc:  # the ingester goes on; the morning report sums the day itself
            self._retry_at = self.clock() + RETRY_SECONDS
            self._say(
                self.warn,
                _("could not keep the report of {day}: {error}; trying again in 10 minutes").format(
                    day=date_text(day), error=exc
                ),
            )
            return None
        self._say(
            self.tell,
            _("report of {day} kept for the morning ({seconds} s)").format(
                day=date_text(day), seconds=number(took, 1)
            ),
        )
        return day

    def run(self, stop: threading.Event) -> None:
        """Keep each day as it is due until ``stop`` is set. The first look is
        :data:`CHECK_SECONDS` after the start: an ingester started behind its logs catches up
        first."""
        self._stop = stop
        while not stop.wait(CHECK_SECONDS):
            self.step()

    @staticmethod
    def _say(to: Callable[[str], None] | None, text: str) -> None:
        if to is not None:
            to(text)


def _took_too_long() -> str:
    from carewatch.i18n import _

    return _("it took longer than {minutes} minutes").format(
        minutes=int(KEEP_TIMEOUT_SECONDS // 60)
    )
