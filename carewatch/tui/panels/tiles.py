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
from carewatch.i18n import N_, _
from carewatch.kpi.definitions import definition
from carewatch.kpi.definitions import label as kpi_label
from carewatch.present import DASH, clean_text, count, number, percent, short_duration
from carewatch.tui.bigtext import big_line, big_width
from carewatch.tui.panels.panel import Panel, PanelHelp
from carewatch.tui.text import MAX_CELL_CHARS

Level = Literal["good", "warn", "bad", ""]

#: The sign beside a figure off its target, so that no colour is needed to see it: "!" off
#: the target, "!!" past the second limit (average talk over ``talk_amber_seconds``). A tile
#: shows it after the figure ("2:52 !!"), a table column before it ("!77%"), so the figures of
#: the column stay aligned.
OFF_TARGET = "!"
FAR_OFF_TARGET = "!!"


@dataclass(frozen=True)
class TileData:
    """What one tile shows. ``label`` and ``detail`` may list shorter forms after a ``|``:
    the tile shows the longest that fits its width."""

    key: str
    label: str
    value: str
    detail: str = ""
    level: Level = ""
    #: :data:`OFF_TARGET` or :data:`FAR_OFF_TARGET` when the figure misses its target.
    mark: str = ""

    @property
    def shown(self) -> str:
        """The value as the tile shows it: with its mark, if any."""
        return f"{self.value} {self.mark}" if self.mark else self.value


def fit(text: str, width: int) -> str:
    """The longest of the ``|``-separated forms of ``text`` that fits ``width`` (else the
    shortest, cut by the label's ellipsis)."""
    forms = [f for f in text.split("|")]
    for form in forms:
        if len(form) <= width:
            return form
    return forms[-1]


def tile_label(key: str) -> str:
    """The label of the tile that shows KPI ``key``: the KPI table's ``tile`` (longest form
    first, shorter forms after ``|``), else its label; in the current language."""
    found = definition(key)
    return _(found.tile if found is not None and found.tile else kpi_label(key))


def _tile(key: str, value: str, detail: str = "", level: Level = "", mark: str = "") -> TileData:
    """A tile that shows one KPI, labelled as the KPI table says."""
    return TileData(key, tile_label(key), value, detail, level, mark)


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
            _("{arrow}{diff} vs {last_week} last wk|{arrow}{diff} vs {last_week}").format(
                arrow=arrow, diff=count(abs(diff)), last_week=count(offered_last_week)
            )
            if diff
            else _("same as last wk|= last wk")
        )
    talk = kpis.get("avg_talk_seconds")
    talk_level: Level = ""
    if talk is not None:
        talk_level = (
            "good" if talk <= t.talk_seconds else "warn" if talk <= t.talk_amber_seconds else "bad"
        )
    talk_mark = {"warn": OFF_TARGET, "bad": FAR_OFF_TARGET}.get(talk_level, "")
    abandon = kpis.get("abandon_rate")
    abandon_bad = abandon is not None and abandon > t.abandon_rate_max
    sl = kpis.get("service_level")
    sl_bad = sl is not None and sl < t.service_level_goal
    oldest = kpis.get("oldest_open_issue_seconds")
    untagged = kpis.get("untagged", 0)
    csat_avg = kpis.get("csat_avg")
    nps = kpis.get("nps")
    answered = kpis.get("answered", 0)
    answer_rate = percent(kpis.get("answer_rate"), 0)
    return [
        _tile("offered", count(offered), vs),
        _tile(
            "answered",
            count(answered),
            (
                _("{rate} · missed {missed}|{rate} of offered|{rate}").format(
                    rate=answer_rate, missed=count(kpis.get("missed", 0))
                )
                if offered
                else ""
            ),
        ),
        _tile(
            "abandon_rate",
            percent(abandon, 1),
            _("{abandoned} · max {max}|max {max}").format(
                abandoned=count(kpis.get("abandoned", 0)), max=percent(t.abandon_rate_max, 0)
            ),
            "" if abandon is None else "bad" if abandon_bad else "good",
            OFF_TARGET if abandon_bad else "",
        ),
        _tile(
            "avg_wait_seconds",
            short_duration(kpis.get("avg_wait_seconds")),
            _("first response|1st resp."),
        ),
        _tile(
            "service_level",
            percent(sl, 0),
            _("≤{seconds} s · goal {goal}|goal {goal}").format(
                seconds=f"{t.service_level_seconds:g}", goal=percent(t.service_level_goal, 0)
            ),
            "" if sl is None else "bad" if sl_bad else "good",
            OFF_TARGET if sl_bad else "",
        ),
        _tile(
            "avg_talk_seconds",
            short_duration(talk),
            _("target {target}").format(target=short_duration(t.talk_seconds)),
            talk_level,
            talk_mark,
        ),
        TileData(
            "over_target_share",
            _("Over {target}|>{target}").format(target=short_duration(t.talk_seconds)),
            percent(kpis.get("over_target_share"), 0),
            _("of ended calls|of ended"),
        ),
        _tile("fcr_rate", percent(kpis.get("fcr_rate"), 0), _("resolved 1st call|1st call")),
        _tile(
            "conversion_rate",
            percent(kpis.get("conversion_rate"), 0),
            _("{conversions} sales/appts|{conversions} conv.").format(
                conversions=count(kpis.get("conversions", 0))
            ),
        ),
        _tile(
            "csat_score",
            percent(kpis.get("csat_score"), 0),
            (
                _("avg {average} · {responses}|avg {average}").format(
                    average=number(csat_avg, 2), responses=count(kpis.get("csat_responses", 0))
                )
                if csat_avg is not None
                else _("no ratings")
            ),
        ),
        _tile(
            "nps",
            DASH if nps is None else f"{nps:+d}",
            _("{answers} answers").format(answers=count(kpis.get("nps_responses", 0))),
        ),
        _tile(
            "open_issues",
            count(kpis.get("open_issues")),
            _("oldest {age}|{age}").format(age=short_duration(oldest))
            if oldest is not None
            else _("none open"),
            "warn" if kpis.get("open_issues") else "",
        ),
        _tile(
            "untagged",
            count(untagged),
            _("answered, no category|no category|untagged"),
            "warn" if untagged else "good" if answered else "",
        ),
    ]


