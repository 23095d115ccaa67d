"""The live screen on a terminal that is not UTF-8 (``LANG=C``, a Latin-1 locale): every
character it cannot show (borders, "…", "·", "●", bars, Textual's own scroll bars) painted as
one plain character of the same width (:func:`carewatch.charset.plain_text`), so the layout
stays as it is."""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from carewatch.charset import plain_text


class PlainCharacters(LineFilter):
    """Paints each character the terminal's encoding (``keep``) lacks as a plain one."""

    def __init__(self, keep: str) -> None:
        super().__init__()
        self.keep = keep

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        """The segments, their text in characters the terminal can show."""
        keep = self.keep
        return [
            segment
            if segment.control or segment.text.isascii()
            else Segment(plain_text(segment.text, keep), segment.style, segment.control)
            for segment in segments
        ]
