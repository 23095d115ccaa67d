"""One operator's queue membership and pause, from the events of each of their agent ids.

An operator may be logged by more than one agent id (``[operators]`` maps a login to its ids:
a queue_log that says ``Agent/1001`` and a CDR that says ``PJSIP/2001``). Each id keeps its own
membership and pause, as the phone system logs them; the operator is logged in while any of
their ids is a member of a queue (a logoff of one id does not log off the others), and paused
while any of their ids is paused, under the reason of the latest pause. With one id this is
the reading of that id's events alone. Pure: :mod:`carewatch.kpi.sessions` (time over a
window) and :mod:`carewatch.kpi.now` (the state now) fold the events through it.

**Away** (:func:`is_away`): an operator who is logged in, or a static member of a queue (a
member the phone system never logs in or out: seen through rings and calls only), with no
sign of being at the desk for longer than ``[ui] away_after_minutes`` is not at the desk: the
live screen shows them "away", not idle, and counts them in no queue's free operators.
Talking and paused keep their meaning (a pause of nine hours is a pause). The sign is the
latest of any of their ids' logins, pauses and calls answered or ended, so one operator with
several ids is away only when all of them are; a ring they let go is none (a static member
gone home is rung all evening), and one known only by such rings is away once the first of
them is that old.
"""

from __future__ import annotations

LOGIN_EVENTS = frozenset({"AGENTLOGIN", "AGENTCALLBACKLOGIN", "ADDMEMBER"})
LOGOFF_EVENTS = frozenset({"AGENTLOGOFF", "AGENTCALLBACKLOGOFF"})
PAUSE_EVENTS = frozenset({"PAUSE", "PAUSEALL"})
UNPAUSE_EVENTS = frozenset({"UNPAUSE", "UNPAUSEALL"})


def event_queue(queue: object) -> str:
    """The queue of a membership event: ``"*"`` (every queue) for none or ``NONE``."""
    text = str(queue or "*")
    return "*" if text.upper() == "NONE" else text


def is_away(last_seen: float | None, now: float, after_seconds: float) -> bool:
    """Whether an operator not talking, not paused and not logged off, last seen at
    ``last_seen`` (their latest event or call; ``None``: never), is away at ``now``: seen
    more than ``after_seconds`` before it (exactly that long is not yet away). 0 (or less)
    turns the rule off; an operator never seen is not called away."""
    return after_seconds > 0 and last_seen is not None and now - last_seen > after_seconds


class Presence:
    """Membership and pause of one operator, per agent id (see the module)."""

    __slots__ = ("members", "pauses")

    def __init__(self) -> None:
        #: agent id -> the queues it is a member of (``"*"``: logged in to every queue); an id
        #: is here once a login, logoff or queue membership of it was seen.
        self.members: dict[str, set[str]] = {}
        #: agent id -> (when, reason) of its pause in progress.
        self.pauses: dict[str, tuple[float, str]] = {}

    def apply(self, agent: str, event: str, queue: str, at: float, reason: str) -> bool:
        """Fold one event (``event`` upper-case, ``queue`` as :func:`event_queue` reads it) of
        the id ``agent``; whether it is one that changes membership or pause (a RINGNOANSWER
        and the like do not)."""
        if event in LOGIN_EVENTS:
            self.members.setdefault(agent, set()).add(queue)
        elif event == "REMOVEMEMBER":
            queues = self.members.setdefault(agent, set())
            queues.discard(queue)
            if not queues:
                self.pauses.pop(agent, None)
        elif event in LOGOFF_EVENTS:
            self.members[agent] = set()
            self.pauses.pop(agent, None)
        elif event in PAUSE_EVENTS:
            self.pauses[agent] = (at, reason)
        elif event in UNPAUSE_EVENTS:
            self.pauses.pop(agent, None)
        else:
            return False
        return True

    @property
    def seen(self) -> bool:
        """Whether a login, logoff or membership of any id was seen."""
        return bool(self.members)

    @property
    def logged_in(self) -> bool:
        """Whether any id is a member of a queue."""
        return any(self.members.values())

    def queues(self) -> set[str]:
        """The queues any id is a member of (``"*"``: every queue)."""
        out: set[str] = set()
        for queues in self.members.values():
            out |= queues
        return out

    def pause(self) -> tuple[float, str] | None:
        """When the latest pause in progress began and its reason; ``None`` when not paused."""
        return max(self.pauses.values()) if self.pauses else None
