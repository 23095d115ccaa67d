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


#: What ``carewatch --help`` must not load: it takes longer to import than the help takes to
#: print (pydantic alone is about 40 ms, SQLAlchemy 150 ms).
HEAVY = ("textual", "rich", "pydantic", "pydantic_core", "sqlalchemy", "sqlmodel", "alembic")


def _loaded_by(code: str) -> list[str]:
    """The heavy packages a fresh interpreter has loaded after running ``code``."""
    probe = (
        f"{code}\nimport sys\nprint(','.join(sorted(p for p in {HEAVY!r} if p in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return [name for name in result.stdout.strip().split(",") if name]


def test_help_imports_no_heavy_package() -> None:
    """``carewatch --help`` as a user runs it (the language chosen, the config layers looked at
    for ``[ui] language``, the whole parser built) loads none of them: a command imports what
    it needs when it runs."""
    for argv in (["--help"], ["--lang", "it", "--help"], ["tag", "--help"]):
        code = (
            "import contextlib, io\n"
            "from carewatch.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "    try:\n"
            f"        main({argv!r})\n"
            "    except SystemExit:\n"
            "        pass\n"
            "assert 'COMMAND' in out.getvalue() or 'CALL' in out.getvalue(), out.getvalue()\n"
        )
        assert _loaded_by(code) == [], argv


def test_the_probe_sees_a_heavy_import() -> None:
    """The check above can fail: reading a config loads pydantic."""
    assert "pydantic" in _loaded_by("from carewatch.config import default_config\ndefault_config()")


def test_report_formats_on_the_command_line_are_the_reports() -> None:
    from carewatch.cli.report import REPORT_FORMATS
    from carewatch.report import FORMATS

    assert REPORT_FORMATS == FORMATS
