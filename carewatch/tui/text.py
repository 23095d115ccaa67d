"""The one place where text that came from a log or a user becomes something the screen paints.

In Textual 8 a plain ``str`` given to a DataTable cell, a Static or a notification is parsed as
markup: a caller ID ``[/]x`` raises ``MarkupError`` and ``[@click=app.quit]`` becomes an action.
Every value from a log (caller, agent, queue, category, outcome, note, issue title, file name)
goes through :func:`literal` (or :func:`caller_text` for callers), which strips control
characters (so ``"\\x1b[2J"`` cannot clear the terminal) and wraps the result in a
:class:`rich.text.Text`, which is never parsed as markup.
"""

from __future__ import annotations

from rich.color import ColorParseError
from rich.errors import StyleSyntaxError
from rich.style import Style, StyleType
from rich.text import Text

from carewatch.config import Privacy
from carewatch.present import MAX_TEXT, clean_text
from carewatch.present import mask_caller as present_mask_caller
from carewatch.records import CallRow

#: Longest text a cell or label shows; longer values are cut with an ellipsis.
MAX_CELL_CHARS = MAX_TEXT


def literal(value: object, style: StyleType = "", *, limit: int = MAX_CELL_CHARS) -> Text:
    """A value from a log or a user, shown exactly as written (never markup), one line; cut
    by the width it is shown in, it ends in "…"."""
    return Text(
        clean_text(value, limit=limit), style=style, no_wrap=True, overflow="ellipsis", end=""
    )


def mask_caller(caller: str | None, privacy: Privacy) -> str:
    """A caller number as the screen shows it (:func:`carewatch.present.mask_caller`)."""
    return present_mask_caller(caller, privacy, limit=MAX_CELL_CHARS)


def caller_text(caller: str | None, privacy: Privacy, style: StyleType = "") -> Text:
    """A caller, masked as the config says and shown literally."""
    return literal(mask_caller(caller, privacy), style)


def call_label(call: CallRow) -> str:
    """A call as a sentence names it ("Call 1710325050.14: shipping"): its call id, cleaned,
    at most 40 characters."""
    return clean_text(call.call_id, limit=40)


def colour_style(colour: str | None) -> Style:
    """A config colour name (``"green"``, ``"#ff8800"``) -> a Rich style; unknown -> plain."""
    if not colour:
        return Style()
    try:
        return Style.parse(colour)
    except (StyleSyntaxError, ColorParseError):
        return Style()