def big_width_of(value: str, width: int) -> int:
    """The cells ``value`` takes in a tile ``width`` wide, in big digits or (too wide for
    them) as it is."""
    shown = big_width(value)
    return shown if shown <= width and any(c.isdigit() for c in value) else len(value)


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
        N_("Headline figures"),
        N_(
            "The window's headline figures (the window is shown at the top: today, last hour or "
            "this shift). Offered compares with the same weekday last week up to the same time. "
            "Colours come from the config's [targets]: average talk is green up to talk_seconds, "
            "amber up to talk_amber_seconds, red above; abandon rate is red above "
            "abandon_rate_max; service level is red below service_level_goal. A figure off its "
            'target is also marked "!" ("!!": average talk over talk_amber_seconds). '
            '"–" means there is no data yet for that figure.'
        ),
    )

    compact: reactive[bool] = reactive(False, layout=True)
    #: Values in three-line digits (when the tile is wide enough for them).
    big: reactive[bool] = reactive(False, layout=True)

    def __init__(self, tiles: Iterable[TileData], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tiles = list(tiles)

    def layout_for(self, width: int) -> tuple[int, int, int]:
        """(tiles per row, rows, tile width) for ``width`` columns."""
        tiles = len(self.tiles) or 1
        min_width = 10 if self.compact else 14
        per_row = max(1, min(tiles, (width + 1) // (min_width + 1)))
        rows = math.ceil(tiles / per_row)
        per_row = math.ceil(tiles / rows)
        tile_width = max(4, (width - (per_row - 1)) // per_row)
        return per_row, rows, tile_width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """Two lines per tile row (three with the detail line)."""
        _per_row, rows, _w = self.layout_for(width)
        return rows * len(self._parts())

    def _parts(self) -> tuple[str, ...]:
        if self.compact:
            return ("label", "value")
        if self.big:
            return ("label", "big0", "big1", "big2", "detail")
        return ("label", "value", "detail")

    def show(self, tiles: list[TileData]) -> None:
        """New figures; repaint when something changed."""
        if tiles != self.tiles:
            count_changed = len(tiles) != len(self.tiles)
            self.tiles = list(tiles)
            self.refresh(layout=count_changed)

    def set_compact(self, compact: bool) -> None:
        """Two lines per tile (no detail) on small screens."""
        self.set_mode(compact=compact, big=False)

    def set_mode(self, *, compact: bool, big: bool) -> None:
        """Two lines per tile (no detail) on small screens; big figures on big ones."""
        self.compact = compact
        self.big = big and not compact

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
        parts = self._parts()
        out = Text(no_wrap=True, end="")
        for row in range(rows):
            chunk = self.tiles[row * per_row : (row + 1) * per_row]
            for part in parts:
                if out:
                    out.append("\n")
                for index, tile in enumerate(chunk):
                    if index:
                        out.append(" ")
                    if part == "value" or part.startswith("big"):
                        text = tile.shown
                        style = styles["value"] + levels.get(tile.level, styles["value"])
                        if part.startswith("big"):
                            line = int(part[-1])
                            mark = f" {tile.mark}" if tile.mark else ""
                            text = big_line(tile.value, line, inner - len(mark))
                            if line == 1 and mark:  # the mark beside the middle line
                                text = text.ljust(big_width_of(tile.value, inner - len(mark)))
                                text += mark
                    else:
                        text = clean_text(fit(getattr(tile, part), inner), limit=MAX_CELL_CHARS)
                        style = styles[part]
                    if len(text) > inner:
                        text = text[: inner - 1] + "…"
                    out.append(f" {text.ljust(inner)} ", style=tile_style + style)
        return out
