"""Finished windows' KPI snapshots, kept between runs so a report reads a past day once.

A report computes three windows (the period, the one before, the same one a week or a year
earlier), and the two it compares with are over: their snapshots cannot change unless what they
are computed from changes. :class:`KpiCache` keeps a snapshot per window (and narrowing) in a
file of its own, under :func:`cache_folder`, and gives it back while all of this is the same:

* carewatch's version and the config (all of it, but the file it was read from and the
  database it names: :func:`figures_config`);
* the database: its address (an SQLite file by its real path, :func:`database_key`) and its
  first call (a database made again at the same place is
  another one);
* the window's calls: their count, and no call of the window written after the change number
  read before the snapshot was computed (:mod:`carewatch.store.changeseq`: every write of a
  call, carewatch's or another program's, gives the row a new, larger number; a call taken
  out of the window changes the count, one moved or added into it has a newer number);
* the agent events from a day before the window to its end (rings, logins, pauses: count and
  last id; they are only ever added) and the issues the window's figures read (all of them).

The same goes for anything else computed from those alone: the report keeps a finished period's
requests and call-backs, and the trend's periods, each under a narrowing of its own
(:mod:`carewatch.report.sections`). :meth:`KpiCache.snapshot` looks a value up and computes it
when it is not kept; :meth:`KpiCache.find` and :meth:`KpiCache.keep` do the same in two steps,
so several values can be looked up before the calls they are computed from are read
(:meth:`KpiCache.find_all`: several windows and values with two reads of the store in all).

Only windows over at ``now`` are kept (a snapshot of a window in progress depends on the clock).
A snapshot that checks out and is older than the store's change number is stamped with the
newer one, so the next check reads only the calls written since. Files that cannot be read or
written are passed over: the cache only saves time.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from carewatch import __version__
from carewatch.cachedir import CACHE_ENV as CACHE_ENV  # re-exported: where the cache is
from carewatch.cachedir import cache_folder as cache_folder
from carewatch.cachedir import write_kept
from carewatch.config import Config
from carewatch.kpi.sessions import LOOKBACK_SECONDS
from carewatch.kpi.windows import Window
from carewatch.store import Store

#: Snapshots kept per database (the least recently written are dropped beyond).
MAX_FILES = 200
#: The layout of a cached file; a new one makes the old files unused. 2: call-backs and notes
#: kept by their calls' primary keys, without callers' numbers or notes.
FORMAT = 2


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()


def figures_config(config: Config) -> str:
    """The config as the figures depend on it: all of it but the file it was read from, the
    database it names (which :func:`database_key` and the first call tell apart) and the
    closed days (they change what a report expects, never a figure it counts). So the
    ingester started with ``--config FILE`` and a report that reads the same file as the
    system's config, or names the database with ``--db``, find the same kept figures, and so
    does a report after a holiday is added to ``closed_days``."""
    return repr(config.model_copy(update={"database": None, "path": None, "closed_days": ()}))


def database_key(store: Store) -> str:
    """The database's address, an SQLite file by its real path (``cw.db``, ``./cw.db`` and
    its absolute path, or a link to it, are one database)."""
    return store.url if store.file is None else f"sqlite:///{os.path.realpath(store.file)}"


class Slot(NamedTuple):
    """Where :meth:`KpiCache.keep` puts a snapshot: its file, the change number read before
    it was computed, and the window's calls as then counted."""

    path: Path
    seq: int
    calls: int


