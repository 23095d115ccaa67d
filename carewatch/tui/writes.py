"""Every write the live screen makes: tag, note, undo, open and resolve an issue.

Undo (``u``) takes back this screen's last change: a tag (the store's undo of the operator's
last tag), an issue it opened (withdrawn) or an issue it resolved (reopened). The app keeps
the screen's changes in order (:attr:`WritingApp.undo_stack`, filled from each
:class:`~carewatch.tui.messages.WriteDone`'s ``undo``).

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
from carewatch.tui.messages import Undoable, WriteDone
from carewatch.tui.text import call_label


class WritingApp(Protocol):
    """What a write needs from the app: the store, who writes, the time, the writer queue."""

    store: Store
    operator: str
    #: This screen's changes, oldest first (what ``u`` takes back, newest first).
    undo_stack: list[Undoable]

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
        return WriteDone(
            f"Call {label}: {said}" + ("" if event is not None else unchanged),
            undo=Undoable("tag", 0) if event is not None else None,
        )

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


def set_subcategory(app: WritingApp, call: CallRow, name: str) -> None:
    """The call's sub-category (a request type of its category in the config)."""
    tag(app, call, "subcategory", name, f"sub-category {clean_text(name, limit=40)}")


def toggle_resolved(app: WritingApp, call: CallRow) -> None:
    """Resolved, or not resolved when the call is marked resolved."""
    value = call.resolved is not True
    tag(app, call, "resolved", value, "resolved" if value else "not resolved")


def note(app: WritingApp, call: CallRow, text: str) -> None:
    """The call's note; ``""`` clears it."""
    said = "note saved" if text else "note cleared"
    _tag(app, call, "note", text or None, said, " (no change)")


def undo(app: WritingApp) -> None:
    """Take back this screen's last change: an issue opened or resolved here, else the
    operator's last tag (put back the value it replaced)."""
    store, operator, clock = app.store, app.operator, app.clock
    last = app.undo_stack.pop() if app.undo_stack else None
    if last is not None and last.kind != "tag":
        _undo_issue(app, last)
        return

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
        return WriteDone(
            f"Issue #{issue_id} opened: {clean_text(title, limit=60)} (u undoes)",
            undo=Undoable("issue_opened", issue_id),
        )

    app.submit_write(job)


def resolve_issue(app: WritingApp, issue: IssueRow) -> None:
    """Resolve an open issue (someone else may have resolved it already)."""
    store, operator, clock = app.store, app.operator, app.clock
    title = clean_text(issue.title, limit=60)

    def job() -> WriteDone:
        if store.resolve_issue(issue.id, operator, now=clock()):
            return WriteDone(
                f"Issue #{issue.id} resolved: {title} (u undoes)",
                undo=Undoable("issue_resolved", issue.id),
            )
        return WriteDone(f"Issue #{issue.id} was already resolved")

    app.submit_write(job)


def _undo_issue(app: WritingApp, last: Undoable) -> None:
    """Withdraw the issue this screen opened, or reopen the one it resolved."""
    store, operator, issue_id = app.store, app.operator, last.issue_id
    if last.kind == "issue_opened":
        change, done, refused = (
            store.withdraw_issue,
            "withdrawn",
            "was resolved meanwhile: not withdrawn",
        )
    else:
        change, done, refused = (
            store.reopen_issue,
            "is open again",
            "cannot be reopened (changed meanwhile)",
        )

    def job() -> WriteDone:
        if change(issue_id, operator):
            return WriteDone(f"Undone: issue #{issue_id} {done}")
        return WriteDone(f"Issue #{issue_id} {refused}")

    app.submit_write(job)
