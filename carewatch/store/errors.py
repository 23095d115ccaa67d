"""The one error the store raises to its callers."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be used; ``str()`` is one clear line for the user (no SQL, no
    parameters, no data from the database)."""
