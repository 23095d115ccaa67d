"""The screen's actions in the command palette (ctrl+p)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

if TYPE_CHECKING:
    from carewatch.tui.app import CarewatchApp


@dataclass(frozen=True)
class PaletteCommand:
    """One action as the palette lists it."""

    name: str
    help: str
    run: Callable[[], object]


class CarewatchCommands(Provider):
    """Window, queue filter, tagging, undo, issues, help: everything the keys do."""

    def _commands(self) -> list[PaletteCommand]:
        app: CarewatchApp = self.app  # type: ignore[assignment]
        getter = getattr(app, "palette_commands", None)
        return list(getter()) if getter else []

    async def discover(self) -> Hits:
        """Every action, for an empty query."""
        for cmd in self._commands():
            yield DiscoveryHit(Text(cmd.name), partial(cmd.run), text=cmd.name, help=cmd.help)

    async def search(self, query: str) -> Hits:
        """Actions whose name matches the query."""
        matcher = self.matcher(query)
        for cmd in self._commands():
            score = matcher.match(cmd.name)
            if score > 0:
                # highlight() parses markup: escape the name (a queue name is log text)
                shown = matcher.highlight(escape(cmd.name))
                yield Hit(score, shown, partial(cmd.run), text=cmd.name, help=cmd.help)
