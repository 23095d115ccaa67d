"""``TZ`` as a machine sets it: a zone by name or by its file is used; a value that names no
zone (misspelt, or a POSIX rule) is passed over for the system's zone, and the command says so."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from carewatch.cli import common, main
from carewatch.store import Store
from carewatch.timeutil import local_timezone, tz_env_problem


@pytest.fixture(autouse=True)
def _told_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with nothing said yet about TZ in this process."""
    monkeypatch.setattr(common, "_told_tz", [])


@pytest.mark.parametrize(
    ("value", "zone"),
    [
        ("Europe/Rome", "Europe/Rome"),
        (":Asia/Tokyo", "Asia/Tokyo"),
        (":/usr/share/zoneinfo/America/New_York", "America/New_York"),
    ],
)
def test_tz_naming_a_zone_is_used(monkeypatch: pytest.MonkeyPatch, value: str, zone: str) -> None:
    monkeypatch.setenv("TZ", value)
    assert local_timezone() == ZoneInfo(zone)
    assert tz_env_problem() is None


@pytest.mark.parametrize("value", ["Europe/Roma", "CET-1CEST,M3.5.0,M10.5.0/3", "../etc/passwd"])
def test_tz_naming_no_zone_is_told(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TZ", value)
    assert tz_env_problem() == value
    monkeypatch.delenv("TZ")
    system = local_timezone()
    monkeypatch.setenv("TZ", value)
    assert local_timezone() == system  # the system's zone, as without TZ


@pytest.mark.parametrize("value", [None, "", ":/etc/localtime"])
def test_tz_unset_or_the_system_file_is_no_problem(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("TZ", raising=False)
    else:
        monkeypatch.setenv("TZ", value)
    assert tz_env_problem() is None


def _report(tmp_path: Path, *extra: str) -> int:
    Store(str(tmp_path / "cw.db")).close()
    code = main(["--db", str(tmp_path / "cw.db"), *extra, "report", "--date", "2026-03-02"])
    return int(code or 0)


def test_a_command_says_once_which_zone_it_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TZ", "Europe/Roma")
    monkeypatch.delenv("CAREWATCH_CONFIG", raising=False)
    assert _report(tmp_path) == 0
    assert _report(tmp_path) == 0  # the same process: not said twice
    captured = capsys.readouterr()
    zone = str(getattr(local_timezone(), "key", local_timezone()))
    warnings = [line for line in captured.err.splitlines() if "TZ=Europe/Roma" in line]
    assert len(warnings) == 1
    assert "names no time zone" in warnings[0] and f"times are in {zone}" in warnings[0]
    assert f"· {zone}" in captured.out  # the report's heading names the same zone


def test_no_word_when_the_config_sets_the_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TZ", "Europe/Roma")
    config = tmp_path / "cw.toml"
    config.write_text('timezone = "Europe/Rome"\n', encoding="utf-8")
    assert _report(tmp_path, "--config", str(config)) == 0
    captured = capsys.readouterr()
    assert "TZ=" not in captured.err
    assert "· Europe/Rome" in captured.out
