"""A computation run in a child process while this one goes on: :func:`start_apart`.

A report reads and sums three windows of calls; the two it compares with do not depend on the
period's own figures, so on a machine with a second core they can be summed at the same time
(the work is Python's: a thread would wait for the interpreter lock). The child is forked,
runs the function, sends what it returns through a pipe (``marshal``: plain values only) and
ends with ``os._exit``, so it never runs this process's clean-up, flushes its buffers or
closes what it inherited.

A child that reads the database opens its own connection and never touches the ones it
inherited (SQLite: "any database connection that is used in a child process must be opened in
the child process, not inherited from the parent"; psycopg says the same of PostgreSQL's), and
ends without closing them. On SQLite the parent must not be inside a transaction when it forks:
SQLite's per-process lock records are inherited too, and would tell the child it holds locks it
does not. The callers fork between reads; this process keeps its own connection open until the
child is done, so an SQLite database's shared memory is never reset under the child.

Forked only where it is safe and worth it: on Linux (macOS documents a fork without an exec
unsafe once system libraries are loaded, Windows has none) and when this process runs one
thread (the live screen and the metrics server run several: a lock another thread held at the
fork would stay held in the child). Otherwise, and when the child fails in any way, the work
is done here when its result is asked for: the answer is the same, only later.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

#: Whether this system may fork a child that goes on running Python (Linux).
FORKS = sys.platform.startswith("linux")


def can_fork() -> bool:
    """Whether a child process may be forked now (Linux, and this process runs one thread)."""
    return FORKS and threading.active_count() == 1


class Apart:
    """The result of ``work``: computed by a child process when one was started, else (or when
    the child failed) here, by :meth:`result`. :meth:`close` ends a child whose result is
    not wanted any more."""

    def __init__(self, work: Callable[[], Any], pid: int | None, pipe: int | None) -> None:
        self._work = work
        self._pid = pid
        self._pipe = pipe
        #: Whether the result came from the child (for the tests and the benchmark).
        self.from_child = False

    def result(self) -> Any:
        """What ``work`` returns (waits for the child; does the work here when it failed)."""
        if self._pipe is not None:
            try:
                with open(self._pipe, "rb", closefd=True) as pipe:
                    self._pipe = None
                    data = pipe.read()
                kind, value = marshal.loads(data)
            except (OSError, EOFError, ValueError, TypeError):
                kind, value = "failed", None
            finally:
                self._reap(kill=False)
            if kind == "ok":
                self.from_child = True
                return value
        return self._work()

    def close(self) -> None:
        """Kill and reap a child whose result was not asked for (nothing else to do)."""
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None
        self._reap(kill=True)

    def _reap(self, *, kill: bool) -> None:
        if self._pid is None:
            return
        pid, self._pid = self._pid, None
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def start_apart(work: Callable[[], Any], child_work: Callable[[], Any] | None = None) -> Apart:
    """Start ``child_work`` (default ``work``) in a child process when one may be forked
    (:func:`can_fork`); ``work`` is what this process does instead when none could be, or
    when the child failed. Its result must be made of plain values (``marshal``)."""
    if not can_fork():
        return Apart(work, None, None)
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no process to be had (a limit, memory): it is done here
        os.close(read_end)
        os.close(write_end)
        return Apart(work, None, None)
    if pid == 0:  # the child: work, send, end; never returns
        os.close(read_end)
        _child(child_work or work, write_end)
    os.close(write_end)
    return Apart(work, pid, read_end)


def _child(work: Callable[[], Any], fd: int) -> None:
    code = 0
    try:
        try:
            data = marshal.dumps(("ok", work()))
        except BaseException:  # the parent does the work itself
            code, data = 1, marshal.dumps(("failed", None))
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BaseException:  # the parent is gone: nobody to tell
        code = 1
    finally:
        os._exit(code)
