"""The language carewatch speaks: gettext catalogs, chosen once per process.

Every user-visible string goes through :func:`_` (or :func:`ngettext` for counted nouns) at the
moment it is shown; strings in module-level tables (KPI labels, help texts) are marked with
:func:`N_`, which only marks them for extraction, and are translated with ``_(label)`` where they
are displayed. English is the source language: with no catalog loaded every function returns its
argument unchanged, so the English output does not depend on this module at all.

The catalogs are ``carewatch/locale/<lang>/LC_MESSAGES/carewatch.po`` (the source, edited by
translators) compiled to ``carewatch.mo`` when the wheel is built. A source checkout without the
compiled file reads the ``.po`` directly (through Babel), so an editable install speaks Italian
too. See ``docs/translating.md``.

Which language: :func:`choose_language` — ``--lang``, then the config's ``[ui] language``, then
``LC_ALL``, ``LC_MESSAGES``, ``LANG`` (the first one set, as gettext reads them), then English.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Mapping
from pathlib import Path

#: The gettext domain: the catalogs' file name.
DOMAIN = "carewatch"
#: Where the catalogs live, inside the package.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The source language.
SOURCE_LANGUAGE = "en"
#: The languages carewatch speaks (the source language and those with a catalog).
LANGUAGES: tuple[str, ...] = ("en", "it")

_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_language: str = SOURCE_LANGUAGE


def _(message: str) -> str:
    """``message`` in the current language (unchanged in English or when not translated)."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a counted noun for ``n``, in the current language."""
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` translated in ``context`` (the same English word meaning two things)."""
    return _translations.pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it (translate it where shown)."""
    return message


def language() -> str:
    """The current language's code: ``"en"`` or ``"it"``."""
    return _language


def normalise(value: str | None) -> str | None:
    """``"it_IT.UTF-8"`` → ``"it"``; ``"C"``/``"POSIX"`` → ``"en"``; a language carewatch does not
    speak, or nothing, → ``None``."""
    if not value:
        return None
    code = value.strip().split(":")[0].split(".")[0].split("@")[0].replace("-", "_")
    if code.upper() in ("C", "POSIX"):
        return SOURCE_LANGUAGE
    lang = code.split("_")[0].lower()
    return lang if lang in LANGUAGES else None


def choose_language(
    flag: str | None = None,
    configured: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The language to speak: ``--lang``, then ``[ui] language``, then the locale environment.

    The environment is read as gettext reads it: the first of ``LANGUAGE``, ``LC_ALL``,
    ``LC_MESSAGES``, ``LANG`` that is set decides (``LANGUAGE`` may list several, ``it:en``).
    An unknown language anywhere falls through to the next source; the end is English.
    """
    for given in (flag, configured):
        chosen = normalise(given)
        if chosen:
            return chosen
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            for part in value.split(":"):
                chosen = normalise(part)
                if chosen:
                    return chosen
            if name != "LANGUAGE":
                break
    return SOURCE_LANGUAGE


def _load(lang: str) -> _gettext.NullTranslations:
    if lang == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    mo = folder / f"{DOMAIN}.mo"
    po = folder / f"{DOMAIN}.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    if po.is_file():
        return _compile_po(po)
    return _gettext.NullTranslations()


def _compile_po(po: Path) -> _gettext.NullTranslations:
    """A ``.po`` read directly (a source checkout with no compiled catalog)."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def set_language(lang: str) -> str:
    """Speak ``lang`` from now on in this process; returns the language actually set."""
    global _translations, _language
    chosen = normalise(lang) or SOURCE_LANGUAGE
    _translations = _load(chosen)
    _language = chosen
    return chosen


def use(translations: _gettext.NullTranslations, lang: str) -> None:
    """Speak through ``translations`` as ``lang`` (tests: a pseudo-language that shows what is
    left untranslated)."""
    global _translations, _language
    _translations = translations
    _language = lang


__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "_",
    "choose_language",
    "language",
    "ngettext",
    "normalise",
    "pgettext",
    "set_language",
    "use",
]
