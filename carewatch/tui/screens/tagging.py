"""The operator's side of the main screen: tag the selected call, write a note, open an issue,
undo, resolve an issue.

:class:`TaggingScreen` is the main screen's base: its actions pick the call (or issue) a panel
has selected and hand the write to :mod:`carewatch.tui.writes`. The category and outcome keys
come from the config (:func:`tag_choices`); one list of them gives the key bindings, their
lines in the help and their commands in the palette.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Literal

from textual.screen import Screen

from carewatch.config import Config
from carewatch.i18n import _
from carewatch.present import clean_text
from carewatch.records import CallRow
from carewatch.tui import writes
from carewatch.tui.commands import PaletteCommand
from carewatch.tui.panels.calls import CallTable
from carewatch.tui.panels.issues import IssuesTable
from carewatch.tui.panels.panel import KeyHelp
from carewatch.tui.screens.prompt import ConfirmScreen, IssueScreen, NoteScreen
from carewatch.tui.words import translate_bindings

if TYPE_CHECKING:
    from carewatch.tui.app import CarewatchApp


def key_name(character: str) -> str:
    """The Textual key name of a one-character tagging key from the config ("1", "s",
    "minus" for "-", "plus" for "+")."""
    try:
        from textual.keys import _character_to_key  # the exact rule Textual uses
    except ImportError:  # pragma: no cover - a later Textual moved it
        return character if character.isalnum() else unicodedata.name(character).lower()
    return _character_to_key(character)


@dataclass(frozen=True)
class TagChoice:
    """A category or an outcome of the config, as the tagging keys and the palette offer it."""

    field: Literal["category", "outcome"]
    index: int
    name: str
    key: str | None

    @property
    def action(self) -> str:
        """The screen action that sets it on the selected call."""
        return f"tag_{self.field}({self.index})"

    def words(self, limit: int) -> dict[str, str]:
        """What the key, the help and the palette say of it, in the current language (the
        name is the config's, cleaned to ``limit`` characters)."""
        name = clean_text(self.name, limit=limit)
        if self.field == "category":
            said = {
                "binding": _("category {name}"),
                "help": _("category: {name}"),
                "command": _("Tag category: {name}"),
                "command_help": _("set the selected call's category"),
            }
        else:
            said = {
                "binding": _("outcome {name}"),
                "help": _("outcome: {name}"),
                "command": _("Tag outcome: {name}"),
                "command_help": _("set the selected call's outcome"),
            }
        return {what: text.format(name=name) for what, text in said.items()}


def tag_choices(config: Config) -> list[TagChoice]:
    """The config's categories, then its outcomes, in config order."""
    return [
        TagChoice("category", index, cat.name, cat.key)
        for index, cat in enumerate(config.categories)
    ] + [
        TagChoice("outcome", index, out.name, out.key) for index, out in enumerate(config.outcomes)
    ]


class TaggingScreen(Screen[None]):
    """A screen with the call table and the issues panel whose keys write: tags, notes,
    issues, undo. Every write goes through :mod:`carewatch.tui.writes`."""

    def __init__(self, config: Config, *, id: str | None = None) -> None:
        super().__init__(id=id)
        translate_bindings(self)
        self.config = config
        self.tag_choices = tag_choices(config)
        for choice in self.tag_choices:
            if choice.key:
                self._bindings.bind(
                    key_name(choice.key),
                    choice.action,
                    choice.words(30)["binding"],
                    show=False,
                    key_display=choice.key,
                )

    @property
    def cw_app(self) -> CarewatchApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    # -- the selected call ---------------------------------------------------------------------
    def selected_call(self) -> CallRow | None:
        """The call the tagging keys act on: the call table's cursor row."""
        return self.query_one(CallTable).selected_call

    def _need_call(self) -> CallRow | None:
        """The selected call, when the operator can see it: not while the call table is off
        the screen (another panel in its slot at this size, or the terminal too small), where
        a key would tag a call nobody sees."""
        table = self.query_one(CallTable)
        if not table.display or not table.region.area:
            self.notify(
                _("The calls are not on the screen: press Tab until they show, then tag."),
                severity="warning",
            )
            return None
        call = self.selected_call()
        if call is None and table.selection_left:
            self.notify(
                _(
                    "The call you selected has left the table (newer calls pushed it out): "
                    "select a call with ↑ ↓, then tag."
                ),
                severity="warning",
            )
        elif call is None:
            self.notify(
                _("No call selected: there are no calls in this window yet."), severity="warning"
            )
        return call

    # -- actions -------------------------------------------------------------------------------
    def action_tag_category(self, index: int) -> None:
        """Set the selected call's category (a key from the config)."""
        call = self._need_call()
        if call is not None:
            category = self.config.categories[index]
            writes.set_category(self.cw_app, call, category.name, category.subcategories)

    def action_tag_outcome(self, index: int) -> None:
        """Set the selected call's outcome (a key from the config)."""
        call = self._need_call()
        if call is not None:
            writes.set_outcome(self.cw_app, call, self.config.outcomes[index].name)

    def action_tag_subcategory(self, category: int, index: int) -> None:
        """Set the selected call's sub-category (a request type of a category in the config)."""
        call = self._need_call()
        if call is not None:
            chosen = self.config.categories[category]
            writes.set_subcategory(self.cw_app, call, chosen.name, chosen.subcategories[index])

    def action_toggle_resolved(self) -> None:
        """Mark the selected call resolved, or not resolved when it is."""
        call = self._need_call()
        if call is not None:
            writes.toggle_resolved(self.cw_app, call)

    def action_note(self) -> None:
        """Write a note on the selected call (a small modal)."""
        call = self._need_call()
        if call is None:
            return

        modal = NoteScreen.for_call(call)

        def done(text: str | None) -> None:
            if text is not None:
                writes.note(self.cw_app, call, text, shown=modal.value)

        self.app.push_screen(modal, done)

    def action_open_issue(self) -> None:
        """Open an issue from the selected call (a modal asks for the title)."""
        call = self._need_call()
        if call is None:
            return

        def done(title: str | None) -> None:
            if title:
                writes.open_issue(self.cw_app, call, title)

        self.app.push_screen(IssueScreen.for_call(call), done)

    def on_issues_table_resolve_requested(self, message: IssuesTable.ResolveRequested) -> None:
        """The issues panel asked to resolve an issue: ask first (u undoes it after)."""
        issue = message.issue

        def done(yes: bool | None) -> None:
            if yes:
                writes.resolve_issue(self.cw_app, issue)

        question = _("Resolve issue #{id}: {title}?").format(
            id=issue.id, title=clean_text(issue.title, limit=80)
        )
        self.app.push_screen(ConfirmScreen(_("Resolve an issue"), question), done)

    def action_resolve_issue(self) -> None:
        """Resolve the issue selected in the issues panel."""
        self.query_one(IssuesTable).action_resolve()

    def action_undo(self) -> None:
        """Undo this screen's last change: an issue opened or resolved, else the last tag."""
        writes.undo(self.cw_app)

    # -- help and palette ----------------------------------------------------------------------
    def tagging_keys(self) -> list[KeyHelp]:
        """The config's tagging keys, for the help screen."""
        return [
            KeyHelp(choice.key, choice.words(40)["help"])
            for choice in self.tag_choices
            if choice.key
        ]

    def tagging_commands(self) -> list[PaletteCommand]:
        """Tagging, notes, issues and undo, for the command palette."""
        cmds = [
            PaletteCommand(
                choice.words(40)["command"] + (f" ({choice.key})" if choice.key else ""),
                choice.words(40)["command_help"],
                partial(
                    self.action_tag_category
                    if choice.field == "category"
                    else self.action_tag_outcome,
                    choice.index,
                ),
            )
            for choice in self.tag_choices
        ]
        subs = [
            PaletteCommand(
                _("Tag sub-category: {name} ({category})").format(
                    name=clean_text(sub, limit=30), category=clean_text(cat.name, limit=30)
                ),
                _("set the selected call's request type"),
                partial(self.action_tag_subcategory, c_index, s_index),
            )
            for c_index, cat in enumerate(self.config.categories)
            for s_index, sub in enumerate(cat.subcategories)
        ]
        return [
            *cmds,
            *subs,
            PaletteCommand(
                _("Toggle resolved (r)"),
                _("mark the selected call resolved / not"),
                self.action_toggle_resolved,
            ),
            PaletteCommand(
                _("Write a note (n)"), _("a note on the selected call"), self.action_note
            ),
            PaletteCommand(
                _("Open an issue from the call (i)"),
                _("an issue that needs follow-up"),
                self.action_open_issue,
            ),
            PaletteCommand(
                _("Undo my last change (u)"),
                _("a tag's old value back, an issue withdrawn or reopened"),
                self.action_undo,
            ),
            PaletteCommand(
                _("Resolve the selected issue"),
                _("in the issues panel"),
                self.action_resolve_issue,
            ),
        ]
