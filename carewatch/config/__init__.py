"""Load and validate ``carewatch.toml``.

The file's shape is documented in ``config/carewatch.toml``. A bad file raises
:class:`ConfigError` with one line naming the file, the key and what is expected.

The modules: ``models`` (the sections and :class:`Config`), ``mapping`` (the ``[mapping]``
section of the ``mapped`` format), ``load`` (files, the default, :class:`ConfigError`) and
``base`` (the strict, frozen base model).
"""

from carewatch.config.load import (
    ConfigError,
    default_config,
    default_config_text,
    load_config,
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
)

__all__ = [
    "FORMATS",
    "RESERVED_KEYS",
    "Category",
    "Config",
    "ConfigError",
    "Mail",
    "Mapping",
    "Outcome",
    "Privacy",
    "Shift",
    "Source",
    "Targets",
    "default_config",
    "default_config_text",
    "load_config",
    "parse_config",
]
