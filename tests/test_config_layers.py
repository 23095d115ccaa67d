"""The config in layers: built-in default ← /etc ← ~/.config ← --config ← CAREWATCH_DB ← --db,
each setting only what it names; ``carewatch config show / init / check``."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from carewatch.cli import main
from carewatch.config import (
    RESERVED_KEYS,
    ConfigError,
    default_config,
    load_config,
    load_layered,
    parse_config,
    user_config_path,
)
from carewatch.config.show import show_text

DEFAULT_CATEGORIES = ["pre-sale", "shipping", "order", "admin", "complaint"]


@pytest.fixture
def places(tmp_path: Path) -> dict[str, Path]:
    """The system and user config files of a test machine (not created) and an environment
    that points at them."""
    system_dir = tmp_path / "etc" / "carewatch"
    xdg = tmp_path / "home" / ".config"
    return {
        "system": system_dir / "carewatch.toml",
        "user": xdg / "carewatch" / "carewatch.toml",
        "system_dir": system_dir,
        "xdg": xdg,
        "home": tmp_path / "home",
    }


def env_of(places: dict[str, Path], **extra: str) -> dict[str, str]:
    return {
        "CAREWATCH_SYSTEM_CONFIG_DIR": str(places["system_dir"]),
        "XDG_CONFIG_HOME": str(places["xdg"]),
        "HOME": str(places["home"]),
        **extra,
    }


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_that_sets_one_key_keeps_every_default(tmp_path: Path) -> None:
    path = write(tmp_path / "centre.toml", 'timezone = "Europe/Rome"\n')
    config = load_config(path)
    defaults = default_config()
    assert config.timezone == "Europe/Rome"
    assert [c.name for c in config.categories] == DEFAULT_CATEGORIES
    assert config.outcomes == defaults.outcomes
    assert config.targets == defaults.targets
    assert config.shifts == defaults.shifts
    assert config.model_dump(exclude={"timezone"}) == defaults.model_dump(exclude={"timezone"})


def test_tagging_a_default_category_works_with_a_one_key_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's report: a config with only ``timezone`` made every category unknown."""
    config = write(tmp_path / "centre.toml", 'timezone = "Europe/Rome"\n')
    with pytest.raises(SystemExit) as info:
        main(["tag", "c1", "--category", "weather", "--config", str(config)])
    assert info.value.code == 2
    assert "valid: pre-sale, shipping, order, admin, complaint" in capsys.readouterr().err


def test_each_layer_wins_over_the_ones_below(places: dict[str, Path], tmp_path: Path) -> None:
    write(
        places["system"],
        'currency = "CHF"\nagent_cost_per_hour = 40\ndatabase = "system.db"\n'
        "[targets]\ntalk_seconds = 100\n",
    )
    write(places["user"], "agent_cost_per_hour = 50\n[targets]\nservice_level_seconds = 30\n")
    named = write(tmp_path / "named.toml", 'timezone = "UTC"\n[targets]\ntalk_seconds = 90\n')
    env = env_of(places)

    config = load_config(environ=env)
    assert config.currency == "CHF"  # system
    assert config.agent_cost_per_hour == 50  # user over system
    assert config.targets.talk_seconds == 100  # system (tables merge: the user set another key)
    assert config.targets.service_level_seconds == 30  # user
    assert config.targets.talk_amber_seconds == 150  # built-in default
    assert config.database == "system.db"

    config = load_config(named, environ=env)
    assert config.targets.talk_seconds == 90  # --config over system
    assert config.targets.service_level_seconds == 30  # user still
    assert config.agent_cost_per_hour == 50
    assert config.timezone == "UTC"

    # CAREWATCH_CONFIG is the same layer as --config; --config wins when both are given
    other = write(tmp_path / "other.toml", 'timezone = "Asia/Tokyo"\n')
    assert load_config(environ={**env, "CAREWATCH_CONFIG": str(other)}).timezone == "Asia/Tokyo"
    assert load_config(named, environ={**env, "CAREWATCH_CONFIG": str(other)}).timezone == "UTC"

    # the database: a file's setting < CAREWATCH_DB < --db
    assert load_config(named, environ={**env, "CAREWATCH_DB": "env.db"}).database == "env.db"
    assert load_config(named, db="flag.db", environ={**env, "CAREWATCH_DB": "env.db"}).database == (
        "flag.db"
    )


def test_lists_are_replaced_whole(places: dict[str, Path]) -> None:
    write(places["user"], '[[categories]]\nname = "billing"\nkey = "7"\n')
    config = load_config(environ=env_of(places))
    assert [c.name for c in config.categories] == ["billing"]
    assert [o.name for o in config.outcomes] == ["sale", "appointment", "information", "none"]


def test_the_user_file_defaults_to_dot_config_under_home(places: dict[str, Path]) -> None:
    env = {"HOME": str(places["home"])}
    assert user_config_path(env) == places["home"] / ".config" / "carewatch" / "carewatch.toml"
    # a relative XDG_CONFIG_HOME is ignored, as the XDG spec says
    assert user_config_path({**env, "XDG_CONFIG_HOME": "rel/dir"}) == user_config_path(env)
    write(places["home"] / ".config" / "carewatch" / "carewatch.toml", "currency = 'kr'\n")
    env["CAREWATCH_SYSTEM_CONFIG_DIR"] = str(places["system_dir"])
    assert load_config(environ=env).currency == "kr"


