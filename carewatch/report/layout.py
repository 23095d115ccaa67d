"""Laying out the text format: terminal column widths, fitting and wrapping text to them,
section headings and colour codes."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence

#: Style names -> ANSI SGR codes (config colour names included).
ANSI = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
    "white": "37",
    "black": "30",
    "bright_red": "91",
    "bright_green": "92",
    "bright_yellow": "93",
    "bright_blue": "94",
    "bright_magenta": "95",
    "bright_cyan": "96",
    "bright_white": "97",
}


def cell_width(text: str) -> int:
    """Columns ``text`` takes on a terminal (wide East Asian characters take two)."""
    if text.isascii():
        return len(text)
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def fit(text: str, width: int, align: str = "<") -> str:
    """``text`` truncated with "…" and padded to exactly ``width`` columns."""
    if cell_width(text) > width:
        out, used = [], 0
        for ch in text:
            w = 0 if unicodedata.combining(ch) else cell_width(ch)
            if used + w > width - 1:
                break
            out.append(ch)
            used += w
        text = "".join(out) + "…"
    pad = " " * max(0, width - cell_width(text))
    return pad + text if align == ">" else text + pad


def column_widths(
    rows: Sequence[Sequence[str]], base: Sequence[int], pads: Sequence[int], most: int = 24
) -> tuple[int, ...]:
    """The width of each column of a table of ``rows`` (its headings first): the ``base`` width,
    or wider where a cell (a longer word in another language) needs it, plus its ``pad`` (the
    space that parts it from the next column), up to ``most`` columns; beyond, ``fit`` cuts."""
    return tuple(
        max(width, min(most, max(cell_width(row[i]) + pad for row in rows)))
        for i, (width, pad) in enumerate(zip(base, pads, strict=True))
    )


def widened(base: Sequence[int], rows: Iterable[Sequence[str]], pad: int = 1) -> tuple[int, ...]:
    """The ``base`` width of each column, or wider where a cell of ``rows`` needs it plus
    ``pad``: a figure of a long period ("1,234 h 05 min" of talk in a year) is never cut, and
    never runs into the figure before it."""
    widths = list(base)
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], cell_width(cell) + pad)
    return tuple(widths)


#: The narrowest a table's name column is made to leave room for wider figures.
LEAST_NAME = 8


def named_row(name: str, c_name: int, width: int, figures: str) -> list[str]:
    """A table row: ``name`` in its column of ``c_name`` columns and the ``figures`` after it.
    A name longer than its column is written whole on a line of its own (wrapped to ``width``)
    with the figures on the next line: names that differ only at their end ("Billing – North",
    "Billing – South") are never cut to look alike."""
    if cell_width(name) <= c_name:
        return [(fit(name, c_name) + figures).rstrip()]
    return [*wrap(name, width), (" " * c_name + figures).rstrip()]


_GLUE_RE = re.compile(
    r"(?<=\d) (?=(?:d|g|h|min|s|pp|calls?)\b|p\.p\.|[€$£¥])|\b(?:d|g|h|min) (?=\d)|[€$£¥] (?=\d)"
)
_NBSP = "\u00a0"


def wrap(text: str, width: int, indent: str = "", first: str | None = None) -> list[str]:
    """``text`` wrapped to ``width`` columns; the first line starts with ``first`` (default
    ``indent``), the others with ``indent``. A number stays on the line of its unit ("2 min
    05 s", "€ 146", "5 g 12 h", "6,60 €", "28,6 p.p."); long words are broken."""
    start = indent if first is None else first
    glued = _GLUE_RE.sub(lambda m: m.group(0).replace(" ", _NBSP), text.replace(_NBSP, " "))
    lines = textwrap.wrap(
        glued,
        width=max(10, width),
        initial_indent=start,
        subsequent_indent=indent,
        break_long_words=True,
        break_on_hyphens=False,
    )
    lines = [line.replace(_NBSP, " ") for line in lines]
    # textwrap counts characters; re-fit lines with wide characters.
    return [line if cell_width(line) <= width else fit(line, width).rstrip() for line in lines] or [
        start.rstrip()
    ]


class Paint:
    """Colour codes when enabled, else nothing."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str | None) -> str:
        code = ANSI.get(style or "")
        if not self.enabled or not code or not text.strip():
            return text
        return f"\x1b[{code}m{text}\x1b[0m"


def heading(title: str, note: str, width: int, paint: Paint) -> list[str]:
    """A section's heading: a blank line, the title in bold with ``note`` at the right, a rule."""
    note = fit(note, max(0, width - cell_width(title) - 2)).rstrip() if note else ""
    gap = max(2, width - cell_width(title) - cell_width(note))
    return ["", paint(title, "bold") + " " * gap + note, "─" * width]
