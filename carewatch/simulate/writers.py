"""The format writers: simulated calls as Asterisk queue_log lines, carewatch CSV or JSONL rows.

The line and row builders here serve both the history (:func:`write_queue_log`,
:func:`write_csv`, :func:`write_jsonl`) and the live feed, which writes the same lines as
their time comes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import IO, Any

from carewatch.records import CALL_FIELDS, AgentEvent
from carewatch.simulate.call import SimCall

#: Formats the simulator writes.
FORMATS: tuple[str, ...] = ("csv", "jsonl", "queue_log")

#: Columns of carewatch's CSV (the SPEC fields, in this order).
CSV_FIELDS: tuple[str, ...] = tuple(f for f in ("call_id", *CALL_FIELDS) if f != "transferred")

_TRANSFER_CONTEXT = "from-internal"

_QL_RANK = {
    "AGENTLOGIN": 0,
    "ADDMEMBER": 1,
    "UNPAUSE": 2,
    "ENTERQUEUE": 3,
    "RINGNOANSWER": 4,
    "CONNECT": 5,
    "END": 6,
    "PAUSE": 7,
    "REMOVEMEMBER": 8,
    "AGENTLOGOFF": 9,
}

#: A line with when it happened, a sort key, and the index of its call (None: operator event).
_Item = tuple[int, tuple[int, ...], str, int | None]


def queue_log_items(calls: Sequence[SimCall], first_index: int = 0) -> list[_Item]:
    items: list[_Item] = []
    n = 0
    state_events: list[tuple[AgentEvent, int]] = []
    index = first_index - 1

    def add(t: int, rank: str, text: str) -> None:
        nonlocal n
        n += 1
        items.append((t, (t, _QL_RANK[rank], n), text, index))

    for call in calls:
        for event in call.agent_events:
            n += 1
            if event.event != "RINGNOANSWER":
                state_events.append((event, n))
        if call.direction != "in":
            continue
        index += 1
        cid, queue = call.call_id, call.queue or "NONE"
        add(
            call.started_at,
            "ENTERQUEUE",
            f"{call.started_at}|{cid}|{queue}|NONE|ENTERQUEUE||{call.caller}|{call.position}",
        )
        for ev in call.agent_events:
            if ev.event == "RINGNOANSWER":
                at = int(ev.at)
                add(at, "RINGNOANSWER", f"{at}|{cid}|{queue}|{ev.agent}|RINGNOANSWER|{ev.ring_ms}")
        if call.answered_at is not None and call.agent:
            t = call.answered_at
            add(
                t,
                "CONNECT",
                f"{t}|{cid}|{queue}|{call.agent}|CONNECT|{call.wait_seconds}|"
                f"{call.bridged_id}|{call.ring_seconds}",
            )
        exit_event = call.exit_event
        if exit_event is None or call.ended_at is None:
            continue
        t = call.ended_at
        if exit_event in ("COMPLETECALLER", "COMPLETEAGENT"):
            data = f"{call.wait_seconds}|{call.talk_seconds}|{call.position}"
            add(t, "END", f"{t}|{cid}|{queue}|{call.agent}|{exit_event}|{data}")
        elif exit_event in ("TRANSFER", "BLINDTRANSFER"):
            data = (
                f"{call.transfer_to}|{_TRANSFER_CONTEXT}|{call.wait_seconds}|"
                f"{call.talk_seconds}|{call.position}"
            )
            add(t, "END", f"{t}|{cid}|{queue}|{call.agent}|{exit_event}|{data}")
        else:
            data = f"{call.exit_position}|{call.position}|{call.wait_seconds}"
            add(t, "END", f"{t}|{cid}|{queue}|NONE|{exit_event}|{data}")
    logged_in: dict[str, int] = {}
    for event, order in sorted(state_events, key=lambda p: (p[0].at, p[1])):
        at = int(event.at)
        queue = event.queue or "NONE"
        name = event.event
        if name == "AGENTLOGIN":
            logged_in[event.agent] = at
            data = f"PJSIP/{event.agent.lower()}"
        elif name == "AGENTLOGOFF":
            since = logged_in.pop(event.agent, at)
            data = f"PJSIP/{event.agent.lower()}|{at - since}"
        else:
            data = event.reason or ""
        text = f"{at}|NONE|{queue}|{event.agent}|{name}|{data}"
        items.append((at, (at, _QL_RANK.get(name, 6), order), text, None))
    items.sort(key=lambda item: item[1])
    return items


def _iso(t: int | None, tz: tzinfo) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(t, tz).isoformat(timespec="seconds")


def row_items(
    calls: Sequence[SimCall], tz: tzinfo, first_index: int = 0
) -> list[tuple[int, tuple[int, ...], dict[str, Any], int]]:
    """The rows of the csv/jsonl formats as dicts (missing keys: empty), in logging order."""
    rows: list[tuple[int, tuple[int, ...], dict[str, Any], int]] = []
    for index, call in enumerate(calls, start=first_index):
        row: dict[str, Any] = {
            "call_id": call.call_id,
            "started_at": _iso(call.started_at, tz),
            "answered_at": _iso(call.answered_at, tz),
            "ended_at": _iso(call.ended_at, tz),
            "wait_seconds": call.wait_seconds,
            "talk_seconds": call.talk_seconds,
            "queue": call.queue,
            "agent": call.agent,
            "caller": call.caller,
            "direction": call.direction,
            "disposition": call.disposition,
            "category": None,
            "outcome": None,
            "resolved": None,
            "csat": None,
            "nps": None,
            "note": None,
        }
        tags = call.tags
        if tags and call.tags_in_end_row:
            row.update(tags)
        if call.ended_at is not None:
            t = call.ended_at
        else:
            t = call.answered_at if call.answered_at is not None else call.started_at
        rows.append((t, (t, 0, index), row, index))
        if tags and not call.tags_in_end_row and call.tagged_at is not None:
            t = call.tagged_at
            rows.append((t, (t, 1, index), {"call_id": call.call_id, **tags}, index))
        if call.rated_at is not None and call.csat is not None:
            t = call.rated_at
            rating = {"call_id": call.call_id, "csat": call.csat}
            if call.nps is not None:
                rating["nps"] = call.nps
            rows.append((t, (t, 2, index), rating, index))
    rows.sort(key=lambda item: item[1])
    return rows


def _csv_values(row: dict[str, Any]) -> list[str]:
    values = []
    for name in CSV_FIELDS:
        value = row.get(name)
        if value is None:
            values.append("")
        elif isinstance(value, bool):
            values.append("true" if value else "false")
        else:
            values.append(str(value))
    return values


def csv_line(row: dict[str, Any]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(_csv_values(row))
    return buf.getvalue()


def csv_header() -> str:
    return ",".join(CSV_FIELDS) + "\n"


def jsonl_line(row: dict[str, Any], full: bool) -> str:
    if full:
        obj = {name: row.get(name) for name in CSV_FIELDS}
    else:
        obj = {name: row[name] for name in CSV_FIELDS if row.get(name) is not None}
    return json.dumps(obj, ensure_ascii=False) + "\n"


def write_queue_log(calls: Iterable[SimCall], fh: IO[str]) -> int:
    """Write Asterisk queue_log lines for the inbound calls and all operator events.

    Lines are sorted by time across calls. Returns the number of calls written.
    """
    calls = list(calls)
    for _, _, text, _ in queue_log_items(calls):
        fh.write(text + "\n")
    return sum(1 for c in calls if c.direction == "in")


def write_csv(calls: Iterable[SimCall], fh: IO[str], *, tz: tzinfo = UTC) -> int:
    """Write carewatch CSV: header, then call rows and update rows in logging order.

    Times are shown in ``tz`` (default UTC). Open ``fh`` with ``newline=""``. Returns the
    number of calls written.
    """
    calls = list(calls)
    fh.write(csv_header())
    writer = csv.writer(fh, lineterminator="\n")
    for _, _, row, _ in row_items(calls, tz):
        writer.writerow(_csv_values(row))
    return len(calls)


def write_jsonl(calls: Iterable[SimCall], fh: IO[str], *, tz: tzinfo = UTC) -> int:
    """Write carewatch JSONL: one object per row, in logging order (see the module doc).

    Times are shown in ``tz`` (default UTC). Returns the number of calls written.
    """
    calls = list(calls)
    for _, _, row, _ in row_items(calls, tz):
        fh.write(jsonl_line(row, "started_at" in row))
    return len(calls)
