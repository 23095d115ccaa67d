"""The text format's chart of calls per hour, drawn by plotext in plain characters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from carewatch.present import strip_escapes
from carewatch.report.layout import fit
from carewatch.report.rows import chart_hours


def hourly_chart(
    hours: Sequence[Mapping[str, int]], width: int = 78, height: int = 14
) -> list[str]:
    """A bar chart of the calls offered per hour (answered and not answered stacked), drawn
    by plotext in plain characters (no colour codes), over
    :func:`carewatch.report.rows.chart_hours`."""
    import plotext as plt

    hours = chart_hours(hours)
    answered = [h["answered"] for h in hours]
    lost = [max(0, h["offered"] - h["answered"]) for h in hours]
    top = max(a + b for a, b in zip(answered, lost, strict=True))
    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")
    xs = [h["hour"] for h in hours]
    # Bars with a gap between them when there is room; a plain histogram for 24 hours.
    bar_width = 0.6 if len(xs) <= 16 else 0.67
    plt.stacked_bar(xs, [answered, lost], marker=["█", "░"], width=bar_width)
    plt.xticks(xs, [str(x) for x in xs])
    ticks = sorted({0, round(top / 2), top})
    plt.yticks(ticks, [f"{t:,}" for t in ticks])
    plt.xlim(xs[0] - 0.5, xs[-1] + 0.5)
    plt.ylim(0, top)
    chart = plt.build()
    plt.clear_figure()
    lines = [strip_escapes(line).rstrip() for line in chart.splitlines()]
    while lines and not lines[-1].strip():
        lines.pop()
    return [fit(line, width).rstrip() for line in lines]
