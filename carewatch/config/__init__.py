"""Load and validate ``carewatch.toml``.

The file's shape is documented in ``config/carewatch.toml``. A bad file raises
:class:`ConfigError` with one line naming the file, the key and what is expected.

The modules: ``models`` (the sections and :class:`Config`), ``mapping`` (the ``[mapping]``
section of the ``mapped`` format), ``layers`` (the layers a config is merged from and
:class:`ConfigError`), ``load`` (loading and validating, the default and the examples),
``show`` (the effective config as commented TOML), ``files`` (the files carewatch ships),
``base`` (the strict, frozen base model) and ``unchanged`` (the layers recognised, without
pydantic, as the shipped default with at most a database of their own: ``carewatch tag``
starts fast with it; the models stay the one source of the config's rules).

The names below are imported on first use (PEP 562), so a command that never reads a config,
such as ``carewatch --help``, does not import pydantic.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carewatch.config.files import default_config_text, example_names
    from carewatch.config.layers import (
        ConfigError,
        LayeredConfig,
        system_config_path,
        user_config_path,
    )
    from carewatch.config.load import (
        default_config,
        example_text,
        load_config,
        load_layered,
        parse_config,
    )
    from carewatch.config.mapping import Mapping
    from carewatch.config.models import (
        FORMATS,
        RESERVED_KEYS,
        Category,
        Config,
        Mail,
        Outcome,
        Privacy,
        Shift,
        Source,
        Targets,
        check_encoding,
    )

#: Where each public name is defined.
_HOMES: dict[str, str] = {
    **dict.fromkeys(
        ("ConfigError", "LayeredConfig", "system_config_path", "user_config_path"), "layers"
    ),
    **dict.fromkeys(
        ("default_config", "example_text", "load_config", "load_layered", "parse_config"), "load"
    ),
    "Mapping": "mapping",
    **dict.fromkeys(
        (
            "FORMATS",
            "RESERVED_KEYS",
            "Category",
            "Config",
            "Mail",
            "Outcome",
            "Privacy",
            "Shift",
            "Source",
            "Targets",
            "check_encoding",
        ),
        "models",
    ),
    **dict.fromkeys(("default_config_text", "example_names"), "files"),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "FORMATS",
    "RESERVED_KEYS",
    "Category",
    "Config",
    "ConfigError",
    "LayeredConfig",
    "Mail",
    "Mapping",
    "Outcome",
    "Privacy",
    "Shift",
    "Source",
    "Targets",
    "check_encoding",
    "default_config",
    "default_config_text",
    "example_names",
    "example_text",
    "load_config",
    "load_layered",
    "parse_config",
    "system_config_path",
    "user_config_path",
]
