"""What every panel of the main screen declares: its help.

A panel carries a :class:`PanelHelp` as its ``PANEL_HELP`` class attribute: its title (also its
border title), what it shows, and the keys that work while it has focus. The help screen
(F1 or ``?``) shows the focused panel's ``PANEL_HELP``; nothing else keeps a list of panels'
help. (Not ``HELP``: Textual's own help panel reads that name, as a markdown string.)

Titles, texts and key descriptions are marked with ``N_`` where they are declared and
translated where they are shown (:meth:`PanelHelp.shown`, :attr:`Panel.panel_title`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from carewatch.i18n import _


@dataclass(frozen=True)
class KeyHelp:
    """One key and what it does."""

    key: str
    description: str

    def shown(self) -> KeyHelp:
        """In the current language (key names are key names: only marked ones change)."""
        return KeyHelp(_(self.key), _(self.description))


@dataclass(frozen=True)
class PanelHelp:
    """A panel's title, what it shows, and the keys of its own. ``values``: the text's
    ``{placeholders}``, filled in after translation."""

    title: str
    text: str
    keys: tuple[KeyHelp, ...] = ()
    values: tuple[tuple[str, object], ...] = ()

    def shown(self) -> PanelHelp:
        """The help in the current language, its placeholders filled in."""
        text = _(self.text)
        if self.values:
            text = text.format(**dict(self.values))
        return PanelHelp(_(self.title), text, tuple(key.shown() for key in self.keys))


class Panel:
    """A panel of the main screen (mixed into its widget class): it declares its help."""

    PANEL_HELP: ClassVar[PanelHelp]

    @property
    def panel_title(self) -> str:
        """The panel's title in the current language (its border title)."""
        return _(self.PANEL_HELP.title)
