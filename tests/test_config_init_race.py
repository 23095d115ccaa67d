"""``carewatch config init`` never replaces a file it did not look at: a config written by
another program (another ``config init``, the user's editor) between its look and its write
stays, and the command says the file exists; a reader sees no file or a whole one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import carewatch.config.show as show
from carewatch.cli import main

MINE = "currency = 'kr'\n"


def test_a_config_written_meanwhile_by_another_program_is_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    target = tmp_path / "xdg" / "carewatch" / "carewatch.toml"
    real = show.starter_text

    def starter_while_another_writes(path: str, example: str | None = None) -> str:
        # after init looked (no file yet) and before it writes, another program writes one
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(MINE, encoding="utf-8")
        return real(path, example)

    monkeypatch.setattr(show, "starter_text", starter_while_another_writes)
    with pytest.raises(SystemExit) as info:
        main(["config", "init"])
    assert info.value.code == 1
    assert capsys.readouterr().err == f"carewatch: {target} exists; add --force to replace it\n"
    assert target.read_text(encoding="utf-8") == MINE
    assert sorted(os.listdir(target.parent)) == ["carewatch.toml"]  # no temporary file left


def test_write_new_creates_a_file_whole_or_refuses(tmp_path: Path) -> None:
    from carewatch.outfile import write_new

    path = tmp_path / "new.toml"
    write_new(path, "a = 1\n")
    assert path.read_text(encoding="utf-8") == "a = 1\n"
    with pytest.raises(FileExistsError):
        write_new(path, "a = 2\n")
    assert path.read_text(encoding="utf-8") == "a = 1\n"
    assert sorted(os.listdir(tmp_path)) == ["new.toml"]
