"""Load and validate ``carewatch.toml``.

The file's shape is documented in ``config/carewatch.toml``. A bad file raises
:class:`ConfigError` with one line naming the file, the key and what is expected.

The modules: ``models`` (the sections and :class:`Config`), ``mapping`` (the ``[mapping]``
section of the ``mapped`` format), ``layers`` (the layers a config is merged from and
:class:`ConfigError`), ``load`` (loading and validating, the default and the examples),
``show`` (the effective config as commented TOML) and ``base`` (the strict, frozen base model).
"""

from carewatch.config.layers import (
    ConfigError,
    LayeredConfig,
    system_config_path,
    user_config_path,
)
from carewatch.config.load import (
    default_config,
    default_config_text,
    example_names,
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
