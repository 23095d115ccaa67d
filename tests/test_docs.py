"""Docs that are generated from the code stay equal to it."""

from __future__ import annotations

from pathlib import Path

from carewatch.kpi.definitions import markdown_table

ROOT = Path(__file__).resolve().parent.parent


def test_the_kpi_table_in_the_docs_is_the_definitions_table() -> None:
    text = (ROOT / "docs" / "kpis.md").read_text(encoding="utf-8")
    table = text.split("<!-- kpi-table:start -->\n", 1)[1].split("\n<!-- kpi-table:end -->", 1)[0]
    assert table == markdown_table()


def test_the_metrics_table_in_the_docs_is_the_code() -> None:
    from carewatch.metrics import markdown_table as metrics_table

    text = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    start, end = "<!-- metrics-table:start -->\n", "\n<!-- metrics-table:end -->"
    table = text.split(start, 1)[1].split(end, 1)[0]
    assert table == metrics_table()
