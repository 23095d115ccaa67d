"""The floor of the screen benchmarks: a minimal Textual app that follows one file as the
screen's follower does (watchfiles on the folder, the same debounce and step, reading the new
bytes) and shows how many lines it has read. Nothing between the file and the screen but that.

    python tests/bench/floor_app.py FILE      (the terminal benchmark runs it in a pty)
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from textual import work
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Static

#: The screen's follower's debounce and step (carewatch.tui.refresh.FOLLOW_MS; checked by
#: bench_screen). Not imported: the floor app's memory is a baseline.
FOLLOW_MS = 20


class Lines(Message):
    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count


class FloorApp(App[None]):
    """Shows "calls: N", N the lines of the followed file after its header."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.painted: list[tuple[float, int]] = []
        self._stop = threading.Event()

    def compose(self) -> ComposeResult:
        yield Static("calls: 0", id="count")

    def on_mount(self) -> None:
        self._follow()

    def on_unmount(self) -> None:
        self._stop.set()

    @work(thread=True)
    def _follow(self) -> None:
        import watchfiles

        fd = os.open(self.path, os.O_RDONLY)
        count = -1  # the header
        self.post_message(Lines(0))
        try:
            data = os.read(fd, 1 << 20)
            while data:
                count += data.count(b"\n")
                data = os.read(fd, 1 << 20)
            self.post_message(Lines(max(count, 0)))
            for _ in watchfiles.watch(
                str(self.path.parent),
                debounce=FOLLOW_MS,
                step=FOLLOW_MS,
                stop_event=self._stop,
            ):
                data = os.read(fd, 1 << 20)
                while data:
                    count += data.count(b"\n")
                    data = os.read(fd, 1 << 20)
                self.post_message(Lines(max(count, 0)))
        finally:
            os.close(fd)

    def on_lines(self, message: Lines) -> None:
        self.query_one(Static).update(f"calls: {message.count:,}")
        self.call_after_refresh(lambda: self.painted.append((time.time(), message.count)))


if __name__ == "__main__":
    FloorApp(Path(sys.argv[1])).run()
