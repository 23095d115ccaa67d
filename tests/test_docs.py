"""Docs that are generated from the code stay equal to it (``python tests/update_docs.py``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.update_docs import GENERATED, generated_part


@pytest.mark.parametrize(("doc", "name", "make"), GENERATED, ids=[g[1] for g in GENERATED])
def test_generated_docs_equal_the_code(doc: Path, name: str, make: Callable[[], str]) -> None:
    text = doc.read_text(encoding="utf-8")
    assert generated_part(text, name) == make(), "run: python tests/update_docs.py"