class KpiCache:
    """The finished windows' snapshots of one store and config (see the module)."""

    def __init__(self, store: Store, config: Config, folder: Path | None = None) -> None:
        self.store = store
        base = folder or cache_folder()
        self.folder = None if base is None else base / f"kpis-{_digest(database_key(store))[:20]}"
        self._config = _digest((__version__, FORMAT, figures_config(config)))

    def snapshot(
        self,
        window: Window,
        now: float,
        narrowing: tuple[Any, ...],
        compute: Callable[[], dict[str, Any]],
    ) -> dict[str, Any]:
        """The snapshot of ``window`` as ``compute`` gives it, from the cache when the window is
        over at ``now`` and nothing it depends on changed; ``narrowing`` is everything else the
        snapshot depends on (queue, operator, which figures)."""
        slot, kept = self.find(window, now, narrowing)
        if kept is not None:
            return kept
        value = compute()
        self.keep(slot, value)
        return value

    def find(
        self,
        window: Window,
        now: float,
        narrowing: tuple[Any, ...],
    ) -> tuple[Slot | None, dict[str, Any] | None]:
        """The kept snapshot of ``window`` (as :meth:`snapshot`), or ``None`` with the
        :class:`Slot` to :meth:`keep` it in once computed (``None``: not to be kept)."""
        return self.find_all([(window, narrowing)], now)[0]

    def find_all(
        self, wanted: Sequence[tuple[Window, tuple[Any, ...]]], now: float
    ) -> list[tuple[Slot | None, dict[str, Any] | None]]:
        """:meth:`find` for each window and narrowing of ``wanted``, with two reads of the
        store in all (each a round trip or more to a server): the windows' stamps, each window
        stamped once however many narrowings it has (its calls counted once: on PostgreSQL a
        count over a day written since the last ``VACUUM`` reads each call's row), then
        whether calls changed since the kept snapshots' change numbers."""
        out: list[tuple[Slot | None, dict[str, Any] | None]] = [(None, None)] * len(wanted)
        if self.folder is None:
            return out
        over = [i for i, (window, _) in enumerate(wanted) if window.end <= now]
        bounds = list(dict.fromkeys((wanted[i][0].start, wanted[i][0].end) for i in over))
        store = self.store
        stamps = dict(
            zip(
                bounds,
                store.window_stamps([(s, e, s - LOOKBACK_SECONDS) for s, e in bounds]),
                strict=True,
            )
        )
        found: dict[int, tuple[Slot, tuple[int, dict[str, Any]] | None]] = {}
        for i in over:
            window, narrowing = wanted[i]
            stamp = stamps[window.start, window.end]
            if stamp.first_call is None:
                continue
            key = (
                self._config,
                stamp.first_call,
                (window.start, window.end, narrowing),
                (stamp.calls, stamp.events, stamp.last_event, stamp.issues),
            )
            slot = Slot(self.folder / f"{_digest(key)}.json", stamp.seq, stamp.calls)
            found[i] = (slot, self._read(slot.path))
        checks = list(
            dict.fromkeys(
                (kept[0], wanted[i][0].start, wanted[i][0].end)
                for i, (_, kept) in found.items()
                if kept is not None
            )
        )
        changed = dict(zip(checks, store.calls_changed(checks), strict=True))
        for i, (slot, kept) in found.items():
            window = wanted[i][0]
            if kept is None or changed[kept[0], window.start, window.end]:
                out[i] = (slot, None)
                continue
            if slot.seq > kept[0]:  # checked out: stamped with the newer number
                self._write(slot.path, slot.seq, kept[1])
            out[i] = (None, kept[1])
        return out

    def keep(self, slot: Slot | None, value: dict[str, Any]) -> None:
        """Keep ``value`` in ``slot`` (from :meth:`find`; ``None``: nothing kept)."""
        if slot is not None:
            self._write(slot.path, slot.seq, value)

    def _read(self, path: Path) -> tuple[int, dict[str, Any]] | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return int(data["seq"]), dict(data["kpis"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write(self, path: Path, seq: int, kpis: dict[str, Any]) -> None:
        if self.folder is None:
            return
        text = json.dumps({"seq": seq, "kpis": kpis})
        if json.loads(text)["kpis"] != kpis:
            return  # a value JSON would not give back as it is: not kept
        write_kept(path, text, MAX_FILES)
