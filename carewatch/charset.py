"""Characters the terminal can show: UTF-8, or plain ones where it cannot take UTF-8.

The report's rules and bars, the live screen's borders, "…", "·", "●", "✓", "⚠" need UTF-8.
Where the output cannot take them (``PYTHONIOENCODING=ascii``, a Latin-1 locale) or the
locale says the terminal is not UTF-8 (``LANG=C``, ``LC_ALL=POSIX``, ``LANG=en_US.ISO-8859-1``:
Python then writes UTF-8 all the same, which such a terminal shows as garbage), carewatch
writes each such character as one plain character of the same width, so columns stay aligned.
Imported by the command line before anything else: it imports nothing heavy.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
import unicodedata
from functools import lru_cache

#: What a character outside ASCII becomes where it cannot be shown (same width, one cell).
PLAIN_CHARACTERS: dict[str, str] = {
    "…": "~",
    "·": "-",
    "–": "-",
    "—": "-",
    "−": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "•": "*",
    "●": "*",
    "○": "o",
    "✓": "+",
    "✔": "+",
    "✗": "-",
    "✘": "-",
    "⚠": "!",
    "△": "*",
    "▲": "^",
    "▼": "v",
    "▶": ">",
    "▸": ">",
    "◀": "<",
    "◂": "<",
    "→": ">",
    "←": "<",
    "↑": "^",
    "↓": "v",
    "≤": "<",
    "≥": ">",
    "≠": "#",
    "×": "x",
    "±": "+",
    "°": "o",
    "€": "E",
    "£": "L",
    "█": "#",
    "▇": "#",
    "▆": "#",
    "▅": "#",
    "▄": "#",
    "▃": "_",
    "▂": "_",
    "▁": "_",
    "▀": "-",
    "▔": "-",
    "▌": "|",
    "▐": "|",
    "▍": "|",
    "▎": "|",
    "▏": "|",
    "▕": "|",
    "░": ".",
    "▒": ":",
    "▓": "#",
    "\u00a0": " ",
    "\u2007": " ",
    "\u2009": " ",
    "\u202f": " ",
}

#: The codec error handler that writes :data:`PLAIN_CHARACTERS` for what a stream cannot encode.
PLAIN_ERRORS = "carewatch-plain"


def _cells(character: str) -> int:
    """The terminal cells ``character`` takes: 2 wide (CJK, emoji), 0 combining, else 1."""
    if unicodedata.combining(character) or unicodedata.category(character) in ("Mn", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def _plain_character(character: str, keep: str) -> str:
    """One character as ASCII (or as itself when ``keep`` can encode it), as wide as it is."""
    if character.isascii():
        return character
    if keep != "ascii":
        try:
            character.encode(keep)
        except UnicodeEncodeError:
            pass
        else:
            return character
    found = PLAIN_CHARACTERS.get(character)
    if found is not None:
        return found
    code = ord(character)
    if 0x2500 <= code <= 0x257F:  # box drawing: lines and corners
        name = unicodedata.name(character, "")
        if "VERTICAL" not in name and ("HORIZONTAL" in name or "DASH" in name):
            return "=" if "DOUBLE" in name else "-"
        if "HORIZONTAL" not in name and "VERTICAL" in name:
            return "|"
        return "+"
    if 0x2800 < code <= 0x28FF or 0x2596 <= code <= 0x259F:  # braille, quadrants (charts)
        return "."
    if code == 0x2800:
        return " "
    # a letter with an accent keeps its letter (è -> e); anything else a ? a cell
    base = without_accents(character)
    if base.isascii() and len(base) == 1 and base.isprintable():
        return base
    return "?" * _cells(character)


def without_accents(text: str) -> str:
    """``text`` with its letters' accents taken off (``"è"`` -> ``"e"``, ``"Sì"`` -> ``"Si"``)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=4096)
def plain_text(text: str, keep: str = "ascii") -> str:
    """``text`` with every character ``keep`` (an encoding) cannot write replaced by a plain
    one of the same width (:data:`PLAIN_CHARACTERS`)."""
    if text.isascii():
        return text
    for wide, narrow in _TWO_CELLS.items():  # "≤ 20 s" -> "<=20 s": as wide, still exact
        text = text.replace(wide, narrow)
    return "".join(_plain_character(c, keep) for c in text)


#: A sign and the space after it, written as two plain characters in the same two cells.
_TWO_CELLS = {"≤ ": "<=", "≥ ": ">="}


def _plain_errors(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: what a stream cannot encode, written as plain characters."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    end = error.end
    if error.object[end - 1 : end + 1] in _TWO_CELLS:
        end += 1
    return plain_text(error.object[error.start : end]), end


codecs.register_error(PLAIN_ERRORS, _plain_errors)


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def _coerced(name: str, value: str) -> bool:
    """Whether ``value`` of ``LC_CTYPE`` is the one Python put there itself (PEP 538: started
    in the C or POSIX locale, it sets ``LC_CTYPE=C.UTF-8`` and writes UTF-8)."""
    return (
        name == "LC_CTYPE"
        and value in ("C.UTF-8", "C.utf8", "UTF-8")
        and bool(sys.flags.utf8_mode)
        and not os.environ.get("LC_ALL")
    )


def locale_charset() -> str | None:
    """The character set the locale names, as the user set it: ``LC_ALL``, else
    ``LC_CTYPE``, else ``LANG`` (the first one set). ``"ascii"`` for ``C`` and ``POSIX``;
    ``None`` when none is set or the one set names no character set (``it_IT``)."""
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = os.environ.get(name, "")
        if not value or _coerced(name, value):
            continue
        base = value.split("@", 1)[0]
        if base in ("C", "POSIX"):
            return "ascii"
        return base.split(".", 1)[1] if "." in base else None
    return None


def plain_encoding(stream: object) -> str | None:
    """The encoding to write ``stream`` in when UTF-8 will not do, else ``None``: the
    stream's own when it is not UTF-8, else the locale's when that is not UTF-8 (``LANG=C``:
    ASCII). With no locale set at all, UTF-8 (as Python assumes)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    if not _is_utf8(encoding):
        try:
            return codecs.lookup(encoding).name
        except LookupError:
            return "ascii"
    said = locale_charset()
    if said is None or _is_utf8(said):
        return None
    try:
        return codecs.lookup(said).name
    except LookupError:
        return "ascii"


def fit_streams() -> None:
    """Standard output and error in the encoding the terminal can show: where UTF-8 will
    not do, what they cannot encode is written as plain characters, never an error."""
    for stream in (sys.stdout, sys.stderr):
        encoding = plain_encoding(stream)
        reconfigure = getattr(stream, "reconfigure", None)
        if encoding is None or reconfigure is None:
            continue
        with contextlib.suppress(ValueError, OSError, LookupError):
            reconfigure(encoding=encoding, errors=PLAIN_ERRORS)
