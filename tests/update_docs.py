"""Rewrite the generated parts of the docs from the code: ``python tests/update_docs.py``.

Each generated part stands between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` markers:
the KPI table of docs/kpis.md (carewatch/kpi/definitions.py) and the metrics table of
docs/metrics.md (carewatch/metrics.py). tests/test_docs.py fails when docs and code differ.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _kpi_table() -> str:
    from carewatch.kpi.definitions import markdown_table

    return markdown_table()


def _metrics_table() -> str:
    from carewatch.metrics import markdown_table

    return markdown_table()


#: (doc, marker name, what generates the part)
GENERATED: tuple[tuple[Path, str, Callable[[], str]], ...] = (
    (ROOT / "docs" / "kpis.md", "kpi-table", _kpi_table),
    (ROOT / "docs" / "metrics.md", "metrics-table", _metrics_table),
)


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->\n", f"\n<!-- {name}:end -->"


def generated_part(text: str, name: str) -> str:
    """The part of a doc between the markers of ``name``."""
    start, end = markers(name)
    return text.split(start, 1)[1].split(end, 1)[0]


def main() -> None:
    for doc, name, make in GENERATED:
        start, end = markers(name)
        text = doc.read_text(encoding="utf-8")
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1]
        doc.write_text(head + start + make() + end + tail, encoding="utf-8")
        print(f"wrote {doc.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
