"""HTML's building blocks: text from logs made inert (:func:`esc`), tables, cells, rows."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from carewatch.present import clean_text


def esc(value: Any) -> str:
    """Text from a log as inert HTML (control characters removed, then escaped)."""
    return html.escape(clean_text(value), quote=True)


#: A column's alignment letter (as in Markdown) -> the CSS class of its cells.
_ALIGN = {"l": "", "r": "num"}


def html_table(head: Sequence[str], rows: Iterable[str], align: str) -> list[str]:
    """``head``: the column titles; ``rows``: ready ``<tr>`` strings; ``align``: a letter a
    column, ``l`` (left) or ``r`` (right: numbers), as in Markdown."""
    out = ["<table>"]
    cells = "".join(
        f'<th class="{_ALIGN[a]}">{title}</th>' if _ALIGN[a] else f"<th>{title}</th>"
        for title, a in zip(head, align, strict=True)
    )
    out.append(f"<thead><tr>{cells}</tr></thead>")
    out.append("<tbody>")
    out.extend(rows)
    out.append("</tbody></table>")
    return out


def td(text: str, cls: str = "") -> str:
    return f'<td class="{cls}">{text}</td>' if cls else f"<td>{text}</td>"


def tr(*cells: str, cls: str = "") -> str:
    """A row of ``cells``; ``cls`` its CSS class ("weekend": a shaded row)."""
    start = f'<tr class="{cls}">' if cls else "<tr>"
    return start + "".join(cells) + "</tr>"
