"""Where the terminal is not UTF-8 (``LANG=C``, ``PYTHONIOENCODING=ascii``, a Latin-1
locale) every command prints, in plain characters of the same width, never an encoding
error; on a UTF-8 terminal nothing changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from carewatch.charset import plain_encoding, plain_text
from carewatch.cli import main

LOCALE_VARIABLES = ("LC_ALL", "LC_CTYPE", "LANG", "LANGUAGE", "LC_MESSAGES")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plain")
    log = folder / "calls.csv"
    args = ["--format", "csv", "--days", "2", "--start", "2026-03-02"]
    assert main(["simulate", "--out", str(log), *args]) == 0
    assert main(["ingest", str(log), "--db", str(folder / "cw.db")]) == 0
    return folder / "cw.db"


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """carewatch in a pipe, with only the locale variables of ``env``."""
    full = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    full.pop("PYTHONIOENCODING", None)
    full.pop("PYTHONUTF8", None)
    full.update({"SOURCE_DATE_EPOCH": "1772535600", "TZ": "UTC", **env})
    return subprocess.run(
        [sys.executable, "-m", "carewatch", *args],
        capture_output=True,
        env=full,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def report(db: Path, env: dict[str, str], *more: str) -> subprocess.CompletedProcess[bytes]:
    return run(["report", "--date", "2026-03-03", "--db", str(db), *more], env, db.parent)


@pytest.mark.parametrize(
    "env",
    [
        {"LC_ALL": "C"},
        {"LANG": "C"},
        {"LANG": "POSIX"},
        {"LC_ALL": "C", "PYTHONUTF8": "0"},
        {"LANG": "C.UTF-8", "PYTHONIOENCODING": "ascii"},
    ],
    ids=["LC_ALL=C", "LANG=C", "LANG=POSIX", "C-without-utf8-mode", "PYTHONIOENCODING=ascii"],
)
def test_the_report_where_the_terminal_is_not_utf8_is_plain_and_keeps_its_columns(
    db: Path, env: dict[str, str]
) -> None:
    plain = report(db, env, "--calls")
    assert plain.returncode == 0, plain.stderr
    assert plain.stderr == b""
    assert plain.stdout.isascii()
    text = plain.stdout.decode("ascii")
    unicode = report(db, {"LANG": "C.UTF-8"}, "--calls").stdout.decode("utf-8")
    assert "─" in unicode and "█" in unicode and "▼" in unicode
    # the same report, each character that needs UTF-8 written as one plain character
    assert text == plain_text(unicode)
    for plain_line, line in zip(text.splitlines(), unicode.splitlines(), strict=True):
        assert len(plain_line) == cell_len(line) <= 80
    assert "-" * 80 in text  # the rules
    assert "# answered  . not answered" in text  # the chart's legend and bars
    assert "Service level (<=20 s)" in text
    assert "^/v = up/down" in text


def test_a_latin1_terminal_keeps_what_latin1_has(db: Path) -> None:
    out = report(db, {"LANG": "C.UTF-8", "PYTHONIOENCODING": "latin-1"}, "--lang", "it")
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode("latin-1")
    assert "martedì 3 marzo 2026 · Etc/UTC" in text or "martedì 3 marzo 2026 · UTC" in text
    assert "-" * 80 in text and "─" not in text


def test_italian_under_lang_c_loses_only_its_accents(db: Path) -> None:
    out = report(db, {"LC_ALL": "C"}, "--lang", "it")
    assert out.returncode == 0, out.stderr
    assert out.stdout.isascii()
    assert "martedi 3 marzo 2026" in out.stdout.decode("ascii")


@pytest.mark.parametrize("env", [{"LANG": "C.UTF-8"}, {"LANG": "it_IT.UTF-8"}, {}])
def test_a_utf8_terminal_or_no_locale_at_all_keeps_utf8(db: Path, env: dict[str, str]) -> None:
    out = report(db, env)
    assert out.returncode == 0, out.stderr
    assert "─" * 80 in out.stdout.decode("utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--lang", "it", "--help"],
        ["config", "show"],
        ["callbacks", "--date", "2026-03-03"],
        ["metrics"],
        ["report", "--date", "2026-03-03", "--format", "markdown"],
        ["report", "--date", "2026-03-03", "--format", "csv"],
        ["report", "--date", "2026-03-03", "--format", "html"],
    ],
)
def test_every_command_prints_under_an_ascii_output(db: Path, args: list[str]) -> None:
    out = run(
        [*args, "--db", str(db)] if args[0] != "--help" and "--help" not in args else args,
        {"LANG": "C.UTF-8", "PYTHONIOENCODING": "ascii"},
        db.parent,
    )
    assert out.returncode == 0, out.stderr
    assert b"UnicodeEncodeError" not in out.stderr
    assert out.stdout.isascii() and out.stderr.isascii()


def test_a_database_name_that_is_not_utf8_in_an_ascii_locale_is_one_clear_line(db: Path) -> None:
    out = run(
        ["--lang", "it", "report", "--db", "/nonexistent/caffè.db"],
        {"LC_ALL": "C", "PYTHONUTF8": "0"},
        db.parent,
    )
    # a name in a locale that is not UTF-8 is bytes, not text: its bytes are written out
    assert out.returncode == 1
    assert out.stderr.isascii()
    assert out.stderr.decode() == (
        "carewatch: impossibile aprire il database /nonexistent/caff\\udcc3\\udca8.db: "
        "la cartella /nonexistent non esiste\n"
    )


# -- the rule, without a subprocess ----------------------------------------------------------
class Stream:
    def __init__(self, encoding: str) -> None:
        self.encoding = encoding


@pytest.mark.parametrize(
    ("env", "encoding", "expected"),
    [
        ({}, "utf-8", None),
        ({"LANG": "C.UTF-8"}, "utf-8", None),
        ({"LANG": "it_IT.UTF-8"}, "utf-8", None),
        ({"LANG": "it_IT"}, "utf-8", None),
        ({"LANG": "C"}, "utf-8", "ascii"),
        ({"LC_ALL": "POSIX", "LANG": "it_IT.UTF-8"}, "utf-8", "ascii"),
        ({"LC_ALL": "C.UTF-8", "LANG": "C"}, "utf-8", None),
        ({"LANG": "en_US.ISO-8859-1"}, "utf-8", "iso8859-1"),
        ({"LANG": "de_DE.ISO-8859-15@euro"}, "utf-8", "iso8859-15"),
        ({"LANG": "C.UTF-8"}, "ascii", "ascii"),
        ({"LANG": "C.UTF-8"}, "latin-1", "iso8859-1"),
    ],
)
def test_which_outputs_get_plain_characters(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], encoding: str, expected: str | None
) -> None:
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert plain_encoding(Stream(encoding)) == expected


def test_plain_characters_are_as_wide_as_what_they_replace() -> None:
    assert plain_text("╭─ Queues · 2 ─╮") == "+- Queues - 2 -+"
    assert plain_text("│ ▼ 57 ▲ 6 – … ● ✓ ✗ ⚠ △") == "| v 57 ^ 6 - ~ * + - ! *"
    assert plain_text("█░ ≤ 20 s ≤20") == "#. <=20 s <20"
    assert plain_text("mercoledì · José") == "mercoledi - Jose"
    assert plain_text("日本 ok") == "???? ok"  # two cells each
    assert plain_text("caffè · 3 €", "iso8859-1") == "caffè · 3 E"
