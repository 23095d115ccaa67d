"""The config as text: the effective config as TOML with where each value came from
(``carewatch config show``), and the commented starter a user edits (``carewatch config init``).

The TOML is written here rather than with a library: the config's shape is fixed (values,
tables, arrays of tables, inline tables in ``[mapping]``) and JSON's string escapes are valid
TOML, so a few lines do it; a test reads the output back with :mod:`tomllib`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel

from carewatch.config.files import default_config_text
from carewatch.config.layers import (
    BUILT_IN,
    CONFIG_ENV,
    LayeredConfig,
    system_config_path,
)
from carewatch.config.load import example_text

SHOW_HEADER = """\
# carewatch — the effective config, each value with the layer it came from.
# Layers, each on top of the one before: {layers}.
# A file sets only what it names: tables merge key by key, lists are replaced whole.
"""

INIT_HEADER = """\
# carewatch — your settings ({path}).
#
# carewatch reads, each on top of the one before: its built-in defaults,
# {system}, this file, then the file named by --config or
# {config_env}. A file sets only what it names: uncomment a line and change it, and every
# other setting keeps its default. Tables such as [targets] merge key by key; a list such
# as [[categories]] is replaced whole, so list every category you want.
# `carewatch config show` prints the result; `carewatch config check FILE` checks a file.
"""

EXAMPLE_NOTE = """\
#
# What follows is carewatch's example config "{name}"; its settings are active.
"""

DEFAULTS_NOTE = """\
#
# What follows are the built-in defaults, commented out.
"""

NOT_SET = "# {key} is not set  # {origin}"
ORIGIN = "  # {origin}"
LIST_ORIGIN = "# {key}: {origin}"

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be, else quoted."""
    return key if _BARE_KEY.match(key) else toml_value(key)


def toml_value(value: Any) -> str:
    """One value as TOML: strings, numbers, booleans, dates, arrays and inline tables."""
    if isinstance(value, date):  # a local date literal (closed_days)
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        # JSON's escapes are TOML's; TOML also forbids a raw DEL in a basic string
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


def _table(lines: list[str], values: Mapping[str, Any], layered: LayeredConfig, *path: str) -> None:
    for key, value in values.items():
        origin = layered.origin(*path, key)
        if value is None:
            lines.append(NOT_SET.format(key=key, origin=origin))
        else:
            lines.append(f"{toml_key(key)} = {toml_value(value)}" + ORIGIN.format(origin=origin))


def show_text(layered: LayeredConfig) -> str:
    """The effective config as TOML; a comment after each value says where it came from."""
    config = layered.config
    names = [
        BUILT_IN if layer.kind == BUILT_IN else f"{layer.where} ({layer.kind})"
        for layer in layered.layers
    ]
    lines = SHOW_HEADER.format(layers="; ".join(names)).splitlines()
    # top-level values first: in TOML a key after a table header belongs to that table
    scalars: dict[str, Any] = {}
    tables: dict[str, BaseModel | None] = {}
    arrays: dict[str, list[BaseModel]] = {}
    for name in type(config).model_fields:
        if name == "path":
            continue
        value = getattr(config, name)
        if isinstance(value, BaseModel) or (value is None and name == "mapping"):
            tables[name] = value
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            arrays[name] = value
        else:
            scalars[name] = value
    lines.append("")
    _table(lines, scalars, layered)
    for name, model in tables.items():
        lines.append("")
        if model is None:
            lines.append(NOT_SET.format(key=f"[{name}]", origin=layered.origin(name)))
            continue
        lines.append(f"[{name}]")
        _table(lines, _dump(model), layered, name)
    for name, items in arrays.items():
        lines.append("")
        lines.append(LIST_ORIGIN.format(key=name, origin=layered.origin(name)))
        for index, item in enumerate(items):
            if index:
                lines.append("")
            lines.append(f"[[{name}]]")
            for key, value in _dump(item).items():
                if value is not None:
                    lines.append(f"{toml_key(key)} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def starter_text(path: str, example: str | None = None) -> str:
    """The user config ``config init`` writes: a header on how layers work, then either an
    example config (active) or the built-in defaults commented out."""
    header = INIT_HEADER.format(path=path, system=system_config_path(), config_env=CONFIG_ENV)
    if example is not None:
        return header + EXAMPLE_NOTE.format(name=example) + "\n" + example_text(example)
    # the defaults without their own header (the first block of comments)
    _, _, defaults = default_config_text().partition("\n\n")
    body = [
        line if not line.strip() or line.lstrip().startswith("#") else f"# {line}"
        for line in defaults.splitlines()
    ]
    return header + DEFAULTS_NOTE + "\n" + "\n".join(body) + "\n"
