"""Messages the workers post to the app (from any thread: ``post_message`` is thread-safe)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual.message import Message

from carewatch.tui.snapshot import Snapshot


class DataChanged(Message):
    """Something may have changed in the database (another process committed, the follower
    read lines, this screen wrote a tag). Bursts collapse into one pending message.

    ``force``: paint even when the database holds nothing new (what changed is not in the
    database: a followed file's status)."""

    def __init__(self, *, force: bool = False) -> None:
        super().__init__()
        self.force = force

    def can_replace(self, message: Message) -> bool:
        """A pending DataChanged says no more than this one."""
        return isinstance(message, DataChanged) and (self.force or not message.force)


class RefreshSkipped(Message):
    """A refresh found nothing new in the database and painted nothing."""

    def __init__(self, generation: int) -> None:
        super().__init__()
        self.generation = generation


class SnapshotReady(Message):
    """A refresh finished: the new figures to paint."""

    def __init__(self, snapshot: Snapshot, generation: int) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.generation = generation


@dataclass(frozen=True)
class Undoable:
    """A change this screen made that ``u`` can take back: a tag, or an issue opened or
    resolved (``issue_id``; 0 for a tag)."""

    kind: Literal["tag", "issue_opened", "issue_resolved"]
    issue_id: int


class WriteDone(Message):
    """A write (tag, note, issue, undo) finished: ``text`` to tell the user, ``error`` if it
    failed (one line), ``undo`` what ``u`` can take back."""

    def __init__(
        self,
        text: str,
        *,
        error: str | None = None,
        select_key: str | None = None,
        undo: Undoable | None = None,
    ) -> None:
        super().__init__()
        self.text = text
        self.error = error
        self.select_key = select_key
        self.undo = undo
