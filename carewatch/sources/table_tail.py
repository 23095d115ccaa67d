"""Following a realtime ``queue_log`` table exactly once, by its ids (:class:`TableTail`).

The table is read in id order, as a file is read by offset: the rows of a batch give their
records, and the records and the last id read (the ``byte_offset`` of the source's row in
``cw_source_position``, whose ``path`` is ``table NAME``) commit in one transaction of the
carewatch database, after a check that nobody moved that row meanwhile (compare and set, as
for files: two followers of one table both succeed and apply nothing twice). Rows are
numbered by their id where a file's lines are numbered: "bad line" counts and "last at line
1234" name the row's id.

Rows committed out of id order
    Several writers (two Asterisk servers, or one with several connections) may commit a
    later id first: id 101 is visible while id 100 is still being inserted. Reading past
    101 would lose 100. So a gap in the ids (100 missing between 99 and 101) is passed only
    once it is settled: once no transaction that may still fill it is writing to the table.
    An id is handed out inside the INSERT that stores it, and the INSERT holds its lock on
    the table (``RowExclusiveLock``) until its transaction ends; so when a gap is seen, the
    transactions writing to the table at that moment (``pg_locks``) are the only ones that
    may fill it, and once none of them is still writing, every id up to the last row read is
    committed or never will be (a rollback, a sequence step lost in a crash). Rows up to the
    gap are read at once; those after it wait for those writers only (milliseconds for
    Asterisk, which inserts one row per transaction), never for unrelated transactions on
    the server. A writer still at it after :data:`GAP_WAIT` seconds (a session left idle in
    a transaction) is not waited for longer: the gap is passed, and a row it commits later
    is not read. Where nobody writes at the moment a gap is seen (the gaps of history, ids
    lost to rollbacks), it is passed at once. This holds for ids handed out in increasing
    order by the INSERT itself: a sequence without ``CACHE`` (the default of ``SERIAL``,
    ``BIGSERIAL`` and identity columns, and Asterisk's and Wazo's tables).

A table whose highest id falls below the last id read (emptied and its ids restarted) is
shown as a problem: its new rows are read once their ids pass the last one read, or from
the start under a new source name.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace

from carewatch.bounds import FUTURE_SLACK, check_records
from carewatch.config import Config, Source
from carewatch.records import BadLine, Record
from carewatch.sources.parse import PARSER_ERROR
from carewatch.sources.pgtable import QueueLogTable, Row, TableError, TableWatch
from carewatch.sources.positions import Position, PositionMoved, with_skipped
from carewatch.sources.queue_log import QueueLogParser
from carewatch.sources.reader import BatchResult, batch_result
from carewatch.sources.tail import TailStatus
from carewatch.store import Store, StoreError, Tx
from carewatch.store.apply import ApplyResult
from carewatch.store.waits import waiting_on
from carewatch.timeutil import get_timezone

#: Rows read and committed per transaction.
BATCH_ROWS = 2000
#: Seconds a gap in the ids is waited for while the writers that may fill it are still at work.
GAP_WAIT = 30.0
#: The largest row id kept as a "last bad line" (the column is a 32-bit integer).
_LINE_MAX = 2**31 - 1


@dataclass(frozen=True)
class _Wait:
    """A gap being waited for: every id up to ``upto`` is committed, or held by one of
    ``writers`` (transactions writing to the table when the gap was seen, at ``since``)."""

    upto: int
    writers: frozenset[str]
    since: float


class TableTail:
    """Follows one queue_log table (a ``[[sources]]`` entry of kind ``table``), exactly once.

    :meth:`poll` reads and commits what is new; :meth:`watch` starts a thread that wakes the
    caller when new rows may have come (LISTEN, or a look at the highest id)."""

    def __init__(
        self,
        store: Store,
        config: Config,
        source: Source,
        *,
        batch_rows: int = BATCH_ROWS,
        gap_wait: float = GAP_WAIT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if source.url is None or source.table is None:  # the config's validation says so
            raise ValueError("a table source needs url and table")
        self.store = store
        self.path = source.label
        self.source = source.name or source.table.rsplit(".", 1)[-1]
        columns = {str(key): name for key, name in (source.columns or {}).items()}
        self.table = QueueLogTable(source.url, source.table, columns, waiting=store.waiting)
        self.parser = QueueLogParser(
            get_timezone(source.timezone) if source.timezone else config.tz
        )
        self.batch_rows = batch_rows
        self.gap_wait = gap_wait
        self.clock = clock
        self.position: Position | None = None
        self.problem: str | None = None
        self._wait: _Wait | None = None

    # -- positions -----------------------------------------------------------------------------
    def _stored(self, rows: list[dict[str, object]]) -> Position | None:
        found = [row for row in rows if row["path"] == self.path]
        return Position.from_row(found[0]) if found else None

    def _load(self) -> Position:
        if self.position is None:
            stored = self._stored(self.store.positions(self.source))
            self.position = stored or Position(
                source=self.source, path=self.path, format="queue_log", device=0, inode=0
            )
        return self.position

    # -- reading ---------------------------------------------------------------------------------
    def poll(
        self, *, oneshot: bool = False, committed: Callable[[], object] | None = None
    ) -> list[BatchResult]:
        """Read and commit what is new; ``committed`` is told after each batch. With
        ``oneshot`` (``carewatch ingest``), a gap that writers may still fill is waited for
        (up to ``gap_wait`` seconds) instead of left for the next poll."""
        results: list[BatchResult] = []
        try:
            while True:
                position = self._load()
                # (a follower's stall watch names the table, not the database written)
                with waiting_on("table", self.path, self.table.where):
                    rows, state = self._next_rows(position)
                if rows:
                    result = self._commit(rows)
                    if result is None:
                        continue  # another process read these rows: go on from where it is
                    results.append(result)
                    if committed is not None:
                        committed()
                if state == "held" and oneshot:
                    threading.Event().wait(0.05)
                elif state != "more":
                    break
        except TableError as exc:
            self.problem = str(exc) if oneshot else exc.following
            return results
        self.problem = None
        return results

    def _next_rows(self, pos: Position) -> tuple[list[Row], str]:
        """The rows to commit next, and ``"more"`` (read again), ``"done"`` (nothing more
        now) or ``"held"`` (the rows end before a gap that is not settled yet)."""
        after = pos.offset
        rows = self.table.rows(after, None, self.batch_rows)
        if not rows:
            self._wait = None
            top = self.table.highest_id() if after else None
            if top is not None and top < after:
                raise TableError(
                    f"its highest id ({top}) is below the last one read ({after}): if it was "
                    "emptied, read it under a new source name"
                )
            return [], "done"
        more = "more" if len(rows) == self.batch_rows else "done"
        previous = [after, *(row.id for row in rows)]
        gap = next((i for i, row in enumerate(rows) if row.id != previous[i] + 1), None)
        if gap is None:
            self._wait = None
            return rows, more
        settled = self._settled(previous[gap] + 1, rows[-1].id)
        if settled is not None:  # every id up to it is committed, or never will be
            return self.table.rows(after, settled, self.batch_rows), "more"
        return rows[:gap], "held"

    def _settled(self, missing: int, upto: int) -> int | None:
        """The id up to which every id is committed or never will be (at least ``missing``,
        the first id not there), or ``None`` while a writer may still commit ``missing``."""
        wait = self._wait
        if wait is not None and missing > wait.upto:
            wait = None  # the gap it was for is filled
        writers = self.table.inserting()
        now = self.clock()
        if not writers:
            self._wait = None
            return upto
        if wait is None:
            self._wait = _Wait(upto, writers, now)
            return None
        if not wait.writers & writers or now - wait.since >= self.gap_wait:
            self._wait = None
            return wait.upto
        self._wait = wait
        return None

    def _parse(self, rows: list[Row]) -> tuple[list[tuple[int, Record]], list[tuple[int, str]]]:
        records: list[tuple[int, Record]] = []
        skipped: list[tuple[int, str]] = []
        parse = self.parser.parse_event
        latest = time.time() + FUTURE_SLACK  # the real clock: the injected one paces waits
        for row in rows:
            try:
                got = parse(row.time, row.callid, row.queue, row.agent, row.event, row.data)
                check_records(got, latest)  # values outside physical sense: a bad value
            except BadLine as exc:
                skipped.append((row.id, exc.reason))
                continue
            except Exception:  # a bug in the parser must not stop the reading of the table
                skipped.append((row.id, PARSER_ERROR))
                continue
            records.extend((row.id, record) for record in got)
        return records, skipped

    def _commit(self, rows: list[Row]) -> BatchResult | None:
        """Commit the rows' records with the position after them; ``None`` (nothing
        committed) when another process moved the position meanwhile (then taken over)."""
        pos = self._load()
        records, skipped = self._parse(rows)
        now = self.clock()
        new = replace(
            pos,
            offset=rows[-1].id,
            lines_read=pos.lines_read + len(rows),
            updated_at=now,
            last_line_at=now,
        )

        def run(tx: Tx) -> tuple[ApplyResult, Position]:
            stored = self._stored(self.store.positions_in(tx, self.source))
            if (None if stored is None else (stored.id, stored.offset)) != (
                None if pos.id is None else (pos.id, pos.offset)
            ):
                raise PositionMoved(stored)
            applied = self.store.apply(tx, self.source, records, now)
            done = with_skipped(new, sorted(skipped + list(applied.skipped)))
            if done.last_bad_line is not None and done.last_bad_line > _LINE_MAX:
                done.last_bad_line = None
            done.id = self.store.save_position(tx, done.values())
            return applied, done

        try:
            applied, done = self.store.retrying(run)
        except PositionMoved as moved:
            self.position = moved.stored  # None: the row is gone, read the table again
            self._wait = None
            return None
        self.position = done
        return batch_result(
            self.path, self.source, applied, skipped, lines_read=len(rows), records=len(records)
        )

    # -- status, watching and end ------------------------------------------------------------
    def status(self) -> TailStatus:
        """Counts of the table (read from the store once, then as committed)."""
        if self.position is None:
            with suppress(StoreError):  # the status of a database that is down: the last known
                self._load()
        status = TailStatus(
            path=self.path,
            source=self.source,
            format="queue_log",
            exists=True,
            problem=self.problem,
        )
        return status.counted(self.position)

    def watch(self, wake: threading.Event, stop: threading.Event) -> threading.Thread:
        """Start a thread that sets ``wake`` whenever new rows may be in the table, until
        ``stop`` is set."""

        def loop() -> None:
            watch = TableWatch(self.table)
            try:
                while not stop.is_set():
                    if watch.wait(0.25):
                        wake.set()
            finally:
                watch.close()

        thread = threading.Thread(target=loop, name=f"carewatch-{self.path}", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Close the connection to the table (the position is already committed)."""
        self.table.close()
