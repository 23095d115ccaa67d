"""The main screen's footer fits its width (carewatch/tui/screens/footer.py): at every size and
in both languages the keys it shows are whole, inside the screen and apart from each other;
``?`` and ``q`` are always there; a key left out still works.

Read from the widgets Textual laid out, not from the footer's own arithmetic."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from carewatch import i18n
from carewatch.tui.app import CarewatchApp
from carewatch.tui.screens.footer import LEAVE_OUT
from carewatch.tui.screens.wall import WallScreen
from tests.test_tui_snapshots import filled_db as filled_db  # a fixture
from tests.test_tui_snapshots import until_painted
from tests.tui_snapshot_app import make_app


@pytest.fixture(params=["en", "it"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language("en")


def shown_keys(app: CarewatchApp) -> list[FooterKey]:
    return [k for k in app.screen.query(FooterKey) if k.display and k.region.width]


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 36), (200, 60)], ids=str)
async def test_the_footer_shows_whole_keys_inside_the_screen(
    filled_db: Path, language: str, size: tuple[int, int]
) -> None:
    app = make_app(str(filled_db))
    async with app.run_test(size=size) as pilot:
        await until_painted(pilot)
        await pilot.pause()
        keys = shown_keys(app)
        actions = {k.action for k in keys}
        assert {"help", "app.quit"} <= actions
        regions = sorted((k.region for k in keys), key=lambda r: r.x)
        for region in regions:
            assert region.right <= size[0]
        for left, right in itertools.pairwise(regions):
            assert left.right <= right.x, "two keys painted over each other"
        for key in keys:  # each key's text is all there: nothing cut
            assert key.region.width >= len(key.key_display) + 1 + len(key.description)
        if size[0] >= 200:  # room for every key and the palette
            assert set(LEAVE_OUT) <= actions


async def test_a_key_left_out_at_80_columns_still_works(filled_db: Path) -> None:
    app = make_app(str(filled_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await until_painted(pilot)
        assert "wallboard" not in {k.action for k in shown_keys(app)}
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, WallScreen)


async def test_the_footer_fits_again_when_the_terminal_is_resized(filled_db: Path) -> None:
    app = make_app(str(filled_db))
    async with app.run_test(size=(200, 60)) as pilot:
        await until_painted(pilot)
        assert "wallboard" in {k.action for k in shown_keys(app)}
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        keys = shown_keys(app)
        assert "wallboard" not in {k.action for k in keys}
        assert max(k.region.right for k in keys) <= 80
        await pilot.resize_terminal(200, 60)
        await pilot.pause()
        await pilot.pause()
        assert "wallboard" in {k.action for k in shown_keys(app)}
