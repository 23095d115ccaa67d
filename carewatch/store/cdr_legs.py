"""CDR legs in ``cw_cdr_leg``: every row of a multi-leg call kept once, and the call derived
again from all its legs (:func:`carewatch.sources.cdr_call.call_from_legs`) whenever one
arrives, in whatever file, run or order — never from the last row read.

The derived fields (:data:`DERIVED`) replace the call's outright: a leg that turns an
abandoned call into an answered one also takes the abandoned call's values away. The other
fields (the tags, ``transferred``) are the call's own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from carewatch.records import CALL_STATE_FIELDS, CdrLeg
from carewatch.sources.cdr_call import call_from_legs
from carewatch.store.database import Tx, chunks, in_marks
from carewatch.store.pgstats import keep_statistics

#: The call fields a CDR call's legs decide.
DERIVED = CALL_STATE_FIELDS

_INSERT = (
    "INSERT INTO cw_cdr_leg (source, call_key, leg_key, payload) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (source, call_key, leg_key) DO NOTHING"
)


def store_and_derive(
    tx: Tx, source: str, legs: Sequence[tuple[int, CdrLeg]]
) -> dict[str, tuple[int, dict[str, Any]]]:
    """Store these legs (a leg stored before is left as it is) and derive each of their
    calls from all its stored legs: call key -> (line of its last leg here, the derived
    fields, every name of :data:`DERIVED` present, ``None`` when the legs say nothing)."""
    rows: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    last_line: dict[str, int] = {}
    for line_no, leg in legs:
        rows.setdefault(
            (leg.call_key, leg.leg_key),
            (source, leg.call_key, leg.leg_key, json.dumps(leg.fields)),
        )
        last_line[leg.call_key] = line_no
    values = list(rows.values())
    for part in chunks(values):
        tx.executemany(_INSERT, part)
    keep_statistics(tx, "cw_cdr_leg", len(values))  # PostgreSQL: the look-ups just below
    keys = sorted(last_line)
    known: dict[str, list[CdrLeg]] = {}
    for chunk in chunks(keys):
        sql = (
            "SELECT call_key, leg_key, payload FROM cw_cdr_leg WHERE source = ? "
            f"AND call_key IN ({in_marks(len(chunk))})"
        )
        for call_key, leg_key, payload in tx.rows(sql, (source, *chunk)):
            known.setdefault(call_key, []).append(CdrLeg(call_key, leg_key, json.loads(payload)))
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    for call_key in keys:
        fields = call_from_legs(known[call_key])
        out[call_key] = (last_line[call_key], {name: fields.get(name) for name in DERIVED})
    return out
