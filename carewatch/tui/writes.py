"""Every write the live screen makes: tag, note, undo, open and resolve an issue.

Nothing else in the TUI writes to the store. Each function here queues one job for the app's
writer thread (:meth:`CarewatchApp.submit_write <carewatch.tui.app.CarewatchApp.submit_write>`):
the jobs run one after the other, in the order the keys were pressed, off the UI thread; each
returns a :class:`~carewatch.tui.messages.WriteDone` with the sentence the app shows as a
notification (a failure becomes a notification too). The screen's actions call these with the
call or issue the user selected; the operator and the clock are the app's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from carewatch.present import clean_text
from carewatch.records import CallRow, IssueRow
from carewatch.store import Store
from carewatch.store.tags import LOG_ORIGIN_PREFIX
from carewatch.tui.messages import WriteDone
from carewatch.tui.text import call_label


class WritingApp(Protocol):
    """What a write needs from the app: the store, who writes, the time, the writer queue."""

    store: Store
    operator: str

    def clock(self) -> float:
        """Now, as the app tells time."""
        ...

    def submit_write(self, job: Callable[[], WriteDone]) -> None:
        """Queue ``job`` for the writer thread."""
        ...


def _tag(app: WritingApp, call: CallRow, field: str, value: Any, said: str, unchanged: str) -> None:
    store, operator, clock = app.store, app.operator, app.clock
    label = call_label(call)

    def job() -> WriteDone:
        event = store.tag(call.id, field, value, operator, now=clock())
        return WriteDone(f"Call {label}: {said}" + ("" if event is not None else unchanged))

    app.submit_write(job)


def tag(app: WritingApp, call: CallRow, field: str, value: Any, said: str) -> None:
    """Set ``field`` of ``call`` to ``value``: "Call X: <said>", with " already" when the call
    had that value (no tag event is written then)."""
    _tag(app, call, field, value, said, " already")


def set_category(app: WritingApp, call: CallRow, name: str) -> None:
    """The call's category (a category of the config)."""
    tag(app, call, "category", name, f"category {clean_text(name, limit=40)}")


def set_outcome(app: WritingApp, call: CallRow, name: str) -> None:
    """The call's outcome (an outcome of the config)."""
    tag(app, call, "outcome", name, f"outcome {clean_text(name, limit=40)}")


def toggle_resolved(app: WritingApp, call: CallRow) -> None:
    """Resolved, or not resolved when the call is marked resolved."""
    value = call.resolved is not True
    tag(app, call, "resolved", value, "resolved" if value else "not resolved")


def note(app: WritingApp, call: CallRow, text: str) -> None:
    """The call's note; ``""`` clears it."""
    said = "note saved" if text else "note cleared"
    _tag(app, call, "note", text or None, said, " (no change)")


def undo(app: WritingApp) -> None:
    """Put back the value this operator's last tag replaced."""
    store, operator, clock = app.store, app.operator, app.clock

    def job() -> WriteDone:
        undo = store.undo_last_tag(operator, now=clock())
        if undo is None:
            return WriteDone(f"Nothing to undo for {clean_text(operator, limit=40)}")
        event = undo.event
        call = store.get_call(event["call_pk"])
        which = call_label(call) if call else str(event["call_pk"])
        if undo.done:
            return WriteDone(f"Undone: {event['field']} of call {which}")
        by = undo.changed_by
        if by is None:
            who = "another program"
        elif by.startswith(LOG_ORIGIN_PREFIX):
            who = f"the call log {clean_text(by.removeprefix(LOG_ORIGIN_PREFIX), limit=40)}"
        else:
            who = clean_text(by, limit=40)
        return WriteDone(f"Not undone: {who} changed the {event['field']} of call {which} since")

    app.submit_write(job)


def open_issue(app: WritingApp, call: CallRow, title: str) -> None:
    """An issue titled ``title``, opened from ``call`` (with the call's category)."""
    store, operator, clock = app.store, app.operator, app.clock

    def job() -> WriteDone:
        issue_id = store.open_issue(
            title, operator, call_pk=call.id, category=call.category, now=clock()
        )
        return WriteDone(f"Issue #{issue_id} opened: {title}")

    app.submit_write(job)


def resolve_issue(app: WritingApp, issue: IssueRow) -> None:
    """Resolve an open issue (someone else may have resolved it already)."""
    store, operator, clock = app.store, app.operator, app.clock
    title = clean_text(issue.title, limit=60)

    def job() -> WriteDone:
        if store.resolve_issue(issue.id, operator, now=clock()):
            return WriteDone(f"Issue #{issue.id} resolved: {title}")
        return WriteDone(f"Issue #{issue.id} was already resolved")

    app.submit_write(job)
