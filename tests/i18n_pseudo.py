"""Test helpers for translations: the messages marked in the sources, and a pseudo-language.

The pseudo-language translates every marked message into a form no English word survives: each
run of ASCII letters is upper-cased and the whole message wrapped in ``⟦…⟧`` (placeholders such
as ``{count}`` and ``%(name)s`` are kept as they are, so formatting still works). A face of
carewatch rendered in it and still showing a lower-case English word has a string that does not
go through the catalog.
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import carewatch
from carewatch import i18n

PACKAGE = Path(carewatch.__file__).resolve().parent
#: The keywords carewatch marks messages with (as ``pybabel extract -k`` takes them).
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
_PLACEHOLDER = re.compile(r"(\{[^{}]*\}|%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr])")


def extracted() -> Iterator[tuple[str | tuple[str, ...], str | None, str]]:
    """Every marked message: (msgid or (singular, plural), context, "file:line")."""
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        yield message, context, f"{filename}:{lineno}"


def pseudo(text: str) -> str:
    """``"Offered {n} calls"`` → ``"⟦OFFERED {n} CALLS⟧"``: letters shout, placeholders kept."""
    parts = _PLACEHOLDER.split(text)
    out = [p if i % 2 else p.upper() for i, p in enumerate(parts)]
    return "⟦" + "".join(out) + "⟧"


def pseudo_catalog() -> Catalog:
    catalog = Catalog(locale="it")
    for message, context, _where in extracted():
        if isinstance(message, tuple):
            singular, plural = message[0], message[1]
            # Every plural form the locale has (CLDR gives Italian a third, for millions).
            forms = (pseudo(singular),) + (pseudo(plural),) * (catalog.num_plurals - 1)
            catalog.add((singular, plural), forms, context=context)
        else:
            catalog.add(message, pseudo(message), context=context)
    return catalog


def translations_of(catalog: Catalog) -> gettext.GNUTranslations:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def use_pseudo() -> None:
    """Speak the pseudo-language from now on (reset with ``i18n.set_language("en")``)."""
    i18n.use(translations_of(pseudo_catalog()), "it")


def italian_catalog() -> Catalog:
    with (i18n.LOCALE_DIR / "it" / "LC_MESSAGES" / "carewatch.po").open("rb") as handle:
        return read_po(handle)
