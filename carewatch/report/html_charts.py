"""The HTML page's charts as inline SVG: calls per hour, one category's share, the trend."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from carewatch.i18n import _
from carewatch.present import count, percent
from carewatch.report.rows import chart_hours

#: Config colour names -> CSS colours that show on white paper.
_CSS_COLOURS = {
    "red": "#c62828",
    "green": "#2e7d32",
    "blue": "#1565c0",
    "cyan": "#00838f",
    "magenta": "#8e24aa",
    "yellow": "#f9a825",
    "white": "#9e9e9e",
    "black": "#212121",
    "grey": "#757575",
    "gray": "#757575",
    "orange": "#ef6c00",
    "purple": "#6a1b9a",
}
_DEFAULT_COLOUR = "#455a64"
#: The colours of the answered and the not answered calls.
ANSWERED = "#1565c0"
LOST = "#ef9a9a"
_HEX_RE = re.compile(r"^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$")


def css_colour(name: str | None) -> str:
    """A config colour name (or ``#rgb``/``#rrggbb``) as a CSS colour that prints on white."""
    if not name:
        return _DEFAULT_COLOUR
    name = name.strip().lower()
    if _HEX_RE.match(name):
        return name
    return _CSS_COLOURS.get(name.removeprefix("bright_"), _DEFAULT_COLOUR)


def hourly_svg(hours: Sequence[Mapping[str, int]]) -> str:
    """Stacked bars of calls offered per hour (answered / not answered) as inline SVG, over
    the hours of :func:`carewatch.report.rows.chart_hours`."""
    bars = []
    for hour in chart_hours(hours):
        answered = hour["answered"]
        lost = max(0, hour["offered"] - answered)
        title = _bar_title(f"{hour['hour']:02d}:00", hour["offered"], answered, lost)
        bars.append((f"{hour['hour']:02d}", answered, lost, title))
    return _stacked_bars(
        bars, _("Calls offered per hour, answered and not answered"), height=170, left=34, gap=3
    )


def _bar_title(name: str, offered: int, answered: int, lost: int) -> str:
    """ "09:00 — 2 offered, 1 answered, 1 not answered"."""
    return _("{name} — {offered} offered, {answered} answered, {lost} not answered").format(
        name=name, offered=count(offered), answered=count(answered), lost=count(lost)
    )


def _stacked_bars(
    bars: Sequence[tuple[str, int, int, str]], aria: str, *, height: int, left: int, gap: float
) -> str:
    """Bars of answered (below) and not answered (above) calls with a label under each and a
    title (the tooltip) on each; ``bars`` are (label, answered, not answered, title), with
    labels and titles already escaped."""
    top = max((a + b for _, a, b, _ in bars), default=0) or 1
    w, bottom, top_pad = 720, 18, 8
    bar_w = (w - left - 4) / max(1, len(bars))
    parts = [
        f'<svg viewBox="0 0 {w} {height + bottom + top_pad}" width="{w}" role="img" '
        f'aria-label="{aria}">'
    ]
    for frac in (0, 0.5, 1):
        y = top_pad + height * (1 - frac)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{w - 2}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{round(top * frac):,}</text>'
        )
    for i, (name, answered, lost, title) in enumerate(bars):
        x = left + 2 + i * bar_w
        label = (
            f'<text x="{x + (bar_w - gap) / 2:.1f}" y="{top_pad + height + 12}" '
            f'text-anchor="middle">{name}</text>'
        )
        if not answered + lost:
            parts.append(label)
            continue
        h_ans, h_lost = height * answered / top, height * lost / top
        y_ans = top_pad + height - h_ans
        parts.append(f"<g><title>{title}</title>")
        if h_ans:
            parts.append(
                f'<rect x="{x:.1f}" y="{y_ans:.1f}" width="{bar_w - gap:.1f}" '
                f'height="{h_ans:.1f}" fill="{ANSWERED}"/>'
            )
        if h_lost:
            parts.append(
                f'<rect x="{x:.1f}" y="{y_ans - h_lost:.1f}" width="{bar_w - gap:.1f}" '
                f'height="{h_lost:.1f}" fill="{LOST}"/>'
            )
        parts.append("</g>" + label)
    parts.append("</svg>")
    return "".join(parts)


def share_svg(share: float | None, colour: str, threshold: float | None) -> str:
    """One category's share as a small inline SVG bar, with its alert share marked."""
    w, h = 160, 12
    filled = 0.0 if share is None else max(0.0, min(1.0, share)) * w
    out = [
        f'<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        f'aria-label="{percent(share)}">',
        f'<rect x="0" y="0" width="{w}" height="{h}" fill="#eee"/>',
        f'<rect x="0" y="0" width="{filled:.1f}" height="{h}" fill="{colour}"/>',
    ]
    if threshold is not None and 0 < threshold < 1:
        x = threshold * w
        out.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{h}" stroke="#000" stroke-width="1.5"/>'
        )
    out.append("</svg>")
    return "".join(out)


def trend_svg(rows: Sequence[tuple[str, int, int]]) -> str:
    """Calls offered per period (answered / not answered stacked) as inline SVG bars; ``rows``
    are (label, offered, answered), oldest first, labels already escaped."""
    bars = [
        (
            name,
            answered,
            max(0, offered - answered),
            _bar_title(name, offered, answered, max(0, offered - answered)),
        )
        for name, offered, answered in rows
    ]
    return _stacked_bars(
        bars, _("Calls offered per period, answered and not answered"), height=150, left=40, gap=4
    )


def legend() -> str:
    """The charts' legend: answered, not answered."""
    return (
        f'<p class="legend note"><span style="background:{ANSWERED}"></span>'
        + _("answered")
        + f'<span style="background:{LOST}"></span>'
        + _("not answered")
        + "</p>"
    )
