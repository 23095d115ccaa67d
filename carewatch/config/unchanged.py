"""The effective config when its layers change nothing of the shipped default but the
database: recognised without pydantic, for a command that must start fast (``carewatch tag``).

One source of truth: the models of :mod:`carewatch.config.models` alone say what a valid
config is, and this module validates nothing. It recognises one case: the layers
(:func:`carewatch.config.layers.all_layers`, as :func:`~carewatch.config.load.load_layered`
reads them) merge into exactly the documented default (``config/carewatch.toml``), with at
most a ``database`` added (a string, from a file, ``CAREWATCH_DB`` or ``--db``). That is so
with no file above the default, or with files that are all comments (``carewatch config
init``'s starter), that repeat default values or that set only the database. The models accept
that document (a test validates the shipped default and checks that the values read from it
here are the models' own), so the config it gives is the default one with that database.

Anything else — any other key or value, the same value of another TOML type (``120.0`` for
``120``), a database that is not a string — gives ``None``, and the caller loads the config
with the models: the same checks, the same errors, word for word (or finds that the models
accepted the same document before: :mod:`carewatch.config.accepted`). A file that cannot be
read or is not TOML raises the same :class:`~carewatch.config.layers.ConfigError` here as there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from carewatch.config.files import default_config_data

#: The one key whose value may differ from the default's (a string).
DATABASE = "database"


def same_document(a: object, b: object) -> bool:
    """Whether two TOML documents are the same, value for value and type for type (``1`` is not
    ``1.0`` nor ``true``: the models might read them otherwise)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_document(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(same_document, a, b))
    return a == b


def without_database(document: Mapping[str, Any]) -> dict[str, Any] | None:
    """The document without its ``database`` when that is a string or absent (the models accept
    any string there, and nothing else reads it); ``None`` when it is anything else."""
    database = document.get(DATABASE)
    if database is not None and not isinstance(database, str):
        return None
    return {k: v for k, v in document.items() if k != DATABASE}


def is_default(rest: Mapping[str, Any], default: Mapping[str, Any] | None = None) -> bool:
    """Whether a document without its database (:func:`without_database`) is the shipped
    default's (``default``: its document, when already read), type for type."""
    default = default_config_data() if default is None else default
    return same_document(dict(rest), {k: v for k, v in default.items() if k != DATABASE})
