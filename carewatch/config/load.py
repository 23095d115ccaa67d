"""Loading a config: the layers (:mod:`carewatch.config.layers`) merged and validated, or one
document on its own; the built-in default and the example configs shipped with carewatch.

A bad file raises :class:`ConfigError` with one line naming the file, the key and what is
expected.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from carewatch.config.files import (
    default_config_data,
    example_names,
    shipped_path,
)
from carewatch.config.layers import (
    BUILT_IN,
    BUILT_IN_FILE,
    ConfigError,
    Layer,
    LayeredConfig,
    all_layers,
    blame,
    merge,
    merge_layers,
    read_toml,
)
from carewatch.config.models import Config
from carewatch.i18n import N_, _, ngettext

#: The unknown-key message points here.
UNKNOWN_KEY = N_("unknown key (see config/carewatch.toml or 'carewatch config show' for the keys)")

#: pydantic's words for the errors a config most often has, by the error's type, so they are
#: said in the user's language (the English is pydantic's own: English reads as it did). Any
#: other error keeps pydantic's words.
PYDANTIC_WORDS = {
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "float_type": N_("Input should be a valid number"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "int_type": N_("Input should be a valid integer"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "bool_type": N_("Input should be a valid boolean"),
    "string_type": N_("Input should be a valid string"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "greater_than": N_("Input should be greater than {gt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "less_than": N_("Input should be less than {lt}"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "literal_error": N_("Input should be {expected}"),
    "finite_number": N_("Input should be a finite number"),
    "missing": N_("Field required"),
    "extra_forbidden": UNKNOWN_KEY,
}


#: The same for pydantic's errors whose words follow a number (singular and plural forms).
PYDANTIC_PLURALS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "string_too_long": lambda ctx: ngettext(
        "String should have at most {max_length} character",
        "String should have at most {max_length} characters",
        int(ctx["max_length"]),
    ),
    "string_too_short": lambda ctx: ngettext(
        "String should have at least {min_length} character",
        "String should have at least {min_length} characters",
        int(ctx["min_length"]),
    ),
}


def _words(err: Mapping[str, Any]) -> str:
    """What a validation error says, in the user's language where :data:`PYDANTIC_WORDS`
    or :data:`PYDANTIC_PLURALS` has its type."""
    kind = str(err["type"])
    template = PYDANTIC_WORDS.get(kind)
    plural = PYDANTIC_PLURALS.get(kind)
    if template is None and plural is None:
        return str(err["msg"]).removeprefix("Value error, ")
    shown = {
        key: f"{value:g}" if isinstance(value, float) else value
        for key, value in (err.get("ctx") or {}).items()
    }
    try:
        if plural is not None:
            return plural(shown).format(**shown)
        assert template is not None
        return _(template).format(**shown)
    except (KeyError, IndexError, ValueError):  # a context pydantic no longer gives
        return str(err["msg"])


def _locate(loc: Sequence[object]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
        else:
            parts.append(str(item))
    return ".".join(parts) or "(top level)"


def _validate(data: Mapping[str, Any], path: str | None, layers: Sequence[Layer]) -> Config:
    try:
        return Config.model_validate({**data, "path": path})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        msg = _words(err)
        where = blame(layers, loc) if layers else path or "<config>"
        raise ConfigError(f"{where}: {_locate(loc)}: {msg}") from None


def parse_config(data: dict[str, Any], path: str | None = None) -> Config:
    """One parsed TOML document on its own (no defaults under it) -> :class:`Config`, or
    :class:`ConfigError` naming ``path``."""
    return _validate(data, path, [])


def load_layered(
    path: str | os.PathLike[str] | None = None,
    *,
    db: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> LayeredConfig:
    """The effective config: the built-in default ← the system file ← the user's file ←
    ``path`` (else ``CAREWATCH_CONFIG``) ← ``CAREWATCH_DB`` ← ``db`` (``--db``).

    ``environ`` replaces ``os.environ`` (tests)."""
    return validate_layers(all_layers(path, db=db, environ=environ))


def validate_layers(layers: Sequence[Layer]) -> LayeredConfig:
    """The layers (:func:`~carewatch.config.layers.all_layers`) merged and validated: the
    effective config, or :class:`ConfigError` naming the file and the key."""
    merged = merge_layers(layers)
    top_file = [layer.where for layer in layers if layer.is_file][-1]
    config = _validate(merged, top_file, layers)
    return LayeredConfig(config, tuple(layers), merged)


def check_file(path: str | os.PathLike[str]) -> Config:
    """One file on top of the built-in default, the way carewatch would read it, without the
    system's or the user's file: the config it gives, or :class:`ConfigError`."""
    file = Path(path)
    layers = [
        Layer(BUILT_IN, BUILT_IN_FILE, default_config_data()),
        Layer("file", str(file), read_toml(file)),
    ]
    return _validate(merge(layers[0].data, layers[1].data), str(file), layers)


def load_config(
    path: str | os.PathLike[str] | None = None,
    *,
    db: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """The effective config (:func:`load_layered`): a file sets only what it names, every
    other key keeps its default."""
    return load_layered(path, db=db, environ=environ).config


# -- what carewatch ships ------------------------------------------------------------------------


def default_config() -> Config:
    """The documented default (``config/carewatch.toml``) on its own."""
    return parse_config(default_config_data(), BUILT_IN_FILE)


def example_text(name: str) -> str:
    """The text of one example config, or :class:`ConfigError` listing the examples."""
    if name not in example_names():
        known = ", ".join(example_names()) or "(none)"
        raise ConfigError(
            _("no example config {name!r}; the examples: {known}").format(name=name, known=known)
        )
    return (shipped_path("examples") / f"{name}.toml").read_text(encoding="utf-8")
