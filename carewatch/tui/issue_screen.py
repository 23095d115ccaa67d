"""The issue modal: open an issue from the selected call, with a title."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from carewatch.tui.text import clean

MAX_TITLE = 200


class IssueScreen(ModalScreen[str | None]):
    """Returns the issue's title, or ``None`` when cancelled (an empty title cancels too)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, call_label: str, suggested_title: str) -> None:
        super().__init__()
        self.call_label = call_label
        self.suggested_title = clean(suggested_title, limit=MAX_TITLE)

    def compose(self) -> ComposeResult:
        """The call, the title (prefilled), the hint."""
        with Vertical(id="issue-box", classes="modal-box") as box:
            box.border_title = "Open an issue"
            yield Label(Text(f"Issue from call {self.call_label}"), classes="modal-label")
            yield Input(
                value=self.suggested_title,
                placeholder="what needs follow-up",
                max_length=MAX_TITLE,
                id="issue-input",
            )
            yield Label(Text("Enter opens the issue · Esc cancels", style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: open it (an empty title cancels)."""
        event.stop()
        title = clean(event.value, limit=MAX_TITLE)
        self.dismiss(title or None)

    def action_cancel(self) -> None:
        """Esc: open nothing."""
        self.dismiss(None)
