"""The ``[mapping]`` section: which column of a centre's own CSV export holds which call field.

Read by the ``mapped`` format (:mod:`carewatch.sources.mapped`); complete examples are in
``config/examples/``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from carewatch.config.base import StrictModel
from carewatch.i18n import _


class Mapping(StrictModel):
    """Which column of a centre's own CSV export holds which call field (format ``mapped``).

    Times: either ``started_at`` (one column with date and time, or epoch seconds), or
    ``date`` plus ``time``. Durations (``wait``, ``talk``) may be seconds or ``H:MM:SS``.
    ``answered_at``/``ended_at`` columns may hold clock times on the call's date (a clock
    time before the start is on the next day) or full timestamps. For an answered call
    without them, ``answered_at`` = start + wait and ``ended_at`` = answered_at + talk.

    Values (answered flags, dispositions, resolved flags, "no agent" values, null values,
    category codes) are compared ignoring case and surrounding blanks. Without an
    ``answered`` or ``disposition`` column, a call is answered when its talk time or
    answer time is known, and otherwise its disposition is left unknown.
    """

    #: Column of the call id, or several columns joined with ":" when only together they
    #: are unique. Without it the id is a stable hash of the row (identical rows are one call).
    call_id: str | list[str] | None = None
    started_at: str | None = None
    date: str | None = None
    time: str | None = None
    date_format: str | None = None  # strptime format when not ISO, e.g. "%d/%m/%Y"
    #: strptime format of ``time`` (and clock columns) when not ``H:MM`` / ``H:MM:SS``.
    time_format: str | None = None
    #: strptime format of full timestamps (``started_at`` ...) when not ISO or epoch.
    datetime_format: str | None = None
    answered_at: str | None = None
    ended_at: str | None = None
    wait: str | None = None
    talk: str | None = None
    agent: str | None = None
    queue: str | None = None
    caller: str | None = None
    #: Column of the call's direction, and which values mean inbound / outbound.
    direction: str | None = None
    direction_values: dict[str, Literal["in", "out"]] = {
        "in": "in",
        "inbound": "in",
        "out": "out",
        "outbound": "out",
    }
    category: str | None = None
    #: Rename category values, e.g. ``{ PS = "PS regular" }``; other values are kept as they are.
    category_values: dict[str, str] = {}
    outcome: str | None = None
    #: Column holding whether the call was answered, and which values mean yes / no.
    answered: str | None = None
    answered_values: list[str] = ["Y", "YES", "TRUE", "1", "ANSWERED"]
    unanswered_values: list[str] = ["N", "NO", "FALSE", "0", "UNANSWERED", "ABANDONED"]
    #: What a call that was not answered becomes.
    unanswered_disposition: Literal["abandoned", "missed"] = "abandoned"
    #: Alternatively a column whose value gives the disposition directly. Without
    #: ``disposition_values`` it must hold answered / abandoned / missed. A value mapped
    #: to "skip" (e.g. a ghost call) skips the row, counted under ``skip_reason``.
    disposition: str | None = None
    disposition_values: dict[str, Literal["answered", "abandoned", "missed", "skip"]] = {}
    skip_reason: str = Field(default="skipped call", min_length=1, max_length=40)
    #: Column whose empty or zero value means the call never reached the queue (it ended
    #: in a voice menu): such a call, unless answered, is skipped and counted as "not queued".
    queued: str | None = None
    resolved: str | None = None
    resolved_values: list[str] = ["Y", "YES", "TRUE", "1", "RESOLVED"]
    unresolved_values: list[str] = ["N", "NO", "FALSE", "0", "UNRESOLVED"]
    csat: str | None = None
    nps: str | None = None
    note: str | None = None
    #: Values that mean "no agent" (e.g. ``NO_SERVER``).
    no_agent_values: list[str] = []
    #: Per column, values that mean "empty", e.g. ``{ ser_start = ["0:00:00"] }``.
    null_values: dict[str, list[str]] = {}
    #: Fields recorded only for answered calls; dropped from other calls (e.g. "resolved":
    #: a call nobody answered cannot be resolved on first contact).
    answered_only: list[
        Literal[
            "answered_at",
            "ended_at",
            "wait",
            "talk",
            "agent",
            "queue",
            "caller",
            "category",
            "outcome",
            "resolved",
            "csat",
            "nps",
            "note",
        ]
    ] = []
    delimiter: str = Field(default=",", min_length=1, max_length=1)

    def columns(self) -> dict[str, str]:
        """The mapped columns by key (``call_id`` parts as ``call_id``, ``call_id.1``, ...)."""
        out: dict[str, str] = {}
        ids = [self.call_id] if isinstance(self.call_id, str) else list(self.call_id or [])
        for index, column in enumerate(ids):
            out["call_id" if index == 0 else f"call_id.{index}"] = column
        column_keys = (
            "started_at",
            "date",
            "time",
            "answered_at",
            "ended_at",
            "wait",
            "talk",
            "agent",
            "queue",
            "caller",
            "direction",
            "category",
            "outcome",
            "answered",
            "disposition",
            "queued",
            "resolved",
            "csat",
            "nps",
            "note",
        )
        for key in column_keys:
            column = getattr(self, key)
            if column is not None:
                out[key] = column
        return out

    @model_validator(mode="after")
    def _needs_a_start(self) -> Mapping:
        if not self.started_at and not self.date:
            raise ValueError(
                _("needs 'started_at' or 'date' (+ 'time'): the column of the call's start")
            )
        if self.started_at and (self.date or self.time):
            raise ValueError(_("set either 'started_at' or 'date' + 'time', not both"))
        if bool(self.date) != bool(self.time):
            raise ValueError(
                _("'date' and 'time' go together: the columns of the start's day and time")
            )
        if self.answered and self.disposition:
            raise ValueError(_("set either 'answered' or 'disposition', not both"))
        if isinstance(self.call_id, list) and not self.call_id:
            raise ValueError(_("call_id: a column name or a non-empty list of column names"))
        for key, column in self.columns().items():
            if not column.strip():
                raise ValueError(_("{key}: a column name, not an empty string").format(key=key))
        for yes_key, no_key in (
            ("answered_values", "unanswered_values"),
            ("resolved_values", "unresolved_values"),
        ):
            yes = {v.strip().upper() for v in getattr(self, yes_key)}
            no = {v.strip().upper() for v in getattr(self, no_key)}
            both = sorted(yes & no)
            if both:
                raise ValueError(
                    _("{value!r} is in both {yes_key} and {no_key}").format(
                        value=both[0], yes_key=yes_key, no_key=no_key
                    )
                )
        used = set(self.columns().values())
        for column in self.null_values:
            if column not in used:
                raise ValueError(
                    _("null_values: {column!r} is not a column this mapping reads").format(
                        column=column
                    )
                )
        if self.delimiter in ('"', "\n", "\r"):
            raise ValueError(_("delimiter: one character other than a quote or a line break"))
        return self
