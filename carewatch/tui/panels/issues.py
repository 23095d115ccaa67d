"""Open issues, oldest first; one key resolves the selected one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message

from carewatch.i18n import N_, _
from carewatch.present import short_duration
from carewatch.records import IssueRow
from carewatch.tui.panels.panel import KeyHelp, PanelHelp
from carewatch.tui.panels.rows import Column, RowsTable, selected_row_key
from carewatch.tui.panels.widths import NAME_WIDEST, WORD_WIDEST
from carewatch.tui.text import literal

#: How wide an issue's title grows while it shares room with the other columns.
TITLE_SHOWN = 60

COLUMNS: tuple[Column, ...] = (
    Column("id", "#", 3),
    Column("age", N_("Age"), 6),
    Column("title", N_("Issue"), 24, 0, 14, widest=TITLE_SHOWN),
    Column("by", N_("Opened by"), 10, 2, 9, widest=NAME_WIDEST, names=True),
    Column("category", N_("Category"), 10, 1, 8, widest=WORD_WIDEST),
)


def issue_cells(issue: IssueRow, now: float) -> tuple[Text, ...]:
    """Cells of one issue (title, names and category shown literally)."""
    return (
        Text(str(issue.id), style="dim", justify="right"),
        Text(short_duration(max(0.0, now - issue.opened_at)), justify="right"),
        literal(issue.title),
        literal(issue.opened_by),
        literal(issue.category),
    )


class IssuesTable(RowsTable):
    """Issues not resolved yet (oldest first), keyed by issue id."""

    COLUMNS = COLUMNS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "resolve", N_("Resolve issue")),
        Binding("enter", "resolve", N_("Resolve issue"), show=False),
    ]

    PANEL_HELP = PanelHelp(
        N_("Open issues"),
        N_(
            "Issues opened from calls (key i on a call) and not resolved yet, oldest first, with "
            "their age. Select one and press r (or Enter) to resolve it: the screen asks first, "
            "and u takes it back (it also withdraws an issue you just opened); everyone sees it."
        ),
        keys=(
            KeyHelp("↑ ↓", N_("select an issue")),
            KeyHelp("r / Enter", N_("resolve the selected issue (asks first)")),
            KeyHelp("u", N_("undo: reopen the issue you resolved, withdraw the one you opened")),
        ),
    )

    class ResolveRequested(Message):
        """The user asked to resolve this issue."""

        def __init__(self, issue: IssueRow) -> None:
            super().__init__()
            self.issue = issue

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._issues: dict[str, IssueRow] = {}

    @property
    def selected_issue(self) -> IssueRow | None:
        """The issue under the cursor."""
        return self._issues.get(selected_row_key(self) or "")

    def show(self, issues: Sequence[IssueRow], now: float) -> None:
        """Bring the rows in line with ``issues`` by row key."""
        wanted = {str(i.id): i for i in issues}
        with self.app.batch_update():
            changes = self.sync_rows({key: issue_cells(i, now) for key, i in wanted.items()})
            for key in changes.removed:
                del self._issues[key]
            self._issues.update(wanted)
            if changes.added:
                self.sort("id", key=lambda cell: int(cell.plain))
        title = self.panel_title
        self.border_title = f"{title} · {len(wanted)}" if wanted else title

    def action_resolve(self) -> None:
        """Resolve the selected issue."""
        issue = self.selected_issue
        if issue is None:
            self.notify(_("No open issue selected."), severity="warning")
            return
        self.post_message(self.ResolveRequested(issue))
