"""The main screen's footer: the keys that fit the width, the least used left out first.

Textual's :class:`~textual.widgets.Footer` lays its keys out in one row and cuts the row at the
screen's edge: at 80 columns the last keys were cut in the middle and the command palette's
key, docked on the right, was painted over them. :class:`FittingFooter` leaves keys out, in the
order of :data:`LEAVE_OUT` (``F``, the queue filter backwards, first; then the palette, the
wallboard, undo...), until the rest fits. A key left out still works, and the help (``?``)
lists every key; ``?`` and ``q`` are never left out. The widths are those of the footer's own
style (compact below 120 columns), in terminal cells, so a longer Italian word leaves out one
key more, not half of one.

``FooterKey`` is not exported by ``textual.widgets``: carewatch pins Textual below 9, and
``tests/test_tui_footer.py`` checks the keys as Textual lays them out, so a change shows there.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: The keys' actions, left out in this order while the footer is wider than the screen.
LEAVE_OUT = (
    "cycle_queue_back",
    "command_palette",
    "wallboard",
    "undo",
    "open_issue",
    "toggle_resolved",
    "note",
    "next_panel",
    "cycle_queue",
    "cycle_window",
)


def key_width(key: FooterKey, *, compact: bool) -> int:
    """The cells one key takes in the footer (Textual's footer style: a compact key is
    ``k Description`` and a space; a full one pads the key and the description)."""
    text = cell_len(key.key_display) + (1 + cell_len(key.description) if key.description else 0)
    if key.has_class("-command-palette"):  # its left border, and a margin or padding
        return text + 2
    return text + (1 if compact else 2)  # a compact key's margin; a full key's padding


def fitting(keys: Iterable[FooterKey], width: int, *, compact: bool) -> list[FooterKey]:
    """``keys`` less those :data:`LEAVE_OUT` leaves out first, until the rest fits ``width``."""
    kept = list(keys)
    total = sum(key_width(k, compact=compact) for k in kept)
    for action in LEAVE_OUT:
        if total <= width:
            break
        for key in [k for k in kept if k.action == action]:
            kept.remove(key)
            total -= key_width(key, compact=compact)
    return kept


class FittingFooter(Footer):
    """A :class:`~textual.widgets.Footer` that shows the keys that fit (see the module)."""

    _fitted_for = -1

    def compose(self) -> ComposeResult:
        composed: list[Widget] = list(super().compose())
        keys = [w for w in composed if isinstance(w, FooterKey)]
        self._fitted_for = self.screen.size.width
        kept = set(map(id, fitting(keys, self._fitted_for, compact=self.compact)))
        yield from (w for w in composed if not isinstance(w, FooterKey) or id(w) in kept)

    def on_resize(self, event: events.Resize) -> None:
        """Another width: the keys that fit are chosen again (the bindings did not change,
        so Textual would not recompose the footer)."""
        if self.screen.size.width != self._fitted_for:
            self.refresh(recompose=True)
