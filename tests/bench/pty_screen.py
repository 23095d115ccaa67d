"""A program run in a pseudo-terminal whose output is read by a terminal emulator (pyte), so a
benchmark sees what a person at that terminal would see, and when (not collected by pytest).

pyte is a benchmark-only dependency: ``pip install pyte``.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Sequence

import pyte


class PtyScreen:
    """``argv`` running in a pty of ``columns`` x ``lines``; every chunk it writes is fed to
    pyte, then ``probe(screen)`` reads what the screen shows; each new reading is kept with the
    time it appeared."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        columns: int = 160,
        lines: int = 48,
        env: dict[str, str] | None = None,
        probe: Callable[[pyte.Screen], object] | None = None,
    ) -> None:
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.probe = probe
        self.readings: list[tuple[float, object]] = []
        self._lock = threading.Lock()
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        full_env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(columns), LINES=str(lines))
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        last: object = None
        while True:
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:
                return
            if not data:
                return
            now = time.time()
            with self._lock:
                self.stream.feed(data)
                if self.probe is not None:
                    value = self.probe(self.screen)
                    if value is not None and value != last:
                        self.readings.append((now, value))
                        last = value

    def text(self) -> str:
        """The screen as text, one line per row."""
        with self._lock:
            return "\n".join(self.screen.display)

    def press(self, data: bytes) -> float:
        """Type ``data`` (as a terminal would send it); returns when."""
        now = time.time()
        os.write(self.master, data)
        return now

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.02)
        return predicate()

    def close(self) -> None:
        if self.proc.poll() is None:
            with _quiet():
                os.write(self.master, b"\x11")  # ctrl+q
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=5)
        with _quiet():
            os.close(self.master)
        self._thread.join(timeout=2)


class _quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], OSError)  # type: ignore[arg-type]


_NUMBER = re.compile(r"^\s*([0-9][0-9,]*)\b")


def number_under(screen: pyte.Screen, label: str) -> int | None:
    """The first number printed on the lines below the first ``label`` on the screen, in the
    same columns (a tile: its label, then its value)."""
    rows = screen.display
    for y, row in enumerate(rows):
        x = row.find(label)
        if x < 0:
            continue
        for below in rows[y + 1 : y + 6]:
            found = _NUMBER.match(below[x:])
            if found:
                return int(found.group(1).replace(",", ""))
        return None
    return None


def number_after(screen: pyte.Screen, label: str) -> int | None:
    """The number right after ``label`` on its line ("calls: 1,234")."""
    for row in screen.display:
        x = row.find(label)
        if x >= 0:
            found = _NUMBER.match(row[x + len(label) :])
            if found:
                return int(found.group(1).replace(",", ""))
    return None
