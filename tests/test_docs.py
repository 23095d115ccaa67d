"""Docs that are generated from the code stay equal to it (``python tests/update_docs.py``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from carewatch.kpi.definitions import KPIS
from tests.update_docs import GENERATED, ROOT, generated_part


@pytest.mark.parametrize(("doc", "name", "make"), GENERATED, ids=[g[1] for g in GENERATED])
def test_generated_docs_equal_the_code(doc: Path, name: str, make: Callable[[], str]) -> None:
    text = doc.read_text(encoding="utf-8")
    assert generated_part(text, name) == make(), "run: python tests/update_docs.py"


def test_the_readme_lists_every_key_of_kpis() -> None:
    """The README's list of the JSON's ``kpis`` keys is the definitions table's, no more."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("The keys of `kpis`:")
    listed = re.findall(r"`(\w+)`", readme[start : readme.index("(types in", start)])
    assert listed[0] == "kpis"
    assert sorted(listed[1:]) == sorted(d.key for d in KPIS)
