"""The one error the store raises to its callers."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be used; ``str()`` is one clear line for the user (no SQL, no
    parameters, no data from the database).

    ``lasting``: waiting will not make it go (a database this user may not write): a
    command that would retry for ever (``ingest --follow``) stops at it instead; a locked or
    busy database, a full disk or a server that went away are not lasting.
    """

    def __init__(self, message: str, *, lasting: bool = False) -> None:
        super().__init__(message)
        self.lasting = lasting
