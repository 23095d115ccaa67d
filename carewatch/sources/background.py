"""One piece of work run in a thread of its own while the caller does something else
(:class:`Background`): the reader commits a batch while it reads and parses the next."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """``fn()`` started now in a new thread; :meth:`result` waits for it and returns what it
    returned, or raises what it raised (any exception, ``KeyboardInterrupt`` too), in the
    caller's thread. Call :meth:`result` (or :meth:`wait`) once the caller's own work is done,
    also when that work failed: the thread is then never left running unseen."""

    def __init__(self, fn: Callable[[], T], name: str = "carewatch-background") -> None:
        self._fn = fn
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as exc:  # handed to the caller's thread by result()
            self._error = exc

    def wait(self) -> None:
        """Wait until ``fn`` has returned or raised."""
        self._thread.join()

    def result(self) -> T:
        """What ``fn`` returned, once it has; what it raised is raised here."""
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return self._value  # type: ignore[return-value]
