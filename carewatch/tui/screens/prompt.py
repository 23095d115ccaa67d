"""The modal that asks for one line of text about the selected call, and its two uses: the
note (:class:`NoteScreen`) and the title of an issue opened from the call (:class:`IssueScreen`)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from carewatch.i18n import N_, _
from carewatch.present import clean_text
from carewatch.records import CallRow
from carewatch.tui.text import call_label
from carewatch.tui.words import tr, translate_bindings


class TextPromptScreen(ModalScreen[str | None]):
    """One prefilled line of text; Enter returns it cleaned, Esc returns ``None``.

    Subclasses set the wording (marked with ``N_``, translated when shown); ``empty_cancels``
    says whether an empty line means "cancel" (an issue needs a title) or is a value of its
    own (an empty note clears the note).
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", N_("Cancel"))]

    NAME: ClassVar[str] = "prompt"
    BOX_TITLE: ClassVar[str] = ""
    LABEL: ClassVar[str] = "{call}"
    PLACEHOLDER: ClassVar[str] = ""
    HINT: ClassVar[str] = N_("Enter saves · Esc cancels")
    MAX_LENGTH: ClassVar[int] = 200
    empty_cancels: ClassVar[bool] = True

    def __init__(self, call_label: str, value: str | None) -> None:
        super().__init__()
        translate_bindings(self)
        self.call_label = call_label
        self.value = clean_text(value)
        #: The room: MAX_LENGTH, or the whole text given when longer (a note a script or a
        #: log wrote), so opening it and pressing Enter never cuts it.
        self.max_length = max(self.MAX_LENGTH, len(self.value))

    def compose(self) -> ComposeResult:
        """The call, the text (prefilled), the hint."""
        with Vertical(id=f"{self.NAME}-box", classes="modal-box") as box:
            box.border_title = tr(self.BOX_TITLE)
            yield Label(Text(tr(self.LABEL).format(call=self.call_label)), classes="modal-label")
            yield Input(
                value=self.value,
                placeholder=tr(self.PLACEHOLDER),
                max_length=self.max_length,
                id=f"{self.NAME}-input",
            )
            yield Label(self._hint(len(self.value)), id=f"{self.NAME}-hint")

    def _hint(self, length: int) -> Text:
        """The keys, and how much of the room the text takes ("Enter saves · Esc cancels ·
        37/500"): the field takes no more, and would otherwise stop taking keys unsaid."""
        full = length >= self.max_length
        hint = Text(tr(self.HINT), style="dim")
        hint.append(" · ", style="dim")
        hint.append(f"{length}/{self.max_length}", style="bold yellow" if full else "dim")
        return hint

    def on_input_changed(self, event: Input.Changed) -> None:
        """Count the characters as they are typed."""
        self.query_one(f"#{self.NAME}-hint", Label).update(self._hint(len(event.value)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: return the text."""
        event.stop()
        text = clean_text(event.value, limit=self.max_length)
        self.dismiss(None if self.empty_cancels and not text else text)

    def action_cancel(self) -> None:
        """Esc: change nothing."""
        self.dismiss(None)


#: Longest note the note modal accepts.
MAX_NOTE = 500
#: Longest issue title the issue modal accepts.
MAX_TITLE = 200


class NoteScreen(TextPromptScreen):
    """One line of text for the selected call: returns the note (``""`` to clear it), or
    ``None`` when cancelled."""

    NAME = "note"
    BOX_TITLE = N_("Note")
    LABEL = N_("Note for call {call}")
    PLACEHOLDER = N_("what the caller needed, what was promised…")
    HINT = N_("Enter saves · Esc cancels · empty clears the note")
    MAX_LENGTH = MAX_NOTE
    empty_cancels = False

    @classmethod
    def for_call(cls, call: CallRow) -> NoteScreen:
        """The modal for ``call``, prefilled with its note."""
        return cls(call_label(call), call.note)


class IssueScreen(TextPromptScreen):
    """Open an issue from the selected call: returns the issue's title, or ``None`` when
    cancelled (an empty title cancels too)."""

    NAME = "issue"
    BOX_TITLE = N_("Open an issue")
    LABEL = N_("Issue from call {call}")
    PLACEHOLDER = N_("what needs follow-up")
    HINT = N_("Enter opens the issue · Esc cancels")
    MAX_LENGTH = MAX_TITLE
    empty_cancels = True

    @classmethod
    def for_call(cls, call: CallRow) -> IssueScreen:
        """The modal for ``call``, prefilled with "<category>: <note>" (or a follow-up line)."""
        label = call_label(call)
        subject = clean_text(call.category, limit=40) or _("call")
        detail = clean_text(call.note, limit=120) or _("follow up call {call}").format(call=label)
        return cls(label, f"{subject}: {detail}")


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question: ``y`` or Enter says yes, ``n`` or Esc says no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", N_("Yes")),
        Binding("n,escape", "answer(False)", N_("No")),
    ]

    def __init__(self, title: str, question: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.box_title = title
        self.question = question

    def compose(self) -> ComposeResult:
        """The question (shown literally) and the keys."""
        with Vertical(id="confirm-box", classes="modal-box") as box:
            box.border_title = self.box_title
            yield Label(Text(self.question), classes="modal-label")
            yield Label(Text(_("y / Enter: yes · n / Esc: no"), style="dim"))

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)
