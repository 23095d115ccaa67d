"""How the main screen uses the terminal at each size: one named tier per size, and for each
tier the *slots* of its panel grid.

A slot shows one panel at a time; a slot with several panels shows the first, and Tab (or the
palette) brings another one into it. The grid itself (rows, columns, spans) is in
``carewatch.tcss`` under the tier's class (``MainScreen.-large`` ...). Below the smallest tier
the screen shows one line: :func:`too_small` (:data:`TOO_SMALL` in English).

=======  =========  =====================================================================
tier     from       what is on screen at once
=======  =========  =====================================================================
small    80×24      one panel at a time (Tab shows the next), small tiles
medium   100×30     every queue the whole width; waiting/talking beside the call table
large    120×36     every queue the whole width; waiting/talking and operators; calls
xl       160×48     queues; waiting/talking, operators, issues; chart, categories; calls
xxl      200×60     as xl with taller panels and big figures on the tiles
=======  =========  =====================================================================
"""

from __future__ import annotations

from carewatch.i18n import N_, _

#: (tier, least width, least height), biggest first.
TIERS: tuple[tuple[str, int, int], ...] = (
    ("xxl", 200, 60),
    ("xl", 160, 48),
    ("large", 120, 36),
    ("medium", 100, 30),
    ("small", 80, 24),
)
TOO_SMALL_TIER = "too-small"
MIN_WIDTH, MIN_HEIGHT = TIERS[-1][1], TIERS[-1][2]
#: The line shown below the smallest tier (marked: :func:`too_small` says it).
TOO_SMALL_TEXT = N_("terminal too small: {width}×{height} needed")
TOO_SMALL = TOO_SMALL_TEXT.format(width=MIN_WIDTH, height=MIN_HEIGHT)


def too_small() -> str:
    """The too-small line in the current language."""
    return _(TOO_SMALL_TEXT).format(width=MIN_WIDTH, height=MIN_HEIGHT)


#: The panels of the grid in the order the grid places them (every slot keeps this order).
GRID_PANELS: tuple[str, ...] = (
    "queues",
    "live",
    "operators",
    "issues",
    "chart",
    "categories",
    "calls",
)

#: Each tier's slots, in grid order; the first panel of a slot is shown until another one
#: is focused.
SLOTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "small": (("calls", "live", "queues", "operators", "issues", "categories", "chart"),),
    "medium": (
        ("queues",),
        ("live",),
        ("calls", "operators", "issues", "categories", "chart"),
    ),
    "large": (
        ("queues",),
        ("live",),
        ("operators", "issues", "categories", "chart"),
        ("calls",),
    ),
    "xl": tuple((name,) for name in GRID_PANELS),
    "xxl": tuple((name,) for name in GRID_PANELS),
}
SLOTS[TOO_SMALL_TIER] = SLOTS["small"]

#: Tiers whose tiles drop the detail line, and the tier with big figures.
COMPACT_TIERS = frozenset({"small", "medium", "large"})
BIG_TIERS = frozenset({"xxl"})
#: Tiers with room for the three-line Now strip.
TALL_TIERS = frozenset({"xl", "xxl"})


def tier_for(width: int, height: int) -> str:
    """The biggest tier the terminal holds, else :data:`TOO_SMALL_TIER`."""
    for name, least_width, least_height in TIERS:
        if width >= least_width and height >= least_height:
            return name
    return TOO_SMALL_TIER


def slot_of(tier: str, panel: str) -> tuple[str, ...] | None:
    """The slot of ``tier`` that ``panel`` is shown in."""
    for slot in SLOTS[tier]:
        if panel in slot:
            return slot
    return None


def shown_panels(tier: str, chosen: dict[tuple[str, ...], str]) -> list[str]:
    """The panel each slot of ``tier`` shows: the chosen one, else the slot's first."""
    return [chosen.get(slot, slot[0]) for slot in SLOTS[tier]]
