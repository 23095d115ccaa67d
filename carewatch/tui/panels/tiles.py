"""Headline tiles: one KPI each, "–" when there is no data, coloured against the targets."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from rich.text import Text
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

from carewatch.config import Config
from carewatch.tui.panels.panel import Panel, PanelHelp
from carewatch.tui.text import clean

Level = Literal["good", "warn", "bad", ""]
DASH = "–"


@dataclass(frozen=True)
class TileData:
    """What one tile shows. ``label`` and ``detail`` may list shorter forms after a ``|``:
    the tile shows the longest that fits its width."""

    key: str
    label: str
    value: str
    detail: str = ""
    level: Level = ""


def fit(text: str, width: int) -> str:
    """The longest of the ``|``-separated forms of ``text`` that fits ``width`` (else the
    shortest, cut by the label's ellipsis)."""
    forms = [f for f in text.split("|")]
    for form in forms:
        if len(form) <= width:
            return form
    return forms[-1]


def short_duration(seconds: float | None) -> str:
    """``"45 s"``, ``"2:05"``, ``"1 h 05"``; ``"–"`` for no value."""
    if seconds is None:
        return DASH
    total = max(0, round(seconds))
    if total < 60:
        return f"{total} s"
    if total < 3600:
        return f"{total // 60}:{total % 60:02d}"
    hours, rem = divmod(total, 3600)
    return f"{hours} h {rem // 60:02d}"


def percent(share: float | None, decimals: int = 0) -> str:
    """``0.123`` -> ``"12%"``; ``None`` -> ``"–"``."""
    if share is None:
        return DASH
    return f"{share * 100:.{decimals}f}%"


def count(value: Any) -> str:
    """A count with thousands separators; ``None`` -> ``"–"``."""
    return DASH if value is None else f"{int(value):,}"


def build_tiles(
    kpis: dict[str, Any], offered_last_week: int | None, config: Config
) -> list[TileData]:
    """The headline tiles, in wallboard order, with their colour from the config's targets.

    Talk: green up to ``talk_seconds``, amber up to ``talk_amber_seconds``, red above.
    Abandon rate: red above ``abandon_rate_max``. Service level: red below
    ``service_level_goal``. The others have no target and stay neutral.
    """
    t = config.targets
    offered = kpis.get("offered", 0)
    if offered_last_week is None:
        vs = ""
    else:
        diff = offered - offered_last_week
        arrow = "▲" if diff > 0 else "▼" if diff < 0 else "="
        vs = (
            f"{arrow}{abs(diff)} vs {offered_last_week} last wk"
            f"|{arrow}{abs(diff)} vs {offered_last_week}"
            if diff
            else "same as last wk|= last wk"
        )
    talk = kpis.get("avg_talk_seconds")
    talk_level: Level = ""
    if talk is not None:
        talk_level = (
            "good" if talk <= t.talk_seconds else "warn" if talk <= t.talk_amber_seconds else "bad"
        )
    abandon = kpis.get("abandon_rate")
    sl = kpis.get("service_level")
    oldest = kpis.get("oldest_open_issue_seconds")
    untagged = kpis.get("untagged", 0)
    csat_avg = kpis.get("csat_avg")
    nps = kpis.get("nps")
    answered = kpis.get("answered", 0)
    return [
        TileData("offered", "Offered", count(offered), vs),
        TileData(
            "answered",
            "Answered",
            count(answered),
            (
                f"{percent(answered / offered)} · missed {kpis.get('missed', 0)}"
                f"|{percent(answered / offered)} of offered|{percent(answered / offered)}"
                if offered
                else ""
            ),
        ),
        TileData(
            "abandon_rate",
            "Abandoned|Aband.",
            percent(abandon, 1),
            f"{kpis.get('abandoned', 0)} · max {percent(t.abandon_rate_max)}"
            f"|max {percent(t.abandon_rate_max)}",
            "" if abandon is None else "bad" if abandon > t.abandon_rate_max else "good",
        ),
        TileData(
            "avg_wait_seconds",
            "Avg wait",
            short_duration(kpis.get("avg_wait_seconds")),
            "first response|1st resp.",
        ),
        TileData(
            "service_level",
            "Service level|Service lvl|SL",
            percent(sl),
            f"≤{t.service_level_seconds:g} s · goal {percent(t.service_level_goal)}"
            f"|goal {percent(t.service_level_goal)}",
            "" if sl is None else "bad" if sl < t.service_level_goal else "good",
        ),
        TileData(
            "avg_talk_seconds",
            "Avg talk",
            short_duration(talk),
            f"target {short_duration(t.talk_seconds)}",
            talk_level,
        ),
        TileData(
            "over_target_share",
            f"Over {short_duration(t.talk_seconds)}|>{short_duration(t.talk_seconds)}",
            percent(kpis.get("over_target_share")),
            "of ended calls|of ended",
        ),
        TileData("fcr_rate", "FCR", percent(kpis.get("fcr_rate")), "resolved 1st call|1st call"),
        TileData(
            "conversion_rate",
            "Conversion|Conv.",
            percent(kpis.get("conversion_rate")),
            f"{kpis.get('conversions', 0)} sales/appts|{kpis.get('conversions', 0)} conv.",
        ),
        TileData(
            "csat_score",
            "CSAT",
            percent(kpis.get("csat_score")),
            (
                f"avg {csat_avg:.2f} · {kpis.get('csat_responses', 0)}|avg {csat_avg:.2f}"
                if csat_avg is not None
                else "no ratings"
            ),
        ),
        TileData(
            "nps",
            "NPS",
            DASH if nps is None else f"{nps:+d}",
            f"{kpis.get('nps_responses', 0)} answers",
        ),
        TileData(
            "open_issues",
            "Open issues|Issues",
            count(kpis.get("open_issues")),
            f"oldest {short_duration(oldest)}|{short_duration(oldest)}"
            if oldest is not None
            else "none open",
            "warn" if kpis.get("open_issues") else "",
        ),
        TileData(
            "untagged",
            "To tag",
            count(untagged),
            "answered, no category|no category|untagged",
            "warn" if untagged else "good" if answered else "",
        ),
    ]


class HeadlineTiles(Panel, Widget, can_focus=True):
    """The grid of headline tiles, painted as one widget (a wallboard has many tiles and
    one widget per tile costs layout time on every refresh). As many tiles per row as the
    width allows; colours come from the theme through component classes."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "tiles--tile",
        "tiles--label",
        "tiles--value",
        "tiles--detail",
        "tiles--good",
        "tiles--warn",
        "tiles--bad",
    }

    PANEL_HELP = PanelHelp(
        "Headline figures",
        (
            "The window's headline figures (the window is shown at the top: today, last hour or "
            "this shift). Offered compares with the same weekday last week up to the same time. "
            "Colours come from the config's [targets]: average talk is green up to talk_seconds, "
            "amber up to talk_amber_seconds, red above; abandon rate is red above "
            "abandon_rate_max; service level is red below service_level_goal. "
            '"–" means there is no data yet for that figure.'
        ),
    )

    compact: reactive[bool] = reactive(False, layout=True)

    def __init__(self, tiles: Iterable[TileData], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tiles = list(tiles)

    def layout_for(self, width: int) -> tuple[int, int, int]:
        """(tiles per row, rows, tile width) for ``width`` columns."""
        count = len(self.tiles) or 1
        min_width = 10 if self.compact else 14
        per_row = max(1, min(count, (width + 1) // (min_width + 1)))
        rows = math.ceil(count / per_row)
        per_row = math.ceil(count / rows)
        tile_width = max(4, (width - (per_row - 1)) // per_row)
        return per_row, rows, tile_width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """Two lines per tile row (three with the detail line)."""
        _per_row, rows, _w = self.layout_for(width)
        return rows * (2 if self.compact else 3)

    def show(self, tiles: list[TileData]) -> None:
        """New figures; repaint when something changed."""
        if tiles != self.tiles:
            count_changed = len(tiles) != len(self.tiles)
            self.tiles = list(tiles)
            self.refresh(layout=count_changed)

    def set_compact(self, compact: bool) -> None:
        """Two lines per tile (no detail) on small screens."""
        self.compact = compact

    def render(self) -> Text:
        """Every tile: label, value (coloured by its level), detail."""
        width = self.size.width or 80
        per_row, rows, tile_width = self.layout_for(width)
        inner = max(1, tile_width - 2)
        tile_style = self.get_component_rich_style("tiles--tile")
        styles = {
            "label": self.get_component_rich_style("tiles--label", partial=True),
            "value": self.get_component_rich_style("tiles--value", partial=True),
            "detail": self.get_component_rich_style("tiles--detail", partial=True),
        }
        levels = {
            name: self.get_component_rich_style(f"tiles--{name}", partial=True)
            for name in ("good", "warn", "bad")
        }
        parts = ("label", "value") if self.compact else ("label", "value", "detail")
        out = Text(no_wrap=True, end="")
        for row in range(rows):
            chunk = self.tiles[row * per_row : (row + 1) * per_row]
            for part in parts:
                if out:
                    out.append("\n")
                for index, tile in enumerate(chunk):
                    if index:
                        out.append(" ")
                    if part == "value":
                        text = tile.value
                        style = styles["value"] + levels.get(tile.level, styles["value"])
                    else:
                        text = clean(fit(getattr(tile, part), inner))
                        style = styles[part]
                    if len(text) > inner:
                        text = text[: inner - 1] + "…"
                    out.append(f" {text.ljust(inner)} ", style=tile_style + style)
        return out
