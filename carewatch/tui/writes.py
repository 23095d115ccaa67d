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

import threading
from collections.abc import Callable, Collection, Sequence
from typing import Any, Protocol

from carewatch.i18n import _, pgettext
from carewatch.present import clean_text
from carewatch.records import CallRow, IssueRow
from carewatch.store import Store
from carewatch.store.tags import LOG_ORIGIN_PREFIX
from carewatch.tui.messages import Undoable, WriteDone
from carewatch.tui.text import call_label

#: How long a write waits for the database (another program's write lock) before the screen
#: says it is waiting; it goes on waiting (the store's retries decide when to give up).
WRITE_PATIENCE_SECONDS = 3.0


def run_patiently(job: Callable[[], WriteDone], name: str, post: Callable[[Any], Any]) -> WriteDone:
    """``job``'s result; when it takes longer than :data:`WRITE_PATIENCE_SECONDS`, ``post``
    a notice once that the write waits for the database ``name``."""
    text = _(
        "Waiting for the database {name} (another program may be writing to it); "
        "the change is saved when it is free"
    ).format(name=clean_text(name, limit=80))
    timer = threading.Timer(WRITE_PATIENCE_SECONDS, post, (WriteDone(text),))
    timer.daemon = True
    timer.start()
    try:
        return job()
    finally:
        timer.cancel()


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


def tag(
    app: WritingApp,
    call: CallRow,
    field: str,
    value: Any,
    said: str,
    unchanged: str,
    name: str = "",
    also: Sequence[tuple[str, Any]] = (),
) -> None:
    """Set ``field`` of ``call`` to ``value``; the notification is ``said``, or ``unchanged``
    when the call had that value (no tag event is written then). Both are sentences in the
    current language with ``{call}`` for the call and ``{value}`` for ``name`` (a config
    name, cleaned). ``also``: fields written before it, in the same transaction."""
    store, operator, clock = app.store, app.operator, app.clock
    label = call_label(call)
    shown = clean_text(name, limit=40)

    def job() -> WriteDone:
        if also:
            changes = [*also, (field, value)]
            written = store.tag_fields(call.id, changes, operator, now=clock()) > 0
        else:
            written = store.tag(call.id, field, value, operator, now=clock()) is not None
        return WriteDone(
            (said if written else unchanged).format(call=label, value=shown),
            undo=Undoable("tag", 0) if written else None,
        )

    app.submit_write(job)


def field_word(field: str) -> str:
    """A tagged field as a person reads it, in the current language (unknown: as it is)."""
    words = {
        "category": pgettext("tag field", "category"),
        "outcome": pgettext("tag field", "outcome"),
        "subcategory": pgettext("tag field", "subcategory"),
        "resolved": pgettext("tag field", "resolved"),
        "note": pgettext("tag field", "note"),
    }
    return words.get(field, field)


def set_category(
    app: WritingApp, call: CallRow, name: str, subcategories: Collection[str] = ()
) -> None:
    """The call's category (a category of the config, with ``subcategories``); a
    sub-category of the call that is not one of them is taken away."""
    said = _("Call {call}: category {value}")
    unchanged = _("Call {call}: category {value} already")
    drop = call.subcategory is not None and call.subcategory not in subcategories
    also = [("subcategory", None)] if drop else []
    tag(app, call, "category", name, said, unchanged, name, also)


def set_outcome(app: WritingApp, call: CallRow, name: str) -> None:
    """The call's outcome (an outcome of the config)."""
    said = _("Call {call}: outcome {value}")
    unchanged = _("Call {call}: outcome {value} already")
    tag(app, call, "outcome", name, said, unchanged, name)


def set_subcategory(app: WritingApp, call: CallRow, category: str, name: str) -> None:
    """The call's sub-category (a request type of ``category`` in the config), and that
    category: a sub-category belongs to its category."""
    said = _("Call {call}: sub-category {value}")
    unchanged = _("Call {call}: sub-category {value} already")
    tag(app, call, "subcategory", name, said, unchanged, name, [("category", category)])


