"""NO_COLOR and FORCE_COLOR, as a user sets them, on a real terminal (a pty) and in a pipe."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from carewatch.cli import main

#: An SGR sequence that sets a colour (30–37, 38;…, 90–97): what NO_COLOR forbids.
COLOUR = re.compile(rb"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])[0-9;]*m")
ANY_SGR = re.compile(rb"\x1b\[[0-9;]*m")


def run_on_pty(
    args: list[str], env: dict[str, str], *, stdout_tty: bool, stderr_tty: bool, cwd: Path
) -> tuple[bytes, bytes, bytes]:
    """Run carewatch with stdout and/or stderr on a pty: (what the terminal got, stdout if
    piped, stderr if piped)."""
    master, slave = pty.openpty()
    # a fixed "printed" time: two runs compared byte for byte may straddle a minute
    fixed = {"SOURCE_DATE_EPOCH": "1772535600"}
    full_env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", **fixed, **env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "carewatch", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave if stdout_tty else subprocess.PIPE,
        stderr=slave if stderr_tty else subprocess.PIPE,
        env=full_env,
        cwd=cwd,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    out, err = proc.communicate(timeout=120)
    os.close(master)
    assert proc.returncode == 0, err
    return b"".join(chunks), out or b"", err or b""


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("colour")
    log = folder / "calls.csv"
    args = ["--format", "csv", "--days", "2", "--start", "2026-03-02"]
    assert main(["simulate", "--out", str(log), *args]) == 0
    assert main(["ingest", str(log), "--db", str(folder / "cw.db")]) == 0
    return folder / "cw.db"


REPORT = ["report", "--date", "2026-03-03", "--db"]


def test_report_on_a_terminal_is_coloured(db: Path) -> None:
    screen, _, _ = run_on_pty(
        [*REPORT, str(db)], {}, stdout_tty=True, stderr_tty=False, cwd=db.parent
    )
    assert COLOUR.search(screen)
    assert b"CAREWATCH" in screen


def test_no_color_on_a_terminal_gives_no_colour(db: Path) -> None:
    screen, _, _ = run_on_pty(
        [*REPORT, str(db)], {"NO_COLOR": "1"}, stdout_tty=True, stderr_tty=False, cwd=db.parent
    )
    assert b"CAREWATCH" in screen
    assert not ANY_SGR.search(screen)


def test_force_color_colours_a_pipe(db: Path) -> None:
    _, piped, _ = run_on_pty(
        [*REPORT, str(db)], {"FORCE_COLOR": "1"}, stdout_tty=False, stderr_tty=True, cwd=db.parent
    )
    assert COLOUR.search(piped)
    _, plain, _ = run_on_pty(
        [*REPORT, str(db)], {}, stdout_tty=False, stderr_tty=True, cwd=db.parent
    )
    assert not ANY_SGR.search(plain)
    assert ANY_SGR.sub(b"", piped) == plain


def test_no_color_wins_over_force_color(db: Path) -> None:
    env = {"NO_COLOR": "1", "FORCE_COLOR": "1"}
    screen, _, _ = run_on_pty(
        [*REPORT, str(db)], env, stdout_tty=True, stderr_tty=False, cwd=db.parent
    )
    assert b"CAREWATCH" in screen and not ANY_SGR.search(screen)


def test_ingest_progress_follows_the_same_rules(tmp_path: Path) -> None:
    log = tmp_path / "calls.csv"
    assert main(["simulate", "--out", str(log), "--format", "csv", "--days", "1"]) == 0

    def ingest(db: str, env: dict[str, str], *, stderr_tty: bool) -> tuple[bytes, bytes, bytes]:
        argv = ["ingest", str(log), "--db", str(tmp_path / db)]
        return run_on_pty(argv, env, stdout_tty=not stderr_tty, stderr_tty=stderr_tty, cwd=tmp_path)

    # on a terminal with NO_COLOR: the progress bar, without colour
    screen, out, _ = ingest("a.db", {"NO_COLOR": "1"}, stderr_tty=True)
    assert b"ingesting" in screen and not COLOUR.search(screen)
    assert b"calls added" in out
    # into a pipe: no progress bar, unless FORCE_COLOR says to treat it as a terminal
    _, _, err = ingest("b.db", {}, stderr_tty=False)
    assert b"ingesting" not in err
    _, _, err = ingest("c.db", {"FORCE_COLOR": "1"}, stderr_tty=False)
    assert b"ingesting" in err and COLOUR.search(err)
