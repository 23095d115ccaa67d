"""The config in layers, each setting only what it names.

From the bottom up: the built-in default (``config/carewatch.toml``), the system file
(``/etc/carewatch/carewatch.toml``), the user's file (``$XDG_CONFIG_HOME/carewatch/
carewatch.toml``, by default ``~/.config/…``), the file named by ``--config`` or
``CAREWATCH_CONFIG``, then the environment (``CAREWATCH_DB``) and the command line (``--db``).
A later layer wins key by key: tables merge, anything else — a value, a list, an array of
tables such as ``[[categories]]`` — is replaced whole. Missing system and user files are
skipped; a named file that is missing is an error.

``CAREWATCH_SYSTEM_CONFIG_DIR`` moves the system folder (tests, a packaged install under
another prefix). The merged document is validated once; an error names the file of the top
layer that set the key in question, and the key.
"""

from __future__ import annotations

import copy
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carewatch.config.files import default_config_data
from carewatch.i18n import _

if TYPE_CHECKING:
    from carewatch.config.models import Config

#: Where the system's config lives unless ``CAREWATCH_SYSTEM_CONFIG_DIR`` says otherwise.
DEFAULT_SYSTEM_DIR = "/etc/carewatch"
SYSTEM_DIR_ENV = "CAREWATCH_SYSTEM_CONFIG_DIR"
CONFIG_ENV = "CAREWATCH_CONFIG"
DB_ENV = "CAREWATCH_DB"
FILE_NAME = "carewatch.toml"
#: How ``config show`` and the messages name the built-in layer.
BUILT_IN = "built-in default"
BUILT_IN_FILE = "config/carewatch.toml"


class ConfigError(Exception):
    """A config file that cannot be used; ``str()`` is the one line a user sees."""


@dataclass(frozen=True)
class Layer:
    """One layer: what it is (``kind``), where it came from (a file's path, or the variable
    or option that set it) and the keys it names."""

    kind: str
    where: str
    data: Mapping[str, Any]
    #: True for a file (its path names the errors of the keys it sets).
    is_file: bool = True


@dataclass(frozen=True)
class LayeredConfig:
    """The effective config and the layers it was merged from, bottom first."""

    config: Config
    layers: tuple[Layer, ...]
    merged: Mapping[str, Any] = field(default_factory=dict)

    def origin(self, *path: str) -> str:
        """Where the value at ``path`` (e.g. ``"targets", "talk_seconds"``) came from: the
        top layer that names it, else :data:`BUILT_IN` (a model default)."""
        layer = _top_layer_naming(self.layers, path)
        return BUILT_IN if layer is None or layer.kind == BUILT_IN else layer.where


def system_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$CAREWATCH_SYSTEM_CONFIG_DIR/carewatch.toml``, else ``/etc/carewatch/carewatch.toml``."""
    env = os.environ if environ is None else environ
    return Path(env.get(SYSTEM_DIR_ENV) or DEFAULT_SYSTEM_DIR) / FILE_NAME


def user_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/carewatch/carewatch.toml``, else ``~/.config/carewatch/…``.

    A relative ``XDG_CONFIG_HOME`` is ignored, as the XDG base directory spec says."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or ""
    if not os.path.isabs(base):
        home = env.get("HOME") or str(Path.home())
        base = os.path.join(home, ".config")
    return Path(base) / "carewatch" / FILE_NAME


def merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``: tables merge key by key, every other value is replaced."""
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's document, or :class:`ConfigError` naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(_("{path}: no such config file").format(path=path)) from None
    except IsADirectoryError:
        raise ConfigError(_("{path}: is a folder, not a config file").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        cannot = _("{path}: cannot read it ({reason})")
        raise ConfigError(cannot.format(path=path, reason=reason)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        invalid = _("{path}: not valid TOML ({reason})")
        raise ConfigError(invalid.format(path=path, reason=exc)) from None


def file_layers(
    path: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    built_in: Mapping[str, Any],
) -> list[Layer]:
    """The built-in, system, user and named file layers that exist, bottom first."""
    env = os.environ if environ is None else environ
    layers = [Layer(BUILT_IN, BUILT_IN_FILE, built_in)]
    for kind, candidate in (
        ("system", system_config_path(env)),
        ("user", user_config_path(env)),
    ):
        if candidate.exists():
            layers.append(Layer(kind, str(candidate), read_toml(candidate)))
    named = os.fspath(path) if path is not None else env.get(CONFIG_ENV) or None
    if named:
        kind = "--config" if path is not None else CONFIG_ENV
        layers.append(Layer(kind, named, read_toml(Path(named))))
    return layers


def value_layers(db: str | None = None, *, environ: Mapping[str, str] | None = None) -> list[Layer]:
    """The environment's and the command line's settings: ``CAREWATCH_DB``, then ``--db``."""
    env = os.environ if environ is None else environ
    layers = []
    if env.get(DB_ENV):
        layers.append(Layer("environment", DB_ENV, {"database": env[DB_ENV]}, is_file=False))
    if db:
        layers.append(Layer("command line", "--db", {"database": db}, is_file=False))
    return layers


def all_layers(
    path: str | os.PathLike[str] | None = None,
    *,
    db: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[Layer]:
    """Every layer of the effective config, bottom first: the built-in default, the files
    (:func:`file_layers`), ``CAREWATCH_DB`` and ``--db`` (:func:`value_layers`)."""
    layers = file_layers(path, environ=environ, built_in=default_config_data())
    return layers + value_layers(db, environ=environ)


def merge_layers(layers: Sequence[Layer]) -> dict[str, Any]:
    """The layers merged into one document, each on top of those below (:func:`merge`)."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = merge(merged, layer.data)
    return merged


def _names(data: Mapping[str, Any], path: Sequence[object]) -> bool:
    """Whether ``data`` names ``path`` or a table on the way to it holds a non-table there."""
    node: Any = data
    for part in path:
        if not isinstance(part, str):
            return True  # an index into a list: the list was named as a whole
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def _top_layer_naming(layers: Sequence[Layer], path: Sequence[object]) -> Layer | None:
    for layer in reversed(layers):
        if _names(layer.data, path):
            return layer
    return None


def blame(layers: Sequence[Layer], loc: Sequence[object]) -> str:
    """The file to name for an error at ``loc``: the top file layer that names the key (or
    the closest table on the way to it), else the top file layer."""
    files = [layer for layer in layers if layer.is_file]
    for depth in range(len(loc), -1, -1):
        layer = _top_layer_naming(files, loc[:depth]) if depth else None
        if layer is not None:
            return layer.where
    return files[-1].where if files else "<config>"