def test_missing_system_and_user_files_are_fine_a_missing_named_file_is_not(
    places: dict[str, Path], tmp_path: Path
) -> None:
    assert load_config(environ=env_of(places)) == default_config().model_copy(
        update={"path": "config/carewatch.toml"}
    )
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml", environ=env_of(places))


@pytest.mark.parametrize(
    ("layer", "text", "key"),
    [
        ("system", "[targets]\ntalk_seconds = 'long'\n", "targets.talk_seconds"),
        ("user", "colour_scheme = 'dark'\n", "colour_scheme"),
        ("user", "[targets]\ntalk_amber_seconds = 100\n", "targets"),
        ("user", "[[shifts]]\nname = 'night'\nstart = '99:99'\nend = '06:00'\n", "shifts[0]"),
    ],
)
def test_an_error_names_the_file_of_the_layer_and_the_key(
    places: dict[str, Path], layer: str, text: str, key: str
) -> None:
    write(places["system"], "currency = 'CHF'\n")
    write(places["user"], "currency = 'EUR'\n")
    path = write(places[layer], text)
    with pytest.raises(ConfigError) as info:
        load_config(environ=env_of(places))
    message = str(info.value)
    assert message.startswith(f"{path}: {key}")
    assert "\n" not in message


def test_a_bad_user_file_is_exit_2_with_one_line(places: dict[str, Path], tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    write(places["user"], "[privacy]\nvisible_digits = 'four'\n")
    result = subprocess.run(
        [sys.executable, "-m", "carewatch", "report", "--db", str(tmp_path / "cw.db")],
        capture_output=True,
        text=True,
        env={**os.environ, **env_of(places)},
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"carewatch: {places['user']}: privacy.visible_digits: "
        "Input should be a valid integer, unable to parse string as an integer"
    )


def test_config_show_is_toml_of_the_effective_config_with_origins(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in env_of(places).items():
        monkeypatch.setenv(name, value)
    write(places["system"], "[targets]\ntalk_seconds = 100\n")
    write(places["user"], '[[categories]]\nname = "billing [b]"\nkey = "9"\ncolour = "red"\n')
    assert main(["config", "show", "--db", "flag.db"]) == 0
    text = capsys.readouterr().out
    shown = parse_config(tomllib.loads(text))
    effective = load_config(db="flag.db")
    assert shown == effective.model_copy(update={"path": None})
    lines = text.splitlines()
    assert f"talk_seconds = 100.0  # {places['system']}" in lines
    assert "talk_amber_seconds = 150.0  # built-in default" in lines
    assert f"# categories: {places['user']}" in lines
    assert 'database = "flag.db"  # --db' in lines
    assert "# timezone is not set  # built-in default" in lines


def test_show_writes_any_text_as_valid_toml() -> None:
    data = {
        "currency": 'a"b\\c\x7f\u00e9\n',
        "categories": [{"name": "x y", "key": "%"}],
        "mapping": {"started_at": "when", "category_values": {"odd key": "v", "é": "w"}},
    }
    layered = load_layered()  # the test environment: no system or user file
    config = parse_config(data)
    text = show_text(type(layered)(config, layered.layers))
    assert parse_config(tomllib.loads(text)) == config


def test_config_init_writes_a_commented_starter_and_refuses_to_overwrite(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    target = tmp_path / "xdg" / "carewatch" / "carewatch.toml"
    assert main(["config", "init"]) == 0
    assert str(target) in capsys.readouterr().out
    text = target.read_text(encoding="utf-8")
    assert tomllib.loads(text) == {}  # every setting commented out: the defaults hold
    assert "# talk_seconds = 120" in text
    assert load_config().model_dump() == default_config().model_dump()

    target.write_text("currency = 'kr'\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["config", "init"])
    assert info.value.code == 1
    assert "exists; add --force" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "currency = 'kr'\n"

    assert main(["config", "init", "--example", "anonymous-bank", "--force"]) == 0
    config = load_config()
    assert config.timezone == "Asia/Jerusalem"
    assert config.categories[0].name == "PS regular"


def test_config_init_of_an_unknown_example_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["config", "init", "--example", "nowhere"])
    assert info.value.code == 2
    assert "anonymous-bank" in capsys.readouterr().err


def test_config_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "good.toml", 'timezone = "Europe/Rome"\n')
    assert main(["config", "check", str(good)]) == 0
    assert capsys.readouterr().out.strip() == f"{good}: valid"
    bad = write(tmp_path / "bad.toml", "[[outcomes]]\nname = 'sale'\nkey = 'enter'\n")
    with pytest.raises(SystemExit) as info:
        main(["config", "check", str(bad)])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"carewatch: {bad}: outcomes[0].key: 'enter' can never tag")


def test_every_one_character_key_of_the_screen_is_reserved() -> None:
    from carewatch.tui.app import CarewatchApp
    from carewatch.tui.panels.calls import CallTable
    from carewatch.tui.panels.issues import IssuesTable
    from carewatch.tui.screens.main import MainScreen

    names = {"question_mark": "?"}
    used: set[str] = set()
    for owner in (CarewatchApp, MainScreen, CallTable, IssuesTable):
        for binding in owner.BINDINGS:
            for key in getattr(binding, "key", "").split(","):
                key = names.get(key, key)
                if len(key) == 1:
                    used.add(key)
    assert used and used <= set(RESERVED_KEYS)
