"""What an ingest or a poll of the follower did (:class:`IngestSummary`), and how each
followed file is doing (:class:`SourceStatus`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from carewatch.i18n import _, ngettext
from carewatch.present import count
from carewatch.sources.reader import BatchResult, Progress
from carewatch.sources.tail import TailStatus

#: How many skipped lines an :class:`IngestSummary` remembers (the latest).
LAST_SKIPPED = 20


@dataclass
class IngestSummary:
    """What an ingest (or one poll of a follower) did."""

    added: int = 0
    updated: int = 0
    agent_events: int = 0
    lines_read: int = 0
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    #: The latest skipped lines, ``(path, line_no, reason)``, oldest first (bounded).
    last_skipped: list[tuple[str, int, str]] = field(default_factory=list)
    #: Files looked at (read from, or found with nothing new).
    files: int = 0
    #: Files whose last line has no newline yet: left for later.
    incomplete: int = 0
    #: Files not read, with why: ``(path, reason)``.
    files_not_read: list[tuple[str, str]] = field(default_factory=list)
    #: Those of :attr:`files_not_read` that failed to be read (permission denied, an I/O
    #: error, a damaged archive, a compression carewatch does not read, a file refused as
    #: another source's), as opposed to files that are no call log or hold no line yet.
    files_failed: list[str] = field(default_factory=list)
    bytes_read: int = 0
    #: Lines read after a repair, per repair (``invalid UTF-8``, ``NUL bytes``).
    repaired_by_reason: dict[str, int] = field(default_factory=dict)
    #: Files read with lines in them of which every one was skipped: ``(path, lines)``.
    files_all_skipped: list[tuple[str, int]] = field(default_factory=list)
    #: Events that wait for their call's start, per source, as the latest batch left them.
    waiting_by_source: dict[str, int] = field(default_factory=dict)
    #: Entries added in this run, per source (so a later batch completing them is no update).
    _added_here: dict[str, set[tuple[str, str]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def skipped(self) -> int:
        """Lines skipped, all reasons together."""
        return sum(self.skipped_by_reason.values())

    @property
    def waiting(self) -> int:
        """Events that wait for their call's start (in a file not read yet, say)."""
        return sum(self.waiting_by_source.values())

    @property
    def repaired(self) -> int:
        """Lines read after a repair, all repairs together."""
        return sum(self.repaired_by_reason.values())

    @property
    def has_news(self) -> bool:
        """Whether anything was read (calls, events, or lines skipped or repaired)."""
        return bool(
            self.lines_read or self.bytes_read or self.skipped or self.agent_events or self.repaired
        )

    def add_result(self, result: BatchResult) -> None:
        """Count one committed batch. A call added earlier in this run and completed by a
        later batch (its end line came after a batch boundary) counts as added, not updated."""
        self.added += result.added
        added_here = self._added_here.setdefault(result.source, set())
        self.updated += sum(1 for call_id in result.updated_ids if call_id not in added_here)
        added_here.update(result.added_ids)
        self.agent_events += result.agent_events
        self.lines_read += result.lines_read
        self.bytes_read += result.bytes_read
        for line_no, reason in result.skipped:
            self.skipped_by_reason[reason] = self.skipped_by_reason.get(reason, 0) + 1
            self.last_skipped.append((result.path, line_no, reason))
        del self.last_skipped[:-LAST_SKIPPED]
        for _line, repair in result.repaired:
            self.repaired_by_reason[repair] = self.repaired_by_reason.get(repair, 0) + 1
        if result.waiting is not None:
            self.waiting_by_source[result.source] = result.waiting

    def merge(self, other: IngestSummary) -> None:
        """Add another summary's counts to this one."""
        self.added += other.added
        self.updated += other.updated
        self.agent_events += other.agent_events
        self.lines_read += other.lines_read
        self.bytes_read += other.bytes_read
        for reason, n in other.skipped_by_reason.items():
            self.skipped_by_reason[reason] = self.skipped_by_reason.get(reason, 0) + n
        self.last_skipped.extend(other.last_skipped)
        del self.last_skipped[:-LAST_SKIPPED]
        for repair, n in other.repaired_by_reason.items():
            self.repaired_by_reason[repair] = self.repaired_by_reason.get(repair, 0) + n
        self.files_all_skipped.extend(other.files_all_skipped)
        self.files += other.files
        self.incomplete += other.incomplete
        self.files_not_read.extend(other.files_not_read)
        self.files_failed.extend(other.files_failed)
        self.waiting_by_source.update(other.waiting_by_source)

    def summary_line(self) -> str:
        """One line for the user, e.g. ``12,345 calls added, 3 updated, 4 lines skipped
        (2 malformed, 1 unknown event, 1 invalid UTF-8; last: queue_log line 1234)``.

        In the current language; the reasons lines were skipped or repaired are the readers'
        own words and file names stay as they are."""
        parts = [
            _count(self.added, ngettext("{count} call added", "{count} calls added", self.added)),
            _("{count} updated").format(count=count(self.updated)),
        ]
        if self.agent_events:
            parts.append(
                _count(
                    self.agent_events,
                    ngettext(
                        "{count} agent event stored",
                        "{count} agent events stored",
                        self.agent_events,
                    ),
                )
            )
        skipped = _count(
            self.skipped, ngettext("{count} line skipped", "{count} lines skipped", self.skipped)
        )
        if self.skipped:
            reasons = sorted(self.skipped_by_reason.items(), key=lambda item: (-item[1], item[0]))
            listed = ", ".join(f"{count(n)} {reason}" for reason, n in reasons)
            if self.last_skipped:
                path, line_no, _reason = self.last_skipped[-1]
                last = _("last: {file} line {line}")
                listed += "; " + last.format(file=os.path.basename(path), line=line_no)
            skipped += f" ({listed})"
        parts.append(skipped)
        if self.repaired:
            reasons = sorted(self.repaired_by_reason.items(), key=lambda item: (-item[1], item[0]))
            listed = ", ".join(f"{count(n)} {reason}" for reason, n in reasons)
            repaired = _count(
                self.repaired,
                ngettext("{count} line repaired", "{count} lines repaired", self.repaired),
            )
            parts.append(f"{repaired} ({listed})")
        if self.waiting:
            parts.append(
                _count(
                    self.waiting,
                    ngettext(
                        "{count} event waits for its call's start",
                        "{count} events wait for their call's start",
                        self.waiting,
                    ),
                )
            )
        if self.incomplete:
            parts.append(
                _count(
                    self.incomplete,
                    ngettext(
                        "{count} incomplete last line left for later",
                        "{count} incomplete last lines left for later",
                        self.incomplete,
                    ),
                )
            )
        if self.files_not_read:
            shown = "; ".join(
                f"{os.path.basename(path)}: {reason}" for path, reason in self.files_not_read[:3]
            )
            more = len(self.files_not_read) - 3
            if more > 0:
                shown += "; " + _("{count} more").format(count=count(more))
            not_read = _count(
                len(self.files_not_read),
                ngettext(
                    "{count} file not read", "{count} files not read", len(self.files_not_read)
                ),
            )
            parts.append(f"{not_read} ({shown})")
        return ", ".join(parts)


