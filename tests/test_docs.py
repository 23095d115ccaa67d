"""Docs that are generated from the code stay equal to it (``python tests/update_docs.py``)."""

from __future__ import annotations

from carewatch.kpi.definitions import markdown_table
from tests.update_docs import KPI_DOC, generated_kpi_table


def test_the_kpi_table_in_the_docs_is_the_definitions_table() -> None:
    table = generated_kpi_table(KPI_DOC.read_text(encoding="utf-8"))
    assert table == markdown_table(), "run: python tests/update_docs.py"
