"""The language of the command line, chosen before the parser is built so ``--help`` speaks it.

:func:`choose_from_argv` reads ``--lang`` from the raw arguments and the ``[ui] language`` of
the config files with :mod:`tomllib` alone (no validation: a bad value is reported later, when
the command loads the config), then sets the language for the whole process (see
:func:`carewatch.i18n.choose_language` for the order).

argparse translates its own words ("usage:", "options", "invalid choice" ...) through the
module-level ``_`` and ``ngettext`` it imported from :mod:`gettext`; :func:`speak_argparse`
rebinds those two names to carewatch's catalog when the language is not English and restores
the originals for English. ``ARGPARSE_MESSAGES`` marks argparse's words for extraction.
"""

from __future__ import annotations

import argparse
import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from carewatch import i18n
from carewatch.i18n import N_, _

#: argparse's own words a user reads, marked so that the catalog carries their translations.
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)

_ARGPARSE_ORIGINAL: tuple[Callable[..., str], Callable[..., str]] = (
    argparse._,  # type: ignore[attr-defined]
    argparse.ngettext,  # type: ignore[attr-defined]
)


class BadLanguage(Exception):
    """``--lang`` names a language carewatch does not speak (``str()``: the one line)."""


def bad_language_message(value: str) -> str:
    """The one-line error of ``--lang xx``."""
    return _("--lang: expected one of {languages}, not {value!r}").format(
        languages=", ".join(i18n.LANGUAGES), value=value
    )


def _option_value(argv: Sequence[str], option: str, shortest: int) -> str | None:
    """The last value given to ``option`` (``--opt V`` or ``--opt=V``) before ``--``; like
    argparse, a prefix of at least ``shortest`` characters (``--la it``) names it too."""
    found = None
    for i, word in enumerate(argv):
        if word == "--":
            break
        name, eq, value = word.partition("=")
        if len(name) < shortest or not option.startswith(name):
            continue
        if eq:
            found = value
        elif i + 1 < len(argv):
            found = argv[i + 1]
    return found


def configured_language(config: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """``[ui] language`` of the top config file that sets it (system, user, ``--config`` or
    ``CAREWATCH_CONFIG``), read cheaply; a file that cannot be read is skipped here."""
    from carewatch.config.layers import CONFIG_ENV, system_config_path, user_config_path

    env = os.environ if environ is None else environ
    named = config or env.get(CONFIG_ENV) or None
    paths = [system_config_path(env), user_config_path(env)]
    if named:
        paths.append(Path(named))
    found = None
    for path in paths:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        ui = data.get("ui")
        if isinstance(ui, dict) and isinstance(ui.get("language"), str):
            found = ui["language"]
    return found


def speak_argparse(lang: str) -> None:
    """Have argparse say its own words in ``lang`` (carewatch's catalog), or in English."""
    if lang == i18n.SOURCE_LANGUAGE:
        argparse._, argparse.ngettext = _ARGPARSE_ORIGINAL  # type: ignore[attr-defined]
    else:
        argparse._ = i18n._  # type: ignore[attr-defined]
        argparse.ngettext = i18n.ngettext  # type: ignore[attr-defined]


def choose_from_argv(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """Set the process's language from ``--lang``, the config files and the environment;
    :class:`BadLanguage` for a ``--lang`` carewatch does not speak."""
    env = os.environ if environ is None else environ
    # the shortest prefixes no other option of any command shares (--listen, --calls, --category)
    flag = _option_value(argv, "--lang", len("--la"))
    configured = configured_language(_option_value(argv, "--config", len("--con")), env)
    bad = flag is not None and flag not in i18n.LANGUAGES
    lang = i18n.set_language(i18n.choose_language(None if bad else flag, configured, env))
    speak_argparse(lang)
    if bad:
        raise BadLanguage(bad_language_message(str(flag)))
    return lang
