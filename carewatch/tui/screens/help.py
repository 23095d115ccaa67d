"""Help for the focused panel: what it shows and the keys that work there."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from carewatch.i18n import N_, _
from carewatch.tui.panels.panel import KeyHelp, PanelHelp
from carewatch.tui.words import translate_bindings


def keys_table(keys: Sequence[KeyHelp]) -> Table:
    """Keys as a two-column table (descriptions are shown literally)."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, min_width=10)
    table.add_column()
    for item in keys:
        table.add_row(Text(item.key), Text(item.description))
    return table


class HelpScreen(ModalScreen[None]):
    """What the focused panel shows, its keys, and the keys that work everywhere."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss_help", N_("Close help")),
    ]

    def __init__(self, panel: PanelHelp, global_keys: Sequence[KeyHelp]) -> None:
        """``panel``: the focused panel's help; ``global_keys``: every key of the screen (both
        in the language shown: :meth:`PanelHelp.shown`)."""
        super().__init__()
        translate_bindings(self)
        self.panel_title = panel.title
        self.panel_help = panel.text
        self.panel_keys = list(panel.keys)
        self.global_keys = list(global_keys)

    def compose(self) -> ComposeResult:
        """The panel's text, its keys, the keys everywhere."""
        with VerticalScroll(id="help-box") as box:
            box.border_title = Text(_("Help · {panel}").format(panel=self.panel_title))
            box.border_subtitle = _("Esc closes")
            yield Static(Text(self.panel_help), id="help-what")
            if self.panel_keys:
                yield Static(
                    Text(_("Keys in this panel"), style="bold underline"), classes="help-heading"
                )
                yield Static(keys_table(self.panel_keys), id="help-panel-keys")
            yield Static(Text(_("Keys everywhere"), style="bold underline"), classes="help-heading")
            yield Static(keys_table(self.global_keys), id="help-global-keys")

    def action_dismiss_help(self) -> None:
        """Close the help."""
        self.dismiss(None)
