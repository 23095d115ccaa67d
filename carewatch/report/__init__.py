"""The summary of a period — a day (the end-of-day summary), a week, a month or a range —
against the period before and the same period earlier, in five formats (``carewatch report
--format text|markdown|html|csv|json``; docs/reports.md).

:func:`build_report` reads what a summary needs (three KPI snapshots — the period, the one
before, the same one earlier, each one index range query — the trend's sums, the operators'
events, the open issues, the callers to call back and, on request, the calls) into a
:class:`Report`; :func:`render` turns it into text. Rendering never touches the database, so
one report can be rendered in several formats.

Text that came from logs or from operators (agents, queues, categories, outcomes, notes, issue
titles) is data: control characters and terminal escape codes are removed in every format but
JSON (where :mod:`json` escapes them), ``|`` and Markdown markup are escaped in Markdown, and
everything is HTML-escaped in HTML.

* :mod:`~carewatch.report.model` — :class:`Report`, :class:`OpenIssue`, the render options.
* :mod:`~carewatch.report.build` — :func:`build_report`: the one module that reads.
* :mod:`~carewatch.report.values` — a KPI's value, its changes, the key figures' rows.
* :mod:`~carewatch.report.rows` — the header's phrases and the sections' rows, shared by the
  formats; :mod:`~carewatch.report.analysis_rows` — the same for the manager's sections
  (queues, trend, operators' time, what callers wanted, savings, callbacks).
* :mod:`~carewatch.report.formats` — the table of formats (name -> render function) and
  :func:`render`.
* one module per format: :mod:`~carewatch.report.text` (with ``text_sections``,
  ``text_analysis``, ``text_chart`` and ``layout``), :mod:`~carewatch.report.markdown` (with
  ``markdown_base`` and ``markdown_analysis``), :mod:`~carewatch.report.html_format` (with
  ``html_base``, ``html_analysis`` and ``html_charts``), :mod:`~carewatch.report.csv_format`
  (its columns and rows in its docstring), :mod:`~carewatch.report.json_format` (the JSON
  contract in its docstring).

The modules import each other by their full names; this package module only re-exports.
"""

from carewatch.report.build import build_report
from carewatch.report.formats import FORMATS, RENDERERS, render
from carewatch.report.json_format import CALL_FIELDS
from carewatch.report.layout import cell_width
from carewatch.report.markdown import md_escape
from carewatch.report.model import OpenIssue, RenderOptions, Report
from carewatch.report.values import change

__all__ = [
    "CALL_FIELDS",
    "FORMATS",
    "RENDERERS",
    "OpenIssue",
    "RenderOptions",
    "Report",
    "build_report",
    "cell_width",
    "change",
    "md_escape",
    "render",
]
