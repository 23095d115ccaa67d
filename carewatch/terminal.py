"""Whether a stream gets colour: the one place that decides, for every command.

rich's console detection decides, so carewatch follows the conventions users set once for
every program: ``NO_COLOR`` (any non-empty value: no colour, https://no-color.org),
``FORCE_COLOR`` (any non-empty value: colour even into a pipe or a file,
https://force-color.org), ``TERM=dumb`` (no colour), else colour only on a terminal.
``NO_COLOR`` wins over ``FORCE_COLOR``. The live screen (Textual) honours ``NO_COLOR`` by
itself, its charts included.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console


def console_for(stream: TextIO) -> Console:
    """A rich console writing to ``stream``, with the environment's colour settings."""
    return Console(file=stream)


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal (or ``FORCE_COLOR`` says to treat it as one)."""
    return console_for(stream).is_terminal


def wants_colour(stream: TextIO) -> bool:
    """Whether to write colour codes to ``stream``."""
    console = console_for(stream)
    return console.color_system is not None and not console.no_color
