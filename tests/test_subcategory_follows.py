"""A sub-category belongs to its category: a new category takes away a sub-category that is not
one of its own (from the command line and from the screen), and the screen's "Tag sub-category"
sets the category it names, so no call shows the request type of another category."""

from __future__ import annotations

from pathlib import Path

import pytest

from carewatch.cli import main
from carewatch.config import Config
from carewatch.store import Store
from carewatch.tui.screens.main import MainScreen
from tests.test_tui import ME, NOW, SIZE, answered_call, make, ready, seed, wait_for
from tests.tui_snapshot_app import snapshot_config

SUBS = {"shipping": ("tracking", "late delivery"), "order": ("change", "cancel")}


@pytest.fixture
def config_file(tmp_path: Path) -> str:
    path = tmp_path / "subs.toml"
    path.write_text(
        "".join(
            f'[[categories]]\nname = "{name}"\nkey = "{n}"\nsubcategories = {list(subs)!r}\n'
            for n, (name, subs) in enumerate(SUBS.items(), 1)
        ).replace("'", '"')
        + '[[categories]]\nname = "admin"\nkey = "3"\nsubcategories = ["change"]\n',
        encoding="utf-8",
    )
    return str(path)


def test_a_new_category_takes_away_a_subcategory_not_its_own(
    call_c1_db: str, config_file: str
) -> None:
    base = ["tag", "c1", "--db", call_c1_db, "--config", config_file, "--operator", "ann"]
    assert main([*base, "--category", "shipping", "--subcategory", "tracking"]) == 0
    assert main([*base, "--category", "order"]) == 0
    with Store(call_c1_db) as store:
        (call,) = store.find_calls("c1")
        assert (call.category, call.subcategory) == ("order", None)
    assert main([*base, "--subcategory", "change"]) == 0
    assert main([*base, "--category", "admin"]) == 0  # "change" is admin's too: it stays
    assert main([*base, "--category", "order", "--subcategory", "cancel"]) == 0
    with Store(call_c1_db) as store:
        (call,) = store.find_calls("c1")
        assert (call.category, call.subcategory) == ("order", "cancel")


def subs_config() -> Config:
    config = snapshot_config()
    categories = [
        c.model_copy(update={"subcategories": list(SUBS.get(c.name, ()))})
        for c in config.categories
    ]
    return config.model_copy(update={"categories": categories})


async def test_the_screen_keeps_a_subcategory_with_its_category(tmp_path: Path) -> None:
    call_c1_db = tmp_path / "cw.db"
    config = subs_config()
    pk = seed(call_c1_db, [answered_call("c1", NOW - 300, ME, category="shipping")])["c1"]
    names = [c.name for c in config.categories]
    async with make(call_c1_db, config=config).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        with Store(str(call_c1_db)) as other:
            screen.action_tag_subcategory(names.index("order"), 1)  # "cancel (order)"
            await wait_for(pilot, lambda: other.get_call(pk).subcategory is not None, "saved")
            call = other.get_call(pk)
            assert (call.category, call.subcategory) == ("order", "cancel")
            await wait_for(
                pilot, lambda: app.screen.query_one("CallTable").selected_call == call, "shown"
            )
            await pilot.press(config.categories[names.index("shipping")].key)
            await wait_for(pilot, lambda: other.get_call(pk).category == "shipping", "category")
            assert other.get_call(pk).subcategory is None
