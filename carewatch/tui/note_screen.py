"""The note modal: one line of text for the selected call (empty clears the note)."""

from __future__ import annotations

from carewatch.tui.prompt_screen import TextPromptScreen

#: Longest note the modal accepts.
MAX_NOTE = 500


class NoteScreen(TextPromptScreen):
    """Returns the note (``""`` to clear it), or ``None`` when cancelled."""

    NAME = "note"
    BOX_TITLE = "Note"
    LABEL = "Note for call {call}"
    PLACEHOLDER = "what the caller needed, what was promised…"
    HINT = "Enter saves · Esc cancels · empty clears the note"
    MAX_LENGTH = MAX_NOTE
    empty_cancels = False
