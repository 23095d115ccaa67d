"""Messages the workers post to the app (from any thread: ``post_message`` is thread-safe)."""

from __future__ import annotations

from textual.message import Message

from carewatch.tui.snapshot import Snapshot


class DataChanged(Message):
    """Something may have changed in the database (another process committed, the follower
    read lines, this screen wrote a tag). Bursts collapse into one pending message."""

    def can_replace(self, message: Message) -> bool:
        """A pending DataChanged says the same as this one."""
        return isinstance(message, DataChanged)


class SnapshotReady(Message):
    """A refresh finished: the new figures to paint."""

    def __init__(self, snapshot: Snapshot, generation: int) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.generation = generation


class WriteDone(Message):
    """A write (tag, note, issue, undo) finished: ``text`` to tell the user, ``error`` if it
    failed (one line)."""

    def __init__(
        self, text: str, *, error: str | None = None, select_key: str | None = None
    ) -> None:
        super().__init__()
        self.text = text
        self.error = error
        self.select_key = select_key