def _count(n: int, text: str) -> str:
    """``text`` (the form :func:`ngettext` chose for ``n``) with ``{count}`` filled in."""
    return text.format(count=count(n))


def collecting(results: list[BatchResult], then: Callable[[int], object]) -> Progress:
    """A read's ``progress`` that adds each batch committed to ``results`` and tells ``then``
    its bytes (whose answer it passes on: a true one stops the read)."""

    def committed(result: BatchResult) -> bool:
        results.append(result)
        return bool(then(result.bytes_read))

    return committed


@dataclass
class SourceStatus:
    """How one followed file is doing, for the screen's source status line."""

    path: str
    format: str | None
    bad_lines: int
    last_bad_line: int | None
    last_bad_reason: str | None
    last_line_at: float | None
    exists: bool
    #: The source name its calls are stored under.
    source: str = ""
    lines_read: int = 0
    #: Why it is not being read (unknown format, waiting for a first line, ...), or ``None``.
    problem: str | None = None
    #: Bytes of a last line still waiting for its newline.
    pending: int = 0
    #: The problem is only the wait for a first complete line (nothing to tell anyone).
    waiting: bool = False
    #: Missing only while a rotation is in progress: the renamed file is still read.
    rotating: bool = False

    @classmethod
    def of(cls, st: TailStatus) -> SourceStatus:
        """The status of a followed file or table, as its tail tells it (every field of
        this class, from the tail's field of the same name)."""
        return cls(**{f.name: getattr(st, f.name) for f in fields(cls)})
