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


def _tag_loads(db: Path) -> list[str]:
    """The heavy packages ``carewatch --db DB tag C1 --category order`` loads, run as a user
    runs it (``main`` with the arguments, in a fresh interpreter, the test's config places)."""
    code = (
        "import contextlib, io\n"
        "from carewatch.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    code = main(['--db', {str(db)!r}, 'tag', 'C1', '--category', 'order'])\n"
        "assert code == 0 and 'C1: 1 tag written' in out.getvalue(), out.getvalue()\n"
    )
    return _loaded_by(code)


def test_tag_on_sqlite_imports_no_heavy_package(tmp_path: Path) -> None:
    """``carewatch tag`` with the shipped config on an SQLite database of the current schema
    tags without pydantic (the config's models), SQLAlchemy, SQLModel or alembic: a script
    that tags call after call pays Python's start and little else (issue 10)."""
    from carewatch.config import user_config_path
    from carewatch.config.show import starter_text
    from carewatch.records import CallUpdate
    from carewatch.store import Store

    db = tmp_path / "cw.db"
    with Store(str(db)) as store:
        store.ingest("log", [(1, CallUpdate("C1", {"started_at": 1_715_670_000.0}))])
    assert _tag_loads(db) == []
    # the same with the commented starter of ``carewatch config init`` as the user's file
    user = user_config_path()
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text(starter_text(str(user)), encoding="utf-8")
    with Store(str(db)) as store:
        store.tag(store.find_calls("C1")[0].id, "category", None, "test")
    assert _tag_loads(db) == []
    # a config of the user's own is validated by the models, so the probe sees pydantic
    user.write_text("[targets]\ntalk_seconds = 100\n", encoding="utf-8")
    with Store(str(db)) as store:
        store.tag(store.find_calls("C1")[0].id, "category", None, "test")
    assert "pydantic" in _tag_loads(db)


def test_report_formats_on_the_command_line_are_the_reports() -> None:
    from carewatch.cli.report import REPORT_FORMATS
    from carewatch.report import FORMATS

    assert REPORT_FORMATS == FORMATS
