"""What every panel of the main screen declares: its help.

A panel carries a :class:`PanelHelp` as its ``PANEL_HELP`` class attribute: its title (also its
border title), what it shows, and the keys that work while it has focus. The help screen
(F1 or ``?``) shows the focused panel's ``PANEL_HELP``; nothing else keeps a list of panels'
help. (Not ``HELP``: Textual's own help panel reads that name, as a markdown string.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class KeyHelp:
    """One key and what it does."""

    key: str
    description: str


@dataclass(frozen=True)
class PanelHelp:
    """A panel's title, what it shows, and the keys of its own."""

    title: str
    text: str
    keys: tuple[KeyHelp, ...] = ()


class Panel:
    """A panel of the main screen (mixed into its widget class): it declares its help."""

    PANEL_HELP: ClassVar[PanelHelp]
