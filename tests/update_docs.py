"""Rewrite the generated parts of the docs from the code: ``python tests/update_docs.py``.

Today: the KPI table of docs/kpis.md, from carewatch/kpi/definitions.py. tests/test_docs.py
fails when the docs and the code differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from carewatch.kpi.definitions import markdown_table  # noqa: E402

START, END = "<!-- kpi-table:start -->\n", "\n<!-- kpi-table:end -->"
KPI_DOC = ROOT / "docs" / "kpis.md"


def generated_kpi_table(text: str) -> str:
    """The part of docs/kpis.md between the markers."""
    return text.split(START, 1)[1].split(END, 1)[0]


def main() -> None:
    text = KPI_DOC.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    KPI_DOC.write_text(head + START + markdown_table() + END + tail, encoding="utf-8")
    print(f"wrote {KPI_DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
