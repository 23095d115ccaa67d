"""Python's cyclic garbage collector paused while a loop allocates many short-lived objects.

Reading a call log and reading a report create tens of thousands of tuples, dicts and strings
a batch at a time. They make no reference cycles (reference counting frees them as the batch
or the report ends), yet their allocation sets off the collector's passes over the whole heap:
a fifth of a large file's ingest and of a report's time. Both pause it while they work.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off for the ``with`` block, then as it was (left off when it was off)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
