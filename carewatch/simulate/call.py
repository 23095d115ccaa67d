"""The simulated call record (:class:`SimCall`) that every part of the simulator shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from carewatch.records import AgentEvent


@dataclass(slots=True)
class SimCall:
    """One simulated call: the SPEC call fields, how it went through the queue, and events.

    Times are UTC epoch seconds (whole seconds). ``None`` is "not known (yet)": a call still
    waiting has no ``disposition``; a call being talked has ``answered_at`` but no ``ended_at``.
    For an unanswered call ``ended_at`` is when the caller left the queue and ``wait_seconds``
    how long they waited.

    ``agent_events`` are the operator events around this call: its ring-no-answers (with
    ``call_id``), and the state changes of any operator (pause, login...) logged after this
    call started and before the next inbound call started. Walking the calls thus gives every
    event once.
    """

    call_id: str
    started_at: int
    queue: str | None
    caller: str
    direction: str = "in"
    answered_at: int | None = None
    ended_at: int | None = None
    wait_seconds: int | None = None
    talk_seconds: int | None = None
    agent: str | None = None
    disposition: str | None = None
    transferred: bool = False
    category: str | None = None
    outcome: str | None = None
    resolved: bool | None = None
    csat: int | None = None
    nps: int | None = None
    note: str | None = None
    #: queue_log event that ended the call: COMPLETECALLER, COMPLETEAGENT, TRANSFER,
    #: BLINDTRANSFER, ABANDON, EXITWITHTIMEOUT, EXITEMPTY; None in progress or outbound.
    exit_event: str | None = None
    #: Position in the queue on entering, and on leaving unanswered.
    position: int = 1
    exit_position: int | None = None
    #: Seconds the answering operator's phone rang; uniqueid of the operator's channel.
    ring_seconds: int | None = None
    bridged_id: str | None = None
    #: Extension a transferred call went to.
    transfer_to: str | None = None
    #: When the tags (category, outcome, resolved, note) were logged, and whether they are in
    #: the call's own row (True) or come in a later update row (False).
    tagged_at: int | None = None
    tags_in_end_row: bool = True
    #: When the survey answer (csat, nps) was logged (always its own update row).
    rated_at: int | None = None
    agent_events: list[AgentEvent] = field(default_factory=list)

    @property
    def tags(self) -> dict[str, Any]:
        """The tag fields that are set (category, outcome, resolved, note)."""
        values = {
            "category": self.category,
            "outcome": self.outcome,
            "resolved": self.resolved,
            "note": self.note,
        }
        return {k: v for k, v in values.items() if v is not None}
