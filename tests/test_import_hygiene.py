"""The core never imports Textual: only carewatch.tui may."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import carewatch

PACKAGE = Path(carewatch.__file__).parent


def core_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = rel.parts
        if "tui" in parts or "migrations" in parts:  # alembic scripts run inside alembic only
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def test_core_modules_do_not_import_textual() -> None:
    modules = core_modules()
    assert "carewatch.store" in modules and "carewatch.cli" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"core imports Textual: {out}"
