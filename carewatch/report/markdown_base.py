"""Markdown's building blocks: text from logs made inert (:func:`md_escape`) and tables."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Any

from carewatch.present import clean_text

_MD_SPECIAL_RE = re.compile(r"([\\`*_\[\]|~#])")
_MD_LEAD_RE = re.compile(r"^(\s*)([-+>]|\d{1,9})([.)]?)(?=\s|$)")


def md_escape(value: Any) -> str:
    """Text from a log made inert in Markdown (also inside a table cell): ``&``, ``<``, ``>``
    as HTML entities, markup characters and ``|`` backslash-escaped, no line breaks."""
    text = " ".join(clean_text(value).split())
    text = html.escape(text, quote=False)
    text = _MD_SPECIAL_RE.sub(lambda m: "\\" + m.group(1), text)
    return _MD_LEAD_RE.sub(_md_lead, text)


def _md_lead(m: re.Match[str]) -> str:
    """A line start that would make a list or a quote: escape its marker."""
    space, mark, dot = m.groups()
    if mark[0].isdigit():
        return f"{space}{mark}\\{dot}" if dot else m.group(0)
    return f"{space}\\{mark}{dot}"


def md_table(head: Sequence[str], rows: Iterable[Sequence[str]], align: str) -> list[str]:
    """A GitHub-flavoured table; ``align`` is a letter a column: l, r or c."""
    marks = {"l": "---", "r": "---:", "c": ":---:"}
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    out.extend("| " + " | ".join(row) + " |" for row in rows)
    return out
