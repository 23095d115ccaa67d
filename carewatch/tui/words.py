"""The screen's words in the current language (:mod:`carewatch.i18n`), where Textual holds them.

Textual reads a class's ``BINDINGS`` when the class is made, long before a language is chosen,
and copies them into every node it builds; the footer shows each binding's ``description``. So
the descriptions are marked with ``N_`` where they are declared and :func:`translate_bindings`
translates a node's own copy when the node is made (``__init__``: the language is set before
the app is built). A language chosen later applies to the nodes made after it.

Dates on the screen (:func:`day_and_date`, :func:`weekday`) are CLDR's short words for the
language (Babel); English keeps the C library's. Nothing here imports Textual at run time
(the snapshot's builders use it off the UI thread).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from babel.dates import format_date

from carewatch.i18n import N_, SOURCE_LANGUAGE, _, language

if TYPE_CHECKING:
    from textual.dom import DOMNode

#: Textual's own words the screen shows: the command palette's key in the footer and the
#: palette's system commands (:meth:`CarewatchApp.get_system_commands`).
TEXTUAL_WORDS = (
    N_("palette"),
    N_("Open the command palette"),
    N_("Theme"),
    N_("Change the current theme"),
    N_("Quit the application as soon as possible"),
    N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"),
    N_("Minimize the widget and restore to normal size"),
    N_("Maximize"),
    N_("Maximize the focused widget"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
)


def tr(text: str) -> str:
    """``_(text)``, and ``""`` for ``""`` (gettext's translation of ``""`` is its header)."""
    return _(text) if text else ""


def translate_bindings(node: DOMNode) -> None:
    """Translate the descriptions and tooltips of ``node``'s key bindings (its own copy)."""
    bindings = node._bindings
    bindings.key_to_bindings = {
        key: [
            replace(binding, description=tr(binding.description), tooltip=tr(binding.tooltip))
            for binding in group
        ]
        for key, group in bindings.key_to_bindings.items()
    }


def day_and_date(moment: datetime) -> str:
    """``"Wed 13 Mar"``: the weekday, day and month in the current language's short words."""
    if language() == SOURCE_LANGUAGE:
        return f"{moment:%a %d %b}"
    return format_date(moment, "EEE dd MMM", locale=language())


def weekday(moment: datetime) -> str:
    """``"Wed"``: the short weekday in the current language."""
    if language() == SOURCE_LANGUAGE:
        return f"{moment:%a}"
    return format_date(moment, "EEE", locale=language())
