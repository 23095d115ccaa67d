"""Docs that are generated from the code stay equal to it."""

from __future__ import annotations

from pathlib import Path

from carewatch.kpi.definitions import markdown_table

ROOT = Path(__file__).resolve().parent.parent


def test_the_kpi_table_in_the_docs_is_the_definitions_table() -> None:
    text = (ROOT / "docs" / "kpis.md").read_text(encoding="utf-8")
    table = text.split("<!-- kpi-table:start -->\n", 1)[1].split("\n<!-- kpi-table:end -->", 1)[0]
    assert table == markdown_table()
