"""The issue modal: open an issue from the selected call, with a title."""

from __future__ import annotations

from carewatch.tui.prompt_screen import TextPromptScreen

MAX_TITLE = 200


class IssueScreen(TextPromptScreen):
    """Returns the issue's title, or ``None`` when cancelled (an empty title cancels too)."""

    NAME = "issue"
    BOX_TITLE = "Open an issue"
    LABEL = "Issue from call {call}"
    PLACEHOLDER = "what needs follow-up"
    HINT = "Enter opens the issue · Esc cancels"
    MAX_LENGTH = MAX_TITLE
    empty_cancels = True
