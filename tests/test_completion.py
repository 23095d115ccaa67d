"""``carewatch completion SHELL``: scripts generated from the parser, and bash's loads and
completes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from carewatch.cli import COMMANDS

BASH = shutil.which("bash")


def script(shell: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "carewatch", "completion", shell],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_every_command_is_in_the_script(shell: str) -> None:
    text = script(shell)
    assert "carewatch" in text
    for name in COMMANDS:
        assert name in text, name
    for option in ("--config", "--db", "--format", "--listen", "--example"):
        assert option in text


def test_an_unknown_shell_is_exit_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "carewatch", "completion", "cmd.exe"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def complete_in_bash(script_file: Path, line: str) -> list[str]:
    """What bash offers after ``line`` (the words so far, the last one being completed)."""
    assert BASH, "bash is needed for this test"
    program = """
source "$1"
read -ra COMP_WORDS <<< "$2"
[[ "$2" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="$2"
COMP_POINT=${#COMP_LINE}
_shtab_carewatch carewatch "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
printf '%s\\n' "${COMPREPLY[@]}"
"""
    result = subprocess.run(
        [BASH, "-c", program, "_", str(script_file), line],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_bash_script_loads_and_completes(tmp_path: Path) -> None:
    assert BASH, "bash is needed for this test"
    script_file = tmp_path / "carewatch.bash"
    script_file.write_text(script("bash"), encoding="utf-8")
    loaded = subprocess.run(
        [BASH, "-c", 'source "$1" && complete -p carewatch', "_", str(script_file)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip().endswith(" carewatch")
    assert complete_in_bash(script_file, "carewatch rep") == ["report"]
    assert complete_in_bash(script_file, "carewatch config ") == ["show", "init", "check"]
    assert complete_in_bash(script_file, "carewatch report --format ") == [
        "text",
        "markdown",
        "html",
        "csv",
        "json",
    ]
    assert complete_in_bash(script_file, "carewatch config init --example ") == [
        "anonymous-bank",
        "telecom-call-centre",
    ]
    # a FILE argument completes paths
    (tmp_path / "centre.toml").write_text("", encoding="utf-8")
    offered = complete_in_bash(script_file, f"carewatch config check {tmp_path}/cen")
    assert offered == [f"{tmp_path}/centre.toml"]
