"""``carewatch demo`` keeps its own database: a ``--db`` given to it is refused, not ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from carewatch.cli import main


@pytest.mark.parametrize(
    "argv", [["demo", "--db", "site.db"], ["--db", "site.db", "demo", "--seed", "3"]]
)
def test_demo_refuses_a_db_it_would_not_use(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--db" in err and "carewatch-demo/demo.db" in err and "--dir" in err
    assert list(tmp_path.iterdir()) == []
