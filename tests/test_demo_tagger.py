"""The demo's live feed tags the calls its simulated operators finish (all the call's tag
fields, as that operator, at the call's time) and leaves the calls of the person at the
keyboard for them to tag."""

from __future__ import annotations

from pathlib import Path

from carewatch.config import default_config
from carewatch.demo import DemoTagger
from carewatch.records import CallUpdate
from carewatch.simulate import SimCall
from carewatch.store import Store

T0 = 1_709_800_000


def sim_call(call_id: str, agent: str) -> SimCall:
    return SimCall(
        call_id=call_id,
        started_at=T0,
        queue="support",
        caller="+39 333 1234567",
        answered_at=T0 + 5,
        ended_at=T0 + 95,
        agent=agent,
        category="shipping",
        outcome="none",
        resolved=True,
        note="parcel late",
    )


def test_the_feed_tags_its_operators_calls_and_leaves_the_users(tmp_path: Path) -> None:
    with Store(str(tmp_path / "cw.db")) as store:
        for n, (call_id, agent) in enumerate((("c1", "Alba"), ("c2", "Hugo")), 1):
            fields = {"started_at": T0, "answered_at": T0 + 5, "ended_at": T0 + 95}
            store.ingest("live", [(n, CallUpdate(call_id, {**fields, "agent": agent}))])
        tagger = DemoTagger(store, default_config(), "live", seed=1, skip=frozenset({"hugo"}))
        assert tagger("tags", sim_call("c1", "Alba"), T0 + 100)
        assert tagger("tags", sim_call("c2", "Hugo"), T0 + 100)
        assert not tagger("tags", sim_call("c3", "Alba"), T0 + 100)  # not read yet: later
        (alba,) = store.find_calls("c1")
        assert (alba.category, alba.outcome, alba.resolved, alba.note) == (
            "shipping",
            "none",
            True,
            "parcel late",
        )
        events = store.tag_events()
        assert {e["field"] for e in events} == {"category", "outcome", "resolved", "note"}
        assert {e["operator"] for e in events} == {"Alba"}
        assert {e["at"] for e in events} == {T0 + 100}
        (hugo,) = store.find_calls("c2")
        assert hugo.category is None  # the user's call, left for them
