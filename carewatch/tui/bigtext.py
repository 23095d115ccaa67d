"""Figures in three-line digits for a wall screen (Textual's ``Digits`` font, as plain lines
that a tile or a wallboard cell can place where it wants)."""

from __future__ import annotations

from textual.renderables.digits import DIGITS, DIGITS3X3


def big_lines(value: str) -> tuple[str, str, str]:
    """``value`` in the three-line font: digits and ``+ - : .`` are three cells wide, any
    other character one cell on the bottom line (``87%`` -> ``8``, ``7``, then ``%``)."""
    rows: list[list[str]] = [[], [], []]
    for character in value.replace(".", "•"):
        index = DIGITS.find(character) if character != " " else -1
        if index < 0:
            rows[0].append(" ")
            rows[1].append(" ")
            rows[2].append(character)
            continue
        for line in range(3):
            rows[line].append(DIGITS3X3[index * 3 + line].ljust(3))
    top, middle, bottom = ("".join(row) for row in rows)
    return top, middle, bottom


def big_width(value: str) -> int:
    """The cells :func:`big_lines` takes for ``value``."""
    return len(big_lines(value)[0])


def big_line(value: str, line: int, width: int) -> str:
    """Line ``line`` (0–2) of ``value`` in big digits, or, when it is wider than ``width``,
    the value as it is on the middle line (so is a value without a digit, such as "–")."""
    if big_width(value) > width or not any(ch.isdigit() for ch in value):
        return value if line == 1 else ""
    return big_lines(value)[line]