def toggle_resolved(app: WritingApp, call: CallRow) -> None:
    """Resolved, or not resolved when the call is marked resolved in the database now (a
    second ``r`` before the screen showed the first toggles back)."""
    store, operator, clock = app.store, app.operator, app.clock
    label = call_label(call)

    def job() -> WriteDone:
        value, event = store.toggle_resolved(call.id, operator, now=clock())
        said = _("Call {call}: resolved") if value else _("Call {call}: not resolved")
        return WriteDone(
            said.format(call=label), undo=Undoable("tag", 0) if event is not None else None
        )

    app.submit_write(job)


def note(app: WritingApp, call: CallRow, text: str, shown: str | None = None) -> None:
    """The call's note; ``""`` clears it. ``shown``: the note as the modal showed it; the
    same text back writes nothing (another operator's note written meanwhile stays)."""
    if text:
        said, unchanged = _("Call {call}: note saved"), _("Call {call}: note saved (no change)")
    else:
        said = _("Call {call}: note cleared")
        unchanged = _("Call {call}: note cleared (no change)")
    if shown is not None and text == shown:
        label = call_label(call)
        app.submit_write(lambda: WriteDone(unchanged.format(call=label)))
        return
    tag(app, call, "note", text or None, said, unchanged)


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
            return WriteDone(
                _("Nothing to undo for {operator}").format(operator=clean_text(operator, limit=40))
            )
        event = undo.event
        call = store.get_call(event["call_pk"])
        which = call_label(call) if call else str(event["call_pk"])
        field = field_word(event["field"])
        if undo.done:
            return WriteDone(_("Undone: {field} of call {call}").format(field=field, call=which))
        by = undo.changed_by
        if by is None:
            who = _("another program")
        elif by.startswith(LOG_ORIGIN_PREFIX):
            who = _("the call log {file}").format(
                file=clean_text(by.removeprefix(LOG_ORIGIN_PREFIX), limit=40)
            )
        else:
            who = clean_text(by, limit=40)
        return WriteDone(
            _("Not undone: {who} changed the {field} of call {call} since").format(
                who=who, field=field, call=which
            )
        )

    app.submit_write(job)


def open_issue(app: WritingApp, call: CallRow, title: str) -> None:
    """An issue titled ``title``, opened from ``call`` (with the call's category)."""
    store, operator, clock = app.store, app.operator, app.clock

    def job() -> WriteDone:
        issue_id = store.open_issue(
            title, operator, call_pk=call.id, category=call.category, now=clock()
        )
        return WriteDone(
            _("Issue #{id} opened: {title} (u undoes)").format(
                id=issue_id, title=clean_text(title, limit=60)
            ),
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
                _("Issue #{id} resolved: {title} (u undoes)").format(id=issue.id, title=title),
                undo=Undoable("issue_resolved", issue.id),
            )
        return WriteDone(_("Issue #{id} was already resolved").format(id=issue.id))

    app.submit_write(job)


def _undo_issue(app: WritingApp, last: Undoable) -> None:
    """Withdraw the issue this screen opened, or reopen the one it resolved."""
    store, operator, issue_id = app.store, app.operator, last.issue_id
    if last.kind == "issue_opened":
        change, done, refused = (
            store.withdraw_issue,
            _("Undone: issue #{id} withdrawn"),
            _("Issue #{id} was resolved meanwhile: not withdrawn"),
        )
    else:
        change, done, refused = (
            store.reopen_issue,
            _("Undone: issue #{id} is open again"),
            _("Issue #{id} cannot be reopened (changed meanwhile)"),
        )

    def job() -> WriteDone:
        if change(issue_id, operator):
            return WriteDone(done.format(id=issue_id))
        return WriteDone(refused.format(id=issue_id))

    app.submit_write(job)
