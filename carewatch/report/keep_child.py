"""The process that builds a day's report into the cache for the day keeper.

    python -m carewatch.report.keep_child   # the request on standard input

The keeper sends one request (pickled by the keeper's own process: the database's address, the
config, the day, the report time and the cache folder) and waits. This process builds the
report as ``carewatch report --date DAY`` would, with its own connection (and, being a single
thread, forks the two days it compares with as the command does), keeps what the report cache
keeps and ends: 0 when the day is kept, 1 with the reason as the last line of standard error.
It never reads a request from anyone but the keeper that started it.
"""

from __future__ import annotations

import pickle
import sys
from datetime import date
from pathlib import Path

from carewatch.config import Config


def build(db: str, config: Config, day: date, now: float, cache_folder: Path | None) -> None:
    """Build the whole centre's report of ``day`` at ``now`` into the report cache."""
    from carewatch.kpicache import KpiCache
    from carewatch.report.build import build_report
    from carewatch.store import Store

    with Store(db, read_only=True) as store:
        build_report(store, config, day, now=now, cache=KpiCache(store, config, cache_folder))


def main() -> int:
    """Read the request from standard input, build, say why not on standard error."""
    try:
        build(*pickle.loads(sys.stdin.buffer.read()))
    except Exception as exc:  # the keeper tells its user; no traceback reaches anyone
        print(str(exc) or type(exc).__name__, file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
