"""The report's formats by name, and :func:`render`, which picks one.

:data:`RENDERERS` is the one table of formats: a name (what ``carewatch report --format``
takes) -> a function ``(report, options) -> str``. :data:`FORMATS` and the CLI's choices are
its keys, in its order. Adding a format: one module with a ``render_<name>(report, options)``
function, one line here, and its name in ``REPORT_FORMATS`` of :mod:`carewatch.cli.report`
(which ``--help`` reads without importing the report; a test checks they agree).
"""

from __future__ import annotations

from collections.abc import Callable

from carewatch.report.csv_format import render_csv
from carewatch.report.html_format import render_html
from carewatch.report.json_format import render_json
from carewatch.report.markdown import render_markdown
from carewatch.report.model import RenderOptions, Report
from carewatch.report.text import render_text

Renderer = Callable[[Report, RenderOptions], str]

RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "markdown": render_markdown,
    "html": render_html,
    "csv": render_csv,
    "json": render_json,
}

FORMATS: tuple[str, ...] = tuple(RENDERERS)


def render(report: Report, fmt: str, *, color: bool = False, width: int = 80) -> str:
    """The report as ``fmt`` (one of :data:`FORMATS`). ``color`` adds terminal colour codes to
    the text format (only when printing to a terminal); ``width`` is the text format's width
    in columns (80, the default, is the least: the tables are laid out for it). Raises
    ``ValueError`` on an unknown format."""
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise ValueError(f"unknown report format {fmt!r}; one of: {', '.join(FORMATS)}")
    return renderer(report, RenderOptions(color=color, width=width))
