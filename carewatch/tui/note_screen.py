"""The note modal: one line of text for the selected call (empty clears the note)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from carewatch.tui.text import clean

#: Longest note the modal accepts.
MAX_NOTE = 500


class NoteScreen(ModalScreen[str | None]):
    """Returns the note (``""`` to clear it), or ``None`` when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, call_label: str, current: str | None) -> None:
        super().__init__()
        self.call_label = call_label
        self.current = clean(current, limit=MAX_NOTE)

    def compose(self) -> ComposeResult:
        """The call, the note (prefilled), the hint."""
        with Vertical(id="note-box", classes="modal-box") as box:
            box.border_title = "Note"
            yield Label(Text(f"Note for call {self.call_label}"), classes="modal-label")
            yield Input(
                value=self.current,
                placeholder="what the caller needed, what was promised…",
                max_length=MAX_NOTE,
                id="note-input",
            )
            yield Label(Text("Enter saves · Esc cancels · empty clears the note", style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: save."""
        event.stop()
        self.dismiss(clean(event.value, limit=MAX_NOTE))

    def action_cancel(self) -> None:
        """Esc: keep the note as it was."""
        self.dismiss(None)
